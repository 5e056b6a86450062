"""Rendered entries kept for the next export: ``rendered.db`` in the cache directory.

An export renders each entry's text from its stored rows; most entries have not changed since
the last export, so their text is kept here, per catalogue (the random id ``m012`` gave it,
``storage.changes``), *scope* (a digest of everything else the text depends on: the schema,
the style and options, papershelf's version and rendering code; see ``services.export_cache``)
and entry id. The file also records, per catalogue, the point of its change log the texts are
true at (``history``: a ``changes.Position``). Before an export reads a text, ``follow`` brings
that point to the catalogue's present: the texts of every entry the log says was added, changed
or removed since are dropped, in one transaction; when the log cannot tell (another history: a
backup restored, a copy changed on its own; a point pruned from the log; a catalogue without a
log), every text of that catalogue is dropped. A text is kept (``put``) only while the point is
still the one the export started from, so two exports at once never leave an old text behind.
Texts leave the file after ``days`` (``PAPERSHELF_CACHE_DAYS``, like the metadata answers; 0
turns this cache off), and the oldest go when it holds more than ``MAX_ROWS``.

Like the metadata cache, it is a convenience: a file that cannot be opened, read or written
(read-only, locked past a short timeout) is left alone and every entry is rendered; a damaged
file (not an SQLite database, malformed) is ours, so it is replaced by an empty one. But a
cache file that is a symbolic link, or that is a papershelf catalogue, is refused with a
one-line error (``CacheRefused``): writing cache tables into it would change someone's data.
An export that only finds texts never writes the file.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from papershelf.errors import StorageError
from papershelf.storage import changes
from papershelf.storage.changes import Position

FILE_NAME = "rendered.db"
MAX_ROWS = 250_000  # both styles of a 100,000-entry catalogue, and more (about 250 MB of text)
DAY = 86400.0
_SCHEMA = """
DROP TABLE IF EXISTS rendered;
CREATE TABLE IF NOT EXISTS texts (
    catalogue TEXT NOT NULL, scope BLOB NOT NULL, entry_id INTEGER NOT NULL, text TEXT NOT NULL,
    report TEXT NOT NULL, stored REAL NOT NULL, PRIMARY KEY (catalogue, scope, entry_id)
);
CREATE INDEX IF NOT EXISTS texts_entry ON texts(catalogue, entry_id);
CREATE INDEX IF NOT EXISTS texts_stored ON texts(stored);
CREATE TABLE IF NOT EXISTS history (catalogue TEXT NOT NULL PRIMARY KEY, seq INTEGER NOT NULL, token BLOB);
"""
_CATALOGUE_TABLES = ("entries", "_sqlite_migrations", "changes", "meta")
_DAMAGED = ("not a database", "malformed", "disk image")


class CacheRefused(StorageError):
    """The cache file is a symbolic link or a papershelf catalogue: it is not written."""


class RenderCache:
    """``follow`` a catalogue, then ``get`` texts and ``put`` new ones; every failure of the
    file turns it off quietly (``enabled`` False)."""

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
                if path.is_symlink():
                    raise CacheRefused(f"the render cache {path} is a symbolic link; remove it "
                                       f"(or set PAPERSHELF_CACHE_DAYS=0)")
                folder.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(path, timeout=0.5, isolation_level=None)
                if self._db.execute(f"SELECT 1 FROM sqlite_master WHERE name IN "
                                    f"({', '.join('?' * len(_CATALOGUE_TABLES))})",
                                    _CATALOGUE_TABLES).fetchone():
                    self._off()
                    raise CacheRefused(f"the render cache {path} is a papershelf catalogue, not a "
                                       f"cache; move it away (or set PAPERSHELF_CACHE_DAYS=0)")
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

    def follow(self, conn: sqlite3.Connection) -> Position | None:
        """Bring the texts kept for the catalogue open on ``conn`` to its present (see the module
        docstring) and return that present: the position to ``get`` and ``put`` at. None: no
        cache for this export (off, failed, or the catalogue has no change log)."""
        if self._db is None:
            return None
        try:
            now = changes.position(conn)
            if now is None:
                return None
            row = self._db.execute("SELECT seq, token FROM history WHERE catalogue = ?",
                                   (now.catalogue,)).fetchone()
            if row is not None and (row[0], _blob(row[1])) == (now.seq, now.token):
                return now  # nothing changed: nothing is written
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                row = self._db.execute("SELECT seq, token FROM history WHERE catalogue = ?",
                                       (now.catalogue,)).fetchone()
                stale = None if row is None else changes.changed_ids(
                    conn, Position(now.catalogue, row[0], _blob(row[1])))
                if stale is None:
                    self._db.execute("DELETE FROM texts WHERE catalogue = ?", (now.catalogue,))
                else:
                    ids = sorted(stale)
                    for start in range(0, len(ids), 500):
                        part = ids[start:start + 500]
                        self._db.execute(f"DELETE FROM texts WHERE catalogue = ? AND entry_id IN "
                                         f"({', '.join('?' * len(part))})", [now.catalogue, *part])
                self._db.execute("INSERT OR REPLACE INTO history VALUES (?, ?, ?)",
                                 (now.catalogue, now.seq, now.token))
            return now
        except sqlite3.Error:
            self._off()
            return None

    def get(self, at: Position, scope: bytes, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """(text, report) kept for each entry of ``ids`` (at most 500) in ``scope``, as ``follow``
        left them at ``at``."""
        if self._db is None or not ids:
            return {}
        try:
            found = self._db.execute(
                f"SELECT entry_id, text, report FROM texts WHERE catalogue = ? AND scope = ? AND entry_id IN "
                f"({', '.join('?' * len(ids))})", [at.catalogue, scope, *ids])
            return {entry_id: (text, report) for entry_id, text, report in found}
        except sqlite3.Error:
            self._off()
            return {}

    def put(self, at: Position, scope: bytes, items: Iterable[tuple[int, str, str]]) -> None:
        """Keep (entry id, text, report) in ``scope``, rendered from the catalogue at ``at`` or
        later, in one transaction; nothing is kept when another export moved the catalogue's
        point meanwhile. The first write of a run also removes what is older than ``days``
        and the oldest beyond ``MAX_ROWS``."""
        if self._db is None:
            return
        now = self._clock()
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                row = self._db.execute("SELECT seq, token FROM history WHERE catalogue = ?",
                                       (at.catalogue,)).fetchone()
                if row is None or (row[0], _blob(row[1])) != (at.seq, at.token):
                    return
                self._db.executemany("INSERT OR REPLACE INTO texts VALUES (?, ?, ?, ?, ?, ?)",
                                     ((at.catalogue, scope, i, text, report, now) for i, text, report in items))
                if not self._pruned:
                    self._pruned = True
                    self._db.execute("DELETE FROM texts WHERE stored < ?", (now - self.days * DAY,))
                    (count,) = self._db.execute("SELECT count(*) FROM texts").fetchone()
                    if count > MAX_ROWS:
                        self._db.execute("DELETE FROM texts WHERE rowid IN (SELECT rowid FROM texts "
                                         "ORDER BY stored LIMIT ?)", (count - MAX_ROWS,))
        except sqlite3.Error:
            self._off()

    def close(self) -> None:
        self._off()


def _blob(value: bytes | None) -> bytes | None:
    return None if value is None else bytes(value)
