"""A consistent, private copy of a Zotero database, even while Zotero runs.

Zotero keeps ``zotero.sqlite`` open in WAL mode with an exclusive lock: a reader of the live
file gets "database is locked", and ``immutable=1`` silently misses every write still in the
WAL. So the database and its ``-wal`` (and ``-journal``) are copied to a temporary directory
and the copy is opened: SQLite replays the WAL into the copy, and the live files are only read.
A file that changed size or time while being copied (Zotero writing) is copied once more; if
it changes again the snapshot is refused with one line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from papershelf.errors import NotFoundError, PapershelfError

SIDECARS = ("-wal", "-journal")


def _stamp(paths: list[Path]) -> list[tuple[int, int] | None]:
    out: list[tuple[int, int] | None] = []
    for p in paths:
        try:
            st = p.stat()
        except FileNotFoundError:
            out.append(None)
            continue
        out.append((st.st_size, st.st_mtime_ns))
    return out


def _copy(db: Path, into: Path) -> bool:
    """Copy the database and its sidecars into ``into``; True when nothing changed meanwhile."""
    live = [db] + [db.with_name(db.name + s) for s in SIDECARS]
    before = _stamp(live)
    for src, stamp in zip(live, before, strict=True):
        target = into / src.name.replace(db.name, "zotero.sqlite")
        if target.exists():
            target.unlink()
        if stamp is not None:
            try:
                shutil.copyfile(src, target)
            except FileNotFoundError:  # a -journal gone between stat and copy
                return False
    return _stamp(live) == before


@contextmanager
def open_snapshot(db: Path) -> Iterator[sqlite3.Connection]:
    """A read connection on a private copy of ``db`` (with its WAL replayed); the copy is
    removed afterwards. Raises NotFoundError when ``db`` is missing, PapershelfError when it
    keeps changing during the copy or is no SQLite database."""
    if not db.is_file():
        raise NotFoundError(f"no Zotero database at {db}")
    with tempfile.TemporaryDirectory(prefix="papershelf-zotero-") as tmp:
        into = Path(tmp)
        if not _copy(db, into) and not _copy(db, into):
            raise PapershelfError(f"{db} changed while it was being copied, twice (Zotero is writing to it)",
                                  hint="try again in a moment, or close Zotero")
        copy = into / "zotero.sqlite"
        os.chmod(copy, 0o600)
        try:
            conn = sqlite3.connect(str(copy))
            # the copy is private: reading it replays and checkpoints its WAL into the copy only
            conn.execute("PRAGMA query_only=1")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise PapershelfError(f"{db} is not a readable SQLite database ({exc})") from None
        try:
            yield conn
        finally:
            conn.close()
