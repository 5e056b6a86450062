"""Open-access PDFs, fetched through the one HTTP layer (``sources.http``: a total deadline, a
size cap, retries, a pace per host). Not through the answer cache: a PDF is not a metadata
answer (the OpenAlex and Unpaywall JSON answers that point at PDFs are cached as any other).

``PdfFinder.find(arxiv_id=…, doi=…, url=…)`` tries, in this order, and stops at the first file
that is a PDF (``pdf_problem``: it starts with ``%PDF-`` and ends with ``%%EOF``, so an HTML page
or a download cut short is refused and the next link tried):

1. **arXiv** — arXiv's PDF of an arXiv entry (``arxiv.pdf_url``; arXiv's pace, 3 s);
2. **OpenAlex** — with ``PAPERSHELF_OPENALEX_API_KEY``: the ``pdf_url`` of *every* location of
   the DOI's work, the best open-access one first (it is often bot-blocked, another often works);
3. **Unpaywall** — with ``PAPERSHELF_MAILTO``: ``/v2/{doi}?email=…`` (``pdf.unpaywall_url``), the
   ``url_for_pdf`` of each of its ``oa_locations``, the best first;
4. **landing page** — the entry's ``url``, then the DOI through ``pdf.doi_url`` (doi.org): its
   ``<meta name="citation_pdf_url">`` (only the first ``LANDING_MAX_BYTES`` of HTML are read; a
   landing URL that answers with the PDF itself is taken).

Each source that gives nothing leaves a ``Tried`` (the source and why: skipped and what it needs,
no DOI, a 403, an HTML page, a timeout …), so a caller can say per entry what was tried.
Downloads go through one client per host (its pace kept across a batch), which follows
redirects to other hosts (doi.org → the publisher) and sends no API key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit

from papershelf.errors import NetworkError, NotFoundError, PapershelfError
from papershelf.sources.metadata.service import Service, arr, obj

if TYPE_CHECKING:
    from papershelf.sources.http import HttpClient, Response
    from papershelf.sources.metadata import Clients

Links = list[tuple[str, str]]  # (url, where) of a DOI's PDF links, best first
LANDING_MAX_BYTES = 2 * 1024 * 1024  # of a landing page's HTML
MAX_LINKS = 8  # PDF links tried per source and entry
_TAIL = 2048  # where %%EOF must be


def pdf_problem(head: bytes, tail: bytes | None = None) -> str | None:
    """What bytes starting with ``head`` (their first KB) are when they are not a PDF, or None;
    with ``tail`` (their last bytes), a PDF cut short (no ``%%EOF``) is refused too."""
    if head.startswith(b"version https://git-lfs"):
        return "a Git LFS pointer, not the PDF"
    if b"%PDF-" in head[:1024]:
        if tail is not None and b"%%EOF" not in tail[-_TAIL:]:
            return "a PDF cut short (no %%EOF at its end: a truncated download?)"
        return None
    if head.lstrip().startswith(b"<"):
        return "an HTML page, not a PDF"
    if not head:
        return "empty"
    return "not a PDF (it does not start with %PDF-)"


@dataclass(frozen=True)
class Tried:
    """A source that gave no PDF, and why."""

    source: str
    reason: str
    network: bool = False  # it did not answer (unreachable, timed out), rather than had no PDF
    skipped: bool = False  # not asked: it does not apply (no DOI, not an arXiv entry) or needs a setting

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "reason": self.reason, "network": self.network, "skipped": self.skipped}


@dataclass(frozen=True)
class Found:
    source: str  # arXiv, OpenAlex, Unpaywall, landing page
    url: str
    body: bytes


class ArxivPdfs:
    """arXiv's PDFs over one HTTP client, so a batch keeps arXiv's pace (3 s between requests)."""

    def __init__(self) -> None:
        from papershelf import config
        from papershelf.sources.arxiv.settings import Settings
        from papershelf.sources.http import HttpClient, Limits

        self.base = str(config.value("arxiv.pdf_url")).rstrip("/")
        st = Settings.from_env()  # arXiv's pace, timeouts, deadline and size cap, as for its API
        limits = Limits(connect_timeout=st.connect_timeout, read_timeout=st.read_timeout, deadline=st.deadline,
                        max_bytes=st.max_bytes, retries=st.retries, delay=st.delay, backoff=max(st.delay, 1.0))
        self.client = HttpClient(self.base, limits, name="arXiv", deadline_setting="PAPERSHELF_ARXIV_DEADLINE")

    def close(self) -> None:
        self.client.close()

    def url(self, arxiv_id: str) -> str:
        return f"{self.base}/pdf/{arxiv_id}"

    def get(self, arxiv_id: str) -> bytes:
        """The PDF arXiv serves for ``arxiv_id`` (its latest version unless the id names one)."""
        def check(resp: Response) -> bytes:
            if resp.status == 404:
                raise NotFoundError(f"arXiv has no PDF for {arxiv_id}")
            if resp.status != 200:
                raise NetworkError(f"arXiv answered {resp.status} {resp.reason} for the PDF of {arxiv_id}")
            return resp.body

        return self.client.get(self.url(arxiv_id), check)


class Unpaywall(Service):
    """Unpaywall's record of a DOI (``GET /v2/{doi}?email=``): where open-access copies are."""

    name = "unpaywall"

    @property
    def label(self) -> str:
        return "Unpaywall"

    def pdf_links(self, doi: str) -> list[tuple[str, str]] | None:
        """(url, where) of each ``url_for_pdf``, the best location first; None when Unpaywall
        does not know the DOI."""
        data = self.fetch_json(self.url(f"/v2/{quote(doi.strip(), safe='/:;()')}", {"email": self.settings.mailto}))
        if not isinstance(data, dict):
            return None
        out: dict[str, str] = {}
        for loc in (data.get("best_oa_location"), *arr(data.get("oa_locations"))):
            loc = obj(loc)
            url = loc.get("url_for_pdf")
            if isinstance(url, str) and url.startswith(("http://", "https://")) and url not in out:
                where = loc.get("repository_institution") or loc.get("host_type") or ""
                out[url] = where if isinstance(where, str) else ""
        return list(out.items())


