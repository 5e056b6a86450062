"""Display widths and word wrapping for a terminal, without Rich: CJK-aware, never mid-word.

A CJK character takes two cells and a line may break between two of them, but never before
closing punctuation (``。``, ``，``, ``）``…) nor after opening punctuation (``（``, ``「``…);
a Latin word (``fine-tuning``, ``distillation``) is never split unless it alone is wider than
the line. A lone dash (`` - ``) stays at the end of the line before, not the start of the next.
"""

from __future__ import annotations

import re
from functools import cache
from unicodedata import combining, east_asian_width

_CLOSERS = "。，、；：！？）」』】〕〉》〗〙〛”’…‥・ー々〻ゝゞヽヾ!),.:;?]}%"
_OPENERS = "（「『【〔〈《〖〘〚“‘([{"
_WIDE = r"\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f" \
        r"\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
# One unbreakable unit: openers + (one wide character | a run of other non-space characters)
# + closers; whitespace between units is where a line may break.
_UNIT_PATTERN = (rf"\s+|[{re.escape(_OPENERS)}]*(?:[{_WIDE}]|[^\s{_WIDE}]+?(?=[\s{_WIDE}]|$))"
                 rf"[{re.escape(_CLOSERS)}]*")
_DASHES = {"-", "–", "—", "--"}
_BULLET = r"^(\s*)([-*+•・]|\d{1,3}[.)])(\s+)"


def cell_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide East Asian characters count 2)."""
    if text.isascii():
        return len(text)
    return sum(0 if combining(ch) else 2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, with ``…`` when something was cut."""
    if cell_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = cell_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


@cache
def _unit_re() -> re.Pattern[str]:
    return re.compile(_UNIT_PATTERN)  # compiled on first non-ASCII text (~10 ms)


def _pieces(text: str) -> list[str]:
    """Words and the whitespace between them; CJK characters one by one, with their punctuation."""
    if text.isascii():
        words = text.split()
        pieces = [" "] * (2 * len(words) - 1) if words else []
        pieces[::2] = words
        return pieces
    return [m.group(0) for m in _unit_re().finditer(text)]


def _units(text: str) -> list[str]:
    units: list[str] = []
    for unit in _pieces(text):
        if not unit:
            continue
        if unit.strip() in _DASHES and len(units) >= 2 and units[-1].isspace():
            space = units.pop()
            units[-1] += space + unit  # "word -": the dash never starts a line
            continue
        units.append(unit)
    return units


def _fold(unit: str, width: int) -> list[str]:
    """A unit wider than a whole line: cut by columns (the one case a word is split)."""
    pieces, cur, used = [], "", 0
    for ch in unit:
        w = cell_width(ch)
        if cur and used + w > width:
            pieces.append(cur)
            cur, used = "", 0
        cur += ch
        used += w
    return [*pieces, cur] if cur else pieces


def fold(text: str, width: int) -> list[str]:
    """``text`` cut into lines of at most ``width`` columns wherever it must (an address), each
    of its lines on its own."""
    return [piece for line in text.split("\n") for piece in (_fold(line, max(width, 1)) or [""])]


def wrap_text(text: str, width: int) -> list[str]:
    """Several paragraphs (notes, abstracts): each line of ``text`` wrapped on its own; a bullet
    (``-``, ``*``, ``•``, ``1.``) or an indented line keeps its indentation on the lines after."""
    out: list[str] = []
    for raw in text.splitlines() or [""]:
        line = raw.rstrip()
        if not line.strip():
            out.append("")
            continue
        m = re.match(_BULLET, line)
        if m:
            head = m.group(0)
        else:
            head = line[:len(line) - len(line.lstrip())]
        indent = " " * cell_width(head)
        body = line[len(head):]
        room = max(width - len(indent), 8)
        for i, piece in enumerate(wrap(body, room)):
            out.append((head if i == 0 else indent) + piece)
    return out


def wrap(text: str, width: int) -> list[str]:
    """One paragraph in lines of at most ``width`` columns: a run of whitespace (newlines too)
    is one space and a possible break; CJK text breaks between characters, adding no space."""
    width = max(width, 1)
    lines: list[str] = []
    line, used = "", 0
    for unit in _units(text):
        if unit.isspace():
            unit = " "
            if not line:
                continue
        w = cell_width(unit)
        if used + w <= width:
            line += unit
            used += w
            continue
        if unit == " ":
            lines.append(line.rstrip())
            line, used = "", 0
            continue
        if line.strip():
            lines.append(line.rstrip())
        line, used = "", 0
        if w > width:
            *full, line = _fold(unit, width)
            lines.extend(full)
            used = cell_width(line)
        else:
            line, used = unit, w
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines
