"""The HTTP layer every metadata source uses: GET (and POST) with bounds a misbehaving server
cannot stretch.

``HttpClient.get(url, check)`` (and ``post(url, body, check)``) guarantees, per request:

* **a total deadline** (``Limits.deadline``): connecting, the headers and the whole body, its
  retries and the waits between them included. A watchdog shuts the socket down when the time is
  up, so a server that drips one byte at a time (in the body or in endless headers) is cut off
  at the deadline; per-read timeouts alone cannot do that.
* **a size cap on the body** (``Limits.max_bytes``), counted after decompression: the body is
  streamed in chunks (urllib3 inflates gzip/deflate a chunk at a time), so a compression bomb
  is stopped at the cap and memory stays bounded by it.
* **redirects only within the endpoint's origin** (scheme, host and port of ``base_url``);
  a redirect anywhere else is an error, and nothing it leads to is read. A client made with
  ``any_origin=True`` (downloads of open-access PDFs, whose links go through doi.org and
  publishers' hosts) follows redirects to any http(s) URL instead; it must carry no secret header.
* **no retry where it cannot help**: a host name that does not resolve, or a refused connection,
  is one ``NetworkError`` at once.
* **retries** with a doubling backoff after a connection error, a timeout, HTTP 429 or 5xx, or
  an answer ``check`` rejects with ``TryAgain``, honouring ``Retry-After``, within the deadline;
  requests are kept ``Limits.delay`` apart (or further, when the server's ``x-rate-limit-limit``
  and ``x-rate-limit-interval`` headers ask for it); a User-Agent on every request.

What happens is reported through ``Event``\\ s (``request``, ``wait``, ``retry``) for progress bars.
"""

from __future__ import annotations

import math
import socket
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
import requests.adapters
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ReadTimeoutError

from papershelf import __version__
from papershelf.errors import NetworkError
from papershelf.sources.http_types import DEFAULT_MAX_RESPONSE_MB as DEFAULT_MAX_RESPONSE_MB
from papershelf.sources.http_types import MAX_RESPONSE_ENV as MAX_RESPONSE_ENV
from papershelf.sources.http_types import MB as MB
from papershelf.sources.http_types import DeadlineExceeded as DeadlineExceeded
from papershelf.sources.http_types import Event as Event
from papershelf.sources.http_types import Limits as Limits
from papershelf.sources.http_types import RedirectRefused as RedirectRefused
from papershelf.sources.http_types import Response as Response
from papershelf.sources.http_types import ResponseTooLarge as ResponseTooLarge
from papershelf.sources.http_types import TryAgain as TryAgain
from papershelf.sources.http_types import _connection_reason, _megabytes
from papershelf.sources.http_types import origin as origin
from papershelf.sources.http_types import retry_after as retry_after

T = TypeVar("T")

USER_AGENT = f"papershelf/{__version__}"
REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5
_CHUNK = 64 * 1024


# --- the deadline watchdog -------------------------------------------------------------------

WATCHDOG_THREAD = "papershelf-http-deadline"
_current = threading.local()  # .watch: the _Watchdog of the request running in this thread


