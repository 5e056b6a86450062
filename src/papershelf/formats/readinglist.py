"""Markdown reading lists, read the way their owner wrote them.

A reading list is headings and nested bullets. ``parse`` turns the text into a tree of
``Bullet``s; ``read`` then decides what each bullet is, as a careful reader would:

* a bullet that links a work (an arXiv abs/pdf link or ``arXiv:ID``, a PMLR or other
  proceedings page, a book: an O'Reilly/publisher page or any link with an ISBN in it, a DOI)
  is an entry. Its nested text bullets are its notes, verbatim (relative indentation kept);
  nested bare links (and code/web links in the bullet itself) are its links, labelled
  ``code`` for code hosts and ``link`` otherwise. A bullet with no link that names a
  well-known work (``KNOWN_WORKS``) is that work.
* a bullet with entries below it is a label: the heading and the labels above an entry,
  joined by `` › ``, are the entry's section.
* any other bullet with a web link (its own, or a bare link nested under it) is an ``online``
  entry: a tutorial, a code repository, a web page.
* what is left (text with no link outside any entry, a broken link, a second copy of an item)
  is reported as a ``Problem`` with its line, never dropped silently.

Pure text in, ``Entry`` objects out: no catalogue, no network, no terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from papershelf.model import identifiers as arxiv_ids
from papershelf.model.entry import Entry

SECTION_SEP = " › "

# Works a reading list may name without a link, and the words that name them.
KNOWN_WORKS: dict[str, re.Pattern[str]] = {
    "2010.11929": re.compile(r"\bvision transformer\b|\bViT\b", re.I),  # Dosovitskiy et al. 2021
    "2012.12877": re.compile(r"\bDeiT\b|data-efficient image transformers?", re.I),  # Touvron et al. 2021
}
CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "huggingface.co")
PROCEEDINGS_HOSTS = ("proceedings.mlr.press", "proceedings.neurips.cc", "papers.nips.cc",
                     "openaccess.thecvf.com", "aclanthology.org", "www.aclweb.org", "openreview.net",
                     "ojs.aaai.org", "www.ijcai.org", "www.jmlr.org", "jmlr.org")
BOOK_PATHS = (("learning.oreilly.com", "/library/view/"), ("www.oreilly.com", "/library/view/"),
              ("oreilly.com", "/library/view/"), ("www.manning.com", "/books/"),
              ("pragprog.com", "/titles/"), ("nostarch.com", "/"), ("link.springer.com", "/book/"),
              ("www.packtpub.com", "/product/"), ("mitpress.mit.edu", "/books/"),
              ("www.cambridge.org", "/core/books/"))

_HEADING = re.compile(r"^(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d{1,9}[.)])(?:\s+(.*?))?\s*$")
_MD_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_BARE_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+")
_ISBN13 = re.compile(r"(?<![0-9])97[89](?:-?[0-9]){10}(?![0-9])")
_AMAZON_DP = re.compile(r"/(?:dp|gp/product)/([0-9]{9}[0-9X])(?:[/?]|$)")
_PMLR = re.compile(r"^/v(\d+)/[A-Za-z\-]+?(\d{2})[a-z]?(?:\.html|\.pdf|/|$)")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class Link:
    text: str
    url: str


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

    @property
    def label(self) -> str:
        """The bullet's text as a section name: link texts kept, ``==> …`` dropped."""
        return re.sub(r"\s*==>.*$", "", _MD_LINK.sub(lambda m: m.group(1), self.body)).strip()

    @property
    def section(self) -> str:
        labels = []
        node = self.parent
        while node is not None:
            labels.append(node.label)
            node = node.parent
        return SECTION_SEP.join([self.heading, *reversed(labels)]) if self.heading or labels else ""

    def descendants(self) -> list[Bullet]:
        out = []
        for child in self.children:
            out.append(child)
            out.extend(child.descendants())
        return out

    def links(self) -> list[Link]:
        """Markdown links, <autolinks> and bare URLs in the body, in order."""
        found: list[tuple[int, Link]] = []
        text = " ".join([self.body, *(m.strip() for m in self.more)])
        rest = text
        for m in _MD_LINK.finditer(text):
            found.append((m.start(), Link(m.group(1).strip(), m.group(2).strip())))
        rest = _MD_LINK.sub(lambda m: " " * len(m.group(0)), rest)
        for m in _AUTOLINK.finditer(rest):
            found.append((m.start(), Link("", m.group(1))))
        rest = _AUTOLINK.sub(lambda m: " " * len(m.group(0)), rest)
        for m in _BARE_URL.finditer(rest):
            found.append((m.start(), Link("", m.group(0).rstrip(".,;:!?'"))))
        return [link for _, link in sorted(found, key=lambda x: x[0])]

    def text_without_links(self) -> str:
        """The first line's text, links taken out (continuation lines only lend their links)."""
        text = _MD_LINK.sub(" ", self.body)
        text = _AUTOLINK.sub(" ", text)
        return " ".join(_BARE_URL.sub(" ", text).split())

    @property
    def link_only(self) -> bool:
        """Just a link (a bare URL, or one [text](url)), nothing around it."""
        return bool(self.links()) and len(self.links()) == 1 and not self.text_without_links()


