"""arXiv as a metadata source: the only part of papershelf that imports ``arxiv`` and ``lxml``
(importing this package loads both, and ``requests`` through ``sources.http``; nothing imports it
at startup).

* ``settings``: ``Settings`` (endpoint, pace, timeouts, deadline, size cap, retries;
  ``Settings.from_env``).
* ``transport``: the careful fetching step over ``sources.http`` (a deadline per request, a size
  cap, redirects within the endpoint's host, retries and backoff honouring ``Retry-After``,
  every answer checked), ``Event``, ``ArxivRejected``.
* ``client``: ``ArxivClient`` (batched id lookups, searches), ``FetchResult``, ``to_entry``.
* ``_compat``: every use of the ``arxiv`` package's private parts, and nothing else.
"""

from papershelf.sources.arxiv.client import ArxivClient, FetchResult, to_entry
from papershelf.sources.arxiv.settings import DEFAULT_URL, Settings
from papershelf.sources.arxiv.transport import ArxivRejected, Event

__all__ = ["DEFAULT_URL", "ArxivClient", "ArxivRejected", "Event", "FetchResult", "Settings", "to_entry"]
