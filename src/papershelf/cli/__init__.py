"""The ``papershelf`` command: the root app, its global options, and the command registry.

Each command lives in a small module of this package and is listed once in ``COMMANDS``; a run
imports only the module of the command it runs (see ``PapershelfGroup`` in ``_errors``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from papershelf import __version__
from papershelf.cli._context import env_debug, new_state, set_state
from papershelf.cli._errors import PapershelfGroup, run

# ── The command registry. Add a command here: ONE line, in the order of `papershelf --help`:
#      "name": ("module:attribute", "the one line `papershelf --help` shows"),
#    module is in papershelf.cli; attribute is a command function or a typer.Typer of
#    subcommands (like `export`). Then say so in README.md and run completions/regenerate.sh.
COMMANDS: dict[str, tuple[str, str]] = {
    "list": ("browse:list_entries", "List entries, optionally filtered by tag, type and year."),
    "search": ("browse:search", "Search the catalogue, best matches first."),
    "show": ("browse:show", "Show every field of one entry, with its tags, notes and links."),
    "open": ("open:open_entry", "Open an entry's arXiv page, DOI or URL in the browser."),
    "add": ("add:add", "Add papers and books by arXiv id, DOI, ISBN or DBLP key, pasted BibTeX, or by hand."),
    "sync": ("arxiv:sync", "Refresh arXiv entries and report what changed."),
    "tag": ("edit:tag", "Add tags to entries (or to every entry a search finds)."),
    "untag": ("edit:untag", "Remove tags from entries (or from every entry a search finds)."),
    "tags": ("edit:tags", "List every tag with its number of entries."),
    "autotag": ("topics:autotag", "Tag entries by the topic rules and show what was added."),
    "topics": ("topics:topics", "List the topics with their aliases, rules and counts."),
    "note": ("edit:note", "Add to an entry's notes, or edit them in $EDITOR."),
    "edit": ("entry_edit:edit", "Edit an entry as BibTeX in $VISUAL or $EDITOR."),
    "set": ("entry_edit:set_fields", "Set BibTeX fields of an entry from the command line."),
    "remove": ("edit:remove", "Move entries to the trash (`restore` brings them back)."),
    "trash": ("trash:trash", "List the entries in the trash, or empty it."),
    "restore": ("trash:restore", "Bring removed entries back from the trash, unchanged."),
    "merge": ("merge:merge", "Merge one entry into another: its key keeps citing (shows the diff, asks)."),
    "undo": ("merge:undo", "Undo the last import or merge."),
    "rekey": ("edit:rekey", "Rename an entry's citation key."),
    "cite": ("export:cite", "Print the BibTeX of some entries, ready to paste."),
    "check": ("check:check", "Lint what a thesis cites: missing keys, fields, duplicates, published preprints."),
    "stats": ("admin:stats", "Count entries by type, tag and year."),
    "init": ("admin:init", "Create a catalogue, with the bundled reading list or empty."),
    "env": ("admin:env", "Show the paths papershelf uses and the variables it reads."),
    "config": ("config:config", "Show the effective settings and where each came from."),
    "arxiv": ("arxiv:arxiv_app", "Talk to arXiv directly: search it from the terminal."),
    "export": ("export:export_app", "Write entries as BibTeX/biblatex, Markdown or CSL-JSON."),
    "import": ("imports:import_app", "Bring entries in from BibTeX or Markdown files."),
    "db": ("admin:db_app", "The catalogue file: where it is, what it holds, backups."),
    "mcp": ("mcp:mcp", "Serve the catalogue to AI agents over MCP (stdio); read-only unless --allow-write."),
}


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


def main() -> None:
    """Console-script entry point."""
    run(app)
