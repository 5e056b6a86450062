"""How entries, tags and stats look in a terminal (Rich). Imported only by commands that print them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from papershelf.cli.plain import printable, short_authors
from papershelf.model.entry import Entry, Summary

if TYPE_CHECKING:
    from papershelf.cli.table import Layout


def _safe(text: str) -> str:
    """Stored text as Rich markup that shows exactly it: control characters escaped, no markup."""
    return escape(printable(text))


def entries_table(entries: Sequence[Entry | Summary], titles: Sequence[Text] | None = None,
                  width: int | None = None) -> Table:
    """The ``list`` table as a Rich renderable (``search`` highlights its hits in ``titles``),
    with the columns of ``table.layout``: the title gets the room, tags wrap between tags and a
    tag wider than its column ends in ``…`` (never split mid-word)."""
    from papershelf.cli._output import console
    from papershelf.cli.table import layout

    keys = [printable(e.citekey) for e in entries]
    names = [printable(short_authors(e)) for e in entries]
    lay = layout(width or console().width, keys, names, [[printable(t) for t in e.tags] for e in entries])
    rows = [(keys[i], e.year, names[i],
             titles[i] if titles is not None else Text(printable(" ".join(e.title.split()))),
             " ".join(printable(t) for t in e.tags)) for i, e in enumerate(entries)]
    return layout_table(lay, rows)


def layout_table(lay: Layout, rows: Sequence[tuple[str, int | None, str, Text, str]], *,
                 key: str = "key", tags: str = "tags", numbered: int = 0) -> Table:
    """Rows of (key, year, authors, title, tags) in the columns of ``lay`` (``table.layout``),
    plain text but the title; ``numbered``: a first column ``#`` that wide, counting from 1
    (``arxiv search``)."""
    table = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 2, 0, 0), collapse_padding=True)
    if numbered:
        table.add_column("#", justify="right", style="bold", width=numbered, no_wrap=True)
    table.add_column(key, style="cyan", width=lay.key, overflow="fold")
    table.add_column("year", justify="right", width=lay.year, no_wrap=True)
    if lay.authors:
        table.add_column("authors", width=lay.authors, overflow="ellipsis", no_wrap=True)
    table.add_column("title", width=lay.title, overflow="fold")
    if lay.tags:
        table.add_column(tags, style="green", width=lay.tags, overflow="ellipsis")
    for n, (key_text, year, names, title, tag_text) in enumerate(rows, 1):
        cells: list[str | Text] = [str(n)] if numbered else []
        cells += [escape(key_text), str(year or "")]
        if lay.authors:
            cells.append(escape(names))
        cells.append(title)
        if lay.tags:
            cells.append(escape(tag_text))
        table.add_row(*cells)
    return table


def bar_chart(title: str, rows: Sequence[tuple[str, int]], width: int = 30) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", box=None,
                  show_header=False, pad_edge=False)
    table.add_column(no_wrap=True)
    table.add_column(justify="right")
    table.add_column()
    top = max((n for _, n in rows), default=0)
    for label, n in rows:
        bar = "█" * max(1, round(n / top * width)) if top else ""
        table.add_row(_safe(label), str(n), Text(bar, style="blue"))
    return table
