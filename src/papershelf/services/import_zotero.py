"""``import zotero``: a Zotero library, its keys intact, through the one door — even while
Zotero runs (``formats.zotero.snapshot`` reads a private copy with the WAL replayed).

Each regular item becomes an entry (``formats.zotero.mapping``) carrying its Zotero address
(``zotero://select/…/items/KEY``) as a link: a later import finds the entry by it, so nothing
is added twice, new items are added and items gone from Zotero are reported (with the
``papershelf remove`` that would take them out: nothing is removed here); an entry removed here
(or merged into another) stays out while the trash holds it. The link also keeps
what Zotero gave at the last import (``formats.zotero.baseline``): an item changed in Zotero
updates its entry (``Library.refresh``, as ``sync`` writes) field by field, never a field
edited here since, and never when the change would give the entry another entry's DOI or
arXiv id (the door's identity rule; reported, nothing written for that item). Tags and
collections new in Zotero are added; one Zotero gave and no longer gives is removed (a tag
added here stays).

Stored attachments (``storage:NAME``) and linked ones (an absolute path, or ``attachments:REL``
under Zotero's base directory: ``--base-dir``, else the profile's
``extensions.zotero.baseAttachmentPath``) that exist on disk are attached
(``services.attachments``: stored ones copied, linked ones linked where they are, full text
indexed); what ``attach`` refuses is reported with its reason, missing files per item; a file
already attached (same bytes) is left as it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papershelf.errors import NotFoundError
from papershelf.services.import_bibtex import ImportReport, import_entries

if TYPE_CHECKING:
    from papershelf.formats.zotero.baseline import Update
    from papershelf.formats.zotero.reader import ZoteroItem
    from papershelf.model.entry import Entry
    from papershelf.services.library import Library, Progress

ORIGIN_PREFIX = "zotero://select/"


def _profiles() -> list[Path]:
    """Zotero's profile folders (their ``prefs.js``) on Linux, macOS and Windows."""
    home = Path.home()
    bases = [home / ".zotero" / "zotero", home / "Library" / "Application Support" / "Zotero" / "Profiles"]
    if os.environ.get("APPDATA"):
        bases.append(Path(os.environ["APPDATA"]) / "Zotero" / "Zotero" / "Profiles")
    return [p for base in bases if base.is_dir() for p in sorted(base.glob("*/prefs.js"))]


