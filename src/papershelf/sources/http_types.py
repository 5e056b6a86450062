"""What the HTTP layer (``sources.http``) speaks in: the bounds of a request, an answer, the
events it reports, the faults it raises, and the small pure helpers (``Retry-After``, origins).

Kept apart from ``http.py`` so that module holds only the client and its socket watchdog; import
these names from ``papershelf.sources.http``, which re-exports them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from papershelf.errors import NetworkError

MB = 1024 * 1024
MAX_RESPONSE_ENV = "PAPERSHELF_MAX_RESPONSE_MB"  # shared by every source
DEFAULT_MAX_RESPONSE_MB = 50


# --- what the client reports while it works --------------------------------------------------

@dataclass(frozen=True)
class Event:
    """``request`` (one more HTTP request), ``wait`` (the rate limit), ``retry`` (after a fault)."""

    kind: str
    requests: int
    seconds: float = 0.0
    reason: str = ""


@dataclass(frozen=True)
class Limits:
    """The bounds of every request (seconds and bytes)."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0  # the longest silence while waiting for the answer
    deadline: float = 120.0  # one request from its first byte sent, retries and waits included
    max_bytes: int = DEFAULT_MAX_RESPONSE_MB * MB  # the body, after decompression
    retries: int = 3  # extra tries after a failed request
    delay: float = 0.0  # seconds between two requests
    backoff: float = 1.0  # the first retry wait; it doubles with each retry

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "deadline"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"Limits.{name} must be a finite number above 0, not {value!r}")
        for name in ("delay", "backoff"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"Limits.{name} must be a finite number, 0 or more, not {value!r}")
        if self.max_bytes <= 0 or self.retries < 0:
            raise ValueError("Limits.max_bytes must be above 0 and Limits.retries 0 or more")


@dataclass(frozen=True)
class Response:
    """A complete answer: the final URL (after redirects within the origin), status and body."""

    url: str
    status: int
    reason: str
    headers: Mapping[str, str]  # case-insensitive
    body: bytes


class TryAgain(Exception):
    """Raised by a ``check`` for an answer worth asking again (an HTML error page, a cut body)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class DeadlineExceeded(NetworkError):
    """The request, its retries and waits included, did not finish within ``Limits.deadline``."""


class ResponseTooLarge(NetworkError):
    """The body (decompressed) is larger than ``Limits.max_bytes``."""


class RedirectRefused(NetworkError):
    """A redirect off the endpoint's origin, or too many redirects."""


# --- small helpers ---------------------------------------------------------------------------

def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds (ASCII digits) or an HTTP date; anything
    else is ignored (None), never an error."""
    if not value:
        return None
    value = value.strip()
    if not value.isascii() or len(value) > 64:  # "²" is a digit to str.isdigit, not to float()
        return None
    if value.isdigit():
        return float(min(int(value), 10**9))
    try:
        when = parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of ``url``, the port filled in for http and https."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1  # unreadable: never equal to a real origin
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def _connection_reason(exc: Exception) -> str:
    text = str(exc)
    for needle, reason in (("refused", "connection refused"), ("Name or service not known", "unknown host"),
                           ("getaddrinfo", "unknown host"), ("reset", "connection reset"),
                           ("Network is unreachable", "network unreachable")):
        if needle in text:
            return reason
    return type(exc).__name__


def _megabytes(n: int) -> str:
    return f"{n / MB:g} MB"
