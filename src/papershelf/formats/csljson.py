"""Entries → CSL-JSON (what pandoc ``--citeproc`` and Zotero read). Pure.

Types follow the CSL 1.0.2 vocabulary: a journal paper is ``article-journal``, a conference
paper ``paper-conference``, a preprint ``article`` with ``publisher: arXiv`` and
``number: arXiv:ID`` (as Zotero writes preprints), a book ``book``. Names keep their parts
(``non-dropping-particle`` for "van", "del"); a corporate author is a ``literal``. Dates are
``issued.date-parts``; pages use a single hyphen. Text stays Unicode; tags go to ``keyword``,
notes to ``note``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from papershelf.model.entry import Entry, Person
from papershelf.model.identifiers import abs_url

CSL_TYPES = {
    "article": "article-journal", "inproceedings": "paper-conference", "book": "book",
    "incollection": "chapter", "inbook": "chapter", "booklet": "pamphlet",
    "proceedings": "book", "phdthesis": "thesis", "mastersthesis": "thesis",
    "techreport": "report", "manual": "report", "unpublished": "manuscript", "misc": "document",
    "online": "webpage",
}


def csl_name(person: Person) -> dict[str, str]:
    if person.is_corporate or (not person.given and not person.prefix):
        return {"literal": person.family} if person.is_corporate else {"family": person.family}
    out = {"family": person.family, "given": person.given}
    if person.prefix:
        out["non-dropping-particle"] = person.prefix
    if person.suffix:
        out["suffix"] = person.suffix
    return {k: v for k, v in out.items() if v}


def _date_parts(entry: Entry) -> list[int] | None:
    if entry.publication_date:
        parts = [int(p) for p in entry.publication_date.split("-")[:3] if p.isdigit()]
        return parts or None
    return [entry.year] if entry.year else None


def entry_csl(entry: Entry) -> dict[str, Any]:
    preprint = entry.is_preprint
    item: dict[str, Any] = {"id": entry.citekey,
                            "type": "article" if preprint else CSL_TYPES.get(entry.type, "document")}
    item["title"] = entry.title
    people = [p for p in entry.authors if p.family != "others"]
    if people:
        item["author"] = [csl_name(p) for p in people]
    if entry.editors:
        item["editor"] = [csl_name(p) for p in entry.editors if p.family != "others"]
    parts = _date_parts(entry)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    container = entry.journal or entry.booktitle
    if container:
        item["container-title"] = container
    if entry.extra.get("series"):
        item["collection-title"] = entry.extra["series"]
    for csl, value in (("volume", entry.volume), ("issue", entry.number),
                       ("page", entry.pages.replace("--", "-") if entry.pages else None),
                       ("publisher", entry.publisher), ("edition", entry.edition),
                       ("ISBN", entry.isbn), ("DOI", entry.doi), ("abstract", entry.abstract),
                       ("publisher-place", entry.extra.get("address"))):
        if value:
            item[csl] = value
    if preprint:
        item.setdefault("publisher", "arXiv")
        item["number"] = f"arXiv:{entry.arxiv_id}"
    url = entry.url or (abs_url(entry.arxiv_id) if entry.arxiv_id else None)
    if url:
        item["URL"] = url
    notes = [n for n in (entry.journal_ref, entry.extra.get("note")) if n]
    if notes:
        item["note"] = "; ".join(notes)
    if entry.tags:
        item["keyword"] = ", ".join(entry.tags)
    if entry.type in ("phdthesis", "mastersthesis"):
        item["genre"] = "PhD thesis" if entry.type == "phdthesis" else "Master's thesis"
        if entry.extra.get("school"):
            item["publisher"] = entry.extra["school"]
    if entry.type == "techreport" and entry.extra.get("institution"):
        item.setdefault("publisher", entry.extra["institution"])
    return item


# How json.dumps(ensure_ascii=False) writes a string (its C function when there is one).
_string = json.encoder.encode_basestring


def _dump(value: Any, indent: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` nested at ``indent``, byte for byte.
    (json.dumps takes its slow pure-Python path whenever it indents; the items here are only
    dicts, lists, strings and numbers, so this is several times quicker.)"""
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        return "{\n" + ",\n".join(f"{inner}{_string(k)}: {_dump(v, inner)}" for k, v in value.items()) \
            + f"\n{indent}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + _dump(v, inner) for v in value) + f"\n{indent}]"
    return json.dumps(value)


def write_csljson(entries: Sequence[Entry]) -> str:
    return _dump([entry_csl(e) for e in entries]) + "\n"


def iter_csljson(entries: Iterable[Entry]) -> Iterator[str]:
    """``write_csljson`` piece by piece (the same bytes), one entry at a time."""
    empty = True
    for e in entries:
        yield ("[\n  " if empty else ",\n  ") + _dump(entry_csl(e), "  ")
        empty = False
    yield "[]\n" if empty else "\n]\n"
