"""Semantic Scholar Graph API: papers by arXiv id in batches, and one paper by DOI or arXiv id.

``POST /paper/batch?fields=…`` with ``{"ids": ["ARXIV:2106.15928", …]}`` (at most 500) → a JSON
array in request order with ``null`` for an unknown id; ``GET /paper/DOI:<doi>?fields=…`` → one
paper, or HTTP 404 ``{"error": "Paper with id … not found"}``. Without ``PAPERSHELF_S2_API_KEY``
requests go to a shared pool that often answers 429 ``{"message": …, "code": "429"}``.

What a paper says about its venue needs care (see the recorded answers): ``venue`` may be an
abbreviation ("Nat. Mac. Intell.") while ``journal.name`` is the full name, or the two may disagree
(``venue`` "bioRxiv", ``journal.name`` "Cell Genomics": the preprint server and the journal of one
merged record); arXiv appears as a "journal" (``journal.name`` "ArXiv", ``volume`` "abs/…",
``publicationTypes`` ["JournalArticle"]); ``year`` is the preprint's even when the journal issue
is later. The parser takes a venue that is not a preprint server, from ``journal.name`` first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from papershelf.model.works import Work, clean_pages, clean_text, clean_title, family_of, year_of
from papershelf.sources.metadata.cache import request_key
from papershelf.sources.metadata.service import Service, arr, load_json, obj

FIELDS = "title,authors,year,venue,publicationVenue,journal,publicationTypes,externalIds,publicationDate,url"
BATCH = 500
_PREPRINT_SERVERS = re.compile(r"^(arxiv(\.org)?|arxiv:.*|biorxiv|medrxiv|chemrxiv|ssrn|research square|"
                               r"preprints(\.org)?|techrxiv|psyarxiv|osf preprints|corr)$", re.I)


def is_preprint_server(name: str) -> bool:
    return bool(_PREPRINT_SERVERS.match(clean_text(name)))


def parse_paper(paper: dict[str, Any]) -> Work:
    """One S2 paper object."""
    journal = obj(paper.get("journal"))
    pvenue = obj(paper.get("publicationVenue"))
    types = [str(t) for t in arr(paper.get("publicationTypes"))]
    ids = obj(paper.get("externalIds"))
    jname, vname, pname = (clean_text(journal.get("name")), clean_text(paper.get("venue")),
                           clean_text(pvenue.get("name")))
    published = [n for n in (jname, pname, vname) if n and not is_preprint_server(n)]
    venue = published[0] if published else None
    if venue is None:
        kind = "preprint"
        venue = next((n for n in (vname, pname, jname) if n), None)
    elif "Conference" in types or (pvenue.get("type") == "conference" and venue == pname):
        kind = "conference"
    elif "JournalArticle" in types or "Review" in types or pvenue.get("type") == "journal":
        kind = "journal"
    elif "Book" in types:
        kind = "book"
    else:
        kind = "other"
    if kind == "conference" and re.search(r"\bworkshops?\b", venue or "", re.I):
        kind = "workshop"
    short = next((n for n in (vname, pname) if n and n != venue and not is_preprint_server(n)), None)
    if short is None and vname and is_preprint_server(vname) and venue and not is_preprint_server(venue):
        short = vname  # S2's venue disagrees with its journal ("bioRxiv" / "Cell Genomics"): keep it visible
    volume = clean_text(journal.get("volume"))
    names = [clean_text(obj(a).get("name")) for a in arr(paper.get("authors"))]
    names = [n for n in names if n]
    return Work(source="s2", source_id=str(paper.get("paperId") or ""), title=clean_title(paper.get("title")),
                authors=tuple(names), family_names=tuple(family_of(n) for n in names),
                year=year_of(paper.get("year")) or year_of(paper.get("publicationDate")), kind=kind, venue=venue,
                venue_short=short, volume=volume if volume and not volume.startswith("abs/") else None,
                pages=clean_pages(journal.get("pages")), doi=clean_text(ids.get("DOI")) or None,
                arxiv_id=clean_text(ids.get("ArXiv")) or None, url=clean_text(paper.get("url")) or None)


class SemanticScholar(Service):
    name = "s2"

    def __init__(self, settings, cache, **kwargs):
        headers = {"x-api-key": settings.s2_api_key} if settings.s2_api_key else None
        super().__init__(settings, cache, headers=headers, **kwargs)

    def paper(self, ident: str) -> Work | None:
        """One paper by an S2 id form: ``DOI:10.…``, ``ARXIV:2106.15928``, ``CorpusId:…``."""
        data = self.fetch_json(self.url(f"/paper/{quote(ident, safe=':/')}", {"fields": FIELDS}))
        return parse_paper(data) if isinstance(data, dict) else None

    def match_title(self, title: str) -> Work | None:
        """S2's one best match for a title (``/paper/search/match``), or None: match before use."""
        data = self.fetch_json(self.url("/paper/search/match", {"query": title[:300], "fields": FIELDS}))
        papers = arr(obj(data).get("data"))
        return parse_paper(papers[0]) if papers and isinstance(papers[0], dict) else None

    def batch_arxiv(self, arxiv_ids: Sequence[str]) -> dict[str, Work | None]:
        """Each arXiv id (without version) → its paper, or None when S2 does not know it. Ids the
        cache knows are not asked again; the rest go in batches of ``BATCH``."""
        out: dict[str, Work | None] = {}
        todo: list[str] = []
        for ident in dict.fromkeys(arxiv_ids):
            hit = self.cache.get(self._item_key(ident))
            if hit is None:
                todo.append(ident)
                continue
            self.cache_hits += 1
            data = load_json(hit.body) if hit.status == 200 else None
            out[ident] = parse_paper(data) if isinstance(data, dict) else None
        for start in range(0, len(todo), BATCH):
            chunk = todo[start:start + BATCH]
            body = json.dumps({"ids": [f"ARXIV:{i}" for i in chunk]}).encode()
            data = self.fetch_json(self.url("/paper/batch", {"fields": FIELDS}), body=body, missing=())
            if not isinstance(data, list) or len(data) != len(chunk):
                raise self.unavailable("Semantic Scholar's batch answer does not match the ids asked")
            for ident, paper in zip(chunk, data, strict=True):
                out[ident] = parse_paper(paper) if isinstance(paper, dict) else None
                self.cache.put(self._item_key(ident), 200 if isinstance(paper, dict) else 404,
                               "application/json", json.dumps(paper).encode())
        return out

    def _item_key(self, ident: str) -> str:
        return request_key("GET", self.url(f"/paper/ARXIV:{ident}", {"fields": FIELDS}))
