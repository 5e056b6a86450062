"""How papershelf talks to the metadata services: endpoints, keys, pace, timeouts, the cache.

``Settings.from_env`` reads ``PAPERSHELF_{CROSSREF,DATACITE,DBLP,S2,OPENALEX,OPENLIBRARY,GOOGLEBOOKS}_URL``
(so tests and mirrors can point elsewhere), ``PAPERSHELF_MAILTO`` (Crossref's and OpenAlex's polite
pool), ``PAPERSHELF_S2_API_KEY``, ``PAPERSHELF_OPENALEX_API_KEY`` (OpenAlex refuses keyless use since
February 2026: without one it is skipped), ``PAPERSHELF_METADATA_TIMEOUT`` (SECONDS or CONNECT,READ),
``PAPERSHELF_METADATA_RETRIES``, ``PAPERSHELF_METADATA_BACKOFF``, ``PAPERSHELF_METADATA_DELAY`` (one
pace for every service instead of each one's own), ``PAPERSHELF_CACHE_DAYS`` (0: no cache) and
``PAPERSHELF_MAX_RESPONSE_MB``. A value out of range is a usage error naming its variable.

The default pace keeps within each service's published limits: Crossref 5 requests/s in the public
pool and 10/s in the polite one (its ``x-rate-limit-*`` headers are obeyed when stricter), Semantic
Scholar's shared pool 1/s, DBLP 1/s (it has no key and answers bursts with 429).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from papershelf import config
from papershelf.errors import UsageError
from papershelf.sources.arxiv.settings import DEFAULT_MAX_RESPONSE_MB, MAX_RESPONSE_ENV, MB, _number

SERVICES = ("crossref", "datacite", "dblp", "s2", "openalex", "openlibrary", "googlebooks")
DEFAULT_URLS: dict[str, str] = {
    "crossref": "https://api.crossref.org",
    "datacite": "https://api.datacite.org",
    "dblp": "https://dblp.org",
    "s2": "https://api.semanticscholar.org/graph/v1",
    "openalex": "https://api.openalex.org",
    "openlibrary": "https://openlibrary.org",
    "googlebooks": "https://www.googleapis.com/books/v1",
}
URL_ENV = {name: f"PAPERSHELF_{name.upper()}_URL" for name in SERVICES}
# Seconds between two requests to one service (Crossref: 0.1 with PAPERSHELF_MAILTO).
DEFAULT_DELAY = {"crossref": 0.2, "datacite": 0.2, "dblp": 1.0, "s2": 1.0, "openalex": 0.1,
                 "openlibrary": 0.5, "googlebooks": 0.2}
DEFAULT_CACHE_DAYS = 7.0
NOT_FOUND_CACHE_DAYS = 1.0  # a 404 is kept at most this long: the record may appear


@dataclass(frozen=True)
class Settings:
    urls: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_URLS))
    mailto: str = ""
    s2_api_key: str = ""
    openalex_api_key: str = ""
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    deadline: float = 60.0
    delay: float | None = None  # None: each service's own pace (DEFAULT_DELAY)
    cache_days: float = DEFAULT_CACHE_DAYS
    max_bytes: int = int(DEFAULT_MAX_RESPONSE_MB * MB)

    def delay_for(self, service: str) -> float:
        if self.delay is not None:
            return self.delay
        if service == "crossref" and self.mailto:
            return 0.1
        return DEFAULT_DELAY.get(service, 0.5)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        urls = {}
        for name in SERVICES:
            url = env.get(URL_ENV[name], "").strip().rstrip("/") or DEFAULT_URLS[name]
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise UsageError(f"{URL_ENV[name]} must be an http(s) URL, not {url!r}")
            urls[name] = url
        connect, read = cls.connect_timeout, cls.read_timeout
        raw = env.get("PAPERSHELF_METADATA_TIMEOUT", "").strip()
        if raw:
            parts = raw.split(",")
            bad = UsageError("PAPERSHELF_METADATA_TIMEOUT must be SECONDS or CONNECT,READ seconds, each a "
                             f"finite number above 0, not {raw!r}")
            if len(parts) > 2:
                raise bad
            try:
                values = [_number({"T": p}, "T", 0, positive=True) for p in parts]
            except UsageError:
                raise bad from None
            connect, read = values[0], values[-1]
        raw_delay = env.get("PAPERSHELF_METADATA_DELAY", "").strip()
        return cls(
            urls=urls,
            mailto=env.get("PAPERSHELF_MAILTO", "").strip(),
            s2_api_key=env.get("PAPERSHELF_S2_API_KEY", "").strip(),
            openalex_api_key=env.get("PAPERSHELF_OPENALEX_API_KEY", "").strip(),
            connect_timeout=connect, read_timeout=read,
            retries=int(_number(env, "PAPERSHELF_METADATA_RETRIES", cls.retries, integer=True)),
            backoff=_number(env, "PAPERSHELF_METADATA_BACKOFF", cls.backoff),
            delay=_number(env, "PAPERSHELF_METADATA_DELAY", 0.0) if raw_delay else None,
            cache_days=float(config.value("cache.days", environ=env)),
            max_bytes=max(1, int(_number(env, MAX_RESPONSE_ENV, DEFAULT_MAX_RESPONSE_MB, positive=True,
                                         kind="a number of megabytes") * MB)),
        )
