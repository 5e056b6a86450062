"""How entries, tags and stats look in a terminal (Rich). Imported only by commands that print them."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from papershelf.cli.plain import printable, short_authors
from papershelf.model.entry import Entry, Summary


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
    table = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 2, 0, 0), collapse_padding=True)
    table.add_column("key", style="cyan", width=lay.key, overflow="fold")
    table.add_column("year", justify="right", width=lay.year, no_wrap=True)
    if lay.authors:
        table.add_column("authors", width=lay.authors, overflow="ellipsis", no_wrap=True)
    table.add_column("title", width=lay.title, overflow="fold")
    if lay.tags:
        table.add_column("tags", style="green", width=lay.tags, overflow="ellipsis")
    for i, e in enumerate(entries):
        title = titles[i] if titles is not None else Text(printable(" ".join(e.title.split())))
        cells = [escape(keys[i]), str(e.year or "")]
        if lay.authors:
            cells.append(escape(names[i]))
        cells.append(title)  # type: ignore[arg-type]
        if lay.tags:
            cells.append(escape(" ".join(printable(t) for t in e.tags)))
        table.add_row(*cells)
    return table


def entry_detail(entry: Entry, width: int | None = None) -> Table:
    """Every field of one entry, label: value. Text is wrapped here, between words (CJK between
    characters, never before ``。`` or after ``（``), each line of notes on its own, a bullet's
    continuation lines under its text."""
    from papershelf.cli._output import console
    from papershelf.cli.cells import wrap_text

    rows: list[tuple[str, Text | str]] = []

    def row(label: str, value) -> None:
        if value not in (None, "", [], {}):
            rows.append((label, value if isinstance(value, Text) else printable(str(value))))

    row("key", Text(printable(entry.citekey), style="cyan bold"))
    row("aliases", ", ".join(entry.aliases))  # merged-away keys that still cite this entry
    row("type", entry.type)
    row("title", Text(printable(entry.title), style="bold"))
    row("authors", "; ".join(entry.author_names))
    row("editors", "; ".join(p.name for p in entry.editors))
    row("year", entry.year)
    row("date", entry.date)
    row("journal", entry.journal)
    row("booktitle", entry.booktitle)
    row("volume", entry.volume)
    row("number", entry.number)
    row("pages", entry.pages)
    row("publisher", entry.publisher)
    row("edition", entry.edition)
    row("isbn", entry.isbn)
    row("doi", entry.doi)
    if entry.arxiv_id:
        version = f"v{entry.arxiv_version}" if entry.arxiv_version else ""
        row("arXiv", f"{entry.arxiv_id}{version}" + (f" [{entry.primary_class}]" if entry.primary_class else ""))
    row("categories", ", ".join(entry.categories) if len(entry.categories) > 1 else None)
    row("comment", entry.arxiv_comment)
    row("journal ref", entry.journal_ref)
    for name, value in sorted(entry.extra.items()):
        row(name, value)
    row("section", entry.section)
    tags = Text()
    for i, tag in enumerate(entry.tags):
        if i:
            tags.append(" ")
        tags.append(printable(tag), style="green" if tag not in entry.rule_tags else "green dim")
    row("tags", tags if entry.tags else None)
    links = []
    if entry.url:
        links.append(entry.url)
    if entry.doi:
        links.append(f"https://doi.org/{entry.doi}")
    if entry.arxiv_id:
        links.append(f"https://arxiv.org/abs/{entry.arxiv_id}")
    links.extend(f"{link['url']} ({link['label']})" if link.get("label") else link["url"]
                 for link in entry.links)
    row("links", "\n".join(dict.fromkeys(links)))
    if entry.needs_sync:
        row("status", Text("placeholder: run `papershelf sync` to fetch its metadata", style="yellow"))
    row("added", entry.added)
    row("updated", entry.updated if entry.updated != entry.added else None)
    row("notes", entry.notes)  # the user's words before the authors' abstract
    row("abstract", entry.abstract)

    room = (width or console().width) - max(len(label) for label, _ in rows) - 2
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, cell in rows:
        if label == "links" or room < 20:  # addresses fold where they must
            grid.add_row(label, cell if isinstance(cell, Text) else escape(cell))
        elif isinstance(cell, Text):  # styled as a whole (the title) is wrapped here; tags by Rich
            grid.add_row(label, cell if cell.spans else Text("\n".join(wrap_text(cell.plain, room)), style=cell.style))
        else:
            grid.add_row(label, Text("\n".join(wrap_text(cell, room))))
    return grid


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