class _Watchdog:
    """Shuts down the sockets of one request when its time is up, which wakes a read blocked on
    them (a per-read timeout never fires while a server sends a byte now and then)."""

    def __init__(self, seconds: float):
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(min(max(seconds, 0.0), threading.TIMEOUT_MAX), self._expire)
        self._timer.name = WATCHDOG_THREAD
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        _current.watch = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        self._timer.join()  # at once: cancelled, or done shutting sockets down
        _current.watch = None

    def attach(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _unreachable(exc: BaseException) -> str:
    """Why retrying ``exc`` cannot help, or "": a host name that does not resolve, or a refused
    connection (nothing listens there). Found among the causes requests and urllib3 wrap it in."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        e = todo.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, socket.gaierror):  # offline, the resolver says EAI_AGAIN: no better later
            return "its name does not resolve (offline?)" if e.errno == socket.EAI_AGAIN else "unknown host"
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
        todo.extend([e.__cause__, e.__context__, getattr(e, "reason", None), *e.args[:1]])
    return ""


def _shut(sock: socket.socket) -> None:
    try:  # the plain socket's shutdown, also under TLS: it only wakes the reader, nothing is sent
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


def _watch(sock: socket.socket | None) -> None:
    """Put ``sock`` under the watchdog of the request running in this thread, if any."""
    watch = getattr(_current, "watch", None)
    if watch is not None and sock is not None:
        watch.attach(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def getresponse(self) -> Any:  # the status line, headers and body are all read after this
        _watch(self.sock)
        return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    def getresponse(self) -> Any:
        _watch(self.sock)
        return super().getresponse()


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS: dict[str, type[HTTPConnectionPool]] = {"http": _HTTPPool, "https": _HTTPSPool}


class _Adapter(requests.adapters.HTTPAdapter):
    """requests' adapter whose connections report their sockets to the request's watchdog."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: Any, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if not str(proxy).lower().startswith("socks"):  # SOCKS brings its own pools
            manager.pool_classes_by_scheme = dict(_POOLS)
        return manager


# --- the client ------------------------------------------------------------------------------

class HttpClient:
    """GET (and POST) requests to one endpoint, within ``Limits``. Not thread-safe; one per command.

    ``name`` names the server in messages ("arXiv"); ``deadline_setting`` is the setting a user
    changes to allow more time (named in the hint of a deadline error).
    """

    def __init__(self, base_url: str, limits: Limits, *, name: str, user_agent: str = USER_AGENT,
                 deadline_setting: str = "", on_event: Callable[[Event], None] | None = None,
                 headers: Mapping[str, str] | None = None, any_origin: bool = False,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        if any_origin and headers:
            raise ValueError("a client that follows redirects anywhere sends no headers of its own (a key)")
        self.base_url = base_url
        self.any_origin = any_origin
        self.limits = limits
        self.name = name
        self.user_agent = user_agent
        self.deadline_setting = deadline_setting
        self.requests = 0
        self.waited = 0.0
        self.headers: dict[str, str] = dict(headers or {})  # sent with every request (an API key)
        self.header_delay = 0.0  # the pace the server's rate-limit headers ask for
        self._origin = origin(base_url)
        self._host = urlsplit(base_url).netloc
        self._on_event = on_event
        self._sleep = sleep
        self._clock = clock
        self._last: float | None = None
        self.session = requests.Session()
        adapter = _Adapter()
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

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

    def _pace(self) -> None:
        if self._last is not None:
            delay = max(self.limits.delay, self.header_delay)
            self._pause(delay - (self._clock() - self._last), "wait", f"{self.name} rate limit")

    def _learn_pace(self, headers: Mapping[str, str]) -> None:
        """Keep to the pace the server announces (Crossref: ``x-rate-limit-limit: 5`` requests per
        ``x-rate-limit-interval: 1s``); never faster than ``Limits.delay``."""
        limit = (headers.get("x-rate-limit-limit") or "").strip()
        interval = (headers.get("x-rate-limit-interval") or "").strip().rstrip("s")
        if limit.isascii() and limit.isdigit() and len(limit) < 10 and int(limit) > 0:  # "²".isdigit()
            try:
                seconds = float(interval) if interval else 1.0
            except ValueError:
                return
            if math.isfinite(seconds) and 0 < seconds <= 3600:
                self.header_delay = min(seconds / int(limit), 60.0)

    def get(self, url: str, check: Callable[[Response], T]) -> T:
        """``check(response)`` of the answer to ``url``; ``check`` may raise ``TryAgain``.

        Raises ``NetworkError`` (``DeadlineExceeded``, ``ResponseTooLarge``, ``RedirectRefused``
        among them) when no acceptable answer can be had.
        """
        return self.request("GET", url, check)

    def post(self, url: str, body: bytes, check: Callable[[Response], T], *,
             content_type: str = "application/json") -> T:
        """``get`` for a POST of ``body`` (S2's batch lookup); same bounds and retries."""
        return self.request("POST", url, check, body=body, headers={"Content-Type": content_type})

    def request(self, method: str, url: str, check: Callable[[Response], T], *, body: bytes | None = None,
                headers: Mapping[str, str] | None = None) -> T:
        """``get`` or ``post``: one request with its retries, the answer handed to ``check``."""
        lim = self.limits
        self._pace()  # the rate-limit wait comes before the deadline starts
        started = self._clock()
        problem: TryAgain | None = None
        for attempt in range(lim.retries + 1):
            if problem is not None:
                wait = max(lim.backoff * 2 ** (attempt - 1), problem.retry_after or 0.0)
                if self._clock() - started + wait > lim.deadline:
                    if problem.retry_after:
                        raise NetworkError(f"{problem.message}; {self.name} asked to wait {wait:g} s, beyond "
                                           f"the {lim.deadline:g} s papershelf allows a request",
                                           hint="try again later")
                    raise NetworkError(f"{problem.message}; gave up after {self._clock() - started:.0f} s",
                                       hint="try again later")
                self._pause(wait, "retry", problem.message)
            try:
                response = self._attempt(method, url, lim.deadline - (self._clock() - started), body,
                                         headers or {})
                return check(response)
            except TryAgain as exc:
                problem = exc
        assert problem is not None
        tries = lim.retries + 1
        raise NetworkError(f"{problem.message} ({tries} {'try' if tries == 1 else 'tries'})",
                           hint=f"check your connection or try again later (the endpoint is {self.base_url})")

    # -- one try: the request and the redirects it leads to, under one watchdog ---------------

    def _attempt(self, method: str, url: str, remaining: float, body: bytes | None,
                 headers: Mapping[str, str]) -> Response:
        with _Watchdog(remaining) as watch:
            started = self._clock()
            try:
                response = self._follow(method, url, started, remaining, body, headers)
            except (requests.exceptions.RequestException, OSError) as exc:
                if watch.expired or self._clock() - started >= remaining:
                    raise self._deadline_error() from None
                final = _unreachable(exc)
                if final:  # retrying cannot help: one message, at once
                    raise NetworkError(f"cannot reach {self.name} at {self._host}: {final}",
                                       hint=f"check your connection and the endpoint ({self.base_url})") from None
                raise self._retryable(exc) from None
            if watch.expired:  # the body "ended" because the watchdog shut the socket down
                raise self._deadline_error()
            return response

    def _deadline_error(self) -> DeadlineExceeded:
        hint = "try again later"
        if self.deadline_setting:
            hint = f"try again later, or allow more time with {self.deadline_setting}"
        return DeadlineExceeded(f"{self.name} ({self._host}) did not complete its answer within the "
                                f"{self.limits.deadline:g} s papershelf allows a request", hint=hint)

    def _retryable(self, exc: Exception) -> TryAgain:
        lim, who = self.limits, f"{self.name} ({self._host})"
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return TryAgain(f"{who} did not accept a connection within {lim.connect_timeout:g} s")
        if isinstance(exc, requests.exceptions.ReadTimeout) or (
                exc.args and isinstance(exc.args[0], ReadTimeoutError)):
            return TryAgain(f"{who} did not answer within {lim.read_timeout:g} s")
        if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
            return TryAgain(f"{self.name}'s answer broke off before its end")
        if isinstance(exc, (requests.exceptions.ConnectionError, OSError)):
            return TryAgain(f"cannot reach {self.name} at {self._host}: {_connection_reason(exc)}")
        return TryAgain(f"the request to {self.name} failed: {type(exc).__name__}")

    def _follow(self, method: str, url: str, started: float, remaining: float, body: bytes | None,
                headers: Mapping[str, str]) -> Response:
        lim = self.limits
        for hop in range(MAX_REDIRECTS + 1):
            if hop:
                self._pace()
            self.requests += 1
            self._emit("request")
            left = max(remaining - (self._clock() - started), 0.001)
            try:
                resp = self.session.request(method, url, data=body,
                                            headers={**self.headers, **headers, "User-Agent": self.user_agent},
                                            stream=True, allow_redirects=False,
                                            timeout=(min(lim.connect_timeout, left), lim.read_timeout))
                try:
                    status = resp.status_code
                    self._learn_pace(resp.headers)
                    if status in REDIRECTS:
                        url = self._redirect_target(url, resp.headers.get("Location"))
                        if status in (301, 302, 303) and method != "GET":
                            method, body = "GET", None  # as browsers and requests do
                        continue
                    if status == 429 or status >= 500:
                        what = "is rate-limiting papershelf" if status == 429 else "is unavailable"
                        raise TryAgain(f"{self.name} {what} (HTTP {status})",
                                       retry_after=retry_after(resp.headers.get("Retry-After")))
                    body = self._read_body(resp)
                    return Response(url, status, resp.reason or "", resp.headers, body)
                finally:
                    resp.close()
            finally:
                self._last = self._clock()
        raise RedirectRefused(f"{self.name} redirected the request more than {MAX_REDIRECTS} times",
                              hint=f"check the endpoint ({self.base_url})")

    def _redirect_target(self, url: str, location: str | None) -> str:
        if not location:
            raise RedirectRefused(f"{self.name} answered with a redirect that leads nowhere (no Location)")
        target = urljoin(url, location)
        if self.any_origin and urlsplit(target).scheme in ("http", "https"):
            return target
        if origin(target) != self._origin:
            scheme, host, port = self._origin
            raise RedirectRefused(
                f"{self.name} redirected the request to {target}, outside {scheme}://{host}:{port}; "
                "papershelf follows redirects only within the endpoint's own scheme, host and port",
                hint=f"check the endpoint ({self.base_url}); if it moved, point papershelf at the new one")
        return target

    def _read_body(self, resp: requests.Response) -> bytes:
        cap = self.limits.max_bytes
        declared = resp.headers.get("Content-Length", "")
        encoded = resp.headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity")
        declared = declared.strip()
        if declared.isascii() and declared.isdigit() and not encoded and int(declared) > cap:
            raise self._too_large(f"it announces {_megabytes(int(declared))}")
        body = bytearray()
        for chunk in resp.iter_content(chunk_size=_CHUNK):  # decompressed a chunk at a time
            body += chunk
            if len(body) > cap:
                raise self._too_large("the rest was not read")
        return bytes(body)

    def _too_large(self, detail: str) -> ResponseTooLarge:
        return ResponseTooLarge(
            f"{self.name}'s answer is larger than the {_megabytes(self.limits.max_bytes)} papershelf "
            f"accepts ({detail})", hint=f"{MAX_RESPONSE_ENV} raises the limit")
