"""Entries → a Markdown reading list that renders well on GitHub. Pure.

One bullet per entry: the linked title in bold (arXiv abs page, else the DOI, else the
entry's URL), then authors (three, then "et al."), year, venue and tags as code spans, then
the user's notes indented under it (they are Markdown already, so nested bullets stay nested).
CJK text is written as it is. Under the visible lines, an HTML comment (hidden when the list
is rendered) holds the entry's record: ``<!-- papershelf {"key": …, "type": …, "authors": […],
"year": …, "arxiv_id": …} -->``, so that ``import markdown`` gives back the same keys, people,
years, types and identifiers (``record_comment`` writes it, ``read_record`` reads it back).
Grouping: ``section`` (the reading list's own headings, nested by
``›``, in reading-list order), ``tag`` (an entry appears under each of its tags), ``year``
(newest first), ``type``; or ``none``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from papershelf.model.entry import ENTRY_TYPES, Entry, Person
from papershelf.model.identifiers import abs_url

GROUPS = ("section", "tag", "year", "type", "none")
SECTION_SEP = " › "
TYPE_LABELS = {
    "article": "Journal articles", "inproceedings": "Conference papers", "book": "Books",
    "misc": "Preprints and other works", "online": "Web pages", "incollection": "Book chapters",
    "inbook": "Book chapters", "phdthesis": "Theses", "mastersthesis": "Theses",
    "techreport": "Reports", "proceedings": "Proceedings", "manual": "Manuals",
    "unpublished": "Unpublished", "booklet": "Booklets",
}

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


# Names and venues recur all through a catalogue: each is rendered once.
_venue_escape = lru_cache(maxsize=8192)(md_escape)


@lru_cache(maxsize=16384)
def _name(family: str, given: str, prefix: str, suffix: str) -> str:
    return Person(family, given, prefix, suffix).name


def link_of(entry: Entry) -> str | None:
    """Where the title links to: the arXiv abs page, the DOI, or the entry's URL."""
    if entry.arxiv_id:
        return abs_url(entry.arxiv_id)
    if entry.doi:
        return f"https://doi.org/{entry.doi}"
    return entry.url or None


def _url(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def authors_text(entry: Entry, limit: int = 3) -> str:
    people = entry.authors or entry.editors
    names = [_name(p.family, p.given, p.prefix, p.suffix) for p in people if p.family != "others"]
    more = len(names) > limit or any(p.family == "others" for p in people)
    shown = names[:limit]
    text = ", ".join(shown)
    if more:
        text += ", et al." if shown else "et al."
    if not entry.authors and entry.editors:
        text += " (eds.)" if len(entry.editors) > 1 else " (ed.)"
    return text


def venue_text(entry: Entry) -> str:
    if entry.journal:
        venue = f"*{_venue_escape(entry.journal)}*"
        if entry.volume:
            venue += f" {md_escape(entry.volume)}"
            if entry.number:
                venue += f"({md_escape(entry.number)})"
        return venue
    if entry.booktitle:
        return f"*{_venue_escape(entry.booktitle)}*"
    if entry.type == "book" and entry.publisher:
        return md_escape(entry.publisher)
    if entry.journal_ref:
        return md_escape(entry.journal_ref)
    if entry.arxiv_id:
        return f"arXiv:{entry.arxiv_id}"
    return ""


# --- the record under each bullet ----------------------------------------------------------

RECORD_TAG = "papershelf"
RECORD_LINE = re.compile(r"^\s*<!--\s*papershelf\s+(\{.*\})\s*-->\s*$")
# Text fields of the record, in the order written; people, tags and flags follow.
_RECORD_TEXT = ("type", "title", "date", "journal", "booktitle", "publisher", "volume", "number",
                "pages", "edition", "isbn", "doi", "arxiv_id", "url")


def record_of(entry: Entry) -> dict[str, Any]:
    """What ``import markdown`` needs to give the entry back: key, type, title, people, year,
    venue and identifiers, the user's own tags, and whether it still waits for arXiv sync."""
    record: dict[str, Any] = {"key": entry.citekey}
    for name in _RECORD_TEXT:
        value = getattr(entry, name)
        if value and not (name == "url" and value == link_of(entry)):  # the bullet's link says it
            record[name] = value
    if not entry.url and link_of(entry):
        record["url"] = ""  # the link is the DOI's, not a URL of the entry's own
    record["section"] = entry.section or ""  # not the heading it is under (a tag, a year, "Other")
    if entry.year:
        record["year"] = entry.year
    for role in ("authors", "editors"):
        people = getattr(entry, role)
        if people:
            record[role] = [p.to_dict() for p in people]
    own = [t for t in entry.tags if t not in entry.rule_tags]
    if own:
        record["tags"] = own
    if entry.needs_sync:
        record["needs_sync"] = True
    return record


def record_comment(entry: Entry) -> str:
    """The record as one HTML comment line (``>`` escaped: no value can end the comment)."""
    text = json.dumps(record_of(entry), ensure_ascii=False).replace(">", "\\u003e")
    return f"<!-- {RECORD_TAG} {text} -->"


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _people(value: Any) -> list[Person] | None:
    if not (isinstance(value, list) and all(isinstance(p, dict) and p.get("family") for p in value)
            and all(_strings(list(p.values())) for p in value)):
        return None
    return [Person.from_dict(p) for p in value]


def read_record(line: str) -> dict[str, Any] | None:
    """The record a ``record_comment`` line holds, checked (None: not one, or not valid)."""
    m = RECORD_LINE.match(line)
    if not m:
        return None
    try:
        record = json.loads(m.group(1))
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("key"), str) or not record["key"].strip():
        return None
    if record.get("type") not in (None, *ENTRY_TYPES):
        return None
    if any(not isinstance(record.get(name, ""), str) for name in (*_RECORD_TEXT, "section")):
        return None
    if type(record.get("year", 0)) is not int or not _strings(record.get("tags", [])):  # (not a bool)
        return None
    if any(role in record and _people(record[role]) is None for role in ("authors", "editors")):
        return None
    return record


