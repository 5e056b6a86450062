"""The catalogue's connections: pragmas, transactions, the schema check, read-only opening, and
what SQLite's failures mean for a person. Opening with migrations (a backup first) is
``storage.opening``, above this module and ``storage.backups``.

A catalogue that cannot be written (a read-only file or directory, a full disk) is opened
read-only, so reading commands still work; a write then fails with the reason.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from papershelf import config
from papershelf.errors import (
    CatalogueBusyError,
    CatalogueDamagedError,
    PapershelfError,
    SchemaError,
    StorageError,
)
from papershelf.storage.lookup import ShelfConnection, connect_readonly
from papershelf.storage.migrations import MIGRATION_NAMES, MIGRATION_SET

MIGRATIONS_TABLE = "_sqlite_migrations"
BUSY_TIMEOUT_ENV = "PAPERSHELF_BUSY_TIMEOUT"
AUTO_PREFIX = "before-"  # the label of every automatic backup

# SQLite's primary result codes (an extended code's low byte).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26


def busy_timeout() -> float:
    """Seconds to wait for another process's lock (``catalogue.busy_timeout``, default 10)."""
    return float(config.value("catalogue.busy_timeout"))


def backup_limit() -> int:
    """How many automatic backups to keep per catalogue (``catalogue.backups``, default 10)."""
    return int(config.value("catalogue.backups"))


def connect(path: Path, *, timeout: float | None = None) -> ShelfConnection:
    """A connection in autocommit mode: every write goes through ``transaction()``.

    Nothing is written here: the file is checked (``pending_migrations``) before WAL mode or
    any migration touches it.
    """
    wait = busy_timeout() if timeout is None else timeout
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=wait, factory=ShelfConnection)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
    conn.row_factory = sqlite3.Row
    return conn


def not_writable(path: Path) -> str | None:
    """Why the catalogue at ``path`` cannot be written (SQLite also creates files beside it),
    or None when it can."""
    if not os.access(path, os.W_OK):
        return "the file is read-only"
    if not os.access(path.parent, os.W_OK):
        return f"its directory {path.parent} is read-only (SQLite needs to create files beside it)"
    return None


