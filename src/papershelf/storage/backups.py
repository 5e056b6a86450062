"""Backups and restore: copies written whole or not at all, pruned to a limit, and a restore
that never lets a stale WAL meet the restored file.

Backups live beside the catalogue as ``<stem>.<time>.<label>.bak<suffix>``; the automatic ones
(label ``before-…``, taken before migrations and destructive commands) are pruned to the newest
``PAPERSHELF_BACKUPS`` (default 10). Manual copies and replaced files are never pruned.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from papershelf.errors import (
    CatalogueBusyError,
    CatalogueDamagedError,
    CatalogueMissingError,
    PapershelfError,
    SchemaError,
    StorageError,
    UsageError,
)
from papershelf.storage.db import (
    AUTO_PREFIX,
    SQLITE_BUSY,
    SQLITE_LOCKED,
    SQLITE_NOTADB,
    _rollback,
    applied_migrations,
    backup_limit,
    busy_timeout,
    connect,
    connect_readonly,
    pending_migrations,
    primary_code,
    refuse_non_catalogue,
    storage_error,
)


@dataclass(frozen=True)
class BackupFile:
    """A backup beside the catalogue: ``<stem>.<stamp>.<label>.bak<suffix>``."""

    path: Path
    stamp: str
    label: str
    bytes: int
    mtime_ns: int

    @property
    def automatic(self) -> bool:
        return self.label.startswith(AUTO_PREFIX)


def backup_name(path: Path, label: str) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.stem}.{stamp}.{label}.bak{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.{stamp}.{label}-{n}.bak{path.suffix}")
    return target


def backup(conn: sqlite3.Connection, path: Path, label: str, *, keep: int | None = None) -> Path:
    """A consistent copy in a sibling file named after the time and ``label``; returns its path.

    An automatic backup (label ``before-…``) prunes the older automatic ones to the newest
    ``keep`` (default ``PAPERSHELF_BACKUPS``); other backups are never pruned.
    """
    limit = backup_limit() if keep is None else keep
    if not os.access(path.parent, os.W_OK):
        raise StorageError(f"cannot write a backup beside {path}: its directory is read-only",
                           hint="give the copy a place: `papershelf db backup FILE`")
    import re

    from papershelf.files import clean_stale

    clean_stale(path, ".part", names=rf"{re.escape(path.stem)}\..+\.bak{re.escape(path.suffix)}")
    target = backup_to(conn, backup_name(path, label), rename=lambda: backup_name(path, label))
    if label.startswith(AUTO_PREFIX):
        prune_backups(path, limit)
    return target


def backup_to(conn: sqlite3.Connection, target: Path, *, rename: Callable[[], Path] | None = None) -> Path:
    """A consistent copy of the catalogue at ``target``, which must not exist; returns where.

    The copy is written under a temporary name of its own (``files.temp_name``: process id and
    a random part, so two commands backing up in the same second never share one) and put in
    place only when it is complete and holds a catalogue, without ever replacing a file: if
    another process took the name meanwhile, ``rename`` gives the next free one (without it,
    the name taken is an error). An interrupted or failed backup (Ctrl-C, a full disk) leaves
    nothing behind, never an empty or table-less file.
    """
    from papershelf.files import check_target, temp_name

    check_target(target, "the backup")  # a FIFO, a device, a symlink loop: one line, exit 2
    if rename is None and target.exists():  # a name the user gave; an automatic one is claimed at the end
        raise PapershelfError(f"{target} already exists; not overwriting it")
    part = temp_name(target, ".part")
    try:
        if conn.execute("PRAGMA query_only").fetchone()[0]:  # VACUUM INTO counts as a write
            out = sqlite3.connect(str(part), isolation_level=None)
            try:
                conn.backup(out)
                out.execute("PRAGMA journal_mode = DELETE")
            finally:
                out.close()
        elif conn.in_transaction:  # the catalogue as last committed, read beside the writer
            main = conn.execute("PRAGMA database_list").fetchone()[2]
            reader = connect(Path(main))
            try:
                reader.execute("VACUUM INTO ?", (str(part),))
            finally:
                reader.close()
        else:
            conn.execute("VACUUM INTO ?", (str(part),))
        from urllib.request import pathname2url

        check = sqlite3.connect(f"file:{pathname2url(str(part.resolve()))}?mode=ro", uri=True)
        try:
            whole = applied_migrations(check) and check.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            check.close()
        if not whole:
            raise StorageError(f"the copy written to {target} was incomplete; it was not kept")
        _fsync(part)
        target = _claim(part, target, rename)
        _fsync_dir(target.parent)
    except BaseException:
        part.unlink(missing_ok=True)
        for extra in ("-journal", "-wal", "-shm"):
            part.with_name(part.name + extra).unlink(missing_ok=True)
        raise
    return target


def _claim(part: Path, target: Path, rename: Callable[[], Path] | None) -> Path:
    """Give the finished copy ``part`` the name ``target`` without replacing a file that took
    it meanwhile (a hard link fails if the name exists); the name given."""
    for _ in range(100):
        try:
            os.link(part, target)
        except FileExistsError:
            if rename is None:
                raise PapershelfError(f"{target} already exists; not overwriting it") from None
            target = rename()
            continue
        except OSError:  # a filesystem without hard links: the name was free a moment ago
            if target.exists():
                if rename is None:
                    raise PapershelfError(f"{target} already exists; not overwriting it") from None
                target = rename()
                continue
            os.replace(part, target)
            return target
        part.unlink()
        return target
    raise StorageError(f"no free name for a backup beside {target}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        _fsync(path)
    except OSError:  # not every filesystem lets a directory be synced
        pass


def list_backups(path: Path) -> list[BackupFile]:
    """The backups beside the catalogue at ``path``, oldest first."""
    head, tail = f"{path.stem}.", f".bak{path.suffix}"
    found: list[tuple[tuple[str, int, int], BackupFile]] = []
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    for name in names:
        if not (name.startswith(head) and name.endswith(tail)):
            continue
        middle = name[len(head):len(name) - len(tail)]
        stamp, _, label = middle.partition(".")
        if not (len(stamp) == 16 and stamp.endswith("Z") and stamp[8] == "T" and label):
            continue
        file = path.with_name(name)
        try:
            st = file.stat()
        except OSError:
            continue
        base, _, n = label.rpartition("-")
        order = int(n) if base and n.isdigit() else 1
        found.append(((stamp, st.st_mtime_ns, order),  # within a second: by when it was written
                      BackupFile(file, stamp, label, st.st_size, st.st_mtime_ns)))
    return [b for _, b in sorted(found, key=lambda pair: pair[0])]


def prune_backups(path: Path, keep: int) -> list[Path]:
    """Delete the automatic backups beyond the newest ``keep``; returns what was deleted."""
    automatic = [b for b in list_backups(path) if b.automatic]
    gone = [b.path for b in automatic[:max(0, len(automatic) - keep)]]
    for old in gone:
        old.unlink(missing_ok=True)
    return gone



def restore(path: Path, source: Path) -> Path | None:
    """Put the backup ``source`` in the place of the catalogue at ``path``, atomically; returns
    where the replaced catalogue was kept (``<stem>.<time>.replaced.bak<suffix>``), if any.

    The backup is copied beside the catalogue and checked first (a papershelf catalogue of a
    known schema, SQLite's integrity check clean); nothing changes when it is not. The current
    catalogue is then held exclusively, its WAL folded into it (a ``-wal`` left by a killed
    process included), and kept aside, so no stale WAL can ever be applied to the restored file.
    Refused while another process has the catalogue open.
    """
    import shutil

    if not source.is_file():
        raise CatalogueMissingError(f"no backup file at {source}")
    if path.exists() and source.resolve() == path.resolve():
        raise UsageError(f"{source} is the catalogue itself; name a backup of it")
    if path.exists() and not path.is_file():
        refuse_non_catalogue(path)
    if not os.access(path.parent, os.W_OK):
        raise StorageError(f"cannot restore into {path.parent}: the directory is read-only")
    from papershelf.files import temp_name

    part = temp_name(path, ".restore.part")
    current: sqlite3.Connection | None = None
    try:
        _checked_copy(source, part)
        aside = None
        if path.exists():
            current = _hold(path)
            aside = backup_name(path, "replaced")
            try:
                os.link(path, aside)
            except OSError:  # a filesystem without hard links
                shutil.copy2(path, aside)
            for extra in ("-wal", "-shm", "-journal"):  # only where the current file could not be held
                side = path.with_name(path.name + extra)
                if side.exists():
                    os.replace(side, aside.with_name(aside.name + extra))
        os.replace(part, path)
        _fsync_dir(path.parent)
        return aside
    except sqlite3.Error as exc:
        raise storage_error(exc, path) or exc from None
    finally:
        part.unlink(missing_ok=True)
        for extra in ("-journal", "-wal", "-shm"):
            part.with_name(part.name + extra).unlink(missing_ok=True)
        if current is not None:
            _rollback(current)
            current.close()


def _checked_copy(source: Path, part: Path) -> None:
    """A consistent copy of the backup at ``part``, refused unless it is a whole catalogue."""
    try:
        try:
            src = connect_readonly(source)
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            if primary_code(exc) == SQLITE_NOTADB:
                raise
            src = connect_readonly(source, immutable=True)  # a backup in a read-only place
        try:
            out = sqlite3.connect(str(part), isolation_level=None)
            try:
                src.backup(out)
            finally:
                out.close()
        finally:
            src.close()
        out = sqlite3.connect(str(part), isolation_level=None)
        try:
            problems = [r[0] for r in out.execute("PRAGMA integrity_check(5)")]
            if problems != ["ok"]:
                raise CatalogueDamagedError(f"{source} is damaged ({'; '.join(problems)}); nothing was restored")
            if not applied_migrations(out):
                raise SchemaError(f"{source} is not a papershelf catalogue; nothing was restored")
            pending_migrations(out, source)  # refuses a backup from a newer papershelf
            out.execute("PRAGMA journal_mode = DELETE")
        finally:
            out.close()
        _fsync(part)
    except sqlite3.DatabaseError as exc:
        raise PapershelfError(f"{source} is not a papershelf catalogue ({exc}); nothing was restored") from None


def _hold(path: Path) -> sqlite3.Connection | None:
    """The current catalogue, its WAL checkpointed into it and removed, locked exclusively;
    None when it cannot be opened as a database (damaged: its files are set aside as they are).
    Raises ``CatalogueBusyError`` while another process has it open."""
    try:
        conn = connect(path, timeout=min(busy_timeout(), 2.0))
    except sqlite3.Error:
        return None
    try:
        conn.execute("PRAGMA journal_mode = DELETE")  # needs every other connection gone
        conn.execute("BEGIN EXCLUSIVE")
        return conn
    except sqlite3.Error as exc:
        conn.close()
        if primary_code(exc) in (SQLITE_BUSY, SQLITE_LOCKED):
            raise CatalogueBusyError(
                f"the catalogue {path} is open in another papershelf process; nothing was restored",
                hint="close it (or wait for it to finish), then run `papershelf db restore` again") from None
        return None
