"""The root Typer app of ``papershelf``: its global options and the lazy command group over
the registry (``papershelf.cli._commands.COMMANDS``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from papershelf import __version__
from papershelf.cli._commands import COMMANDS
from papershelf.cli._context import env_debug, new_state, set_state
from papershelf.cli._errors import PapershelfGroup


class RootGroup(PapershelfGroup):
    registry = COMMANDS


app = typer.Typer(
    name="papershelf",
    cls=RootGroup,
    help="A bibliography manager for the terminal: a local catalogue of papers and books, "
         "searchable offline, exportable to BibTeX and Markdown.",
    epilog="Global options work before or after the command: papershelf list -q --db thesis.db. "
           "Run `papershelf COMMAND --help` for a command's options and examples.\n\n"
           "\b\nExamples:\n  papershelf add 2106.09685\n  papershelf search 'author:ho diffusion'\n"
           "  papershelf export bibtex --aux thesis.aux -o refs.bib",
    no_args_is_help=True,
    # Plain help for the root: Typer's Rich help imports rich.markdown and markdown_it (~50 ms)
    # on every `papershelf --help`; commands' own --help pages keep Rich panels.
    rich_markup_mode=None,
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
    ctx.obj = set_state(new_state(db, debug=debug or env_debug(), quiet=quiet))