class _CitationPdf(HTMLParser):
    """The ``content`` of the first ``<meta name="citation_pdf_url">`` before ``</head>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: str | None = None
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done or tag != "meta":
            self.done = self.done or tag == "body"
            return
        a = {k.lower(): (v or "") for k, v in attrs}
        if a.get("name", "").strip().lower() == "citation_pdf_url" and a.get("content", "").strip():
            self.found = a["content"].strip()
            self.done = True

    def handle_endtag(self, tag: str) -> None:
        self.done = self.done or tag == "head"


def citation_pdf_url(html: bytes, base: str) -> str | None:
    """The absolute URL a landing page's ``citation_pdf_url`` meta tag names (Google Scholar's tag)."""
    parser = _CitationPdf()
    text = html.decode("utf-8", "replace")
    for start in range(0, len(text), 64 * 1024):
        parser.feed(text[start:start + 64 * 1024])
        if parser.done:
            break
    if not parser.found:
        return None
    url = urljoin(base, parser.found)
    return url if urlsplit(url).scheme in ("http", "https") else None


def _is_arxiv(url: str | None, arxiv_id: str | None) -> bool:
    """``url`` is an arXiv page of an arXiv entry (the arXiv step asked arXiv already)."""
    host = urlsplit(url or "").hostname or ""
    return bool(arxiv_id) and (host == "arxiv.org" or host.endswith(".arxiv.org"))


class _Refused(PapershelfError):
    """A link that gave no PDF (its status, or what came instead); the next one is tried."""


def _unanswered(exc: PapershelfError) -> bool:
    """The server did not answer (unreachable, timed out, broke off), as opposed to answering
    with something papershelf refuses (too large, a redirect out of bounds, not a PDF)."""
    from papershelf.sources.http import RedirectRefused, ResponseTooLarge

    return isinstance(exc, NetworkError) and not isinstance(exc, (ResponseTooLarge, RedirectRefused))


class _Skipped(PapershelfError):
    """A source not asked for this entry (it does not apply, or needs a setting)."""


class PdfFinder:
    """The open-access sources of PDFs for a batch of entries (one per command; ``close`` it)."""

    def __init__(self, cache_folder: Path | None = None) -> None:
        from papershelf import config
        from papershelf.sources.metadata import Settings

        self.settings = Settings.from_env()
        self._cache_folder = cache_folder
        self._clients: Clients | None = None
        self._arxiv: ArxivPdfs | None = None
        self._unpaywall: Unpaywall | None = None
        self._hosts: dict[str, HttpClient] = {}
        self.unpaywall_url = str(config.value("pdf.unpaywall_url")).rstrip("/")
        self.doi_url = str(config.value("pdf.doi_url")).rstrip("/")

    def close(self) -> None:
        for c in (self._arxiv, self._unpaywall, self._clients, *self._hosts.values()):
            if c is not None:
                c.close()

    # -- the sources, made on first use ---------------------------------------------------------

    def _openalex(self) -> Any:
        from papershelf.sources.metadata import Clients

        if self._clients is None:
            self._clients = Clients(self.settings, self._cache_folder)
        return self._clients.openalex

    def _unpaywall_client(self) -> Unpaywall:
        if self._unpaywall is None:
            from papershelf.sources.metadata import AnswerCache

            settings = replace(self.settings, urls={**self.settings.urls, "unpaywall": self.unpaywall_url})
            cache = self._clients.cache if self._clients is not None else \
                AnswerCache(self._cache_folder, settings.cache_days)
            self._unpaywall = Unpaywall(settings, cache)
        return self._unpaywall

    def _host(self, url: str) -> HttpClient:
        """The download client of ``url``'s host (its pace kept across the batch)."""
        from papershelf.sources.http import USER_AGENT, HttpClient, Limits, origin

        scheme, host, port = origin(url)
        key = f"{scheme}://{host}:{port}"
        if key not in self._hosts:
            st = self.settings
            limits = Limits(connect_timeout=st.connect_timeout, read_timeout=st.read_timeout, deadline=st.deadline,
                            max_bytes=st.max_bytes, retries=st.retries, delay=st.delay_for("pdf"),
                            backoff=st.backoff)
            agent = USER_AGENT + (f" (mailto:{st.mailto})" if st.mailto else "")
            self._hosts[key] = HttpClient(f"{scheme}://{urlsplit(url).netloc}", limits, name=urlsplit(url).netloc,
                                          user_agent=agent, any_origin=True,
                                          deadline_setting="PAPERSHELF_METADATA_TIMEOUT")
        return self._hosts[key]

    # -- downloads -------------------------------------------------------------------------------

    def _download(self, url: str, *, landing: bool = False) -> tuple[str, bytes]:
        """(final URL, body) of a 200 answer to ``url``; ``_Refused`` for any other status. A
        landing page is read up to ``LANDING_MAX_BYTES``."""
        client = self._host(url)

        def check(resp: Response) -> tuple[str, bytes]:
            if resp.status != 200:
                what = " (bot-blocked?)" if resp.status in (401, 403) else ""
                raise _Refused(f"HTTP {resp.status} {resp.reason}{what}".rstrip())
            return resp.url, resp.body

        limits = client.limits
        if landing:
            client.limits = replace(limits, max_bytes=min(limits.max_bytes, LANDING_MAX_BYTES))
        try:
            return client.get(url, check)
        finally:
            client.limits = limits

    def _pdf_at(self, url: str) -> bytes:
        _, body = self._download(url)
        why = pdf_problem(body[:1024], body[-_TAIL:])
        if why:
            raise _Refused(why)
        return body

    def _first_pdf(self, source: str, links: list[tuple[str, str]], seen: set[str]) -> tuple[Found | None, str]:
        """The first of ``links`` that is a PDF, or why none was (each link's reason)."""
        reasons, network = [], True
        for url, _where in links[:MAX_LINKS]:
            if url in seen:
                continue
            seen.add(url)
            try:
                return Found(source, url, self._pdf_at(url)), ""
            except PapershelfError as exc:
                reasons.append(f"{url}: {exc.message}")
                network = network and _unanswered(exc)
        if not reasons:
            return None, "no PDF link" if not links else "its PDF links were tried already"
        if network:  # none of them answered: the verdict is then "network", not "none found"
            raise NetworkError("; ".join(reasons))
        return None, "; ".join(reasons)

    # -- the search --------------------------------------------------------------------------------

    def find(self, *, arxiv_id: str | None, doi: str | None, url: str | None) -> tuple[Found | None, list[Tried]]:
        """The first open-access PDF of a work (see the module docstring), and what each source
        before it gave instead."""
        tried: list[Tried] = []
        seen: set[str] = set()
        page = None if _is_arxiv(url, arxiv_id) else url
        for source, attempt in (("arXiv", lambda: self._from_arxiv(arxiv_id, seen)),
                                ("OpenAlex", lambda: self._from_openalex(doi, seen)),
                                ("Unpaywall", lambda: self._from_unpaywall(doi, seen)),
                                ("landing page", lambda: self._from_landing(doi, page, seen))):
            network = skipped = False
            try:
                found, why = attempt()
            except PapershelfError as exc:
                found, why = None, exc.message
                network, skipped = _unanswered(exc), isinstance(exc, _Skipped)
            if found is not None:
                return found, tried
            tried.append(Tried(source, why, network, skipped))
        return None, tried

    def _from_arxiv(self, arxiv_id: str | None, seen: set[str]) -> tuple[Found | None, str]:
        if not arxiv_id:
            raise _Skipped("not an arXiv entry")
        if self._arxiv is None:
            self._arxiv = ArxivPdfs()
        seen.add(self._arxiv.url(arxiv_id))
        body = self._arxiv.get(arxiv_id)
        why = pdf_problem(body[:1024], body[-_TAIL:])
        if why:
            return None, f"its answer for {arxiv_id} is {why}"
        return Found("arXiv", self._arxiv.url(arxiv_id), body), ""

    def _from_openalex(self, doi: str | None, seen: set[str]) -> tuple[Found | None, str]:
        return self._from_index("OpenAlex", self.settings.openalex_api_key, "PAPERSHELF_OPENALEX_API_KEY",
                                lambda d: self._openalex().pdf_links(d), f"no work with DOI {doi}", doi, seen)

    def _from_unpaywall(self, doi: str | None, seen: set[str]) -> tuple[Found | None, str]:
        return self._from_index("Unpaywall", self.settings.mailto, "PAPERSHELF_MAILTO",
                                lambda d: self._unpaywall_client().pdf_links(d), f"does not know DOI {doi}", doi, seen)

    def _from_index(self, source: str, needs: str, setting: str, links_of: Callable[[str], Links | None],
                    unknown: str, doi: str | None, seen: set[str]) -> tuple[Found | None, str]:
        """A source that lists a DOI's open-access locations (OpenAlex, Unpaywall): asked when
        its setting ``needs`` is given and the entry has a DOI; its links tried in order."""
        if not needs:
            raise _Skipped(f"skipped (set {setting} to ask it)")
        if not doi:
            raise _Skipped("no DOI to look up")
        links = links_of(doi)
        if links is None:
            return None, unknown
        return self._first_pdf(source, links, seen)

    def _from_landing(self, doi: str | None, url: str | None, seen: set[str]) -> tuple[Found | None, str]:
        pages = [u for u in (url, f"{self.doi_url}/{quote(doi.strip(), safe='/:;()')}" if doi else None)
                 if u and u.startswith(("http://", "https://"))]
        if not pages:
            raise _Skipped("no URL or DOI")
        reasons, network = [], True
        for page in dict.fromkeys(pages):
            if page in seen:
                continue
            seen.add(page)
            try:
                final, html = self._download(page, landing=True)
            except PapershelfError as exc:
                reasons.append(f"{page}: {exc.message}")
                network = network and _unanswered(exc)
                continue
            network = False
            if pdf_problem(html[:1024], html[-_TAIL:]) is None:  # the link answered with the PDF itself
                return Found("landing page", page, html), ""
            link = citation_pdf_url(html, final)
            if link is None:
                reasons.append(f"{page}: no citation_pdf_url")
                continue
            try:
                found, why = self._first_pdf("landing page", [(link, page)], seen)
            except NetworkError as exc:
                found, why = None, exc.message
            if found is not None:
                return found, ""
            reasons.append(why)
        if reasons and network:
            raise NetworkError("; ".join(reasons))
        return None, "; ".join(reasons) or "its pages were tried already"
