"""Crossref (``api.crossref.org``): a work by DOI, works by title (and authors), retractions.

``works/<doi>`` → ``{"status": "ok", "message-type": "work", "message": {…}}``, or HTTP 404 with
the plain-text body ``Resource not found.`` (for an unknown DOI, and for every DataCite DOI such as
arXiv's ``10.48550/arXiv.*``). ``works?query.title=…&query.author=…&rows=…`` → ``message-type``
``work-list`` with ``items``: Crossref always returns its best hits, so a caller must match them.
Retractions: a retracted work lists the notice in ``updated-by`` (type ``retraction``); a notice
lists what it retracts in ``update-to``; a Crossref-registered preprint names its published version
in ``relation.is-preprint-of``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from papershelf.model.works import Work, clean_pages, clean_text, clean_title, valid_works, year_of
from papershelf.sources.metadata.service import Service, arr, obj, text_of

_KIND = {"journal-article": "journal", "proceedings-article": "conference", "book": "book",
         "monograph": "book", "edited-book": "book", "reference-book": "book", "book-chapter": "chapter",
         "book-section": "chapter", "book-part": "chapter", "reference-entry": "chapter",
         "dissertation": "thesis", "posted-content": "preprint"}
_ERRATA = ("erratum", "correction", "corrigendum", "addendum")
_RETRACTION = ("retraction", "removal", "withdrawal")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)


def _year(message: dict[str, Any]) -> int | None:
    for field in ("published-print", "published-online", "published", "issued", "created"):
        parts = arr(obj(message.get(field)).get("date-parts"))
        if parts and arr(parts[0]):
            year = year_of(parts[0][0])  # true, -5, 10**30: not a year
            if year is not None:
                return year
    return None


def _relations(message: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for item in arr(message.get("updated-by")):  # notices about this work
        item = obj(item)
        if isinstance(item.get("DOI"), str):
            out.append((str(item.get("type") or "update").lower(), item["DOI"]))
    for item in arr(message.get("update-to")):  # what this notice is about
        item = obj(item)
        if isinstance(item.get("DOI"), str):
            out.append((f"{str(item.get('type') or 'update').lower()}-of", item["DOI"]))
    for relation, targets in obj(message.get("relation")).items():
        for t in arr(targets):
            t = obj(t)
            if t.get("id-type") == "doi" and isinstance(t.get("id"), str):
                out.append((str(relation), t["id"]))
    return tuple(dict.fromkeys(out))


def parse_work(message: dict[str, Any]) -> Work:
    """One Crossref work (the ``message`` of ``works/<doi>``, or an item of a work list)."""
    ctype = str(message.get("type") or "")
    kind = _KIND.get(ctype, "other")
    title = clean_title(text_of(message.get("title")))
    subtitle = clean_text(text_of(message.get("subtitle")))
    if subtitle and kind == "book" and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    venue = clean_text(text_of(message.get("container-title"))) or None
    event = obj(message.get("event"))
    short = clean_text(text_of(message.get("short-container-title"))) or clean_text(event.get("acronym")) or None
    if kind == "conference" and re.search(r"\bworkshops?\b", f"{venue or ''} {event.get('name') or ''}", re.I) \
            and not re.search(r"\bconference\b", venue or "", re.I):
        kind = "workshop"
    relations = _relations(message)
    if any(rel.endswith("-of") and rel[:-3] in _ERRATA for rel, _ in relations) or ctype in _ERRATA:
        kind = "erratum"
    authors, families = [], []
    for person in arr(message.get("author")):
        person = obj(person)
        family, given = clean_text(person.get("family")), clean_text(person.get("given"))
        name = " ".join(p for p in (given, family) if p) or clean_text(person.get("name"))
        if name:
            authors.append(name)
            families.append(family or name)
    doi = str(message.get("DOI") or "") or None
    arxiv = _ARXIV_DOI.match(doi or "")
    retracted = any(rel in _RETRACTION for rel, _ in relations) or title.upper().startswith("RETRACTED")
    return Work(source="crossref", source_id=doi or "", title=title, authors=tuple(authors),
                family_names=tuple(families), year=_year(message), kind=kind, venue=venue,
                venue_short=short if short != venue else None,
                volume=clean_text(message.get("volume")) or None, number=clean_text(message.get("issue")) or None,
                pages=clean_pages(message.get("page")), publisher=clean_text(message.get("publisher")) or None,
                doi=doi, arxiv_id=arxiv.group(1) if arxiv else None,
                isbn=text_of(message.get("ISBN")) or None, url=text_of(message.get("URL")) or None,
                retracted=retracted, updates=relations)


def parse_work_answer(data: Any) -> Work | None:
    message = obj(obj(data).get("message"))
    return parse_work(message) if message and obj(data).get("message-type") == "work" else None


def parse_work_list(data: Any) -> list[Work]:
    message = obj(obj(data).get("message"))
    return valid_works((obj(item) for item in arr(message.get("items")) if obj(item)), parse_work)


class Crossref(Service):
    name = "crossref"

    def work(self, doi: str) -> Work | None:
        """The record of ``doi``, or None when Crossref has none (a DataCite DOI, a typo)."""
        data = self.fetch_json(self.url(f"/works/{quote(doi.strip(), safe='/:;()')}"))
        return None if data is None else parse_work_answer(data)

    def search(self, title: str, authors: Sequence[str] = (), *, rows: int = 5) -> list[Work]:
        """Crossref's best hits for a title (and author names): always some; match before use."""
        params: dict[str, str | int] = {"query.title": title[:500], "rows": max(1, min(rows, 20))}
        if authors:
            params["query.author"] = " ".join(authors)[:500]
        data = self.fetch_json(self.url("/works", params), missing=())
        return parse_work_list(data)
