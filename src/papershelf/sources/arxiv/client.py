"""Looking papers up on arXiv: ids in batches (``ArxivClient.fetch``) and searches (``.search``).

``arxiv.Client`` does the URL building, the paging of searches and the Atom → ``arxiv.Result``
parsing, over papershelf's own fetching step (``transport.Transport``); ``to_entry`` turns each
``arxiv.Result`` into an ``Entry``. Import these names from ``papershelf.sources.arxiv``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import arxiv  # type: ignore[import-untyped]

from papershelf.errors import NetworkError, UsageError
from papershelf.model import identifiers as arxiv_ids
from papershelf.model.entry import Entry, Person
from papershelf.model.works import InvalidRecord, check_entry, check_names, check_text
from papershelf.sources.arxiv.settings import DEFAULT_URL as DEFAULT_URL
from papershelf.sources.arxiv.settings import Settings
from papershelf.sources.arxiv.transport import ArxivRejected, Event, Transport
from papershelf.sources.arxiv.transport import _error_message as _error_message
from papershelf.sources.arxiv.transport import _strict_parse as _strict_parse

SORTS = {
    "relevance": arxiv.SortCriterion.Relevance,
    "submitted": arxiv.SortCriterion.SubmittedDate,
    "updated": arxiv.SortCriterion.LastUpdatedDate,
}


# --- records ---------------------------------------------------------------------------------

def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


def to_entry(result: Any) -> Entry:
    """An ``arxiv.Result`` as a (not yet stored) preprint Entry."""
    aid = arxiv_ids.parse(result.entry_id)
    if aid is None:
        raise NetworkError(f"arXiv sent an entry with an unreadable id: {result.entry_id!r}")
    try:  # the limits of every source's record (model.works), before any work on the texts
        for name in ("title", "summary", "comment", "journal_ref", "doi"):
            check_text(name, getattr(result, name, None))
        check_names("authors", [a.name for a in result.authors])
    except InvalidRecord as exc:
        raise NetworkError(f"arXiv sent a record for arXiv:{aid.canonical} that does not validate: {exc}") from None
    published = result.published if result.published and result.published.year > 1 else None
    categories = list(dict.fromkeys(c for c in result.categories if c))
    title = " ".join(result.title.split())
    entry = Entry(
        title=title,
        type="misc",
        authors=[Person.parse(a.name) for a in result.authors if a.name.strip()],
        year=published.year if published else None,
        date=published.date().isoformat() if published else None,
        abstract=_clean(result.summary),
        doi=_clean(result.doi),
        url=arxiv_ids.abs_url(aid.canonical),
        arxiv_id=aid.canonical,
        arxiv_version=aid.version,
        primary_class=result.primary_category or (categories[0] if categories else None),
        categories=categories,
        arxiv_comment=_clean(result.comment),
        journal_ref=_clean(result.journal_ref),
    )
    try:
        return check_entry(entry)
    except InvalidRecord as exc:
        raise NetworkError(f"arXiv sent a record for arXiv:{aid.canonical} that does not validate: {exc}") from None


@dataclass
class FetchResult:
    """What a batch lookup brought back, id by id (ids are canonical and version-less)."""

    found: dict[str, Entry] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # arXiv answered: no such paper
    failed: dict[str, str] = field(default_factory=dict)  # id → why it could not be fetched
    error: NetworkError | None = None  # the fault that stopped the lookup, if one did
    requests: int = 0


# --- the client ------------------------------------------------------------------------------

class ArxivClient:
    """Look up ids in batches and run searches. Not thread-safe; one per command."""

    def __init__(self, settings: Settings | None = None, *,
                 on_event: Callable[[Event], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.settings = settings or Settings.from_env()
        self._t = Transport(self.settings, on_event, sleep, clock)

    @property
    def requests(self) -> int:
        return self._t.requests

    @property
    def waited(self) -> float:
        """Seconds spent waiting (rate limit and backoff)."""
        return self._t.waited

    def close(self) -> None:
        self._t.close()

    def __enter__(self) -> ArxivClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def batches(self, ids: Sequence[str]) -> int:
        size = self.settings.batch_size
        return (len(ids) + size - 1) // size

    def fetch(self, ids: Iterable[str], *,
              on_batch: Callable[[FetchResult, list[str]], None] | None = None) -> FetchResult:
        """Metadata for ``ids`` (canonical, version-less), ``batch_size`` ids per request.

        After each batch, ``on_batch(result, batch_ids)`` runs (sync writes there). A fault that
        retries cannot mend stops the lookup: that batch and the rest land in ``failed``.
        """
        wanted = list(dict.fromkeys(ids))
        out = FetchResult()
        size = self.settings.batch_size
        batches = [wanted[i:i + size] for i in range(0, len(wanted), size)]
        for number, batch in enumerate(batches):
            try:
                self._fetch_batch(batch, out)
            except NetworkError as exc:
                out.error = exc
                for later in batches[number:]:
                    for ident in later:
                        if ident not in out.found and ident not in out.failed:
                            out.failed[ident] = exc.message
                out.requests = self.requests
                return out
            out.requests = self.requests
            if on_batch is not None:
                on_batch(out, batch)
        out.requests = self.requests
        return out

    def _fetch_batch(self, batch: list[str], out: FetchResult) -> None:
        remaining = list(batch)
        while remaining:
            search = arxiv.Search(id_list=remaining, max_results=len(remaining))
            url = self._t.page_url(search, 0, len(remaining))
            try:
                feed = self._t.fetch_page(url, first_page=True)
            except ArxivRejected as exc:
                # An error feed naming one id of the batch: that id fails, the others are asked again.
                named = {exc.ident, arxiv_ids.canonical_arxiv(exc.ident)} if exc.ident else set()
                culprit = next((i for i in remaining if i in named), None)
                if culprit is None:
                    raise
                out.failed[culprit] = exc.reason
                remaining.remove(culprit)
                continue
            got: dict[str, Entry] = {}
            for result in feed.results:
                entry = to_entry(result)
                if entry.arxiv_id:  # always: to_entry refuses a result without one
                    got[entry.arxiv_id] = entry
            for ident in remaining:
                if ident in got:
                    out.found[ident] = got[ident]
                else:
                    out.missing.append(ident)
            return

    def search(self, query: str, max_results: int = 20, sort: str = "relevance") -> list[Entry]:
        """Entries matching an arXiv query (``ti:controlnet AND cat:cs.CV``), best first."""
        if not query.strip():
            raise UsageError("the arXiv query is empty")
        if sort not in SORTS:
            raise UsageError(f"--sort is one of {', '.join(SORTS)}, not {sort!r}")
        self._t.page_size = max(1, min(max_results, self.settings.batch_size))
        search = arxiv.Search(query=query, max_results=max_results, sort_by=SORTS[sort])
        return [to_entry(r) for r in self._t.results(search)]