def _prefs(name: str) -> list[str]:
    """Every profile's value of the string setting ``name`` (a ``user_pref("name", "…")`` line)."""
    import re

    pattern = re.compile(r'user_pref\("' + re.escape(name) + r'",\s*"((?:[^"\\]|\\.)*)"\)')
    out = []
    for prefs in _profiles():
        try:
            m = pattern.search(prefs.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        if m:
            out.append(re.sub(r"\\(.)", r"\1", m.group(1)))
    return out


def data_dirs() -> list[Path]:
    """Where Zotero keeps its data by default: ``~/Zotero``, then the profile's configured
    ``extensions.zotero.dataDir``."""
    return [Path.home() / "Zotero", *(Path(p) for p in _prefs("extensions.zotero.dataDir"))]


def base_directory() -> Path | None:
    """Zotero's base directory for linked files (``attachments:`` paths are relative to it):
    the profile's ``extensions.zotero.baseAttachmentPath``, when one is set."""
    found = _prefs("extensions.zotero.baseAttachmentPath")
    return Path(found[0]) if found else None


def locate(path: Path | None) -> tuple[Path, Path]:
    """(zotero.sqlite, its data directory) for a data directory, a database file, or nothing
    (then the usual data directories are searched)."""
    if path is None:
        for candidate in data_dirs():
            if (candidate / "zotero.sqlite").is_file():
                return candidate / "zotero.sqlite", candidate
        raise NotFoundError("no Zotero data directory found (looked in "
                            + ", ".join(str(p) for p in data_dirs()) + ")",
                            hint="name it: papershelf import zotero ~/path/to/Zotero")
    path = path.expanduser()
    if path.is_dir():
        if not (path / "zotero.sqlite").is_file():
            raise NotFoundError(f"{path} holds no zotero.sqlite")
        return path / "zotero.sqlite", path
    if not path.is_file():
        raise NotFoundError(f"no Zotero database at {path}")
    return path, path.parent


@dataclass
class ZoteroReport:
    database: str
    library: str
    userdata: int
    items: int = 0
    keys_kept: int = 0  # items whose Zotero/BBT key the entry kept
    keys_from: dict[str, int] = field(default_factory=dict)  # citationKey, better-bibtex, extra
    collections: int = 0  # item–collection memberships carried as tags
    tags: int = 0
    notes: int = 0
    base_dir: str | None = None  # where ``attachments:`` paths were looked for
    files_attached: list[dict[str, str]] = field(default_factory=list)  # key, file, mode (stored/linked)
    files_skipped: list[dict[str, str]] = field(default_factory=list)  # key, file, mode, why (attach refused it)
    files_missing: list[dict[str, str]] = field(default_factory=list)  # key, file, mode, why
    files_known: int = 0  # attached by an earlier import (the same bytes)
    unchanged: list[str] = field(default_factory=list)  # already imported, nothing to change
    refreshed: list[dict[str, Any]] = field(default_factory=list)  # key, fields: updated from Zotero
    kept: list[dict[str, Any]] = field(default_factory=list)  # key, fields: changed in Zotero, edited here
    conflicts: list[dict[str, str]] = field(default_factory=list)  # key, why: the update would make two one
    tags_added: list[dict[str, Any]] = field(default_factory=list)  # key, tags: new in Zotero
    tags_removed: list[dict[str, Any]] = field(default_factory=list)  # key, tags: Zotero no longer gives them
    gone: list[str] = field(default_factory=list)  # imported before, no longer in Zotero (or in its trash)
    removed_here: list[dict[str, str]] = field(default_factory=list)  # key, why: in Zotero, in papershelf's trash
    imported: ImportReport = field(default_factory=ImportReport)

    @property
    def changes(self) -> int:
        """What this import changed (or would): entries added or updated, tags, files."""
        return (len(self.imported.added) + len(self.refreshed) + len(self.tags_added) + len(self.tags_removed)
                + len(self.files_attached))

    @property
    def remove_command(self) -> str | None:
        """The command that removes the entries gone from Zotero (never run here)."""
        return "papershelf remove " + " ".join(self.gone) if self.gone else None

    def to_dict(self) -> dict[str, Any]:
        return {"database": self.database, "library": self.library, "userdata": self.userdata,
                "items": self.items, "keys_kept": self.keys_kept, "keys_from": self.keys_from,
                "collections": self.collections, "tags": self.tags, "notes": self.notes, "base_dir": self.base_dir,
                "files_attached": self.files_attached, "files_skipped": self.files_skipped,
                "files_missing": self.files_missing, "files_known": self.files_known,
                "unchanged": self.unchanged, "refreshed": self.refreshed, "kept": self.kept,
                "conflicts": self.conflicts, "tags_added": self.tags_added, "tags_removed": self.tags_removed,
                "gone": self.gone, "removed_here": self.removed_here, "remove_command": self.remove_command,
                "changes": self.changes,
                **self.imported.to_dict()}


def list_libraries(path: Path | None) -> tuple[Path, list[dict[str, Any]]]:
    from papershelf.formats.zotero.reader import check_version, libraries
    from papershelf.formats.zotero.snapshot import open_snapshot

    db, _ = locate(path)
    with open_snapshot(db) as conn:
        check_version(conn)
        return db, [{"id": lb.id, "kind": lb.kind, "name": lb.name} for lb in libraries(conn)]


def _catalogued_origins(lib: Library, label: str) -> dict[str, tuple[str, str]]:
    """Zotero address → (key, ``seen`` stamp) of every catalogued entry imported from this
    Zotero database (its link carries ``label``)."""
    out: dict[str, tuple[str, str]] = {}
    for entry in lib.iter_entries():
        for link in entry.links:
            if link.get("url", "").startswith(ORIGIN_PREFIX) and link.get("label") == label:
                out[link["url"]] = (entry.citekey, link.get("seen", ""))
    return out


def _removed_origins(lib: Library, label: str) -> dict[str, dict[str, str]]:
    """Zotero address → {key, why} of each entry from this Zotero database that the trash holds."""
    from papershelf.storage import trash

    out: dict[str, dict[str, str]] = {}
    for key, link, reason in trash.links_held(lib.cat.conn, ORIGIN_PREFIX):
        if link.get("label") == label and link["url"] not in out:
            why = reason or f"removed here (`papershelf restore {key}` brings it back)"
            out[link["url"]] = {"key": key, "why": why}
    return out


def import_zotero(lib: Library, path: Path | None, *, library: str | None = None, include_trash: bool = False,
                  base_dir: Path | None = None, files: bool = True, dry_run: bool = False, autotag: bool = True,
                  progress: Progress | None = None) -> ZoteroReport:
    """Import one Zotero library (see the module docstring)."""
    from papershelf.errors import SameWorkError
    from papershelf.formats.zotero.baseline import plan
    from papershelf.formats.zotero.mapping import origin_url, to_entry
    from papershelf.formats.zotero.reader import assign_keys, check_version, pick_library, read_items
    from papershelf.formats.zotero.snapshot import open_snapshot

    db, data_dir = locate(path)
    if base_dir is not None and not base_dir.expanduser().is_dir():
        raise NotFoundError(f"no directory {base_dir} (--base-dir: where Zotero's linked files are)")
    base = base_dir.expanduser() if base_dir is not None else base_directory()
    with open_snapshot(db) as conn:
        version = check_version(conn)
        chosen = pick_library(conn, library)
        group = conn.execute("SELECT groupID FROM groups WHERE libraryID=?", (chosen.id,)).fetchone()
        items = read_items(conn, chosen.id, data_dir=data_dir, base_dir=base, include_trash=include_trash)
    assign_keys(items, data_dir)
    report = ZoteroReport(str(db), chosen.name, version, items=len(items), base_dir=str(base) if base else None)
    label = f"Zotero {data_dir.resolve()}"
    known = _catalogued_origins(lib, label)
    removed = _removed_origins(lib, label)
    origins: dict[str, ZoteroItem] = {}
    new: list[Entry] = []
    updates: list[tuple[str, Update]] = []
    finals: list[tuple[str | None, str | None]] = []  # Zotero's key, the catalogued key when known
    for item in items:
        origin = origin_url(item, group[0] if group else None)
        origins[origin] = item
        entry = to_entry(item, origin, label)
        report.collections += len(item.collections)
        report.tags += len(item.tags)
        report.notes += len(item.notes)
        if item.citekey:
            report.keys_from[item.key_source or "?"] = report.keys_from.get(item.key_source or "?", 0) + 1
        if origin not in known and origin in removed:  # removed here (or merged): not brought back
            report.removed_here.append(removed[origin])
            finals.append((item.citekey, None))
            continue
        if origin not in known:
            new.append(entry)
            finals.append((item.citekey, None))
            continue
        stored = lib.get(known[origin][0])
        finals.append((item.citekey, stored.citekey))
        update = plan(stored, entry, known[origin][1], origin)
        if update is None:
            report.unchanged.append(stored.citekey)
            continue
        if update.kept:
            report.kept.append({"key": stored.citekey, "fields": update.kept})
        if update.fields:
            try:  # the door's identity rule, asked before the batch: one item left out, not all
                lib.door.refuse_same_work(stored.id or 0, stored, update.entry)
            except SameWorkError as exc:
                report.conflicts.append({"key": stored.citekey, "why": exc.message})
                continue
            report.refreshed.append({"key": stored.citekey, "fields": update.fields})
        if update.tags_added:
            report.tags_added.append({"key": stored.citekey, "tags": update.tags_added})
        if update.tags_removed:
            report.tags_removed.append({"key": stored.citekey, "tags": update.tags_removed})
        if not update.changes:
            report.unchanged.append(stored.citekey)
        updates.append((stored.citekey, update))  # the new stamp, at least
    report.gone = sorted(key for origin, (key, _) in known.items()
                         if origin not in origins and origin.startswith(ORIGIN_PREFIX + (
                             f"groups/{group[0]}/" if group else "library/")))
    if updates and not dry_run:
        _write_updates(lib, report, updates)
    report.imported = import_entries(lib, new, dry_run=dry_run, autotag=autotag, progress=progress,
                                     journal="import zotero")
    added = set(report.imported.added)
    report.keys_kept = sum(1 for key, final in finals if key and (final == key if final else key in added))
    if files:
        carry_files(lib, report, origins, label, dry_run=dry_run)
    return report


def _write_updates(lib: Library, report: ZoteroReport, updates: list[tuple[str, Update]]) -> None:
    """Zotero's changes in one transaction (``_write``). When the door refuses the batch (two
    changes of it would make two entries one work, which no change alone does), each is written
    alone and the refused ones are left out and reported."""
    from papershelf.errors import SameWorkError

    try:
        _write(lib, updates)
        return
    except SameWorkError:
        pass
    for key, u in updates:
        try:
            _write(lib, [(key, u)])
        except SameWorkError as exc:
            report.conflicts.append({"key": key, "why": exc.message})
            for rows in (report.refreshed, report.tags_added, report.tags_removed):
                rows[:] = [r for r in rows if r["key"] != key]


def _write(lib: Library, updates: list[tuple[str, Update]]) -> None:
    """The fields (``Library.refresh``, as sync writes), and with them the tags added and
    removed and the notes replaced, in one transaction. An entry with no verbatim .bib text
    keeps its ``edited`` list as it was: Zotero's values are no edit made here."""
    from papershelf.storage.rows import VERBATIM

    def rest() -> None:
        for key, u in updates:
            if u.tags_added:
                lib.door.tag(key, u.tags_added)
            if u.tags_removed:
                lib.door.untag(key, u.tags_removed)
            if u.notes is not None:
                lib.door.set_notes(key, u.notes, append=False)

    lib.refresh([(u.entry.id, u.entry, [*u.names, *(VERBATIM if not u.entry.source_fields else ())])
                 for _, u in updates if u.entry.id is not None], also=rest)


def carry_files(lib: Library, report: ZoteroReport, origins: dict[str, ZoteroItem], label: str, *,
                dry_run: bool) -> None:
    """Attach each item's files that exist on disk to its entry (``Library.attach``: a stored
    file copied in, a linked one linked where it is; the full text indexed), each file its own
    transaction. A missing file, a file that is not a PDF, or an item with no entry here (a
    duplicate of an entry not from Zotero) is reported, never fatal; a file already attached
    (a re-import) is left alone."""
    from papershelf.errors import PapershelfError
    from papershelf.services.attachments import not_a_pdf, sha256_of

    if not any(item.attachments for item in origins.values()):
        return
    keys = {origin: key for origin, (key, _) in _catalogued_origins(lib, label).items()} if not dry_run else {}
    for origin, item in origins.items():
        key = keys.get(origin) or item.citekey or item.key
        have: set[str] | None = None
        for att in item.attachments:
            row = {"key": key, "file": str(att.path) if att.path else att.raw or att.title,
                   "mode": "linked" if att.linked else "stored"}
            if att.path is None:
                report.files_missing.append(dict(row, why=(
                    "relative to Zotero's base directory, which is not known (--base-dir DIR)"
                    if att.raw.startswith("attachments:") else "no path")))
                continue
            if not att.exists:
                report.files_missing.append(dict(row, why="not on disk"))
                continue
            why = not_a_pdf(att.path)
            if why:
                report.files_skipped.append(dict(row, why=why.replace(f"{att.path} ", "", 1)))
                continue
            if dry_run:
                report.files_attached.append(row)
                continue
            if origin not in keys:
                report.files_skipped.append(dict(row, why="its item is not an entry here (a duplicate)"))
                continue
            if have is None:  # the bytes attached, and the paths linked (a linked file edited since is the same file)
                have = {x for f in lib.files_of(key) for x in (f.sha256, *([f.name] if f.linked else []))}
            sha = sha256_of(att.path)[0]
            if sha in have or (att.linked and str(att.path.resolve()) in have):
                report.files_known += 1
                continue
            try:
                lib.attach(key, [att.path], link=att.linked)
            except PapershelfError as exc:
                report.files_skipped.append(dict(row, why=exc.message))
                continue
            have.add(sha)
            report.files_attached.append(row)
