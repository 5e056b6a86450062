"""One on-disk cache of the metadata services' answers, so repeated runs cost no requests.

A SQLite file (``metadata.db`` in the cache directory the caller names: platformdirs'
``user_cache_path``, i.e. ``$XDG_CACHE_HOME/papershelf``) maps a request (method, URL without
secrets, a hash of the body) to the answer's status, content type and body. An answer is reused
for ``days`` (``PAPERSHELF_CACHE_DAYS``, default 7); a "not found" for at most one day, since a
record may appear; 429s and 5xx are never stored. ``days`` 0 turns the cache off, and a caller may
bypass it for one run (``refresh``: answers are fetched again, and stored).

The cache is a convenience, never a source of failure: a file that cannot be opened, read or
written (read-only, damaged, locked past a short timeout) is left alone and every request goes
to the network.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from papershelf.sources.metadata.settings import NOT_FOUND_CACHE_DAYS

FILE_NAME = "metadata.db"
SECRET_PARAMS = frozenset({"api_key", "mailto", "email", "key"})  # never written to the cache file (email: Unpaywall)
DAY = 86400.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY, status INTEGER NOT NULL, content_type TEXT NOT NULL,
    body BLOB NOT NULL, fetched REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_fetched ON answers(fetched);
"""


@dataclass(frozen=True)
class Cached:
    status: int
    content_type: str
    body: bytes
    fetched: float


def request_key(method: str, url: str, body: bytes | None = None) -> str:
    """The cache key of a request: its method, its URL without secret parameters, and a hash of its body."""
    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if k.lower() not in SECRET_PARAMS])
    key = f"{method.upper()} {urlunsplit((parts.scheme, parts.netloc, parts.path, query, ''))}"
    if body:
        key += " " + hashlib.sha256(body).hexdigest()[:32]
    return key


class AnswerCache:
    """``get``/``put`` answers by key; every failure of the file turns the cache off quietly."""

    def __init__(self, folder: Path | None, days: float, *, refresh: bool = False,
                 clock=time.time):
        self.days = days
        self.refresh = refresh
        self.hits = 0
        self._clock = clock
        self._db: sqlite3.Connection | None = None
        if folder is None or days <= 0:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(folder / FILE_NAME, timeout=2.0, isolation_level=None)
            self._db.executescript(_SCHEMA)
            self._db.execute("DELETE FROM answers WHERE fetched < ?", (self._clock() - days * DAY,))
        except (sqlite3.Error, OSError):
            self._off()

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def _off(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
        self._db = None

    def max_age(self, status: int) -> float:
        """Seconds an answer with ``status`` stays usable."""
        days = min(self.days, NOT_FOUND_CACHE_DAYS) if status == 404 else self.days
        return days * DAY

    def get(self, key: str) -> Cached | None:
        if self._db is None or self.refresh:
            return None
        try:
            row = self._db.execute("SELECT status, content_type, body, fetched FROM answers WHERE key = ?",
                                   (key,)).fetchone()
        except sqlite3.Error:
            self._off()
            return None
        if row is None:
            return None
        found = Cached(int(row[0]), str(row[1]), bytes(row[2]), float(row[3]))
        if self._clock() - found.fetched > self.max_age(found.status):
            return None
        self.hits += 1
        return found

    def put(self, key: str, status: int, content_type: str, body: bytes) -> None:
        if self._db is None or not (200 <= status < 300 or status == 404):
            return
        try:
            self._db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)",
                             (key, status, content_type, body, self._clock()))
        except sqlite3.Error:
            self._off()

    def close(self) -> None:
        self._off()
