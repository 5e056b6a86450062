"""The bullets of a reading list → entries, as a careful reader would take them.

See ``papershelf.formats.readinglist`` for the rules. Pure: ``Entry`` objects out, no
catalogue, no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from papershelf.formats.markdown import apply_record, md_escape, read_record
from papershelf.formats.readinglist.links import WORK_KINDS, Link, Work, classify, link_label, url_display
from papershelf.formats.readinglist.parser import Bullet, Problem, parse, strip_emphasis
from papershelf.model import identifiers as arxiv_ids
from papershelf.model.entry import Entry
from papershelf.model.identifiers import abs_url, normalise_doi

# Works a reading list may name without a link, and the words that name them.
KNOWN_WORKS: dict[str, re.Pattern[str]] = {
    "2010.11929": re.compile(r"\bvision transformer\b|\bViT\b", re.I),  # Dosovitskiy et al. 2021
    "2012.12877": re.compile(r"\bDeiT\b|data-efficient image transformers?", re.I),  # Touvron et al. 2021
}


@dataclass
class ReadingList:
    entries: list[Entry]
    problems: list[Problem]
    lines: dict[int, int] = field(default_factory=dict)  # id(entry) -> line it came from

    def line_of(self, entry: Entry) -> int:
        return self.lines.get(id(entry), 0)


def _clean_title(text: str) -> str:
    """A work's title from its link text: without ``(arXiv:…)`` and similar wrappers."""
    text = arxiv_ids.IN_TEXT.sub("", strip_emphasis(text))
    text = re.sub(r"^\s*\(\s*\)\s*", "", text).strip().strip("\"'“”「」")
    if re.fullmatch(r"(?i)(pdf|abs|arxiv|paper|link|here|code)?", text) or re.match(r"^https?://", text):
        return ""
    return text


def _works(bullet: Bullet) -> tuple[list[Work], list[Work], list[Work]]:
    """(works that make entries, web links, broken links) in the bullet's own text."""
    works: list[Work] = []
    web: list[Work] = []
    broken: list[Work] = []
    for link in bullet.links():
        w = classify(link)
        (works if w.kind in WORK_KINDS else web if w.kind == "web" else broken).append(w)
    if not bullet.links():
        m = arxiv_ids.IN_TEXT.search(bullet.body)
        aid = arxiv_ids.parse(m.group(0)) if m else None
        if aid:
            works.append(Work("arxiv", Link("", abs_url(aid.id)), arxiv=aid))
        else:
            for ident, pattern in KNOWN_WORKS.items():
                if pattern.search(bullet.body):
                    works.append(Work("arxiv", Link("", abs_url(ident)),
                                      arxiv=arxiv_ids.ArxivId(ident), fields={"named": True}))
                    break
    return works, web, broken


def _entry_for(work: Work, bullet: Bullet) -> Entry:
    title = _clean_title(work.link.text)
    if work.arxiv is not None:  # an arXiv placeholder: arXiv sync brings the rest
        if not title and work.fields.get("named"):
            title = re.sub(r"^\s*(19|20)\d{2}\s*", "", bullet.label).strip()
        ident = work.arxiv.canonical
        return Entry(title or ident, type="misc", arxiv_id=ident, url=abs_url(ident), needs_sync=True)
    if not title:
        title = bullet.text_without_links() or url_display(work.link.url)
    fields: dict[str, Any] = {k: v for k, v in work.fields.items() if k != "named"}
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
        return f"{rest}{url_display(link.url)}".strip()
    return rest


def _notes_and_links(bullets: list[Bullet], skip_first: Link | None = None
                     ) -> tuple[str | None, list[dict[str, str]]]:
    """Nested bullets as notes (verbatim, relative indent kept) and links (link-only bullets)."""
    notes: list[str] = []
    links: list[dict[str, str]] = []
    base = None
    for b in bullets:
        if b.link_only:
            url = b.links()[0].url
            if skip_first is not None and url == skip_first.url:
                skip_first = None
                continue
            if classify(b.links()[0]).kind != "broken":
                links.append({"url": url, "label": link_label(url)})
                continue
        if base is None:
            base = b.indent
        notes.append(b.line[base:].rstrip())
        notes.extend(m[base:].rstrip() if m[:base].strip() == "" else m.strip() for m in b.more)
    return ("\n".join(notes) if notes else None), links


