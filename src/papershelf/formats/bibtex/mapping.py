"""One ``.bib`` entry's fields (macros resolved, crossref inherited) → an ``Entry``. Pure.

* the entry type: other tools' and biblatex's types map onto the catalogue's (``TYPE_ALIASES``);
  an unknown type is read as ``misc`` (and said so); ``papershelf-type`` (or biblatex's
  ``entrysubtype``), written by the exporter for a degraded entry, restores the real type.
* LaTeX is decoded to Unicode (``papershelf.formats.bibtex.latex``), except in identifiers
  and paths (``VERBATIM``); notes keep their lines. Names are split into family/given/
  prefix/suffix the way BibTeX splits them.
* known fields go to their columns; ``year``/``date``/``month``/``day`` to ``year`` and an ISO
  ``date``; ``eprint`` with an arXiv prefix (or a Google Scholar ``journal = {arXiv preprint
  arXiv:…}``) to ``arxiv_id`` in its canonical form; ``doi`` without its resolver; ``keywords``
  to tags; ``annote``/``annotation`` to notes; every other field to ``extra`` (so a re-export
  writes it again).
"""

from __future__ import annotations

import re
from functools import lru_cache

from papershelf.errors import UsageError
from papershelf.formats.bibtex import latex
from papershelf.formats.bibtex.fields import ARXIV_ORGANIZATION
from papershelf.model import identifiers as arxiv_ids
from papershelf.model.entry import ENTRY_TYPES, Entry, Person
from papershelf.model.field_values import MONTH_NAMES, parse_month  # noqa: F401  (re-exported)
from papershelf.model.identifiers import abs_url, doi_of
from papershelf.model.tags import normalise_tag

# Entry types of other tools and of biblatex → the catalogue's types.
TYPE_ALIASES = {
    "conference": "inproceedings", "electronic": "online", "www": "online", "webpage": "online",
    "thesis": "phdthesis", "report": "techreport", "collection": "book", "mvbook": "book",
    "mvcollection": "book", "reference": "book", "mvreference": "book", "bookinbook": "inbook",
    "suppbook": "inbook", "inreference": "incollection", "suppcollection": "incollection",
    "mvproceedings": "proceedings", "periodical": "misc", "suppperiodical": "article",
}

# Fields whose values are identifiers or paths: not LaTeX-decoded.
VERBATIM = frozenset({"url", "doi", "eprint", "isbn", "issn", "file", "pdf", "pages", "date",
                      "urldate", "year", "month", "day", "archiveprefix", "eprinttype",
                      "primaryclass", "eprintclass", "key", "papershelf-type", "entrysubtype",
                      "crossref", "xref", "ids", "timestamp", "owner", "bdsk-url-1",
                      "date-added", "date-modified", "mendeley-groups", "local-url"})
MULTILINE = frozenset({"abstract", "annote", "annotation", "note"})
_ENTRY_SCALARS = ("journal", "booktitle", "volume", "number", "pages", "publisher", "edition",
                  "isbn")
# A Google Scholar export names the preprint in the journal: "arXiv preprint arXiv:2106.09685".
_SCHOLAR_JOURNAL = re.compile(r"^arxiv(?: preprint)?:?\s*(?:arxiv:)?\s*(\S+)$", re.I)
# What the exporter writes as howpublished for a preprint (dropped again on reading).
_ARXIV_HOWPUBLISHED = re.compile(r"(?:arXiv preprint )?arXiv:(\S+)")


def names(raw: str) -> list[Person]:
    """An ``author``/``editor`` value split into people, BibTeX's way (``and``, ``von``, ``Jr``)."""
    return [Person(*_person(name)) for name in split_names(" ".join(raw.split()))]


_AND = re.compile(r" [Aa][Nn][Dd] ")
_AND_OR_BRACE = re.compile(r" [Aa][Nn][Dd] |[{}]")


def split_names(text: str) -> list[str]:
    """A name list (its spaces made single) cut at each `` and `` (any case) outside braces, as
    BibTeX cuts it. Not bibtexparser's ``split_multiple_persons_names``: that one drops an
    accent command right after an ``and`` (``A and \\'Etienne Roux`` → ``Etienne Roux``)."""
    if "{" not in text and "}" not in text:
        return _AND.split(text) if text else []
    parts, start, depth = [], 0, 0
    for mark in _AND_OR_BRACE.finditer(text):
        c = mark.group()
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)  # a stray "}" (bibtex would complain) closes nothing
        elif depth == 0:
            parts.append(text[start:mark.start()])
            start = mark.end()
    return [*parts, text[start:]]


