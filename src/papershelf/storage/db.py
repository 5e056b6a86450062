"""Opening the catalogue file: pragmas, the schema check, migrations with a backup first."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from papershelf.errors import CatalogueMissingError, PapershelfError, SchemaError
from papershelf.storage.migrations import MIGRATION_NAMES, MIGRATION_SET, migration_set

MIGRATIONS_TABLE = "_sqlite_migrations"


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode: every write goes through ``transaction()``.

    Nothing is written here: the file is checked (``pending_migrations``) before WAL mode or
    any migration touches it.
    """
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=10)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.row_factory = sqlite3.Row
    return conn


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A connection that cannot write: SQLite's ``mode=ro`` plus ``query_only``.

    For shell completion and other lookups that must leave the file exactly as it is: no
    schema check that writes, no migration, no WAL switch, no backup.
    """
    from urllib.request import pathname2url

    uri = f"file:{pathname2url(str(path.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=2)
    conn.execute("PRAGMA query_only = ON")
    conn.row_factory = sqlite3.Row
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; roll back on any exception, Ctrl-C included."""
    if conn.in_transaction:  # nested: the outer transaction decides
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


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


def backup(conn: sqlite3.Connection, path: Path, label: str) -> Path:
    """``VACUUM INTO`` a sibling file named after the time and ``label``; returns its path."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.stem}.{stamp}.{label}.bak{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.{stamp}.{label}-{n}.bak{path.suffix}")
    return backup_to(conn, target)


def backup_to(conn: sqlite3.Connection, target: Path) -> Path:
    """A consistent copy of the catalogue at ``target`` (``VACUUM INTO``), which must not exist."""
    if target.exists():
        raise PapershelfError(f"{target} already exists; not overwriting it")
    conn.execute("VACUUM INTO ?", (str(target),))
    return target


def migrate(conn: sqlite3.Connection, path: Path, *, upto: str | None = None) -> Path | None:
    """Apply pending migrations (each in its own transaction). Returns the backup made, if any."""
    pending = pending_migrations(conn, path)
    if upto is not None:
        pending = pending[: pending.index(upto) + 1] if upto in pending else []
    if not pending:
        return None
    saved = None
    if applied_migrations(conn):  # a catalogue with data: keep a copy of it as it was
        saved = backup(conn, path, "before-" + pending[0])
    from sqlite_utils import Database

    migration_set(upto).apply(Database(conn, execute_plugins=False))
    return saved


def open_db(path: Path, *, create: bool, upto: str | None = None) -> tuple[sqlite3.Connection, bool]:
    """Open (or, with ``create``, make) the catalogue at ``path``, migrated to the current schema.

    Returns the connection and whether the file was created just now.
    """
    created = False
    if not path.exists():
        if not create:
            raise CatalogueMissingError(
                f"no catalogue at {path}",
                hint="create one with `papershelf init --db PATH`, or leave out --db/PAPERSHELF_DB "
                "to use the default catalogue",
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        created = True
    elif path.is_dir():
        raise PapershelfError(f"{path} is a directory, not a catalogue file")
    conn = connect(path)
    try:
        try:
            pending_migrations(conn, path)  # refuses foreign and newer files before any write
        except sqlite3.DatabaseError as exc:
            raise PapershelfError(
                f"{path} is not a papershelf catalogue ({exc})",
                hint="point --db at a catalogue file, or create one with `papershelf init --db PATH`",
            ) from None
        conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn, path, upto=upto)
    except BaseException:
        conn.close()
        if created:
            path.unlink(missing_ok=True)
        raise
    return conn, created
