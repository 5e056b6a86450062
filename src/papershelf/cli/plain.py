"""Plain-text output for pipes: one tab-separated line per entry, no Rich."""

from __future__ import annotations

import re
from collections.abc import Sequence

from papershelf.model.entry import Entry, Summary

ET_AL_AFTER = 3

# What a terminal would obey rather than show: C0 controls (tab and newline aside), DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape (ESC → ``\\x1b``), so nothing
    stored in the catalogue can move the cursor, recolour or retitle the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def short_authors(entry: Entry | Summary) -> str:
    """``Ho, Jain, Abbeel``; ``del Campo, Manovich``; ``Radford et al.`` beyond three people."""
    names = [f"{p.prefix} {p.family}".lstrip() for p in entry.authors or entry.editors]
    if len(names) > ET_AL_AFTER:
        return f"{names[0]} et al."
    return ", ".join(names)


def _cell(value: object) -> str:
    return printable(" ".join(str(value).split())) if value is not None else ""


def entry_lines(entries: Sequence[Entry | Summary]) -> str:
    return "".join(
        "\t".join(_cell(v) for v in (e.citekey, e.year, e.type, short_authors(e), e.title,
                                     " ".join(e.tags))) + "\n"
        for e in entries
    )