@lru_cache(maxsize=65536)
def _person(name: str) -> tuple[str, str, str, str]:
    """One name as (family, given, prefix, suffix): split and decoded once per import (a
    co-author recurs in many entries)."""
    from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

    def join(words: list[str]) -> str:
        return latex.decode(" ".join(words))

    if name.strip().lower() == "others":
        return ("others", "", "", "")
    try:
        parts = parse_single_name_into_parts(name, strict=False)
    except InvalidNameError:
        parts = None
    family = join(parts.last) if parts is not None else ""
    if parts is None or not family:
        p = Person.parse(latex.decode(name))
        return (p.family, p.given, p.prefix, p.suffix)
    return (family, join(parts.first), join(parts.von), join(parts.jr))


def _lines(value: str) -> str:
    """Notes: decoded line by line, indentation and line breaks kept."""
    out = []
    for line in value.strip("\n").splitlines():
        indent = line[:len(line) - len(line.lstrip(" "))]
        out.append(indent + latex.decode(line) if line.strip() else "")
    return "\n".join(out).strip("\n")


def _decoded(fields: dict[str, str]) -> dict[str, str]:
    """Every field but the names, as text: LaTeX decoded where it is LaTeX."""
    out: dict[str, str] = {}
    for name, value in fields.items():
        if name in ("author", "editor"):
            continue
        if name in VERBATIM:
            out[name] = " ".join(value.split())
        elif name in ("annote", "annotation"):
            out[name] = _lines(value)
        elif name in MULTILINE:
            out[name] = latex.decode_multiline(value)
        else:
            out[name] = latex.decode(value)
    return out


def to_entry(key: str, kind: str, fields: dict[str, str]) -> tuple[Entry, list[str]]:
    """The entry for one block's fields (lower-case names, raw values), and what had to be
    adapted to read it (one message each)."""
    notes: list[str] = []
    kind = kind.lower()
    mapped = TYPE_ALIASES.get(kind, kind)
    if kind == "thesis" and re.search(r"ma|master", fields.get("type", ""), re.I):
        mapped = "mastersthesis"
    if mapped not in ENTRY_TYPES:
        notes.append(f"entry type @{kind} read as misc")
        mapped = "misc"
    entry = Entry(title="", type=mapped, citekey=key)
    if "author" in fields:
        entry.authors = names(fields["author"])
    if "editor" in fields:
        entry.editors = names(fields["editor"])
    d = _decoded(fields)
    entry.title = d.pop("title", "")
    journal = d.pop("journaltitle", None) or d.pop("journal", None)
    if journal:
        entry.journal = journal
    if d.get("location") and not d.get("address"):
        d["address"] = d.pop("location")
    for name in _ENTRY_SCALARS:
        if name != "journal" and d.get(name):
            setattr(entry, name, d.pop(name))
    if not entry.number and d.get("issue"):
        entry.number = d.pop("issue")
    doi = d.pop("doi", None)
    if doi:
        entry.doi = doi_of(doi) or doi
    url = d.pop("url", None)
    if url:
        entry.url = re.sub(r"^\\url\{(.*)\}$", r"\1", url)
    _dates(entry, d)
    _arxiv(entry, d)
    if entry.arxiv_id and _names_the_eprint(d.get("howpublished", ""), entry.arxiv_id):
        d.pop("howpublished")
    if entry.arxiv_id and d.get("organization") == ARXIV_ORGANIZATION:
        d.pop("organization")  # the biblatex export's, for pandoc: the eprint says it
    if d.get("key") == key:
        d.pop("key")
    _restore_type(entry, d)
    abstract = d.pop("abstract", None)
    if abstract:
        entry.abstract = abstract
    keywords = d.pop("keywords", None)
    if keywords:
        entry.tags = tags(keywords)
    annotation = d.pop("annotation", None) or d.pop("annote", None)
    if annotation:
        entry.notes = annotation
    entry.extra = {k: v for k, v in sorted(d.items()) if v}
    return entry, notes


def tags(keywords: str) -> list[str]:
    """A ``keywords`` value (comma- or semicolon-separated) as tags; what is no tag is skipped."""
    out = []
    for word in re.split(r"[,;]", keywords):
        try:
            out.append(normalise_tag(word))
        except UsageError:
            continue
    return list(dict.fromkeys(out))


