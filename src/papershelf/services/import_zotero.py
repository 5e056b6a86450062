"""``import zotero``: a Zotero library, its keys intact, through the one door — even while
Zotero runs (``formats.zotero.snapshot`` reads a private copy with the WAL replayed).

Each regular item becomes an entry (``formats.zotero.mapping``) carrying its Zotero address
(``zotero://select/…/items/KEY``) as a link: a later import finds the entry by it, so nothing
is added twice, new items are added and items gone from Zotero are reported. An item changed
in Zotero updates its entry (``Library.refresh``) only if the entry was not changed here since
papershelf last wrote it — the link records the entry's revision then — else it is reported and
the catalogued entry (the user's edits) is kept. Attachments are listed per item, found or missing on disk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papershelf.errors import NotFoundError
from papershelf.services.import_bibtex import ImportReport, import_entries

if TYPE_CHECKING:
    from papershelf.model.entry import Entry
    from papershelf.services.library import Library, Progress

ORIGIN_PREFIX = "zotero://select/"


def data_dirs() -> list[Path]:
    """Where Zotero keeps its data by default: ``~/Zotero``, then the profile's configured
    ``extensions.zotero.dataDir`` (a ``prefs.js`` line), on Linux, macOS and Windows."""
    import re

    home = Path.home()
    out = [home / "Zotero"]
    profiles = [home / ".zotero" / "zotero", home / "Library" / "Application Support" / "Zotero" / "Profiles"]
    if os.environ.get("APPDATA"):
        profiles.append(Path(os.environ["APPDATA"]) / "Zotero" / "Zotero" / "Profiles")
    for base in profiles:
        for prefs in sorted(base.glob("*/prefs.js")) if base.is_dir() else []:
            m = re.search(r'user_pref\("extensions\.zotero\.dataDir",\s*"((?:[^"\\]|\\.)*)"\)',
                          prefs.read_text(encoding="utf-8", errors="replace"))
            if m:
                out.append(Path(m.group(1).replace("\\\\", "\\")))
    return out


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
    files_found: list[dict[str, str]] = field(default_factory=list)  # key, file
    files_missing: list[dict[str, str]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already imported, the same
    changed: list[str] = field(default_factory=list)  # changed in Zotero and edited here: kept as catalogued
    refreshed: list[str] = field(default_factory=list)  # changed in Zotero, untouched here: updated
    gone: list[str] = field(default_factory=list)  # imported before, no longer in Zotero (or in its trash)
    imported: ImportReport = field(default_factory=ImportReport)

    def to_dict(self) -> dict[str, Any]:
        return {"database": self.database, "library": self.library, "userdata": self.userdata,
                "items": self.items, "keys_kept": self.keys_kept, "keys_from": self.keys_from,
                "collections": self.collections, "tags": self.tags, "notes": self.notes,
                "files_found": self.files_found, "files_missing": self.files_missing,
                "unchanged": self.unchanged, "changed": self.changed, "refreshed": self.refreshed, "gone": self.gone,
                **self.imported.to_dict()}


def list_libraries(path: Path | None) -> tuple[Path, list[dict[str, Any]]]:
    from papershelf.formats.zotero.reader import check_version, libraries
    from papershelf.formats.zotero.snapshot import open_snapshot

    db, _ = locate(path)
    with open_snapshot(db) as conn:
        check_version(conn)
        return db, [{"id": lb.id, "kind": lb.kind, "name": lb.name} for lb in libraries(conn)]


def _catalogued_origins(lib: Library, label: str) -> dict[str, tuple[str, str]]:
    """Zotero address → key of every catalogued entry imported from this Zotero database
    (its link carries ``label``)."""
    out: dict[str, tuple[str, str]] = {}
    for entry in lib.iter_entries():
        for link in entry.links:
            if link.get("url", "").startswith(ORIGIN_PREFIX) and link.get("label") == label:
                out[link["url"]] = (entry.citekey, link.get("revision", ""))
    return out


def import_zotero(lib: Library, path: Path | None, *, library: str | None = None, include_trash: bool = False,
                  dry_run: bool = False, autotag: bool = True, progress: Progress | None = None) -> ZoteroReport:
    """Import one Zotero library (see the module docstring)."""
    from papershelf.formats.zotero.mapping import origin_url, to_entry
    from papershelf.formats.zotero.reader import assign_keys, check_version, pick_library, read_items
    from papershelf.formats.zotero.snapshot import open_snapshot
    from papershelf.model.identity import field_diff
    from papershelf.storage.rows import BIBLIOGRAPHIC

    db, data_dir = locate(path)
    with open_snapshot(db) as conn:
        version = check_version(conn)
        chosen = pick_library(conn, library)
        group = conn.execute("SELECT groupID FROM groups WHERE libraryID=?", (chosen.id,)).fetchone()
        items = read_items(conn, chosen.id, data_dir=data_dir, include_trash=include_trash)
    assign_keys(items, data_dir)
    report = ZoteroReport(str(db), chosen.name, version, items=len(items))
    label = f"Zotero {data_dir.resolve()}"
    known = _catalogued_origins(lib, label)
    seen: set[str] = set()
    new = []
    refresh: list[tuple[int, Entry, tuple[str, ...]]] = []
    finals: list[tuple[str | None, str | None]] = []  # Zotero's key, the catalogued key when known
    for item in items:
        origin = origin_url(item, group[0] if group else None)
        seen.add(origin)
        entry = to_entry(item, origin, label)
        report.collections += len(item.collections)
        report.tags += len(item.tags)
        report.notes += len(item.notes)
        if item.citekey:
            report.keys_from[item.key_source or "?"] = report.keys_from.get(item.key_source or "?", 0) + 1
        for att in item.attachments:
            row = {"key": item.citekey or item.key, "file": str(att.path) if att.path else att.title}
            (report.files_found if att.exists else report.files_missing).append(row)
        if origin in known:
            stored = lib.get(known[origin][0])
            entry.citekey = stored.citekey
            finals.append((item.citekey, stored.citekey))
            if not field_diff(stored, entry):
                report.unchanged.append(stored.citekey)
            elif known[origin][1] == str(stored.revision) and stored.id is not None:
                entry.links = [dict(link, revision=str(stored.revision + 1)) if link.get("url") == origin
                               else link for link in stored.links]
                refresh.append((stored.id, entry, (*BIBLIOGRAPHIC, "links", "extra")))
                report.refreshed.append(stored.citekey)
            else:
                report.changed.append(stored.citekey)
            continue
        new.append(entry)
        finals.append((item.citekey, None))
    report.gone = sorted(key for origin, (key, _) in known.items()
                         if origin not in seen and origin.startswith(ORIGIN_PREFIX + (
                             f"groups/{group[0]}/" if group else "library/")))
    if refresh and not dry_run:
        lib.refresh(refresh)
    report.imported = import_entries(lib, new, dry_run=dry_run, autotag=autotag, progress=progress,
                                     journal="import zotero")
    added = set(report.imported.added)
    report.keys_kept = sum(1 for key, final in finals if key and (final == key if final else key in added))
    return report