def _key(entry: Entry) -> tuple[str, str]:
    """What makes two entries of the list the same work."""
    if entry.arxiv_id:
        return ("arxiv", entry.arxiv_id)
    if entry.isbn:
        return ("isbn", entry.isbn)
    if entry.doi:
        return ("doi", normalise_doi(entry.doi) or entry.doi.lower())
    if not entry.url and entry.citekey:  # an exported entry without a link: its key
        return ("key", entry.citekey.lower())
    return ("url", (entry.url or "").rstrip("/").lower())


def read(text: str) -> ReadingList:
    """The entries a reading list holds, in list order, and what could not be read."""
    bullets, problems = parse(text)
    info = {id(b): _works(b) for b in bullets}
    is_entry = {id(b): bool(info[id(b)][0]) for b in bullets}
    has_entry_below: dict[int, bool] = {}  # bottom up (children follow their parent): linear in depth
    for b in reversed(bullets):
        has_entry_below[id(b)] = any(is_entry[id(c)] or has_entry_below[id(c)] for c in b.children)
    consumed: set[int] = set()
    out = ReadingList([], problems)
    seen: dict[tuple[str, str], int] = {}
    recorded: set[tuple[str, str]] = set()  # works read from papershelf's record

    def emit(entry: Entry, bullet: Bullet, *, from_record: bool = False) -> None:
        key = _key(entry)
        if key in seen:
            if not (from_record and key in recorded):  # an export grouped by tag repeats entries
                out.problems.append(Problem(bullet.line_no, bullet.body, f"a second copy of line {seen[key]}"))
            return
        seen[key] = bullet.line_no
        if from_record:
            recorded.add(key)  # and its section is the record's
        else:
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
        if b.record is not None:  # papershelf's own export: the entry its record says
            record = read_record(b.record)
            if record is None:
                out.problems.append(Problem(b.line_no, b.body, "a papershelf record that cannot be read"))
            else:
                emit(_recorded(b, record, works, web, is_entry, consumed), b, from_record=True)
                continue
        if works:
            below = _below_until_entries(b, is_entry)
            consumed.update(id(d) for d in below)
            notes, links = _notes_and_links(below)
            own = [{"url": w.link.url, "label": link_label(w.link.url)} for w in web]
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
            own = [{"url": w.link.url, "label": link_label(w.link.url)} for w in web[1:]]
            title = _online_title(b, first) if web else b.label or url_display(first.url)
            emit(Entry(title, type="online", url=first.url, notes=notes, links=own + links), b)
            continue
        if not b.children and not broken:
            out.problems.append(Problem(b.line_no, b.body, "no link, and not under an entry"))
    return out


def _recorded(b: Bullet, record: dict[str, Any], works: list[Work], web: list[Work],
              is_entry: dict[int, bool], consumed: set[int]) -> Entry:
    """The entry of a bullet papershelf's Markdown export wrote: what its first link says (a
    work, else a web page), then its record (key, type, title, people, year, identifiers); the
    bullets nested under it are its notes and links, as for any entry."""
    works = works if b.links() else []  # not an arXiv id its title happens to name
    if works:
        entry, others = _entry_for(works[0], b), web
    elif web:
        entry, others = Entry(_online_title(b, web[0].link), type="online", url=web[0].link.url), web[1:]
    else:
        entry, others = Entry(_clean_title(b.body), type="misc"), []
    shown = entry.title
    apply_record(entry, record)
    if shown and shown != _clean_title(f"**{md_escape(entry.title)}**"):
        entry.title = shown  # the title was edited in the list since it was exported: the edit wins
    below = _below_until_entries(b, is_entry)
    consumed.update(id(d) for d in below)
    entry.notes, links = _notes_and_links(below)
    entry.links = [{"url": w.link.url, "label": link_label(w.link.url)} for w in others] + links
    return entry


def _below_until_entries(top: Bullet, is_entry: dict[int, bool]) -> list[Bullet]:
    """The bullets below ``top``, in order, that are neither entries nor inside one below it
    (its notes and links); iterative, and never looks inside an entry."""
    out: list[Bullet] = []
    stack = list(reversed(top.children))
    while stack:
        node = stack.pop()
        if is_entry[id(node)]:
            continue
        out.append(node)
        stack.extend(reversed(node.children))
    return out
