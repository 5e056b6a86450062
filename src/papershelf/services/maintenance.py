"""Keeping the catalogue whole: ``db check`` (and ``--repair``), backups and their retention,
``db restore``, and what a failure of the catalogue file means for a person.

Automatic backups are taken before destructive commands (``remove``, merges such as
``import bibtex --update``, ``sync``, repairs, migrations) beside the catalogue as
``<stem>.<time>.before-<what>.bak<suffix>``; the newest ``PAPERSHELF_BACKUPS`` (default 10)
are kept (``catalogue.backups``). Manual ones (``db backup``) and the catalogues a restore replaced are never pruned.

The trash keeps removed entries ``trash.days`` days (``PAPERSHELF_TRASH_DAYS``) (``trash_days``); ``remove`` and
``restore`` purge what is older (``Library.remove``/``restore``, ``storage.trash``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papershelf.errors import CatalogueDamagedError, PapershelfError, StorageError

# the trash's retention, the automatic backup and storage failures live one level down
# (``services.safety``, which the door uses); they are imported from here too
from papershelf.services.safety import auto_backup, storage_error, trash_cutoff, trash_days, trash_expiry
from papershelf.storage import backups, db, integrity

if TYPE_CHECKING:
    from papershelf.storage.catalogue import Catalogue

__all__ = ["auto_backup", "storage_error", "trash_cutoff", "trash_days", "trash_expiry"]


@dataclass
class BackupInfo:
    path: Path
    time: str  # ISO 8601, UTC
    label: str
    bytes: int
    automatic: bool

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "time": self.time, "label": self.label,
                "bytes": self.bytes, "automatic": self.automatic}


def list_backups(path: Path) -> list[BackupInfo]:
    """The backups beside the catalogue at ``path``, newest first."""
    out = []
    for b in reversed(backups.list_backups(path)):
        s = b.stamp
        iso = f"{s[0:4]}-{s[4:6]}-{s[6:8]}T{s[9:11]}:{s[11:13]}:{s[13:15]}Z"
        out.append(BackupInfo(b.path, iso, b.label, b.bytes, b.automatic))
    return out


@dataclass
class CheckReport:
    path: Path
    findings: list[integrity.Finding] = field(default_factory=list)
    entries: int | None = None
    repaired: integrity.Repairs | None = None
    backup: Path | None = None  # taken before repairing
    before: list[integrity.Finding] = field(default_factory=list)  # what --repair found first

    @property
    def clean(self) -> bool:
        return not self.findings

    def verdict(self) -> PapershelfError | None:
        """How ``db check`` (and ``db restore``'s check) ends: exit 1 while a problem remains."""
        if self.clean:
            return None
        n = len(self.findings)
        repairable = self.repaired is None and any(f.repairable for f in self.findings)
        return PapershelfError(f"{n} problem{'s' if n != 1 else ''} in {self.path}",
                               hint="`papershelf db check --repair` mends the problems marked repairable "
                                    "(it backs up first and never deletes an entry)" if repairable
                               else "each is listed above")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": str(self.path), "clean": self.clean, "entries": self.entries,
                                "findings": [f.to_dict() for f in self.findings]}
        if self.repaired is not None:
            data["repaired"] = self.repaired.to_dict()
            data["found_before_repair"] = [f.to_dict() for f in self.before]
            data["backup"] = str(self.backup) if self.backup else None
        return data


def _findings(cat: Catalogue) -> tuple[list[integrity.Finding], int | None]:
    from papershelf.storage.migrations import MIGRATION_NAMES

    conn = cat.conn
    try:
        found = integrity.check(conn, MIGRATION_NAMES, db.applied_migrations(conn))
        entries = None if found and found[0].check == "integrity" else cat.count()
    except sqlite3.DatabaseError as exc:
        err = db.storage_error(exc, cat.path, conn)
        if not isinstance(err, CatalogueDamagedError):
            raise err or exc from None
        return [integrity.Finding("integrity", f"SQLite cannot read the file: {exc}")], None
    return found, entries


