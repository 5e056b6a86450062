"""Plain-text output for pipes: one tab-separated line per entry, ``label: value`` lines for
one entry (``show``); no Rich, no wrapping (a pipe has no width)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from papershelf.model.entry import Entry, Summary, short_authors

# What a terminal would obey rather than show: C0 controls (tab and newline aside), DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape (ESC → ``\\x1b``), so nothing
    stored in the catalogue can move the cursor, recolour or retitle the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def _cell(value: object) -> str:
    return printable(" ".join(str(value).split())) if value is not None else ""


def entry_lines(entries: Sequence[Entry | Summary]) -> str:
    return "".join(
        "\t".join(_cell(v) for v in (e.citekey, e.year, e.type, short_authors(e), e.title,
                                     " ".join(e.tags))) + "\n"
        for e in entries
    )


def detail_rows(entry: Entry) -> list[tuple[str, str]]:
    """(label, value) of every field ``show`` displays, in its order, control characters
    escaped; a value may hold newlines (notes, links)."""
    rows: list[tuple[str, str]] = []

    def row(label: str, value: object) -> None:
        if value not in (None, "", [], {}):
            rows.append((label, printable(str(value))))

    row("key", entry.citekey)
    row("aliases", ", ".join(entry.aliases))  # merged-away keys that still cite this entry
    row("type", entry.type)
    row("title", entry.title)
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
    row("tags", " ".join(entry.tags))
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
        row("status", "placeholder: run `papershelf sync` to fetch its metadata")
    row("added", entry.added)
    row("updated", entry.updated if entry.updated != entry.added else None)
    row("notes", entry.notes)  # the user's words before the authors' abstract
    row("abstract", entry.abstract)
    return rows


def detail_lines(entry: Entry) -> str:
    """``show`` into a pipe: ``label: value`` per field, unwrapped; a value's further lines
    (notes, links) follow indented by two spaces, so ``grep '^doi:'`` finds a field."""
    out = []
    for label, value in detail_rows(entry):
        first, *rest = value.split("\n")
        out.append(f"{label}: {first}\n" + "".join(f"  {line}\n" for line in rest))
    return "".join(out)
