"""RIS → entries (Mendeley, EndNote, Web of Science, Scopus, Zotero). Pure.

Parsed by ``rispy`` (imported when a file is read): tags become its named fields. Types:
JOUR/JFULL/MGZN/NEWS → article, CONF/CPAPER → inproceedings, BOOK/EBOOK/EDBOOK → book,
CHAP/ECHAP → incollection, THES → phdthesis (mastersthesis when M3 says master),
RPRT → techreport, ELEC/WEB/BLOG → online, UNPB/MANSCPT → unpublished, else misc. ID, when
present, is the citation key; N1 notes are read as Better BibTeX reads Extra.
"""

from __future__ import annotations

import re
from typing import Any

from papershelf.errors import PapershelfError
from papershelf.formats.csljson_in import Read
from papershelf.model.entry import Entry, Person

TYPES = {"JOUR": "article", "JFULL": "article", "MGZN": "article", "NEWS": "article", "EJOUR": "article",
         "CONF": "inproceedings", "CPAPER": "inproceedings", "BOOK": "book", "EBOOK": "book", "EDBOOK": "book",
         "CHAP": "incollection", "ECHAP": "incollection", "THES": "phdthesis", "RPRT": "techreport",
         "ELEC": "online", "WEB": "online", "BLOG": "online", "UNPB": "unpublished", "MANSCPT": "unpublished"}


def _first(rec: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = rec.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def _person(raw: str) -> Person:
    if "," in raw:
        family, given = raw.split(",", 1)
        return Person(family=family.strip(), given=given.strip())
    return Person(family=raw.strip())


def to_entry(rec: dict[str, Any]) -> Entry:
    from papershelf.formats.zotero.mapping import extra_lines, tags_of

    kind = TYPES.get(str(rec.get("type_of_reference", "")).upper(), "misc")
    if kind == "phdthesis" and re.search(r"master", _first(rec, "type_of_work") or "", re.I):
        kind = "mastersthesis"
    entry = Entry(title=_first(rec, "title", "primary_title", "translated_title") or "", type=kind)
    entry.citekey = _first(rec, "id") or ""
    entry.authors = [_person(a) for a in (rec.get("authors") or []) + (rec.get("first_authors") or []) if a.strip()]
    entry.editors = [_person(a) for a in (rec.get("secondary_authors") or rec.get("editors") or []) if a.strip()]
    raw_year = _first(rec, "year", "publication_year", "date") or ""
    m = re.match(r"(\d{4})(?:/(\d{1,2})(?:/(\d{1,2}))?)?", raw_year)
    if m:
        entry.year = int(m.group(1))
        if m.group(2):
            entry.date = f"{m.group(1)}-{int(m.group(2)):02d}" + (f"-{int(m.group(3)):02d}" if m.group(3) else "")
    container = _first(rec, "journal_name", "secondary_title", "alternate_title3", "alternate_title2",
                       "alternate_title1")
    if container and kind == "article":
        entry.journal = container
    elif container and kind in ("inproceedings", "incollection"):
        entry.booktitle = container
    entry.volume = _first(rec, "volume")
    entry.number = _first(rec, "number")
    start, end = _first(rec, "start_page"), _first(rec, "end_page")
    entry.pages = f"{start}-{end}" if start and end and end != start else start
    entry.publisher = _first(rec, "publisher")
    entry.edition = _first(rec, "edition")
    sn = _first(rec, "issn") or ""
    if re.fullmatch(r"[\d\-Xx ]{10,17}", sn) and len(re.sub(r"\D", "", sn)) >= 10:
        entry.isbn = sn
    doi = _first(rec, "doi")
    entry.doi = re.sub(r"^https?://(dx\.)?doi\.org/", "", doi) if doi else None
    entry.url = _first(rec, "urls", "url")
    entry.abstract = _first(rec, "abstract", "notes_abstract")
    extra: dict[str, str] = {}
    for name, target in (("place_published", "address"), ("language", "language")):
        if _first(rec, name):
            extra[target] = _first(rec, name) or ""
    if sn and not entry.isbn:
        extra["issn"] = sn
    key, arxiv, fields, rest = extra_lines("\n".join(str(n) for n in rec.get("notes") or []))
    entry.citekey = key or entry.citekey
    entry.arxiv_id = arxiv
    extra.update(fields)
    if rest:
        extra["note"] = rest
    entry.extra = dict(sorted(extra.items()))
    entry.tags = tags_of([str(k) for k in rec.get("keywords") or []])
    return entry


def read_ris(text: str) -> Read:
    """Every record of a RIS text; raises PapershelfError if rispy cannot read it."""
    import rispy

    try:
        records = rispy.loads(text.lstrip("\ufeff"), skip_unknown_tags=True, enforce_list_tags=False)
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise PapershelfError(f"not a RIS file: {exc}") from None
    return Read.of(records, to_entry)
