"""How papershelf talks to the metadata services: endpoints, keys, pace, timeouts, the cache.

``Settings.from_env`` reads the settings ``metadata.<service>_url`` (``PAPERSHELF_{CROSSREF,DATACITE,
DBLP,S2,OPENALEX,OPENLIBRARY,GOOGLEBOOKS}_URL``, so tests and mirrors can point elsewhere),
``metadata.mailto`` (``PAPERSHELF_MAILTO``: Crossref's and OpenAlex's polite pool),
``metadata.s2_api_key``, ``metadata.openalex_api_key`` (OpenAlex refuses keyless use since February
2026: without one it is skipped), ``metadata.timeout`` (SECONDS or CONNECT,READ), ``metadata.retries``,
``metadata.backoff``, ``metadata.delay`` (one pace for every service instead of each one's own),
``cache.days`` (0: no cache) and ``sources.max_response_mb``, all declared in ``config.SETTINGS``
(each from its variable, else config.toml, else its default). A value out of range is a usage
error naming its variable or file line.

The default pace keeps within each service's published limits: Crossref 5 requests/s in the public
pool and 10/s in the polite one (its ``x-rate-limit-*`` headers are obeyed when stricter), Semantic
Scholar's shared pool 1/s, DBLP 1/s (it has no key and answers bursts with 429).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from papershelf import config
from papershelf.sources.arxiv.settings import MB, max_bytes

SERVICES = ("crossref", "datacite", "dblp", "s2", "openalex", "openlibrary", "googlebooks")
DEFAULT_URLS: dict[str, str] = {name: config.default(f"metadata.{name}_url") for name in SERVICES}
# Seconds between two requests to one service (Crossref: 0.1 with PAPERSHELF_MAILTO).
DEFAULT_DELAY = {"crossref": 0.2, "datacite": 0.2, "dblp": 1.0, "s2": 1.0, "openalex": 0.1,
                 "openlibrary": 0.5, "googlebooks": 0.2}
DEFAULT_CACHE_DAYS: float = config.default("cache.days")
NOT_FOUND_CACHE_DAYS = 1.0  # a 404 is kept at most this long: the record may appear


@dataclass(frozen=True)
class Settings:
    urls: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_URLS))
    mailto: str = ""
    s2_api_key: str = ""
    openalex_api_key: str = ""
    connect_timeout: float = config.default("metadata.timeout")[0]
    read_timeout: float = config.default("metadata.timeout")[1]
    retries: int = config.default("metadata.retries")
    backoff: float = config.default("metadata.backoff")
    deadline: float = 60.0  # seconds one request may take in all (not a setting)
    delay: float | None = None  # None: each service's own pace (DEFAULT_DELAY)
    cache_days: float = DEFAULT_CACHE_DAYS
    max_bytes: int = int(config.default("sources.max_response_mb") * MB)

    def delay_for(self, service: str) -> float:
        if self.delay is not None:
            return self.delay
        if service == "crossref" and self.mailto:
            return 0.1
        return DEFAULT_DELAY.get(service, 0.5)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings (``environ`` instead of ``os.environ`` for the variables)."""
        def get(name: str):
            return config.value(name, environ=environ)

        connect, read = get("metadata.timeout")
        return cls(
            urls={name: get(f"metadata.{name}_url").rstrip("/") for name in SERVICES},
            mailto=get("metadata.mailto").strip(),
            s2_api_key=get("metadata.s2_api_key").strip(),
            openalex_api_key=get("metadata.openalex_api_key").strip(),
            connect_timeout=connect, read_timeout=read,
            retries=get("metadata.retries"),
            backoff=get("metadata.backoff"),
            delay=get("metadata.delay"),
            cache_days=float(get("cache.days")),
            max_bytes=max_bytes(environ),
        )
