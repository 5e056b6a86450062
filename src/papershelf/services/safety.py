"""What keeps a catalogue safe around a change, below the door and ``maintenance``: how long
the trash keeps a removed entry (``trash.days``), the automatic backup before a destructive
write, and an SQLite failure of the catalogue file as a one-line error."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from papershelf.errors import PapershelfError, StorageError
from papershelf.storage import backups, db

if TYPE_CHECKING:
    from papershelf.storage.catalogue import Catalogue


def trash_days() -> int:
    """Days a removed entry stays in the trash (``trash.days``, default 30; 0: no trash)."""
    from papershelf import config

    return int(config.value("trash.days"))


def trash_cutoff(days: int) -> str:
    """The removal time before which trashed entries are purged, as the trash stores times."""
    from datetime import datetime, timedelta, timezone

    return (datetime.now(timezone.utc) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def trash_expiry(removed: str, days: int) -> str:
    """When an entry removed at ``removed`` leaves the trash for good."""
    from datetime import datetime, timedelta, timezone

    at = datetime.strptime(removed, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return (at + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def storage_error(exc: BaseException, path: Path, cat: Catalogue | None = None) -> PapershelfError | None:
    """An SQLite failure on the catalogue as a one-line error for a person (None: a bug)."""
    if not isinstance(exc, sqlite3.Error):
        return None
    return db.storage_error(exc, path, cat.conn if cat is not None else None)


def auto_backup(cat: Catalogue, what: str) -> Path:
    """A backup before a destructive change (``before-<what>``), older ones pruned. A catalogue
    opened read-only is refused here, before anything is written."""
    reason = getattr(cat.conn, "readonly_reason", None)
    if reason:
        raise StorageError(f"cannot change {cat.path}: {reason}; nothing was changed",
                           hint="reading commands (list, search, show, export, db backup FILE) still work")
    return backups.backup(cat.conn, cat.path, db.AUTO_PREFIX + what)
