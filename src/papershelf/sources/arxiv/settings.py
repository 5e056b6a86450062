"""How papershelf talks to arXiv: the endpoint, the pace, the timeouts and the retries.

The defaults follow arXiv's terms of use (https://info.arxiv.org/help/api/tou.html): ids go in
batches of 100 per ``id_list`` request, one request every 3 seconds at most, and a request gives
up within a bounded time. ``Settings.from_env`` reads the settings ``arxiv.url``, ``arxiv.delay``,
``arxiv.timeout`` (SECONDS or CONNECT,READ), ``arxiv.retries``, ``arxiv.deadline`` (seconds one
request may take in all) and ``sources.max_response_mb`` (the largest answer accepted, shared by
every source), declared in ``config.SETTINGS``: each from its variable (``PAPERSHELF_ARXIV_URL``,
``PAPERSHELF_ARXIV_DELAY``, ``PAPERSHELF_ARXIV_TIMEOUT``, ``PAPERSHELF_ARXIV_RETRIES``,
``PAPERSHELF_ARXIV_DEADLINE``, ``PAPERSHELF_MAX_RESPONSE_MB``), else config.toml, else its
default. A value that is not a finite number in range is a usage error naming its variable or
file line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from papershelf import config

DEFAULT_URL: str = config.default("arxiv.url")
MB = 1024 * 1024


def max_bytes(environ: Mapping[str, str] | None = None) -> int:
    """``sources.max_response_mb`` in bytes: the largest answer any source may send."""
    return max(1, int(config.value("sources.max_response_mb", environ=environ) * MB))


@dataclass(frozen=True)
class Settings:
    """How the client talks to arXiv. The defaults follow arXiv's terms of use."""

    url: str = DEFAULT_URL
    delay: float = config.default("arxiv.delay")  # seconds between two requests
    connect_timeout: float = config.default("arxiv.timeout")[0]
    read_timeout: float = config.default("arxiv.timeout")[1]
    retries: int = config.default("arxiv.retries")  # extra tries after a failed request
    deadline: float = config.default("arxiv.deadline")  # seconds one request may take, retries included
    max_bytes: int = int(config.default("sources.max_response_mb") * MB)  # the largest answer, decompressed
    batch_size: int = 100  # ids per id_list request

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings (``environ`` instead of ``os.environ`` for the variables)."""
        def get(name: str):
            return config.value(name, environ=environ)

        connect, read = get("arxiv.timeout")
        return cls(url=get("arxiv.url"), delay=get("arxiv.delay"), connect_timeout=connect,
                   read_timeout=read, retries=get("arxiv.retries"), deadline=get("arxiv.deadline"),
                   max_bytes=max_bytes(environ))
