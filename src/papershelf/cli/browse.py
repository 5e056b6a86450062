"""Reading the catalogue: ``list``, ``search``, ``show``.

    papershelf list --tag lora --year 2021..2023 --sort year
    papershelf search 'author:ho "diffusion probabilistic"'
    papershelf show ho2020denoising --json
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from itertools import chain
from typing import TYPE_CHECKING, Annotated

import typer

from papershelf.cli._library import open_library
from papershelf.cli._output import finish, info, print_json, quiet_stdout

if TYPE_CHECKING:
    from papershelf.model.entry import Entry
from papershelf.cli._params import (
    SORTS,
    JsonOpt,
    KeyArg,
    LimitOpt,
    TagOpt,
    TypeOpt,
    YearOpt,
    build_filters,
    complete_choices,
)


def _print_entries(entries: Iterable[Entry], no_pager: bool = False) -> None:
    """A table through the pager on a terminal; tab-separated lines into a pipe. Entries are
    written as they are read, so the first screen (or line) comes at once."""
    if not sys.stdout.isatty():
        # One line per entry (key, year, type, authors, title, tags), for grep, cut and fzf.
        # Rich is not even imported on this path.
        from papershelf.cli.plain import entry_lines

        try:
            for entry in entries:
                sys.stdout.write(entry_lines([entry]))
            sys.stdout.flush()
        except BrokenPipeError:  # `papershelf list | head`: the reader has all it wanted
            quiet_stdout()
        return
    import shutil

    from papershelf.cli.pager import page, use_color
    from papershelf.cli.table import table_lines

    page(table_lines(entries, shutil.get_terminal_size().columns, use_color()), no_pager=no_pager)


def list_entries(
    tag: TagOpt = None,
    type_: TypeOpt = None,
    year: YearOpt = None,
    sort: Annotated[str, typer.Option(
        "--sort", "-s", help="Order by added (reading-list order), year, title, key or author.",
        autocompletion=complete_choices(*SORTS))] = "added",
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Reverse the order.")] = False,
    limit: LimitOpt = None,
    as_json: JsonOpt = False,
    no_pager: Annotated[bool, typer.Option(
        "--no-pager", help="Print the table directly, not through the pager (never used in a pipe).")] = False,
    has_pdf: Annotated[bool | None, typer.Option(
        "--has-pdf/--no-pdf", help="Only entries with an attached PDF, or only those without.",
        show_default=False)] = None,
) -> None:
    """List entries, optionally filtered by tag, type and year.

    On a terminal the table goes through a pager (PAPERSHELF_PAGER, PAGER, or less -FRX);
    into a pipe each entry is one tab-separated line: key, year, type, authors, title, tags.

    Examples:

      papershelf list --tag lora --year 2021..2023 --sort year

      papershelf list --type book -r

      papershelf list | fzf | cut -f1

      papershelf list --no-pdf --tag lora
    """
    from dataclasses import replace

    filters = replace(build_filters(tag, type_, year), has_pdf=has_pdf)
    with open_library() as lib:
        listing = lib.listing(filters, sort=sort, reverse=reverse, limit=limit)
        if as_json:
            print_json([e.summary_dict() for e in listing])
        else:
            entries = iter(listing)
            first = next(entries, None)
            if first is not None:
                _print_entries(chain([first], entries), no_pager)
            elif (why := listing.verdict()) is not None:  # grep's convention: why on stderr, exit 1
                from papershelf.cli.edit import shown

                info(shown(why.message))
        finish(listing)


def search(
    query: Annotated[str, typer.Argument(
        help="Words, \"phrases\", prefix*, author:, title:, abstract:, notes:, tag:, type:, "
             "year:2020 or year:2020..2023; OR, NOT, -word, ( ). Chinese text, acronyms and "
             "short names (DDPM, LoRA), citation keys, arXiv ids and DOIs work too.",
        show_default=False)],
    tag: TagOpt = None,
    type_: TypeOpt = None,
    year: YearOpt = None,
    limit: LimitOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Search titles, names, authors, abstracts, notes, tags, sections and identifiers, best
    matches first: the words as typed, then shared stems, then topic aliases. Each result
    shows the text it matched.

    Examples:

      papershelf search lora
      papershelf search 'author:ho "diffusion probabilistic"' --year 2020..
      papershelf search 蒸餾 --tag distillation --json
    """
    from papershelf.cli.search_view import show as show_results

    filters = build_filters(tag, type_, year)
    with open_library() as lib:
        result = lib.search_summaries(query, filters, limit)
    show_results(result, query, limit, as_json)
    finish(result)  # grep's convention: nothing found (stdout empty, --json: []) is exit 1


def show(key: KeyArg, as_json: JsonOpt = False) -> None:
    """Show every field of one entry, with its tags, notes and links.

    Examples:

      papershelf show hu2022lora
      papershelf show 2106.09685
      papershelf show hu2022lora --json | jq .tags
    """
    from papershelf.cli.show_view import show as show_entry

    with open_library() as lib:
        entry = lib.get(key)
        attached = lib.files_with_paths(entry.citekey)
    show_entry(entry, attached, as_json)
