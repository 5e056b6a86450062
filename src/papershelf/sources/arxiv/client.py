"""The arXiv API, through the ``arxiv`` package (4.x) and ``requests``.

The only module of papershelf that imports ``arxiv`` or ``requests``. It asks arXiv the way its
terms of use ask (https://info.arxiv.org/help/api/tou.html): ids go in batches of 100 per
``id_list`` request, one request every 3 seconds at most, and it gives up within a bounded time.

``arxiv.Client`` does the URL building, the paging of searches and the Atom → ``arxiv.Result``
parsing; ``_Transport`` replaces its fetching step, which sets no timeouts, retries without
waiting, ignores ``Retry-After``, and hands every answer to a lenient parser that turns a
truncated or non-XML body into "no results" without a word. Here every answer is checked first:
the status, the content type, an empty body, strict XML, an Atom ``<feed>`` root, arXiv's error
entries (``…/api/errors#…``), and empty pages in the middle of paging.

Settings come from the environment (``Settings.from_env``): ``PAPERSHELF_ARXIV_URL``,
``PAPERSHELF_ARXIV_DELAY``, ``PAPERSHELF_ARXIV_TIMEOUT``, ``PAPERSHELF_ARXIV_RETRIES``.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import arxiv
import requests
from arxiv import _feed
from lxml import etree

from papershelf import __version__
from papershelf.errors import NetworkError, UsageError
from papershelf.model import identifiers as arxiv_ids
from papershelf.model.entry import Entry, Person

# The package logs skipped entries and retries as warnings; papershelf reports them itself, so
# they must not reach stderr through logging's last-resort handler.
logging.getLogger("arxiv").addHandler(logging.NullHandler())

DEFAULT_URL = "https://export.arxiv.org/api/query"
USER_AGENT = f"papershelf/{__version__} (arxiv.py/{arxiv.__version__})"
_ATOM = "{http://www.w3.org/2005/Atom}"
_ERROR_ID = "/api/errors"
SORTS = {
    "relevance": arxiv.SortCriterion.Relevance,
    "submitted": arxiv.SortCriterion.SubmittedDate,
    "updated": arxiv.SortCriterion.LastUpdatedDate,
}


# --- settings --------------------------------------------------------------------------------

def _number(environ: Mapping[str, str], name: str, default: float, *, integer: bool = False) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = -1
    if value < 0:
        kind = "a whole number" if integer else "a number of seconds"
        raise UsageError(f"{name} must be {kind} (0 or more), not {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """How the client talks to arXiv. The defaults follow arXiv's terms of use."""

    url: str = DEFAULT_URL
    delay: float = 3.0  # seconds between two requests
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 3  # extra tries after a failed request
    deadline: float = 120.0  # seconds one request may take, its retries and waits included
    batch_size: int = 100  # ids per id_list request

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        url = env.get("PAPERSHELF_ARXIV_URL", "").strip() or DEFAULT_URL
        if urlsplit(url).scheme not in ("http", "https"):
            raise UsageError(f"PAPERSHELF_ARXIV_URL must be an http(s) URL, not {url!r}")
        connect, read = cls.connect_timeout, cls.read_timeout
        raw_timeout = env.get("PAPERSHELF_ARXIV_TIMEOUT", "").strip()
        if raw_timeout:
            parts = raw_timeout.split(",")
            if len(parts) > 2:
                raise UsageError("PAPERSHELF_ARXIV_TIMEOUT is SECONDS or CONNECT,READ seconds, "
                                 f"not {raw_timeout!r}")
            values = [_number({"PAPERSHELF_ARXIV_TIMEOUT": p}, "PAPERSHELF_ARXIV_TIMEOUT", 0)
                      for p in parts]
            if min(values) <= 0:
                raise UsageError(f"PAPERSHELF_ARXIV_TIMEOUT must be above 0, not {raw_timeout!r}")
            connect, read = (values[0], values[0]) if len(values) == 1 else (values[0], values[1])
        return cls(
            url=url,
            delay=_number(env, "PAPERSHELF_ARXIV_DELAY", cls.delay),
            connect_timeout=connect,
            read_timeout=read,
            retries=int(_number(env, "PAPERSHELF_ARXIV_RETRIES", cls.retries, integer=True)),
        )


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


def _error_message(root) -> tuple[str, str | None] | None:
    """arXiv's error feed (an entry whose id is ``…/api/errors#…``): its text and the id it names."""
    for entry in root.iterfind(f"{_ATOM}entry"):
        entry_id = (entry.findtext(f"{_ATOM}id") or "").strip()
        if _ERROR_ID in entry_id:
            summary = " ".join((entry.findtext(f"{_ATOM}summary") or entry_id).split())
            named = re.search(r"\bfor (\S+)$", summary)
            return summary, named.group(1) if named else None
    return None