@dataclass
class Problem:
    """Something in the list that was not turned into an entry, and why."""

    line: int
    text: str
    reason: str

    def to_dict(self) -> dict:
        return {"line": self.line, "text": self.text, "reason": self.reason}


@dataclass
class ReadingList:
    entries: list[Entry]
    problems: list[Problem]
    lines: dict[int, int] = field(default_factory=dict)  # id(entry) -> line it came from

    def line_of(self, entry: Entry) -> int:
        return self.lines.get(id(entry), 0)


# --- the tree --------------------------------------------------------------------------------

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
            headings[level] = _strip_emphasis(_MD_LINK.sub(lambda m: m.group(1), title)).strip()
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


def _strip_emphasis(text: str) -> str:
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    return re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)


# --- what the links are ----------------------------------------------------------------------

def _isbn13_ok(digits: str) -> bool:
    return sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10 == 0


def _isbn10_to_13(isbn10: str) -> str | None:
    body = isbn10[:9]
    total = sum((10 - i) * int(d) for i, d in enumerate(body))
    check = isbn10[9]
    if (total + (10 if check == "X" else int(check))) % 11:
        return None
    core = "978" + body
    digit = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(core)) % 10) % 10
    return core + str(digit)


def isbn_in_url(url: str) -> str | None:
    for m in _ISBN13.finditer(url):
        digits = m.group(0).replace("-", "")
        if _isbn13_ok(digits):
            return digits
    m = _AMAZON_DP.search(url)
    return _isbn10_to_13(m.group(1)) if m else None


@dataclass
class Work:
    """What a link points at: ``kind`` is arxiv, proceedings, book, doi, web or broken."""

    kind: str
    link: Link
    arxiv: arxiv_ids.ArxivId | None = None
    fields: dict = field(default_factory=dict)
    reason: str = ""


def classify(link: Link) -> Work:
    url = link.url
    if not url:
        return Work("broken", link, reason="a link with no address")
    aid = arxiv_ids.parse(url)
    if aid:
        return Work("arxiv", link, arxiv=aid)
    parts = urlsplit(url if "://" in url else "https://" + url)
    host = (parts.hostname or "").lower()
    if host.endswith("arxiv.org"):
        return Work("broken", link, reason="an arXiv link without a valid arXiv id")
    if not re.match(r"^https?://", url, re.I) or not host or "." not in host:
        return Work("broken", link, reason="not a web address")
    isbn = isbn_in_url(url)
    if host in ("doi.org", "dx.doi.org") and parts.path.startswith("/10."):
        doi = {"doi": parts.path[1:]}
        return Work("book", link, fields={**doi, "isbn": isbn}) if isbn else Work("doi", link, fields=doi)
    if isbn or any(host == h and parts.path.startswith(p) for h, p in BOOK_PATHS):
        return Work("book", link, fields={"isbn": isbn} if isbn else {})
    if host in PROCEEDINGS_HOSTS:
        fields: dict = {}
        m = _PMLR.match(parts.path) if host == "proceedings.mlr.press" else None
        if m:
            yy = int(m.group(2))
            fields = {"volume": m.group(1), "publisher": "PMLR", "year": 2000 + yy if yy < 90 else 1900 + yy,
                      "extra": {"series": "Proceedings of Machine Learning Research"}}
        return Work("proceedings", link, fields=fields)
    return Work("web", link)


