"""The careful fetching step under ``arxiv.Client``: one page of answers, or a named fault.

``arxiv.Client``'s own fetching sets no timeouts, retries without waiting, ignores
``Retry-After``, and hands every answer to a lenient parser that turns a truncated or non-XML body
into "no results" without a word. ``Transport`` replaces it (through ``_compat.PagingClient``):
requests keep ``Settings.delay`` apart, have connect and read timeouts, are retried with a
doubling backoff that honours ``Retry-After`` within ``Settings.deadline``, and every answer is
checked before it is parsed: the status, the content type, an empty body, strict XML, an Atom
``<feed>`` root, arXiv's error entries (``…/api/errors#…``), and empty pages in the middle of
paging.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import arxiv  # type: ignore[import-untyped]
import requests
from lxml import etree  # type: ignore[import-untyped]

from papershelf import __version__
from papershelf.errors import NetworkError
from papershelf.sources.arxiv._compat import PagingClient, ParsedFeed, parse_feed
from papershelf.sources.arxiv.settings import Settings

USER_AGENT = f"papershelf/{__version__} (arxiv.py/{arxiv.__version__})"
_ATOM = "{http://www.w3.org/2005/Atom}"
_ERROR_ID = "/api/errors"


# --- what the client reports while it works --------------------------------------------------

@dataclass(frozen=True)
class Event:
    """``request`` (one more HTTP request), ``wait`` (the rate limit), ``retry`` (after a fault)."""

    kind: str
    requests: int
    seconds: float = 0.0
    reason: str = ""


class ArxivRejected(NetworkError):
    """arXiv answered with its error feed: the query (or one id in it) is not acceptable."""

    def __init__(self, message: str, *, ident: str | None = None):
        super().__init__(f"arXiv rejected the request: {message}")
        self.reason = message
        self.ident = ident


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


# --- reading answers -------------------------------------------------------------------------

def _retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _connection_reason(exc: Exception) -> str:
    text = str(exc)
    for needle, reason in (("refused", "connection refused"), ("Name or service not known", "unknown host"),
                           ("getaddrinfo", "unknown host"), ("reset", "connection reset"),
                           ("Network is unreachable", "network unreachable")):
        if needle in text:
            return reason
    return type(exc).__name__


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
        self.session = requests.Session()
        self.requests = 0
        self.waited = 0.0
        self._on_event = on_event
        self._sleep = sleep
        self._clock = clock
        self._last: float | None = None
        self._host = urlsplit(settings.url).netloc

    def close(self) -> None:
        self.session.close()

    def _emit(self, kind: str, seconds: float = 0.0, reason: str = "") -> None:
        if self._on_event is not None:
            self._on_event(Event(kind, self.requests, seconds, reason))

    def _pause(self, seconds: float, kind: str, reason: str) -> None:
        if seconds <= 0:
            return
        self._emit(kind, seconds, reason)
        self.waited += seconds
        self._sleep(seconds)

    def fetch_page(self, url: str, first_page: bool) -> ParsedFeed:
        """One page, with retries and backoff; raises NetworkError when it cannot be had."""
        s = self.settings
        started = self._clock()
        problem: _Retryable | None = None
        for attempt in range(s.retries + 1):
            if problem is not None:
                backoff = s.delay * 2 ** (attempt - 1)
                wait = max(backoff, problem.retry_after or 0.0)
                if self._clock() - started + wait > s.deadline:
                    raise NetworkError(
                        f"{problem.message}; arXiv asked to wait {wait:g} s, beyond the "
                        f"{s.deadline:g} s papershelf allows a request" if problem.retry_after
                        else f"{problem.message}; gave up after {self._clock() - started:.0f} s",
                        hint="try again later")
                self._pause(wait, "retry", problem.message)  # never shorter than the delay
            elif self._last is not None:
                self._pause(s.delay - (self._clock() - self._last), "wait", "arXiv rate limit")
            try:
                return self._fetch_once(url, first_page)
            except _Retryable as exc:
                problem = exc
        assert problem is not None
        tries = s.retries + 1
        raise NetworkError(
            f"{problem.message} ({tries} {'try' if tries == 1 else 'tries'})",
            hint=f"check your connection or try again later (the endpoint is {s.url})")

    def _fetch_once(self, url: str, first_page: bool) -> ParsedFeed:
        s = self.settings
        self.requests += 1
        self._emit("request")
        try:
            resp = self.session.get(url, headers={"User-Agent": USER_AGENT},
                                    timeout=(s.connect_timeout, s.read_timeout))
        except requests.exceptions.ConnectTimeout:
            raise _Retryable(f"arXiv ({self._host}) did not accept a connection within "
                             f"{s.connect_timeout:g} s") from None
        except requests.exceptions.ReadTimeout:
            raise _Retryable(f"arXiv ({self._host}) did not answer within {s.read_timeout:g} s") from None
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
            raise _Retryable("arXiv's answer broke off before its end") from None
        except requests.exceptions.ConnectionError as exc:
            raise _Retryable(f"cannot reach arXiv at {self._host}: {_connection_reason(exc)}") from None
        except requests.exceptions.RequestException as exc:
            raise _Retryable(f"the request to arXiv failed: {type(exc).__name__}") from None
        finally:
            self._last = self._clock()
        status, body = resp.status_code, resp.content or b""
        if status == 429 or status >= 500:
            what = "is rate-limiting papershelf" if status == 429 else "is unavailable"
            raise _Retryable(f"arXiv {what} (HTTP {status})",
                             retry_after=_retry_after(resp.headers.get("Retry-After")))
        if status != 200:
            try:
                found = _error_message(_strict_parse(body)) if body.strip() else None
            except etree.XMLSyntaxError:
                found = None
            if found:
                raise ArxivRejected(found[0], ident=found[1])
            raise NetworkError(f"arXiv answered HTTP {status} {resp.reason or ''}".rstrip())
        return self._check(body, resp.headers.get("Content-Type", ""), first_page)

    def _check(self, body: bytes, content_type: str, first_page: bool) -> ParsedFeed:
        head = body.lstrip()[:100].lower()
        if not head:
            raise _Retryable("arXiv sent an empty answer instead of an Atom feed")
        if "html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html")):
            raise _Retryable("arXiv sent an HTML page instead of an Atom feed")
        try:
            root = _strict_parse(body)
        except etree.XMLSyntaxError as exc:
            raise _Retryable(f"arXiv sent malformed or truncated XML ({exc})") from None
        if root is None or root.tag != f"{_ATOM}feed":
            raise _Retryable("arXiv's answer is not an Atom feed")
        error = _error_message(root)
        if error:
            raise ArxivRejected(error[0], ident=error[1])
        feed = parse_feed(body)
        if feed.malformed:
            raise _Retryable(f"arXiv sent a feed that cannot be read ({feed.error})")
        if not first_page and not feed.results:
            raise _Retryable("arXiv sent an empty page in the middle of the results")
        return feed
