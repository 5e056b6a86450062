"""How papershelf talks to arXiv: the endpoint, the pace, the timeouts and the retries.

The defaults follow arXiv's terms of use (https://info.arxiv.org/help/api/tou.html): ids go in
batches of 100 per ``id_list`` request, one request every 3 seconds at most, and a request gives
up within a bounded time. ``Settings.from_env`` reads ``PAPERSHELF_ARXIV_URL``,
``PAPERSHELF_ARXIV_DELAY``, ``PAPERSHELF_ARXIV_TIMEOUT`` (SECONDS or CONNECT,READ),
``PAPERSHELF_ARXIV_RETRIES``, ``PAPERSHELF_ARXIV_DEADLINE`` (seconds one request may take in all)
and ``PAPERSHELF_MAX_RESPONSE_MB`` (the largest answer accepted, shared by every source). A value
that is not a finite number in range is a usage error naming its variable.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from papershelf.errors import UsageError

DEFAULT_URL = "https://export.arxiv.org/api/query"
MAX_RESPONSE_ENV = "PAPERSHELF_MAX_RESPONSE_MB"
DEFAULT_MAX_RESPONSE_MB = 50.0  # a real 100-entry page weighs about 0.25 MB
MB = 1024 * 1024
LARGEST = 1e7  # no setting needs more (seconds, tries or megabytes); timers overflow far above


def _number(environ: Mapping[str, str], name: str, default: float, *, integer: bool = False,
            positive: bool = False, kind: str = "a number of seconds") -> float:
    """``environ[name]`` as a finite number, 0 or more (above 0 if ``positive``), else ``default``
    when unset; anything else (``nan``, ``inf``, ``-1``, ``soon``) is a UsageError naming it."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (positive and value == 0) or value > LARGEST:
        kind = "a whole number" if integer else kind
        bound = "above 0" if positive else "0 or more"
        raise UsageError(f"{name} must be {kind} ({bound}, at most {LARGEST:g}), not {raw!r}")
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
    max_bytes: int = int(DEFAULT_MAX_RESPONSE_MB * MB)  # the largest answer, after decompression
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
            try:
                values = [_number({"PAPERSHELF_ARXIV_TIMEOUT": p}, "PAPERSHELF_ARXIV_TIMEOUT", 0,
                                  positive=True) for p in parts]
            except UsageError:
                raise UsageError("PAPERSHELF_ARXIV_TIMEOUT must be SECONDS or CONNECT,READ seconds, "
                                 f"each a finite number above 0, not {raw_timeout!r}") from None
            connect, read = (values[0], values[0]) if len(values) == 1 else (values[0], values[1])
        return cls(
            url=url,
            delay=_number(env, "PAPERSHELF_ARXIV_DELAY", cls.delay),
            connect_timeout=connect,
            read_timeout=read,
            retries=int(_number(env, "PAPERSHELF_ARXIV_RETRIES", cls.retries, integer=True)),
            deadline=_number(env, "PAPERSHELF_ARXIV_DEADLINE", cls.deadline, positive=True),
            max_bytes=max(1, int(_number(env, MAX_RESPONSE_ENV, DEFAULT_MAX_RESPONSE_MB, positive=True,
                                         kind="a number of megabytes") * MB)),
        )
