"""Plain-text output for pipes: one tab-separated line per entry, no Rich."""

from __future__ import annotations

from collections.abc import Sequence

from papershelf.model.entry import Entry

ET_AL_AFTER = 3


def short_authors(entry: Entry) -> str:
    """``Ho, Jain, Abbeel``; ``del Campo, Manovich``; ``Radford et al.`` beyond three people."""
    names = [f"{p.prefix} {p.family}".lstrip() for p in entry.authors or entry.editors]
    if len(names) > ET_AL_AFTER:
        return f"{names[0]} et al."
    return ", ".join(names)


def _cell(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def entry_lines(entries: Sequence[Entry]) -> str:
    return "".join(
        "\t".join(_cell(v) for v in (e.citekey, e.year, e.type, short_authors(e), e.title,
                                     " ".join(e.tags))) + "\n"
        for e in entries
    )
