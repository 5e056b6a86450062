"""The careful fetching step under ``arxiv.Client``: one page of answers, or a named fault.

``arxiv.Client``'s own fetching sets no timeouts, retries without waiting, ignores
``Retry-After``, and hands every answer to a lenient parser that turns a truncated or non-XML body
into "no results" without a word. ``Transport`` replaces it (through ``_compat.PagingClient``)
with papershelf's HTTP layer (``sources.http``): requests keep ``Settings.delay`` apart, have
connect and read timeouts and a total deadline (``Settings.deadline``, enforced while the body
streams), a size cap on the decompressed body (``Settings.max_bytes``), follow redirects only
within the endpoint's scheme, host and port, and are retried with a doubling backoff that honours
``Retry-After`` within the deadline. Every answer is checked before it is parsed: the status, the
content type, an empty body, strict XML, an Atom ``<feed>`` root, arXiv's error entries
(``…/api/errors#…``), and empty pages in the middle of paging.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import arxiv  # type: ignore[import-untyped]
from lxml import etree  # type: ignore[import-untyped]

from papershelf import __version__
from papershelf.errors import NetworkError
from papershelf.sources.arxiv._compat import PagingClient, ParsedFeed, parse_feed
from papershelf.sources.arxiv.settings import Settings
from papershelf.sources.http import Event as Event
from papershelf.sources.http import HttpClient, Limits, Response, TryAgain

USER_AGENT = f"papershelf/{__version__} (arxiv.py/{arxiv.__version__})"
_ATOM = "{http://www.w3.org/2005/Atom}"
_ERROR_ID = "/api/errors"


class ArxivRejected(NetworkError):
    """arXiv answered with its error feed: the query (or one id in it) is not acceptable."""

    def __init__(self, message: str, *, ident: str | None = None):
        super().__init__(f"arXiv rejected the request: {message}")
        self.reason = message
        self.ident = ident


# --- reading answers -------------------------------------------------------------------------

def _error_message(root: Any) -> tuple[str, str | None] | None:
    """arXiv's error feed (an entry whose id is ``…/api/errors#…``): its text and the id it names."""
    for entry in root.iterfind(f"{_ATOM}entry"):
        entry_id = (entry.findtext(f"{_ATOM}id") or "").strip()
        if _ERROR_ID in entry_id:
            summary = " ".join((entry.findtext(f"{_ATOM}summary") or entry_id).split())
            named = re.search(r"\bfor (\S+)$", summary)
            return summary, named.group(1) if named else None
    return None


def _strict_parse(body: bytes) -> Any:
    """The XML document in ``body`` (an lxml element); raises ``etree.XMLSyntaxError``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False, huge_tree=False)
    return etree.fromstring(body, parser=parser)


# --- the transport ---------------------------------------------------------------------------

class Transport(PagingClient):
    """``arxiv.Client`` with a careful fetching step (see the module docstring)."""

    def __init__(self, settings: Settings, on_event: Callable[[Event], None] | None,
                 sleep: Callable[[float], None], clock: Callable[[], float]):
        super().__init__(page_size=settings.batch_size, delay_seconds=settings.delay,
                         num_retries=settings.retries)
        sep = "&" if "?" in settings.url else "?"
        self.query_url_format = settings.url + sep + "{}"
        self.settings = settings
        limits = Limits(connect_timeout=settings.connect_timeout, read_timeout=settings.read_timeout,
                        deadline=settings.deadline, max_bytes=settings.max_bytes, retries=settings.retries,
                        delay=settings.delay, backoff=settings.delay)  # a retry waits at least the delay
        self.http = HttpClient(settings.url, limits, name="arXiv", user_agent=USER_AGENT,
                               deadline_setting="PAPERSHELF_ARXIV_DEADLINE", on_event=on_event,
                               sleep=sleep, clock=clock)

    @property
    def requests(self) -> int:
        return self.http.requests

    @property
    def waited(self) -> float:
        return self.http.waited

    def close(self) -> None:
        self.http.close()

    def fetch_page(self, url: str, first_page: bool) -> ParsedFeed:
        """One page, with retries and backoff; raises NetworkError when it cannot be had."""
        return self.http.get(url, lambda response: self._answer(response, first_page))

    def _answer(self, resp: Response, first_page: bool) -> ParsedFeed:
        status, body = resp.status, resp.body
        if status != 200:
            try:
                found = _error_message(_strict_parse(body)) if body.strip() else None
            except etree.XMLSyntaxError:
                found = None
            if found:
                raise ArxivRejected(found[0], ident=found[1])
            raise NetworkError(f"arXiv answered HTTP {status} {resp.reason}".rstrip())
        return self._check(body, resp.headers.get("Content-Type", ""), first_page)

    def _check(self, body: bytes, content_type: str, first_page: bool) -> ParsedFeed:
        head = body.lstrip()[:100].lower()
        if not head:
            raise TryAgain("arXiv sent an empty answer instead of an Atom feed")
        if "html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html")):
            raise TryAgain("arXiv sent an HTML page instead of an Atom feed")
        try:
            root = _strict_parse(body)
        except etree.XMLSyntaxError as exc:
            raise TryAgain(f"arXiv sent malformed or truncated XML ({exc})") from None
        if root is None or root.tag != f"{_ATOM}feed":
            raise TryAgain("arXiv's answer is not an Atom feed")
        error = _error_message(root)
        if error:
            raise ArxivRejected(error[0], ident=error[1])
        feed = parse_feed(body)
        if feed.malformed:
            raise TryAgain(f"arXiv sent a feed that cannot be read ({feed.error})")
        if not first_page and not feed.results:
            raise TryAgain("arXiv sent an empty page in the middle of the results")
        return feed
