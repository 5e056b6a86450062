"""Rendered entries kept for the next export: ``rendered.db`` in the cache directory.

An export renders each entry's text from its stored rows; most entries have not changed since
the last export, so their text is kept here, by *scope* (a digest of everything the text
depends on besides the entry: the catalogue file, its schema, the style and options,
papershelf's version and rendering code; see ``services.export_cache``) and entry id, with the
entry's *stamp* (its revision, ``updated`` time and citekey, which every write to the entry
changes). A text is used only while the entry's stamp is the one it was rendered at; a newer
rendering replaces it, so the file holds at most one text per entry and scope. Texts leave the
file after ``days`` (``PAPERSHELF_CACHE_DAYS``, like the metadata answers; 0 turns this cache
off), and the oldest go when it holds more than ``MAX_ROWS``.

Like the metadata cache, it is a convenience and never a source of failure: a file that cannot
be opened, read or written (read-only, locked past a short timeout) is left alone and every
entry is rendered; a damaged file (not an SQLite database, malformed) is ours, so it is
replaced by an empty one. An export that only finds texts never writes the file.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

FILE_NAME = "rendered.db"
MAX_ROWS = 250_000  # both styles of a 100,000-entry catalogue, and more (about 250 MB of text)
DAY = 86400.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS rendered (
    scope BLOB NOT NULL, entry_id INTEGER NOT NULL, stamp BLOB NOT NULL, text TEXT NOT NULL,
    report TEXT NOT NULL, stored REAL NOT NULL, PRIMARY KEY (scope, entry_id)
);
CREATE INDEX IF NOT EXISTS rendered_stored ON rendered(stored);
"""
_DAMAGED = ("not a database", "malformed", "disk image")


class RenderCache:
    """``get`` texts by key, ``put`` new ones; every failure of the file turns it off quietly."""

    def __init__(self, folder: Path | None, days: float, *, clock=time.time, memory: bool = False):
        """The cache file in ``folder`` (None, or ``days`` 0: no cache); ``memory``: a cache
        in memory instead, for one process (``export --watch`` when the file is off)."""
        self._clock = clock
        self._db: sqlite3.Connection | None = None
        self._pruned = False
        self.days = days
        if memory:
            self._db = sqlite3.connect(":memory:", isolation_level=None)
            self._db.executescript(_SCHEMA)
            return
        if folder is None or days <= 0:
            return
        path = folder / FILE_NAME
        for attempt in (1, 2):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(path, timeout=0.5, isolation_level=None)
                self._db.execute("PRAGMA synchronous = OFF")  # a cache: a lost write costs a render
                self._db.execute("PRAGMA cache_size = -16000")  # 16 MB: a 100,000-entry export's index
                self._db.executescript(_SCHEMA)
                return
            except sqlite3.DatabaseError as exc:
                self._off()
                if attempt == 1 and any(word in str(exc) for word in _DAMAGED):
                    try:
                        path.unlink()  # our own cache file, damaged: start it again
                    except OSError:
                        return
                    continue
                return
            except (sqlite3.Error, OSError):
                self._off()
                return

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

    def get(self, scope: bytes, ids: Sequence[int]) -> dict[int, tuple[bytes, str, str]]:
        """(stamp, text, report) kept for each entry of ``ids`` (at most ``CHUNK``) in ``scope``."""
        if self._db is None or not ids:
            return {}
        try:
            found = self._db.execute(
                f"SELECT entry_id, stamp, text, report FROM rendered WHERE scope = ? AND entry_id IN "
                f"({', '.join('?' * len(ids))})", [scope, *ids])
            return {entry_id: (bytes(stamp), text, report) for entry_id, stamp, text, report in found}
        except sqlite3.Error:
            self._off()
            return {}

    def put(self, scope: bytes, items: Iterable[tuple[int, bytes, str, str]]) -> None:
        """Keep (entry id, stamp, text, report) in ``scope``, in one transaction, replacing the
        entry's older text; the first write of a run also removes what is older than ``days``
        and the oldest beyond ``MAX_ROWS``."""
        if self._db is None:
            return
        now = self._clock()
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany("INSERT OR REPLACE INTO rendered VALUES (?, ?, ?, ?, ?, ?)",
                                     ((scope, i, stamp, text, report, now) for i, stamp, text, report in items))
                if not self._pruned:
                    self._pruned = True
                    self._db.execute("DELETE FROM rendered WHERE stored < ?", (now - self.days * DAY,))
                    (count,) = self._db.execute("SELECT count(*) FROM rendered").fetchone()
                    if count > MAX_ROWS:
                        self._db.execute("DELETE FROM rendered WHERE rowid IN (SELECT rowid FROM rendered "
                                         "ORDER BY stored LIMIT ?)", (count - MAX_ROWS,))
        except sqlite3.Error:
            self._off()

    def close(self) -> None:
        self._off()


def forget(folder: Path, ids: Sequence[int]) -> None:
    """Drop the texts kept for the entries ``ids`` in every scope: called when entries are
    removed, because a later entry can be given a removed one's id (at the same revision, within
    the same second, the stamp alone could not tell them apart). No cache file: nothing to do;
    a file that cannot be written is left as it is (a cache never fails a command)."""
    path = folder / FILE_NAME
    if not ids or not path.exists():
        return
    try:
        conn = sqlite3.connect(path, timeout=2.0, isolation_level=None)
        try:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                for start in range(0, len(ids), 500):
                    part = list(ids[start:start + 500])
                    conn.execute(f"DELETE FROM rendered WHERE entry_id IN ({', '.join('?' * len(part))})", part)
        finally:
            conn.close()
    except sqlite3.Error:
        pass
