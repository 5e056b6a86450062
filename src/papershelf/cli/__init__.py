"""The ``papershelf`` command: the root app, its global options, and the command registry.

Each command lives in a small module of this package; the order below is the order of
``papershelf --help``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from papershelf import __version__
from papershelf.cli import admin, arxiv, browse, edit, entry_edit, export, imports, topics
from papershelf.cli._context import State, env_debug, set_state
from papershelf.cli._errors import PapershelfGroup
from papershelf.paths import resolve_db

app = typer.Typer(
    name="papershelf",
    cls=PapershelfGroup,
    help="A bibliography manager for the terminal: a local catalogue of papers and books, "
         "searchable offline, exportable to BibTeX and Markdown.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"papershelf {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[Path | None, typer.Option(
        "--db", envvar="PAPERSHELF_DB", show_envvar=True,
        help="Catalogue file (default: the user data dir).", dir_okay=False)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No notices or progress on stderr.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    ctx.obj = set_state(State(resolve_db(db), debug=debug or env_debug(), quiet=quiet))


# The command registry, in help order.
app.command("list")(browse.list_entries)
app.command()(browse.search)
app.command()(browse.show)
app.command()(arxiv.add)
app.command()(arxiv.sync)
app.command()(edit.tag)
app.command()(edit.untag)
app.command()(edit.tags)
app.command()(topics.autotag)
app.command()(topics.topics)
app.command()(edit.note)
app.command("edit")(entry_edit.edit)
app.command("set")(entry_edit.set_fields)
app.command()(edit.remove)
app.command()(edit.rekey)
app.command()(export.cite)
app.command()(admin.stats)
app.command()(admin.init)
app.command()(admin.env)
app.add_typer(arxiv.arxiv_app, name="arxiv")
app.add_typer(export.export_app, name="export")
app.add_typer(imports.import_app, name="import")
app.add_typer(admin.db_app, name="db")


def main() -> None:
    """Console-script entry point."""
    app(prog_name="papershelf")