def primary_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def storage_error(exc: sqlite3.Error, path: Path, conn: sqlite3.Connection | None = None) -> PapershelfError | None:
    """What an SQLite failure on the catalogue at ``path`` means, as one line and a hint; None
    for a failure that is not about the file (a bug in papershelf)."""
    code = primary_code(exc)
    text = str(exc)
    if code in (SQLITE_BUSY, SQLITE_LOCKED) or "database is locked" in text:
        return CatalogueBusyError(
            f"the catalogue {path} is locked by another papershelf process; try again",
            hint=f"it was still locked after {busy_timeout():g} s ({BUSY_TIMEOUT_ENV} sets how long to wait)")
    if code == SQLITE_READONLY or "readonly database" in text:
        reason = getattr(conn, "readonly_reason", None) or not_writable(path) or "SQLite refused to write it"
        return StorageError(
            f"cannot change {path}: {reason}; nothing was changed",
            hint="reading commands (list, search, show, export, db backup FILE) still work")
    if code == SQLITE_FULL or "disk is full" in text:
        return StorageError(f"no space left on the device holding {path}; nothing was changed",
                            hint="free some space, then run the command again")
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in text:
        return CatalogueDamagedError(
            f"the catalogue {path} is damaged ({text})",
            hint="run `papershelf db check`; `papershelf db backups` lists the copies "
                 "`papershelf db restore BACKUP` can put back")
    if code == SQLITE_IOERR or "disk I/O error" in text:
        return StorageError(f"I/O error on {path} ({text}); nothing was changed",
                            hint="check the disk and its free space, then run `papershelf db check`")
    if code == SQLITE_CANTOPEN or "unable to open" in text:
        return StorageError(f"cannot open {path} ({text})",
                            hint="check that the file and its directory exist and can be read")
    return None


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; roll back on any exception, Ctrl-C included.

    SQLite may already have rolled back by itself (a full disk, an I/O error): the original
    error is the one raised, never "cannot rollback - no transaction is active".
    """
    if conn.in_transaction:  # nested: the outer transaction decides
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:  # SQLite rolled back itself; the first error is the one that matters
            pass


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATIONS_TABLE,)
    ).fetchone()
    if not exists:
        return []
    rows = conn.execute(
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
        (MIGRATION_SET,),
    )
    return [r[0] for r in rows]


def has_user_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchone()
    return row[0] > 0


def pending_migrations(conn: sqlite3.Connection, path: Path) -> list[str]:
    """The migrations still to apply; refuses a catalogue written by a newer papershelf."""
    applied = applied_migrations(conn)
    unknown = [name for name in applied if name not in MIGRATION_NAMES]
    if unknown:
        raise SchemaError(
            f"{path} was written by a newer papershelf (schema {unknown[-1]}); it was left untouched",
            hint="upgrade papershelf (pip install -U papershelf) to use this catalogue",
        )
    if not applied and has_user_tables(conn):
        raise SchemaError(
            f"{path} is an SQLite file but not a papershelf catalogue; it was left untouched",
            hint="point --db at a papershelf catalogue, or create one with `papershelf init --db PATH`",
        )
    return [name for name in MIGRATION_NAMES if name not in applied]


def refuse_non_catalogue(path: Path) -> None:
    """Refuse what cannot be a catalogue: a directory, a device, an empty file."""
    if path.is_dir():
        raise PapershelfError(f"{path} is a directory, not a catalogue file",
                              hint="point --db at a catalogue file")
    if not path.is_file():
        raise PapershelfError(f"{path} is not a regular file, so not a catalogue; it was left alone",
                              hint="point --db at a catalogue file, or create one with "
                                   "`papershelf init --db PATH`")
    if path.stat().st_size == 0:
        raise PapershelfError(f"{path} is an empty file, not a catalogue; it was left alone",
                              hint="`papershelf init --db PATH` makes a catalogue there")


def _open_error(exc: sqlite3.Error, path: Path) -> PapershelfError:
    if primary_code(exc) == SQLITE_NOTADB or "not a database" in str(exc):
        return PapershelfError(
            f"{path} is not a papershelf catalogue ({exc})",
            hint="point --db at a catalogue file, or create one with `papershelf init --db PATH`")
    return storage_error(exc, path) or StorageError(f"cannot open {path} ({exc})")


def open_readonly_db(path: Path, reason: str, first: sqlite3.Error | None = None) -> sqlite3.Connection:
    """The catalogue opened for reading only, because it cannot be written (``reason``).

    SQLite reads a WAL catalogue through a ``-shm`` file beside it; where none can be made
    and no ``-wal`` holds changes the file lacks, the file is read as it is (``immutable``).
    """
    wal = path.with_name(path.name + "-wal")
    pending_wal = wal.exists() and wal.stat().st_size > 0
    attempts = [False] if pending_wal else [False, True]
    error: sqlite3.Error | None = first
    for immutable in attempts:
        conn: sqlite3.Connection | None = None
        try:
            conn = connect_readonly(path, immutable=immutable, reason=reason)
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout() * 1000)}")
            pending = pending_migrations(conn, path)
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            error = exc
            if primary_code(exc) == SQLITE_NOTADB:
                break
            continue
        except BaseException:
            if conn is not None:
                conn.close()
            raise
        if pending:
            conn.close()
            raise StorageError(
                f"{path} needs migrating to this papershelf's schema, but cannot be written: {reason}",
                hint="make it writable (or copy it somewhere writable) and run papershelf again")
        return conn
    assert error is not None
    if pending_wal and primary_code(error) != SQLITE_NOTADB:
        raise StorageError(
            f"cannot read {path}: {reason}, and its -wal file holds changes that need write access "
            "to be read", hint="make the directory writable, or run papershelf where it is") from None
    raise _open_error(error, path) from None