def _file_findings(cat: Catalogue, report: CheckReport) -> list[Any]:
    """Add what is wrong with the attached files to ``report``; the files to index again."""
    from papershelf.storage.files import has_table

    if report.entries is None or not has_table(cat.conn):
        return []
    from papershelf.services.attachments import check_files

    found, todo = check_files(cat.path, cat.conn)
    report.findings.extend(found)
    return todo


def check(path: Path, *, repair: bool = False) -> CheckReport:
    """Check the catalogue at ``path``; with ``repair``, back it up, rebuild the search index,
    delete orphaned rows (never an entry), and check again."""
    from papershelf.storage.catalogue import Catalogue

    report = CheckReport(path)
    try:
        cat, _ = Catalogue.open(path)
    except CatalogueDamagedError as exc:
        report.findings.append(integrity.Finding("integrity", exc.message))
        return report
    try:
        report.findings, report.entries = _findings(cat)
        todo = _file_findings(cat, report)
        if not repair or not report.findings:
            return report
        if any(not f.repairable and f.check != "files" for f in report.findings):
            raise CatalogueDamagedError(
                f"{path} has damage `db check --repair` cannot mend: "
                + "; ".join(f.problem for f in report.findings if not f.repairable),
                hint="`papershelf db backups` lists the copies `papershelf db restore BACKUP` can put back")
        if not any(f.repairable for f in report.findings):
            return report  # only missing files: put them back (or detach them); nothing to repair here
        report.before = report.findings
        report.backup = _backup_for_repair(cat)
        from papershelf.storage.files import has_table as has_files_table

        with cat.transaction():
            report.repaired = integrity.repair(cat.conn)
            if todo:
                from papershelf.services.attachments import reindex_files

                report.repaired.files = reindex_files(cat.path, cat.conn, todo)
            if has_files_table(cat.conn):
                from papershelf.services.attachments import tidy_files

                report.repaired.stray_files = tidy_files(cat.path, cat.conn)
        report.findings, after = _findings(cat)
        _file_findings(cat, report)
        if report.entries is not None and after != report.entries:  # never: repair deletes no entry
            raise StorageError(f"repair changed the number of entries ({report.entries} → {after})")
        report.entries = after
        return report
    except sqlite3.Error as exc:
        raise db.storage_error(exc, path, cat.conn) or exc from None
    finally:
        cat.close()


def _backup_for_repair(cat: Catalogue) -> Path:
    """A copy before repairing; a file SQLite cannot VACUUM is copied page by page."""
    try:
        return auto_backup(cat, "repair")
    except sqlite3.DatabaseError:
        target = backups.backup_name(cat.path, "before-repair")
        out = sqlite3.connect(str(target))
        try:
            cat.conn.backup(out)
        finally:
            out.close()
        return target


@dataclass
class RestoreReport:
    path: Path
    backup: Path
    replaced: Path | None  # where the catalogue it replaced was kept
    check: CheckReport

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "restored_from": str(self.backup),
                "replaced_kept_at": str(self.replaced) if self.replaced else None,
                "entries": self.check.entries, "check": self.check.to_dict()}


def restore(path: Path, backup: Path) -> RestoreReport:
    """Put ``backup`` in the place of the catalogue at ``path`` (see ``storage.db.restore``),
    then open it (migrating an older one) and check it."""
    replaced = backups.restore(path, backup)
    return RestoreReport(path, backup, replaced, check(path))


def prepare_init(path: Path) -> None:
    """``init`` makes a catalogue only where there is none; an empty file is taken over."""
    if path.is_file() and path.stat().st_size == 0:
        path.unlink()
    elif path.exists():
        raise PapershelfError(f"a catalogue already exists at {path}" if path.is_file()
                              else f"{path} exists and is not a file",
                              hint="use it as it is, or pick another path with --db")
