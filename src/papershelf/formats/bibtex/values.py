"""One field value as a ``.bib`` file writes it (``reader``'s pieces): ``#`` concatenation and
macros resolved within a size limit, the form a value was written in, bibtex's own scan of an
entry block, and whether braces nest."""

from __future__ import annotations

import re
from collections.abc import Mapping

from papershelf.formats.bibtex.mapping import MONTH_NAMES
from papershelf.model.entry import MAX_VALUE_CHARS


class TooLarge(Exception):
    """A value over the limit (internal: the reader turns it into a problem)."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


MONTH_MACROS = {name[:3]: i for i, name in enumerate(MONTH_NAMES, 1)}


_MARKS = re.compile(r'[{}"#]')


def _split_concat(raw: str) -> list[str]:
    """The parts of ``a # "b" # {c}`` (top level ``#`` only)."""
    if "#" not in raw:
        return [raw.strip()]
    parts, depth, quote, start = [], 0, False, 0
    for mark in _MARKS.finditer(raw):  # only the characters that matter, not every one
        c = mark.group()
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == '"' and depth == 0:
            quote = not quote
        elif c == "#" and depth == 0 and not quote:
            i = mark.start()
            parts.append(raw[start:i])
            start = i + 1
    parts.append(raw[start:])
    return [p.strip() for p in parts]


def resolve(raw: str, strings: Mapping[str, str | None], unknown: set[str], *, month: bool = False,
            limit: int = MAX_VALUE_CHARS, used: set[str] | None = None) -> str:
    """A raw field value with enclosing braces/quotes removed and macros expanded.

    A macro mapped to None was skipped (too large). Raises ``TooLarge`` when the value would
    pass ``limit`` characters or uses a skipped macro, before the value is built. The macros it
    names go to ``used`` (defined ones, lower case) and ``unknown`` (undefined ones, as written;
    their name stands in the value, and the verbatim form keeps them macros)."""
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and "#" not in raw:
        if len(raw) - 2 > limit:
            raise TooLarge(f"is {megabytes(len(raw) - 2)}, over the {megabytes(limit)} limit")
        return raw[1:-1]
    out: list[str] = []
    size = 0
    parts = _split_concat(raw)
    if len(parts) == 1 and parts[0].lower() in MONTH_MACROS and parts[0].lower() not in strings:
        return parts[0].lower()  # a bare month macro stays one (``month = jan``)
    for part in parts:
        name = part.lower()
        if (part.startswith("{") and part.endswith("}")) or (
                part.startswith('"') and part.endswith('"') and len(part) >= 2):
            piece = part[1:-1]
        elif part.isdigit():
            piece = part
        elif name in strings:
            value = strings[name]
            if value is None:
                raise TooLarge(f"uses @string {part!r}, which was skipped as too large")
            if used is not None:
                used.add(name)
            piece = value
        elif name in MONTH_MACROS:
            piece = MONTH_NAMES[MONTH_MACROS[name] - 1].capitalize()
        elif part:
            unknown.add(part)
            piece = part
        else:
            continue
        size += len(piece)
        if size > limit:  # checked before joining: doubling macros cannot grow exponentially
            raise TooLarge(f"would expand past the {megabytes(limit)} limit")
        out.append(piece)
    return "".join(out)


def written_form(raw: str) -> str | None:
    """How a value was written when it is not one ``{…}`` group (``aug``, ``"Foo"``, ``2006``,
    ``jair # " 12"``): the raw text, so an export writes it so again; None for a braced value
    (the verbatim text is then the value between the braces)."""
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and len(_split_concat(raw)) == 1:
        return None
    return raw


def scan_fields(block: str) -> list[tuple[str, str]] | None:
    """The fields of one entry block, scanned as bibtex scans them (a ``"`` inside braces does
    not end a quoted value: ``"Simon {"}the {saint"} Templar"``); None if the block does not
    scan. Only used when bibtexparser's split left a value whose braces do not nest."""
    start = block.find(",")
    if not block.lstrip().startswith("@") or start < 0:
        return None
    i, n = start + 1, len(block)
    out: list[tuple[str, str]] = []
    while True:
        while i < n and (block[i].isspace() or block[i] == ","):
            i += 1
        if i >= n or block[i] in "})":
            return out
        eq = block.find("=", i)
        if eq < 0:
            return None
        name = block[i:eq].strip()
        i, value_start = eq + 1, eq + 1
        while True:  # one part of a value, then perhaps ``#`` and another
            while i < n and block[i].isspace():
                i += 1
            if i >= n:
                return None
            if block[i] in "{\"":
                closer, depth = ("}", 1) if block[i] == "{" else ('"', 0)
                i += 1
                while i < n:
                    c = block[i]
                    if c == "{":
                        depth += 1
                    elif c == "}":
                        depth -= 1
                        if closer == "}" and depth == 0:
                            break
                        if depth < 0:
                            return None
                    elif c == '"' and closer == '"' and depth == 0:
                        break
                    i += 1
                i += 1
            else:
                while i < n and not block[i].isspace() and block[i] not in ",#})":
                    i += 1
            j = i
            while j < n and block[j].isspace():
                j += 1
            if j < n and block[j] == "#":
                i = j + 1
                continue
            break
        out.append((name, block[value_start:i].strip()))


_BRACES = re.compile(r"[^{}]+")


def balanced(value: str) -> bool:
    """Whether ``value``'s braces nest (a value BibTeX can read between braces)."""
    if "{" not in value and "}" not in value:
        return True
    depth = 0
    for c in _BRACES.sub("", value):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0
