"""A Markdown reading list → a tree of ``Bullet``s under their headings. Pure text work.

Fenced code, rules and HTML comments are skipped (but for the record papershelf's own export
writes under an entry, kept on its bullet); the document's title (its only level-1
heading, over ``##`` sections) is no section. A paragraph line that links something is read
as a bullet of its own; other stray text comes back as a ``Problem`` with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from papershelf.formats.markdown import RECORD_LINE
from papershelf.formats.readinglist.links import Link

SECTION_SEP = " › "

_HEADING = re.compile(r"^(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d{1,9}[.)])(?:\s+(.*?))?\s*$")
MD_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_BARE_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class Problem:
    """Something in the list that was not turned into an entry, and why."""

    line: int
    text: str
    reason: str

    def to_dict(self) -> dict[str, int | str]:
        return {"line": self.line, "text": self.text, "reason": self.reason}


@dataclass
class Bullet:
    """One list item (or a paragraph line that links something), with its place in the list."""

    line_no: int
    indent: int
    body: str
    line: str  # the whole line, tabs expanded
    heading: str
    parent: Bullet | None = None
    children: list[Bullet] = field(default_factory=list)
    more: list[str] = field(default_factory=list)  # continuation lines, verbatim (their links count)
    record: str | None = None  # the ``<!-- papershelf {…} -->`` line papershelf's export wrote under it

    @cached_property  # read once per bullet below it: a deep list would redo the regex work
    def label(self) -> str:
        """The bullet's text as a section name: link texts kept, ``==> …`` dropped."""
        return re.sub(r"\s*==>.*$", "", MD_LINK.sub(lambda m: m.group(1), self.body)).strip()

    def _ancestor_labels(self) -> tuple[str, ...]:
        """The labels of the bullets above this one, outermost first; kept on each bullet and
        filled without recursion, so a list nested thousands deep costs no more than it must."""
        chain: list[Bullet] = []
        node: Bullet | None = self
        while node is not None and "_labels" not in node.__dict__:
            chain.append(node)
            node = node.parent
        labels: tuple[str, ...] = node.__dict__["_labels"] if node is not None else ()
        for node in reversed(chain):
            if node.parent is not None:
                labels = node.parent.__dict__["_labels"] + (node.parent.label,)
            node.__dict__["_labels"] = labels
        return labels

    @property
    def section(self) -> str:
        labels = self._ancestor_labels()
        return SECTION_SEP.join([self.heading, *labels]) if self.heading or labels else ""

    def descendants(self) -> list[Bullet]:
        """Every bullet below this one, in document order (iterative: lists nest without limit)."""
        out: list[Bullet] = []
        stack = list(reversed(self.children))
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out

    def links(self) -> list[Link]:
        """Markdown links, <autolinks> and bare URLs in the body, in order."""
        found: list[tuple[int, Link]] = []
        text = " ".join([self.body, *(m.strip() for m in self.more)])
        rest = text
        for m in MD_LINK.finditer(text):
            found.append((m.start(), Link(m.group(1).strip(), m.group(2).strip())))
        rest = MD_LINK.sub(lambda m: " " * len(m.group(0)), rest)
        for m in _AUTOLINK.finditer(rest):
            found.append((m.start(), Link("", m.group(1))))
        rest = _AUTOLINK.sub(lambda m: " " * len(m.group(0)), rest)
        for m in _BARE_URL.finditer(rest):
            found.append((m.start(), Link("", m.group(0).rstrip(".,;:!?'"))))
        return [link for _, link in sorted(found, key=lambda x: x[0])]

    def text_without_links(self) -> str:
        """The first line's text, links taken out (continuation lines only lend their links)."""
        text = MD_LINK.sub(" ", self.body)
        text = _AUTOLINK.sub(" ", text)
        return " ".join(_BARE_URL.sub(" ", text).split())

    @property
    def link_only(self) -> bool:
        """Just a link (a bare URL, or one [text](url)), nothing around it."""
        return bool(self.links()) and len(self.links()) == 1 and not self.text_without_links()


def parse(text: str) -> tuple[list[Bullet], list[Problem]]:
    """Every bullet, in order, with its heading and nesting; stray text lines as problems.

    Headings also come back as bullets with ``indent == -1`` when they carry a link, so a
    linked heading ("## [Stable Diffusion 在線](…)") is read like a bullet of its own section.
    """
    bullets: list[Bullet] = []
    problems: list[Problem] = []
    heading = ""
    headings: dict[int, str] = {}  # level -> text of the headings in force
    title_level = _title_level(text)
    stack: list[Bullet] = []
    fenced = False
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.expandtabs(4)
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced and stack and line[:1].isspace() and RECORD_LINE.match(line):  # an exported entry's record
            stack[-1].record = line
            continue
        if fenced or not line.strip() or _RULE.match(line) or line.strip().startswith("<!--"):
            continue
        hm = _HEADING.match(line)
        if hm:
            title = hm.group(2) or ""
            level = len(hm.group(1))
            stack = []
            if level == title_level:  # the document's title is no section
                continue
            headings = {lv: t for lv, t in headings.items() if lv < level}
            headings[level] = strip_emphasis(MD_LINK.sub(lambda m: m.group(1), title)).strip()
            heading = SECTION_SEP.join(t for _, t in sorted(headings.items()) if t)
            probe = Bullet(no, -1, title, line, heading)
            if probe.links():
                bullets.append(probe)
            continue
        bm = _BULLET.match(line)
        if bm:
            body = bm.group(2) or ""
            if not body:
                continue
            indent = len(bm.group(1))
            while stack and stack[-1].indent >= indent:
                stack.pop()
            bullet = Bullet(no, indent, body, line, heading, stack[-1] if stack else None)
            if bullet.parent:
                bullet.parent.children.append(bullet)
            stack.append(bullet)
            bullets.append(bullet)
            continue
        stripped = line.strip()
        if stack and len(line) - len(line.lstrip()) > 0:  # a bullet's continuation line
            stack[-1].more.append(line.rstrip())
            continue
        stack = []
        para = Bullet(no, 0, stripped.lstrip(">").strip(), line, heading)
        if para.links():
            bullets.append(para)
        else:
            problems.append(Problem(no, stripped, "text outside any list item"))
    return bullets, problems


def _title_level(text: str) -> int | None:
    """1 when the list opens with its only level-1 heading (a title over ## sections)."""
    levels = []
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (m := _HEADING.match(line)):
            levels.append(len(m.group(1)))
    if levels and levels[0] == 1 and levels.count(1) == 1 and len(levels) > 1:
        return 1
    return None


def strip_emphasis(text: str) -> str:
    """``**bold**``, ``__bold__`` and ``*italic*`` markers taken out, their text kept."""
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    return re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
