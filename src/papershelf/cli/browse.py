"""Reading the catalogue: ``list``, ``search``, ``show``.

    papershelf list --tag lora --year 2021..2023 --sort year
    papershelf search 'author:ho "diffusion probabilistic"'
    papershelf show ho2020denoising --json
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from papershelf.cli._context import open_library
from papershelf.cli._output import console, info, print_json
from papershelf.cli._params import JsonOpt, KeyArg, LimitOpt, TagOpt, TypeOpt, YearOpt, build_filters


def _print_entries(entries, as_json: bool, empty: str) -> None:
    """JSON for scripts; a Rich table on a terminal; tab-separated lines into a pipe."""
    if as_json:
        print_json([e.summary_dict() for e in entries])
        return
    if not entries:
        info(empty)
        return
    if not sys.stdout.isatty():
        # One line per entry (key, year, type, authors, title, tags), for grep, cut and fzf.
        # Rich is not even imported on this path.
        from papershelf.cli.plain import entry_lines

        sys.stdout.write(entry_lines(entries))
        return
    from papershelf.cli.render import entries_table

    console().print(entries_table(entries))


def list_entries(
    tag: TagOpt = None,
    type_: TypeOpt = None,
    year: YearOpt = None,
    sort: Annotated[str, typer.Option(
        "--sort", "-s", help="Order by added (reading-list order), year, title, key or author.")] = "added",
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Reverse the order.")] = False,
    limit: LimitOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List entries, optionally filtered by tag, type and year."""
    filters = build_filters(tag, type_, year)
    with open_library() as lib:
        entries = lib.list_entries(filters, sort=sort, reverse=reverse, limit=limit)
    _print_entries(entries, as_json, "No entries match.")


def search(
    query: Annotated[str, typer.Argument(
        help="Words, \"phrases\", prefix*, author:, title:, abstract:, notes:, tag:, type:, "
             "year:2020 or year:2020..2023; OR, NOT, -word, ( ). Chinese text works too.",
        show_default=False)],
    tag: TagOpt = None,
    type_: TypeOpt = None,
    year: YearOpt = None,
    limit: LimitOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Search titles, authors, abstracts, notes, tags and sections, best matches first (bm25)."""
    filters = build_filters(tag, type_, year)
    with open_library() as lib:
        entries = lib.search(query, filters, limit)
    _print_entries(entries, as_json, f"Nothing matches {query!r}.")


def show(key: KeyArg, as_json: JsonOpt = False) -> None:
    """Show every field of one entry, with its tags, notes and links."""
    with open_library() as lib:
        entry = lib.get(key)
    if as_json:
        print_json(entry.to_dict())
        return
    from papershelf.cli.render import entry_detail

    console().print(entry_detail(entry))
