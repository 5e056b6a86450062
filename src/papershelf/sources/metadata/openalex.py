"""OpenAlex (``api.openalex.org``): one work by DOI, works by title.

``GET /works/https://doi.org/<doi>`` → a work, or HTTP 404 with an HTML body; ``GET /works?filter=
title.search:<title>`` → ``{"meta": {…}, "results": [...]}``. Since February 2026 OpenAlex needs a
free API key (``PAPERSHELF_OPENALEX_API_KEY``, sent as ``api_key``): without one the client is
``enabled = False`` and every lookup raises ``SourceUnavailable`` with a note saying so, which
callers report and skip.

Two schema generations are read: 2025 works have ``type_crossref`` and ``type`` "article" for
journal and proceedings papers; 2026 (commonmeta) works have ``type`` "conference-paper" and
``primary_location.raw_source_name``, and a conference paper's ``source`` may be null. An arXiv
preprint is a work of its own (``type`` "preprint", DOI ``10.48550/arxiv.<id>``, no ``ids.arxiv``).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from papershelf.model.works import Work, clean_pages, clean_text, clean_title, family_of, valid_works, year_of
from papershelf.sources.metadata.service import Service, arr, obj

_ARXIV = re.compile(r"(?:arxiv\.org/(?:abs|pdf)/|10\.48550/arxiv\.)(\d{4}\.\d{4,5}|[a-z\-]+/\d{7})", re.I)
_KIND = {"preprint": "preprint", "posted-content": "preprint", "conference-paper": "conference",
         "proceedings-article": "conference", "book": "book", "monograph": "book", "book-chapter": "chapter",
         "dissertation": "thesis", "erratum": "erratum", "journal-article": "journal"}


def _kind(work: dict[str, Any], source: dict[str, Any]) -> str:
    for t in (work.get("type_crossref"), work.get("type")):
        if isinstance(t, str) and t in _KIND:
            return _KIND[t]
    if work.get("type") == "article":
        stype = str(source.get("type") or "")
        return {"journal": "journal", "conference": "conference", "repository": "preprint"}.get(stype, "journal")
    return "other"


def parse_work(work: dict[str, Any]) -> Work:
    primary = obj(work.get("primary_location"))
    source = obj(primary.get("source"))
    venue = clean_text(source.get("display_name")) or clean_text(primary.get("raw_source_name")) or None
    kind = _kind(work, source)
    if source.get("type") == "repository" and kind != "preprint" and work.get("type") in ("article", "preprint"):
        kind = "preprint"
    if kind == "conference" and re.search(r"\bworkshops?\b", venue or "", re.I):
        kind = "workshop"
    names = [clean_text(obj(obj(a).get("author")).get("display_name")) for a in arr(work.get("authorships"))]
    names = [n for n in names if n]
    biblio = obj(work.get("biblio"))
    first, last = clean_text(biblio.get("first_page")), clean_text(biblio.get("last_page"))
    pages = clean_pages(f"{first}-{last}" if first and last and first != last else first)
    doi = re.sub(r"^https?://(dx\.)?doi\.org/", "", str(work.get("doi") or ""), flags=re.I) or None
    arxiv = None
    for text in [doi or "", *(str(obj(loc).get("landing_page_url") or "") for loc in arr(work.get("locations")))]:
        m = _ARXIV.search(text)
        if m:
            arxiv = m.group(1)
            break
    return Work(source="openalex", source_id=str(work.get("id") or "").rsplit("/", 1)[-1],
                title=clean_title(work.get("title") or work.get("display_name")), authors=tuple(names),
                family_names=tuple(family_of(n) for n in names), year=year_of(work.get("publication_year")),
                kind=kind, venue=venue, volume=clean_text(biblio.get("volume")) or None,
                number=clean_text(biblio.get("issue")) or None, pages=pages,
                publisher=clean_text(source.get("host_organization_name")) or None, doi=doi, arxiv_id=arxiv,
                url=clean_text(primary.get("landing_page_url")) or None, retracted=work.get("is_retracted") is True)


def parse_results(data: Any) -> list[Work]:
    return valid_works((obj(w) for w in arr(obj(data).get("results")) if obj(w)), parse_work)


class OpenAlex(Service):
    name = "openalex"
    SKIP_NOTE = ("OpenAlex was skipped: it needs a free API key since February 2026 "
                 "(set PAPERSHELF_OPENALEX_API_KEY)")

    @property
    def enabled(self) -> bool:
        return bool(self.settings.openalex_api_key)

    def _params(self, extra: dict[str, str] | None = None) -> dict[str, str | int]:
        if not self.enabled:
            raise self.unavailable(self.SKIP_NOTE, hint="get one at https://openalex.org/settings/api")
        params: dict[str, str | int] = dict(extra or {})
        params["api_key"] = self.settings.openalex_api_key
        if self.settings.mailto:
            params["mailto"] = self.settings.mailto
        return params

    def _work_json(self, doi: str) -> Any:
        params = self._params()
        return self.fetch_json(self.url(f"/works/https://doi.org/{quote(doi.strip(), safe='/:;()')}", params))

    def work_by_doi(self, doi: str) -> Work | None:
        data = self._work_json(doi)
        return parse_work(data) if isinstance(data, dict) else None

    def pdf_links(self, doi: str) -> list[tuple[str, str]] | None:
        """(url, where) of every PDF link OpenAlex knows for the work ``doi``: its best open-access
        location first, then every other location's (the best one is often bot-blocked); None
        when OpenAlex has no such work."""
        data = self._work_json(doi)
        if not isinstance(data, dict):
            return None
        out: dict[str, str] = {}
        for loc in (data.get("best_oa_location"), data.get("primary_location"), *arr(data.get("locations"))):
            loc = obj(loc)
            url = str(loc.get("pdf_url") or "").strip()
            if url.startswith(("http://", "https://")) and url not in out:
                source = obj(loc.get("source"))
                out[url] = clean_text(source.get("display_name")) or clean_text(loc.get("raw_source_name"))
        return list(out.items())

    def search_title(self, title: str, *, rows: int = 10) -> list[Work]:
        params = self._params({"filter": f"title.search:{title[:400].replace(',', ' ')}",
                               "per_page": str(max(1, min(rows, 50)))})
        return parse_results(self.fetch_json(self.url("/works", params), missing=()))
