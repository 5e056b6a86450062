"""Opening the catalogue file: made when asked, refused when it is no catalogue, migrated to the
current schema with a backup first (``storage.backups``), opened read-only when it cannot be
written. Above ``storage.db`` (connections, the schema check) and ``storage.backups`` (which uses
``db``), so neither imports the other.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from papershelf.errors import CatalogueMissingError, StorageError
from papershelf.storage.db import (
    SQLITE_CANTOPEN,
    SQLITE_FULL,
    SQLITE_IOERR,
    SQLITE_READONLY,
    _open_error,
    applied_migrations,
    connect,
    not_writable,
    open_readonly_db,
    pending_migrations,
    primary_code,
    refuse_non_catalogue,
    storage_error,
)
from papershelf.storage.migrations import migration_set


def migrate(conn: sqlite3.Connection, path: Path, *, upto: str | None = None) -> Path | None:
    """Apply pending migrations (each in its own transaction). Returns the backup made, if any."""
    pending = pending_migrations(conn, path)
    if upto is not None:
        pending = pending[: pending.index(upto) + 1] if upto in pending else []
    if not pending:
        return None
    saved = None
    if applied_migrations(conn):  # a catalogue with data: keep a copy of it as it was
        from papershelf.storage.backups import backup  # (only when migrating: search stays light)

        saved = backup(conn, path, "before-" + pending[0])
    from sqlite_utils import Database

    migration_set(upto).apply(Database(conn, execute_plugins=False))
    return saved


def open_db(path: Path, *, create: bool, upto: str | None = None,
            readonly: str | None = None) -> tuple[sqlite3.Connection, bool]:
    """Open (or, with ``create``, make) the catalogue at ``path``, migrated to the current schema.

    Returns the connection and whether the file was created just now. Only a regular file
    that holds a database is opened: an empty file, a device or a directory is refused (``init``
    is the one command that makes a catalogue). A catalogue that cannot be written (read-only,
    or its disk full) is opened read-only, so it can still be read; so is one opened with a
    ``readonly`` reason (every write refused with it), which is never created nor migrated.
    """
    created = False
    if not path.exists():
        if not create or readonly:
            raise CatalogueMissingError(
                f"no catalogue at {path}",
                hint="create one with `papershelf init --db PATH`, or leave out --db/PAPERSHELF_DB "
                "to use the default catalogue",
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the catalogue at {path}: {exc.strerror}") from None
        created = True
    else:
        refuse_non_catalogue(path)
    reason = None if created else readonly or not_writable(path)
    if reason is not None:
        return open_readonly_db(path, reason), False
    try:
        conn = connect(path)
    except sqlite3.Error as exc:
        raise _open_error(exc, path) from None
    try:
        try:
            pending_migrations(conn, path)  # refuses foreign and newer files before any write
        except sqlite3.DatabaseError as exc:
            if primary_code(exc) in (SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_READONLY) and not created:
                conn.close()  # e.g. a full disk, where not even SQLite's -shm file can be made
                return open_readonly_db(path, _why_not_writable(path, exc), exc), False
            raise _open_error(exc, path) from None
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            migrate(conn, path, upto=upto)
        except sqlite3.Error as exc:
            raise storage_error(exc, path, conn) or exc from None
    except BaseException:
        conn.close()
        if created:
            path.unlink(missing_ok=True)
            for extra in ("-wal", "-shm", "-journal"):
                path.with_name(path.name + extra).unlink(missing_ok=True)
        raise
    return conn, created


def _why_not_writable(path: Path, exc: sqlite3.Error) -> str:
    try:
        fs = os.statvfs(path.parent)
        full = fs.f_bavail * fs.f_frsize < 256 * 1024  # less than SQLite needs beside the file
    except OSError:
        full = False
    if full or primary_code(exc) == SQLITE_FULL:
        return "there is no space left on the device holding it"
    return f"it could not be opened for writing ({exc})"
