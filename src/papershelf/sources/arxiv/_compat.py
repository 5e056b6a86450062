"""Every use papershelf makes of the ``arxiv`` package's private parts (checked against 4.0.2).

No other module may touch them (ruff bans ``arxiv._feed`` elsewhere, TID251), and
``tests/sources/test_arxiv_compat.py`` fails with a message naming the one that changed when a
release moves them. The package has no public way to do either of these:

* Parse an Atom answer into ``arxiv.Result`` objects: ``arxiv._feed.parse(bytes)`` → a
  ``ParsedFeed`` (``.results``, ``.header.total_results``, ``.malformed``, ``.error``).
* Replace the fetching step of ``arxiv.Client``, so that its public paging (``Client.results``)
  runs over papershelf's transport: ``Client._results`` fetches each page through
  ``self._parse_feed(url, first_page=…)``, which ``PagingClient`` overrides; and build one page's
  URL with ``Client._format_url(search, start, page_size)``.

Everything else comes from the public API: ``Search``, ``Result``, ``SortCriterion``,
``Client(page_size=, delay_seconds=, num_retries=)``, ``Client.results``, ``.page_size`` and
``.query_url_format``.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import arxiv  # type: ignore[import-untyped]
from arxiv import _feed

# arxiv._feed logs the entries it skips and arxiv.Client its retries as warnings; papershelf
# reports problems itself, so they must not reach stderr through logging's last-resort handler.
logging.getLogger("arxiv").addHandler(logging.NullHandler())


class FeedHeader(Protocol):
    total_results: int


class ParsedFeed(Protocol):
    """What papershelf reads of ``arxiv._feed.ParsedFeed``."""

    header: FeedHeader
    results: list[Any]  # arxiv.Result
    malformed: bool
    error: Exception | None


def parse_feed(body: bytes) -> ParsedFeed:
    """An arXiv Atom answer as a ``ParsedFeed``. Lenient: check the body before (it reports an
    unreadable document through ``.malformed``, and skips entries it cannot use)."""
    return _feed.parse(body)


class PagingClient(arxiv.Client):
    """``arxiv.Client`` whose pages are fetched by ``fetch_page``, which subclasses define."""

    def fetch_page(self, url: str, first_page: bool) -> ParsedFeed:
        raise NotImplementedError

    def page_url(self, search: arxiv.Search, start: int, page_size: int) -> str:
        """The request for ``page_size`` results of ``search`` from ``start`` on."""
        return self._format_url(search, start, page_size)

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> ParsedFeed:
        # The hook of Client._results; the package's own retries (_try_index) are not used.
        return self.fetch_page(url, first_page)