def apply_record(entry: Entry, record: dict[str, Any]) -> None:
    """Give ``entry`` (what the bullet's link and text say) what its record says."""
    entry.citekey = record["key"]
    for name in _RECORD_TEXT:
        if record.get(name):
            setattr(entry, name, record[name])
        elif name in ("arxiv_id", "doi", "isbn"):  # the record's identifiers are the entry's
            setattr(entry, name, None)
    if record.get("url") == "":
        entry.url = None
    if "section" in record:
        entry.section = record["section"] or None
    entry.year = record.get("year") or entry.year
    for role in ("authors", "editors"):
        if role in record:
            setattr(entry, role, _people(record[role]) or [])
    entry.tags = list(dict.fromkeys([*entry.tags, *record.get("tags", [])]))
    entry.needs_sync = bool(record.get("needs_sync"))


def entry_markdown(entry: Entry) -> str:
    """One bullet (and its notes), without a trailing newline."""
    title = f"**{md_escape(entry.title or entry.citekey)}**"
    link = link_of(entry)
    head = f"- [{title}]({_url(link)})" if link else f"- {title}"
    bits = [b for b in (md_escape(authors_text(entry)),
                        f"({entry.year})" if entry.year else "",
                        venue_text(entry)) if b]
    line = " ".join(bits[:2]) + (". " + bits[2] if len(bits) > 2 else "") if bits else ""
    if line and not line.endswith("."):
        line += "."
    if entry.tags:
        line += (" " if line else "") + " ".join(f"`{t}`" for t in entry.tags)
    out = [head + ("  " if line else "")]
    if line:
        out.append(f"  {line}")
    out.append(f"  {record_comment(entry)}")
    extra_links = [ln for ln in entry.links if ln.get("url")]
    if extra_links:
        out.append("  " + " · ".join(f"[{md_escape(ln.get('label') or 'link')}]({_url(ln['url'])})"
                                      for ln in extra_links))
    if entry.notes and entry.notes.strip():
        out.append("")
        out.extend(("  " + ln) if ln.strip() else "" for ln in entry.notes.strip("\n").splitlines())
        out.append("")
    return "\n".join(out).rstrip("\n")


def _blocks(entries: Sequence[Entry]) -> str:
    parts = [entry_markdown(e) for e in entries]
    # an entry with notes is followed by a blank line so its list stays loose but readable
    return "\n".join(parts)


def write_markdown(entries: Sequence[Entry], group_by: str = "section",
                   title: str = "Reading list") -> str:
    """A whole reading list. ``entries`` come in the order they should appear within groups."""
    if group_by not in GROUPS:
        raise ValueError(f"unknown grouping {group_by!r}")
    out = [f"# {title}", ""]
    if group_by == "none":
        out += [_blocks(entries), ""]
    elif group_by == "section":
        groups: dict[tuple[str, ...], list[Entry]] = {}
        for e in entries:
            path = tuple(p.strip() for p in (e.section or "").split(SECTION_SEP.strip()) if p.strip())
            groups.setdefault(path or ("Other",), []).append(e)
        previous: tuple[str, ...] = ()
        for path, members in groups.items():
            common = 0
            while common < min(len(path), len(previous)) and path[common] == previous[common]:
                common += 1
            for depth in range(common, len(path)):
                out += [f"{'#' * min(depth + 2, 6)} {md_escape(path[depth])}", ""]
            out += [_blocks(members), ""]
            previous = path
    else:
        keyed: dict[str, list[Entry]] = {}
        for e in entries:
            if group_by == "tag":
                labels = e.tags or ["untagged"]
            elif group_by == "year":
                labels = [str(e.year) if e.year else "Undated"]
            else:
                labels = [TYPE_LABELS.get(e.type, e.type.capitalize())]
            for label in labels:
                keyed.setdefault(label, []).append(e)
        if group_by == "year":
            order = sorted(keyed, key=lambda y: (not y.isdigit(), -int(y) if y.isdigit() else 0))
        elif group_by == "tag":
            order = sorted(keyed, key=lambda t: (t == "untagged", t))
        else:
            order = sorted(keyed)
        for label in order:
            heading = f"`{label}`" if group_by == "tag" and label != "untagged" else md_escape(label)
            out += [f"## {heading}", "", _blocks(keyed[label]), ""]
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"