def _strict_parse(body: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False, huge_tree=False)
    return etree.fromstring(body, parser=parser)


# --- the transport ---------------------------------------------------------------------------

class _Transport(arxiv.Client):
    """``arxiv.Client`` with a careful fetching step (see the module docstring)."""

    def __init__(self, settings: Settings, on_event: Callable[[Event], None] | None,
                 sleep: Callable[[float], None], clock: Callable[[], float]):
        super().__init__(page_size=settings.batch_size, delay_seconds=settings.delay,
                         num_retries=settings.retries)
        sep = "&" if "?" in settings.url else "?"
        self.query_url_format = settings.url + sep + "{}"
        self.settings = settings
        self.requests = 0
        self.waited = 0.0
        self._on_event = on_event
        self._sleep = sleep
        self._clock = clock
        self._last: float | None = None
        self._host = urlsplit(settings.url).netloc

    def _emit(self, kind: str, seconds: float = 0.0, reason: str = "") -> None:
        if self._on_event is not None:
            self._on_event(Event(kind, self.requests, seconds, reason))

    def _pause(self, seconds: float, kind: str, reason: str) -> None:
        if seconds <= 0:
            return
        self._emit(kind, seconds, reason)
        self.waited += seconds
        self._sleep(seconds)

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> _feed.ParsedFeed:
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

    def _fetch_once(self, url: str, first_page: bool) -> _feed.ParsedFeed:
        s = self.settings
        self.requests += 1
        self._emit("request")
        try:
            resp = self._session.get(url, headers={"User-Agent": USER_AGENT},
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

    def _check(self, body: bytes, content_type: str, first_page: bool) -> _feed.ParsedFeed:
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
        feed = _feed.parse(body)
        if feed.malformed:
            raise _Retryable(f"arXiv sent a feed that cannot be read ({feed.error})")
        if not first_page and not feed.results:
            raise _Retryable("arXiv sent an empty page in the middle of the results")
        return feed


# --- records ---------------------------------------------------------------------------------

def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


def to_entry(result: arxiv.Result) -> Entry:
    """An ``arxiv.Result`` as a (not yet stored) preprint Entry."""
    aid = arxiv_ids.parse(result.entry_id)
    if aid is None:
        raise NetworkError(f"arXiv sent an entry with an unreadable id: {result.entry_id!r}")
    published = result.published if result.published and result.published.year > 1 else None
    categories = list(dict.fromkeys(c for c in result.categories if c))
    title = " ".join(result.title.split())
    return Entry(
        title=title,
        type="misc",
        authors=[Person.parse(a.name) for a in result.authors if a.name.strip()],
        year=published.year if published else None,
        date=published.date().isoformat() if published else None,
        abstract=_clean(result.summary),
        doi=_clean(result.doi),
        url=f"https://arxiv.org/abs/{aid.canonical}",
        arxiv_id=aid.canonical,
        arxiv_version=aid.version,
        primary_class=result.primary_category or (categories[0] if categories else None),
        categories=categories,
        arxiv_comment=_clean(result.comment),
        journal_ref=_clean(result.journal_ref),
    )


@dataclass
class FetchResult:
    """What a batch lookup brought back, id by id (ids are canonical and version-less)."""

    found: dict[str, Entry] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # arXiv answered: no such paper
    failed: dict[str, str] = field(default_factory=dict)  # id → why it could not be fetched
    error: NetworkError | None = None  # the fault that stopped the lookup, if one did
    requests: int = 0


class ArxivClient:
    """Look up ids in batches and run searches. Not thread-safe; one per command."""

    def __init__(self, settings: Settings | None = None, *,
                 on_event: Callable[[Event], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.settings = settings or Settings.from_env()
        self._t = _Transport(self.settings, on_event, sleep, clock)

    @property
    def requests(self) -> int:
        return self._t.requests

    @property
    def waited(self) -> float:
        """Seconds spent waiting (rate limit and backoff)."""
        return self._t.waited

    def close(self) -> None:
        self._t._session.close()

    def __enter__(self) -> ArxivClient:
        return self

    def __exit__(self, *exc) -> None:
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
            url = self._t._format_url(search, 0, len(remaining))
            try:
                feed = self._t._parse_feed(url, first_page=True)
            except ArxivRejected as exc:
                named = arxiv_ids.parse(exc.ident) if exc.ident else None
                culprit = next((i for i in remaining if exc.ident in (i,) or
                                (named and named.canonical == i)), None) if exc.ident else None
                if culprit is None:
                    raise
                out.failed[culprit] = exc.reason
                remaining.remove(culprit)
                continue
            got: dict[str, Entry] = {}
            for result in feed.results:
                entry = to_entry(result)
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