def _restore_type(entry: Entry, d: dict[str, str]) -> None:
    """The type the exporter degraded (``papershelf-type``/``entrysubtype``); thesis and report
    ``type`` fields that only repeat the entry type are dropped."""
    restored = d.pop("papershelf-type", None) or (
        d.get("entrysubtype") if entry.type == "misc" and d.get("entrysubtype") in ENTRY_TYPES else None)
    if restored in ENTRY_TYPES:
        d.pop("entrysubtype", None)
        entry.type = restored
    if entry.type in ("phdthesis", "mastersthesis") and d.get("type") in ("phdthesis", "mathesis",
                                                                          "mastersthesis"):
        d.pop("type")
    if entry.type == "techreport" and d.get("type") == "techreport":
        d.pop("type")
    if d.get("institution") and entry.type in ("phdthesis", "mastersthesis") and not d.get("school"):
        d["school"] = d.pop("institution")


def _dates(entry: Entry, d: dict[str, str]) -> None:
    year = d.pop("year", "")
    date = d.get("date", "")
    month = d.pop("month", "")
    day = d.pop("day", "")
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", date)
    if m and m.group(2) and not (1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3) or 1) <= 31):
        m = None  # "1998-13": kept as written, in extra
    if m:
        d.pop("date")
        entry.year = int(m.group(1))
        entry.date = date if m.group(2) else None
        return
    ym = re.search(r"\d{4}", year)
    if ym:
        entry.year = int(ym.group())
        if year.strip() != ym.group():
            d["year"] = year  # "1995--1996", "2001a": kept as written
    elif year:
        d["year"] = year
    if month and entry.year:
        mm = re.fullmatch(r"\s*([A-Za-z]+\.?|\d{1,2})(?:[\s~,]+(\d{1,2}))?\s*", month)
        mi = parse_month(mm.group(1)) if mm else None
        if mm and mi:
            entry.date = f"{entry.year:04d}-{mi:02d}"
            day = mm.group(2) or day
            if day.isdigit() and 1 <= int(day) <= 31:
                entry.date += f"-{int(day):02d}"
                day = ""
            month = ""
    if month:
        d["month"] = month
    if day:
        d["day"] = day


def _arxiv(entry: Entry, d: dict[str, str]) -> None:
    """An arXiv eprint (or a Google Scholar "arXiv preprint" journal) as the canonical id."""
    prefix = (d.get("archiveprefix") or d.get("eprinttype") or "").lower()
    eprint = d.get("eprint", "")
    aid = arxiv_ids.parse(eprint) if eprint and prefix in ("arxiv", "") else None
    gs = _SCHOLAR_JOURNAL.match(entry.journal or "")
    if aid is None and gs:
        aid = arxiv_ids.parse(gs.group(1))
        if aid:
            entry.journal = None
            if entry.type == "article":
                entry.type = "misc"
    if aid is None:
        return
    entry.arxiv_id = aid.canonical
    entry.arxiv_version = aid.version
    if entry.type == "online" and not entry.has_venue:
        entry.type = "misc"  # biblatex's @online preprint is the catalogue's misc preprint
    for name in ("eprint", "archiveprefix", "eprinttype"):
        d.pop(name, None)
    cls = d.pop("primaryclass", None) or d.pop("eprintclass", None)
    if cls:
        entry.primary_class = cls
    if entry.url and entry.is_unpublished and _is_abs_page(entry.url, aid):
        entry.url = abs_url(aid.id)


def _is_abs_page(url: str, aid: arxiv_ids.ArxivId) -> bool:
    """``url`` is the version-less arXiv abstract page of ``aid`` (http or https)."""
    url = url.rstrip("/")
    page = arxiv_ids.parse(url)
    return (page is not None and page.version is None and page.canonical == aid.canonical
            and re.fullmatch(r"https?://arxiv\.org/abs/[^?#]+", url) is not None)


def _names_the_eprint(howpublished: str, arxiv_id: str) -> bool:
    """``howpublished`` says no more than the eprint: ``arXiv preprint arXiv:ID`` or ``arXiv:ID``."""
    m = _ARXIV_HOWPUBLISHED.fullmatch(howpublished)
    page = arxiv_ids.parse(m.group(1)) if m else None
    return page is not None and page.version is None and page.canonical == arxiv_id
