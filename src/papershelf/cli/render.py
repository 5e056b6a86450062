"""How entries, tags and stats look in a terminal (Rich). Imported only by commands that print them."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from papershelf.cli.plain import printable, short_authors
from papershelf.model.entry import Entry


def _safe(text: str) -> str:
    """Stored text as Rich markup that shows exactly it: control characters escaped, no markup."""
    return escape(printable(text))


def entries_table(entries: Sequence[Entry]) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False, expand=True)
    table.add_column("key", style="cyan", no_wrap=True)
    table.add_column("year", justify="right", no_wrap=True)
    table.add_column("authors", max_width=22, overflow="ellipsis", no_wrap=True)
    table.add_column("title", ratio=3, overflow="fold", min_width=30)
    table.add_column("tags", style="green", ratio=1, overflow="fold")
    for e in entries:
        table.add_row(_safe(e.citekey), str(e.year or ""), _safe(short_authors(e)),
                      _safe(e.title), _safe(" ".join(e.tags)))
    return table


def entry_detail(entry: Entry) -> Table:
    """Every field of one entry, label: value."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")

    def row(label: str, value) -> None:
        if value not in (None, "", [], {}):
            grid.add_row(label, value if isinstance(value, Text) else _safe(str(value)))

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
