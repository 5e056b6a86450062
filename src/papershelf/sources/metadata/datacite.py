"""DataCite (``api.datacite.org``): the DOIs Crossref does not hold, arXiv's ``10.48550/arXiv.*``
among them. ``GET /dois/<doi>`` → JSON:API ``{"data": {"id", "type": "dois", "attributes": {…}}}``
(``titles[].title``, ``creators[]`` with ``givenName``/``familyName`` or ``name`` "Family, Given",
``publicationYear``, ``publisher`` (a string, or ``{"name": …}``), ``types.resourceTypeGeneral``,
``container``, ``relatedIdentifiers``); an unknown DOI is HTTP 404 ``{"errors": [...]}``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from papershelf.model.works import Work, clean_pages, clean_text, clean_title, year_of
from papershelf.sources.metadata.service import Service, arr, obj

_KIND = {"preprint": "preprint", "journalarticle": "journal", "conferencepaper": "conference",
         "book": "book", "bookchapter": "chapter", "dissertation": "thesis", "report": "other"}
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)


def _name(creator: dict[str, Any]) -> tuple[str, str]:
    given, family = clean_text(creator.get("givenName")), clean_text(creator.get("familyName"))
    if family:
        return " ".join(p for p in (given, family) if p), family
    name = clean_text(creator.get("name"))
    if "," in name and creator.get("nameType") != "Organizational":
        fam, _, giv = name.partition(",")
        return f"{giv.strip()} {fam.strip()}".strip(), fam.strip()
    return name, name


def parse_doi(data: Any) -> Work | None:
    """The work of a ``/dois/<doi>`` answer."""
    record = obj(obj(data).get("data"))
    attrs = obj(record.get("attributes"))
    if not attrs:
        return None
    doi = str(attrs.get("doi") or record.get("id") or "")
    titles = [obj(t) for t in arr(attrs.get("titles"))]
    main = next((t for t in titles if not t.get("titleType")), titles[0] if titles else {})
    types = obj(attrs.get("types"))
    general = str(types.get("resourceTypeGeneral") or "").lower()
    arxiv = _ARXIV_DOI.match(doi)
    kind = "preprint" if arxiv else _KIND.get(general, "other")
    if general == "text" and str(types.get("resourceType") or "").lower() in ("article", "preprint") and not arxiv:
        kind = "preprint" if types.get("resourceType", "").lower() == "preprint" else "journal"
    authors, families = [], []
    for creator in arr(attrs.get("creators")):
        name, family = _name(obj(creator))
        if name:
            authors.append(name)
            families.append(family)
    publisher = attrs.get("publisher")
    publisher = clean_text(obj(publisher).get("name") if isinstance(publisher, dict) else publisher) or None
    container = obj(attrs.get("container"))
    venue = clean_text(container.get("title")) or None
    pages = None
    if container.get("firstPage"):
        pages = clean_pages(f"{container.get('firstPage')}-{container.get('lastPage') or ''}".rstrip("-"))
    relations = tuple((str(obj(r).get("relationType") or ""), str(obj(r).get("relatedIdentifier") or ""))
                      for r in arr(attrs.get("relatedIdentifiers"))
                      if obj(r).get("relatedIdentifierType") == "DOI" and obj(r).get("relatedIdentifier"))
    return Work(source="datacite", source_id=doi, title=clean_title(main.get("title")), authors=tuple(authors),
                family_names=tuple(families), year=year_of(attrs.get("publicationYear")), kind=kind,
                venue=venue if not arxiv else "arXiv", volume=clean_text(container.get("volume")) or None,
                number=clean_text(container.get("issue")) or None, pages=pages, publisher=publisher,
                doi=doi or None, arxiv_id=arxiv.group(1) if arxiv else None,
                url=clean_text(attrs.get("url")) or None, updates=relations)


class DataCite(Service):
    name = "datacite"

    def work(self, doi: str) -> Work | None:
        data = self.fetch_json(self.url(f"/dois/{quote(doi.strip(), safe='/:;()')}"))
        return None if data is None else parse_doi(data)