def _link_label(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return "code" if any(host == h or host.endswith("." + h) for h in CODE_HOSTS) else "link"


def _clean_title(text: str, arxiv: arxiv_ids.ArxivId | None = None) -> str:
    """A work's title from its link text: without ``(arXiv:…)`` and similar wrappers."""
    text = arxiv_ids.IN_TEXT.sub("", _strip_emphasis(text))
    text = re.sub(r"^\s*\(\s*\)\s*", "", text).strip().strip("\"'“”「」")
    if re.fullmatch(r"(?i)(pdf|abs|arxiv|paper|link|here|code)?", text) or re.match(r"^https?://", text):
        return ""
    return text


def _url_display(url: str) -> str:
    return re.sub(r"^https?://", "", url)


# --- reading the list ------------------------------------------------------------------------

def _works(bullet: Bullet) -> tuple[list[Work], list[Work], list[Work]]:
    """(works that make entries, web links, broken links) in the bullet's own text."""
    works, web, broken = [], [], []
    for link in bullet.links():
        w = classify(link)
        (works if w.kind in ("arxiv", "proceedings", "book", "doi") else web if w.kind == "web" else broken).append(w)
    if not bullet.links():
        m = arxiv_ids.IN_TEXT.search(bullet.body)
        aid = arxiv_ids.parse(m.group(0)) if m else None
        if aid:
            works.append(Work("arxiv", Link("", f"https://arxiv.org/abs/{aid.id}"), arxiv=aid))
        else:
            for ident, pattern in KNOWN_WORKS.items():
                if pattern.search(bullet.body):
                    works.append(Work("arxiv", Link("", f"https://arxiv.org/abs/{ident}"),
                                      arxiv=arxiv_ids.ArxivId(ident), fields={"named": True}))
                    break
    return works, web, broken


def _entry_for(work: Work, bullet: Bullet) -> Entry:
    title = _clean_title(work.link.text, work.arxiv)
    if work.kind == "arxiv":
        if not title and work.fields.get("named"):
            title = re.sub(r"^\s*(19|20)\d{2}\s*", "", bullet.label).strip()
        return Entry(title or work.arxiv.id, type="misc", arxiv_id=work.arxiv.id,
                     url=f"https://arxiv.org/abs/{work.arxiv.id}", needs_sync=True)
    if not title:
        title = bullet.text_without_links() or _url_display(work.link.url)
    fields = {k: v for k, v in work.fields.items() if k != "named"}
    if work.kind == "book":
        return Entry(title, type="book", url=work.link.url, **fields)
    if work.kind == "proceedings":
        return Entry(title, type="inproceedings", url=work.link.url, **fields)
    return Entry(title, type="misc", url=work.link.url, **fields)  # a DOI


def _online_title(bullet: Bullet, link: Link) -> str:
    if link.text:
        return _clean_title(link.text) or link.text
    rest = bullet.text_without_links()
    rest = re.sub(r"\s*==>.*$", "", rest).strip()
    if not rest or re.fullmatch(r"[【\[(（][^】\])）]*[】\])）]", rest):
        return f"{rest}{_url_display(link.url)}".strip()
    return rest


def _notes_and_links(bullets: list[Bullet], skip_first: Link | None = None) -> tuple[str | None, list[dict]]:
    """Nested bullets as notes (verbatim, relative indent kept) and links (link-only bullets)."""
    notes: list[str] = []
    links: list[dict] = []
    base = None
    for b in bullets:
        if b.link_only:
            url = b.links()[0].url
            if skip_first is not None and url == skip_first.url:
                skip_first = None
                continue
            if classify(b.links()[0]).kind != "broken":
                links.append({"url": url, "label": _link_label(url)})
                continue
        if base is None:
            base = b.indent
        notes.append(b.line[base:].rstrip())
        notes.extend(m[base:].rstrip() if m[:base].strip() == "" else m.strip() for m in b.more)
    return ("\n".join(notes) if notes else None), links


def _key(entry: Entry) -> tuple[str, str]:
    if entry.arxiv_id:
        return ("arxiv", entry.arxiv_id)
    if entry.isbn:
        return ("isbn", entry.isbn)
    if entry.doi:
        return ("doi", entry.doi.lower())
    return ("url", (entry.url or "").rstrip("/").lower())


def read(text: str) -> ReadingList:
    """The entries a reading list holds, in list order, and what could not be read."""
    bullets, problems = parse(text)
    info = {id(b): _works(b) for b in bullets}
    is_entry = {id(b): bool(info[id(b)][0]) for b in bullets}
    has_entry_below = {id(b): any(is_entry[id(d)] for d in b.descendants()) for b in bullets}
    consumed: set[int] = set()
    out = ReadingList([], problems)
    seen: dict[tuple[str, str], int] = {}

    def emit(entry: Entry, bullet: Bullet) -> None:
        key = _key(entry)
        if key in seen:
            out.problems.append(Problem(bullet.line_no, bullet.body, f"a second copy of line {seen[key]}"))
            return
        seen[key] = bullet.line_no
        entry.section = entry.section or bullet.section or None
        out.entries.append(entry)
        out.lines[id(entry)] = bullet.line_no

    for b in bullets:
        if id(b) in consumed:
            continue
        works, web, broken = info[id(b)]
        for w in broken:
            out.problems.append(Problem(b.line_no, w.link.url or b.body, w.reason))
        if b.indent == -1:  # a heading with a link: the page it names, in its own section
            for w in works or web:
                entry = _entry_for(w, b) if w in works else Entry(_online_title(b, w.link), type="online",
                                                                  url=w.link.url)
                entry.section = b.heading or None
                emit(entry, b)
            continue
        if works:
            below = [d for d in b.descendants() if not _under_entry(d, b, is_entry)]
            consumed.update(id(d) for d in below)
            notes, links = _notes_and_links(below)
            own = [{"url": w.link.url, "label": _link_label(w.link.url)} for w in web]
            for i, w in enumerate(works):
                entry = _entry_for(w, b)
                if i == 0:
                    entry.notes, entry.links = notes, own + links
                emit(entry, b)
            continue
        if has_entry_below[id(b)]:  # a label: its own web links are pages of its section
            for w in web:
                emit(Entry(_online_title(b, w.link), type="online", url=w.link.url), b)
            continue
        bare_children = [c for c in b.children if c.link_only and not c.links()[0].text
                         and classify(c.links()[0]).kind == "web"]
        if web or bare_children:
            first = web[0].link if web else bare_children[0].links()[0]
            below = b.descendants()
            consumed.update(id(d) for d in below)
            notes, links = _notes_and_links(below, skip_first=None if web else first)
            own = [{"url": w.link.url, "label": _link_label(w.link.url)} for w in web[1:]]
            title = _online_title(b, first) if web else b.label or _url_display(first.url)
            emit(Entry(title, type="online", url=first.url, notes=notes, links=own + links), b)
            continue
        if not b.children and not broken:
            out.problems.append(Problem(b.line_no, b.body, "no link, and not under an entry"))
    return out


def _ancestors_until(node: Bullet, top: Bullet) -> list[Bullet]:
    out = []
    cur = node.parent
    while cur is not None and cur is not top:
        out.append(cur)
        cur = cur.parent
    return out


def _under_entry(node: Bullet, top: Bullet, is_entry: dict[int, bool]) -> bool:
    """Is ``node`` an entry, or inside one, below ``top``?"""
    return is_entry[id(node)] or any(is_entry[id(a)] for a in _ancestors_until(node, top))
