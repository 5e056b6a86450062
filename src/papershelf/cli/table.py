"""The entry table on a terminal: column widths for a given width, and its lines, streamed.

Rich measures every cell of a table before it prints the first row (16 s for 10,000 entries);
here the widths come from one cheap pass over keys, authors and tags, and the rows are made
one at a time, so a pager shows the first screen at once. The title gets the room; tags wrap
between tags, never inside one; the longest tag (up to ``TAG_MAX``) stays whole while the title
keeps a third of the width (a tag wider than its column ends in ``…``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from typing import TYPE_CHECKING

from papershelf.cli.cells import cell_width, fold, truncate, wrap
from papershelf.cli.plain import printable, short_authors

if TYPE_CHECKING:
    from papershelf.model.entry import Entry

GAP = 2
TITLE_MIN = 24
AUTHORS_MAX = 22
TAG_MAX = 24  # a longer tag is cut with … rather than split
SAMPLE = 200  # entries the column widths are measured on


@dataclass(frozen=True)
class Layout:
    key: int
    year: int
    authors: int  # 0: the column is left out (a narrow terminal)
    title: int
    tags: int  # 0: no entry has tags, or no room


def layout(width: int, keys: Sequence[str], authors: Sequence[str], tags: Sequence[Sequence[str]]) -> Layout:
    """Column widths for ``width`` columns: key and year whole; then the title gets the room
    before authors (shrunk, then left out) and tags (down to the longest tag)."""
    key = max([3, *map(cell_width, keys)])
    key = min(key, max(12, width // 3))
    year = 4
    auth = min(max([0, *map(cell_width, authors)]), AUTHORS_MAX)
    auth = max(auth, 7) if auth else 0
    longest_tag = min(max([0, *(cell_width(t) for ts in tags for t in ts)]), TAG_MAX)
    all_tags = max([0, *(cell_width(" ".join(ts)) for ts in tags)])
    tag = max(longest_tag, min(all_tags, width // 6)) if longest_tag else 0
    tag = max(tag, 4) if tag else 0
    title_min = max(TITLE_MIN, width * 2 // 5)
    tag_cap = max(12, width // 6)  # the tags give back what the title needs, down to this

    def title_room(a: int, t: int) -> int:
        used = key + GAP + year + GAP + (a + GAP if a else 0) + (t + GAP if t else 0)
        return width - used

    if title_room(auth, tag) < title_min and auth > 12:
        auth = 12
    if title_room(auth, tag) < TITLE_MIN:
        auth = 0
    # A long tag stays whole while the title keeps a third of the width: it gives a column or
    # two rather than cut `recommendation` to `recommendati…`.
    short = max(TITLE_MIN, width // 3) - title_room(auth, tag)
    if short > 0 and tag > tag_cap:
        tag = max(tag_cap, tag - short)
    if title_room(auth, tag) < TITLE_MIN and tag > 12:
        tag = max(12, tag - (TITLE_MIN - title_room(auth, tag)))
    return Layout(key, year, auth, max(title_room(auth, tag), 10), tag)


def _wrap_tags(tags: Sequence[str], width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for tag in tags:
        tag = truncate(tag, width)
        if line and cell_width(line) + 1 + cell_width(tag) <= width:
            line += " " + tag
        else:
            if line:
                lines.append(line)
            line = tag
    return [*lines, line] if line else lines


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_width(text))


class Style:
    """ANSI styles, or none (NO_COLOR, a dumb terminal, ``ui.color = never``)."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and text.strip() else text


def table_lines(entries: Iterable[Entry], width: int, color: bool = True) -> Iterator[str]:
    """The table's lines (no newline), header first; each row is made when it is needed, and
    the column widths come from the first ``SAMPLE`` entries (a longer key later wraps)."""
    style = Style(color)
    rest = iter(entries)
    sample = list(islice(rest, SAMPLE))
    lay = layout(width, [printable(e.citekey) for e in sample], [printable(short_authors(e)) for e in sample],
                 [[printable(t) for t in e.tags] for e in sample])
    columns = [("key", lay.key), ("year", lay.year), ("authors", lay.authors), ("title", lay.title),
               ("tags", lay.tags)]
    gap = " " * GAP
    yield style(gap.join(_pad(name, w) for name, w in columns if w).rstrip(), "1")
    for e in chain(sample, rest):
        key, names = printable(e.citekey), printable(short_authors(e))
        title = wrap(printable(" ".join(e.title.split())), lay.title)
        tag_lines = _wrap_tags([printable(t) for t in e.tags], lay.tags) if lay.tags else []
        key_lines = wrap(key, lay.key) if cell_width(key) > lay.key else [key]
        for row in range(max(len(title), len(tag_lines), len(key_lines))):
            cells = [style(_pad(key_lines[row] if row < len(key_lines) else "", lay.key), "36"),
                     (str(e.year or "") if row == 0 else "").rjust(lay.year)]
            if lay.authors:
                cells.append(_pad(truncate(names, lay.authors) if row == 0 else "", lay.authors))
            cells.append(_pad(title[row] if row < len(title) else "", lay.title))
            if lay.tags:
                cells.append(style(tag_lines[row] if row < len(tag_lines) else "", "32"))
            yield gap.join(cells).rstrip()


# The look of each field of ``show`` on a terminal (ANSI SGR codes); labels are bold.
_DETAIL_STYLES = {"key": "1;36", "title": "1", "status": "33"}


def detail_screen(entry: Entry, width: int, color: bool = True) -> Iterator[str]:
    """``show`` on a terminal of ``width`` columns: a bold label column, then each value wrapped
    between words (CJK between characters, never before ``。`` or after ``（``; a word wider
    than the column, an address, cut where it must), each line of notes and links on its own, a
    bullet's continuation lines under its text; tags in green (the ones rules gave dim). Plain
    text with ANSI styles: no Rich."""
    from papershelf.cli.cells import wrap_text
    from papershelf.cli.plain import detail_rows

    style = Style(color)
    rows = detail_rows(entry)
    label_width = max(len(label) for label, _ in rows)
    room = width - label_width - GAP
    gap = " " * GAP
    for label, value in rows:
        if label == "tags":
            shown = [(printable(t), "2;32" if t in entry.rule_tags else "32") for t in entry.tags]
            lines = [" ".join(style(t, code) for t, code in line)
                     for line in _tag_lines(shown, max(room, 1))]
        else:
            code = _DETAIL_STYLES.get(label)
            lines = [style(line, code) if code else line for line in wrap_text(value, max(room, 1))]
        for n, line in enumerate(lines):
            yield ((style(_pad(label, label_width), "1") if n == 0 else " " * label_width) + gap + line).rstrip()


def _tag_lines(tags: Sequence[tuple[str, str]], width: int) -> list[list[tuple[str, str]]]:
    """Tags (text, style) in lines of at most ``width`` columns, broken between tags (a tag
    wider than a line is cut)."""
    lines: list[list[tuple[str, str]]] = []
    used = 0
    for text, code in tags:
        for piece in fold(text, width):
            w = cell_width(piece)
            if lines and lines[-1] and used + 1 + w <= width:
                lines[-1].append((piece, code))
                used += 1 + w
            else:
                lines.append([(piece, code)])
                used = w
    return lines
