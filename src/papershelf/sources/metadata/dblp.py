"""DBLP (``dblp.org``): publication search, and one record by its key.

``search/publ/api?q=…&format=json&h=…`` → ``{"result": {"hits": {"@total", "hit": [{"info": {…}}]}}}``
with every number a string; ``info.authors.author`` is a list, or a single object for one author;
author names carry DBLP's disambiguation number (``Xiaopeng Zhang 0009``); titles end with ".".
``type`` says what a hit is: "Conference and Workshop Papers", "Journal Articles", "Informal and
Other Publications" (CoRR, arXiv's mirror: a preprint, never a venue), "Books and Theses", "Parts in
Books or Collections". A record by key: ``rec/<key>.xml`` (``<dblp><inproceedings key=…>…``).
DBLP has no key and answers too many requests with HTTP 429 and an HTML page (retried, then
``SourceUnavailable``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import quote

from papershelf.model.works import Work, clean_pages, clean_text, clean_title, family_of, valid_works, year_of
from papershelf.sources.metadata.service import Service, obj, text_of

KEY = re.compile(r"^(?:conf|journals|books|phd|series|reference|persons|tr|ms|www|homepages)/[\w\-]+/[\w\-.:]+$")
_URL = re.compile(r"^https?://(?:www\.)?dblp(?:\.uni-trier\.de|\.org|\.dagstuhl\.de)/rec/"
                  r"(?:(?:bibtex|xml|html)\d?/)?(?P<key>[\w\-./:]+?)(?:\.(?:html|xml|bib|json))?/?$")
_DISAMBIGUATION = re.compile(r"\s+\d{4}$")
_ARXIV_ABS = re.compile(r"abs/(\d{4}\.\d{4,5}|[a-z\-]+/\d{7})", re.I)
_KIND = {"conference and workshop papers": "conference", "journal articles": "journal",
         "books and theses": "book", "parts in books or collections": "chapter",
         "informal and other publications": "other", "editorship": "other", "reference works": "other",
         "data and artifacts": "other"}
_XML_KIND = {"inproceedings": "conference", "article": "journal", "book": "book", "incollection": "chapter",
             "phdthesis": "thesis", "mastersthesis": "thesis", "proceedings": "other"}


def key_of(text: str) -> str | None:
    """A DBLP record key in ``text`` (``conf/iccv/ZhangRA23``, ``dblp:…`` or a dblp.org/rec/ URL)."""
    text = text.strip()
    if text.lower().startswith("dblp:"):
        text = text[5:].strip()
    m = _URL.match(text)
    if m:
        text = m.group("key")
    return text if KEY.match(text) else None


def _kind(type_: str, key: str, venue: str) -> str:
    if key.startswith("journals/corr/") or venue.lower() == "corr":
        return "preprint"
    if key.startswith(("phd/", "ms/")):
        return "thesis"
    kind = _KIND.get(type_.lower(), "other")
    if kind == "conference" and re.search(r"\bworkshops?\b", venue, re.I):
        return "workshop"
    return kind


def _arxiv(volume: str, ee: list[str]) -> str | None:
    for text in [volume, *ee]:
        m = _ARXIV_ABS.search(text) if ("abs/" in text) else None
        if m:
            return m.group(1)
    return None


def _name(text: str) -> str:
    return _DISAMBIGUATION.sub("", clean_text(text))


def parse_hit(info: dict[str, Any]) -> Work:
    """One ``info`` object of a search hit."""
    raw_authors = obj(info.get("authors")).get("author")
    people = [obj(a) for a in (raw_authors if isinstance(raw_authors, list) else [raw_authors]) if a]
    authors = [n for n in (_name(p.get("text", "")) for p in people) if n]
    venue = clean_text(text_of(info.get("venue")))
    key = str(info.get("key") or "")
    raw_ee = info.get("ee")
    ee = [e for e in (raw_ee if isinstance(raw_ee, list) else [raw_ee]) if isinstance(e, str)]
    volume = clean_text(info.get("volume"))
    kind = _kind(str(info.get("type") or ""), key, venue)
    return Work(source="dblp", source_id=key, title=clean_title(info.get("title")), authors=tuple(authors),
                family_names=tuple(family_of(a) for a in authors), year=year_of(info.get("year")), kind=kind,
                venue=venue or None, venue_short=venue or None,
                volume=volume if volume and not volume.startswith("abs/") else None,
                number=clean_text(info.get("number")) or None, pages=clean_pages(info.get("pages")),
                publisher=clean_text(info.get("publisher")) or None, doi=clean_text(info.get("doi")) or None,
                arxiv_id=_arxiv(volume, ee), url=clean_text(info.get("url")) or None)


def parse_search(data: Any) -> list[Work]:
    hits = obj(obj(obj(data).get("result")).get("hits")).get("hit")
    hits = hits if isinstance(hits, list) else [hits] if isinstance(hits, dict) else []
    return valid_works((obj(obj(h).get("info")) for h in hits if obj(obj(h).get("info"))), parse_hit)


def parse_record(body: bytes) -> Work | None:
    """A ``rec/<key>.xml`` answer (no DTD or entities accepted)."""
    if b"<!DOCTYPE" in body[:2000] and b"<!ENTITY" in body:
        return None
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    record = next(iter(root), None) if root.tag == "dblp" else root
    if record is None:
        return None

    def texts(tag: str) -> list[str]:
        return ["".join(e.itertext()) for e in record.findall(tag)]

    key = record.get("key", "")
    venue = clean_text((texts("booktitle") or texts("journal") or texts("school") or [""])[0])
    kind = _XML_KIND.get(record.tag, "other")
    if key.startswith("journals/corr/") or venue.lower() == "corr":
        kind = "preprint"
    elif kind == "conference" and re.search(r"\bworkshops?\b", venue, re.I):
        kind = "workshop"
    authors = [_name(a) for a in texts("author")]
    ee = texts("ee")
    doi = next((e.split("doi.org/", 1)[1] for e in ee if "doi.org/10." in e), None)
    volume = clean_text((texts("volume") or [""])[0])
    return Work(source="dblp", source_id=key, title=clean_title((texts("title") or [""])[0]),
                authors=tuple(authors), family_names=tuple(family_of(a) for a in authors),
                year=year_of((texts("year") or [""])[0]), kind=kind, venue=venue or None, venue_short=venue or None,
                volume=volume if volume and not volume.startswith("abs/") else None,
                number=clean_text((texts("number") or [""])[0]) or None,
                pages=clean_pages((texts("pages") or [""])[0]),
                publisher=clean_text((texts("publisher") or [""])[0]) or None, doi=doi,
                arxiv_id=_arxiv(volume, ee), isbn=clean_text((texts("isbn") or [""])[0]) or None,
                url=f"https://dblp.org/rec/{key}" if key else None)


class Dblp(Service):
    name = "dblp"

    def search(self, query: str, *, hits: int = 10) -> list[Work]:
        """DBLP's hits for a query (a title, with author names if wanted): match before use."""
        data = self.fetch_json(self.url("/search/publ/api", {"q": query[:500], "format": "json",
                                                              "h": max(1, min(hits, 100))}), missing=())
        return parse_search(data)

    def record(self, key: str) -> Work | None:
        """The record with this key, or None when DBLP has none."""
        answer = self.fetch(self.url(f"/rec/{quote(key, safe='/:')}.xml"), expect_json=False)
        if answer.status == 404:
            return None
        if answer.status != 200:
            raise self.unavailable(f"DBLP refused the request (HTTP {answer.status})")
        work = parse_record(answer.body)
        if work is None:
            raise self.unavailable("DBLP's answer is not a dblp record")
        return work
