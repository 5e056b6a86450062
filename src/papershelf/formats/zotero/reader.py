"""The regular items of one Zotero library, read from a database snapshot (``snapshot``).

Read: item type, every field (``itemData``), creators with their roles, tags, the collections
an item is in (as paths from the top collection down), child notes (HTML), stored and linked
attachments (whether the file exists), whether it is in the trash, and the citation key Zotero
or Better BibTeX gave it (``keys``). Notes, attachments and annotations are not items of
their own here. Schemas: Zotero 6 to 10 and later (userdata 120 and up); an older database is
refused with one line naming its version.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from papershelf.errors import PapershelfError

OLDEST_USERDATA = 120  # Zotero 6 (2021); Zotero 5 libraries are opened once by Zotero 6+ and upgraded
NOT_ITEMS = ("note", "attachment", "annotation")


@dataclass
class Creator:
    role: str  # author, editor, translator, bookAuthor, …
    last: str
    first: str = ""
    single: bool = False  # Zotero's one-field name (an institution, a name kept whole)


@dataclass
class Attachment:
    title: str
    path: Path | None  # where the file is, when it is a file (stored or linked) and it can be told
    exists: bool
    content_type: str = ""
    link_mode: int = 0  # 0 stored file, 1 stored copy of a web page, 2 linked file
    raw: str = ""  # Zotero's own path: ``storage:NAME``, ``attachments:REL`` or an absolute path

    @property
    def linked(self) -> bool:
        """A file Zotero links to where it is (not a copy in its ``storage`` folder)."""
        return self.link_mode == 2


@dataclass
class ZoteroItem:
    library_id: int
    key: str  # Zotero's item key (8 characters), unique in its library
    type: str  # Zotero item type: journalArticle, conferencePaper, …
    fields: dict[str, str] = field(default_factory=dict)  # Zotero field name → value
    creators: list[Creator] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    collections: list[list[str]] = field(default_factory=list)  # each a path of collection names
    notes: list[str] = field(default_factory=list)  # HTML, as Zotero keeps it
    attachments: list[Attachment] = field(default_factory=list)
    trashed: bool = False
    citekey: str | None = None  # from Zotero (native field) or Better BibTeX
    key_source: str | None = None  # "citationKey", "better-bibtex", "extra"


@dataclass
class ZoteroLibrary:
    id: int
    kind: str  # user, group, feed
    name: str


def userdata_version(conn: sqlite3.Connection) -> int:
    try:
        row = conn.execute("SELECT version FROM version WHERE schema='userdata'").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if row is None:
        raise PapershelfError("this is not a Zotero database (it has no userdata version)")
    return int(row[0])


def check_version(conn: sqlite3.Connection) -> int:
    version = userdata_version(conn)
    if version < OLDEST_USERDATA:
        raise PapershelfError(f"this Zotero database has userdata schema {version} (Zotero 5 or older); "
                              f"papershelf reads {OLDEST_USERDATA} and later (Zotero 6 to 10)",
                              hint="open it once in a current Zotero, which upgrades it, then import again")
    return version


def libraries(conn: sqlite3.Connection) -> list[ZoteroLibrary]:
    groups = dict(conn.execute("SELECT libraryID, name FROM groups").fetchall())
    out = []
    for lid, kind in conn.execute("SELECT libraryID, type FROM libraries ORDER BY libraryID"):
        if kind == "feed":
            continue
        out.append(ZoteroLibrary(lid, kind, groups.get(lid) or ("My Library" if kind == "user" else f"{kind} {lid}")))
    return out


def pick_library(conn: sqlite3.Connection, wanted: str | None) -> ZoteroLibrary:
    """The user's library, or the one ``wanted`` names (its name or its library/group id)."""
    libs = libraries(conn)
    if wanted is None:
        for lib in libs:
            if lib.kind == "user":
                return lib
        raise PapershelfError("this Zotero database has no user library")
    for lib in libs:
        if wanted in (lib.name, str(lib.id)):
            return lib
    if wanted.isdigit():
        row = conn.execute("SELECT libraryID FROM groups WHERE groupID=?", (int(wanted),)).fetchone()
        for lib in libs:
            if row and lib.id == row[0]:
                return lib
    raise PapershelfError(f"no Zotero library named {wanted!r}",
                          hint="these are: " + ", ".join(f"{lb.name} ({lb.id})" for lb in libs))


def _collection_paths(conn: sqlite3.Connection, library_id: int) -> dict[int, list[str]]:
    rows = {cid: (name, parent) for cid, name, parent in conn.execute(
        "SELECT collectionID, collectionName, parentCollectionID FROM collections WHERE libraryID=?",
        (library_id,))}
    paths: dict[int, list[str]] = {}
    for cid in rows:
        path: list[str] = []
        seen: set[int] = set()
        at: int | None = cid
        while at is not None and at in rows and at not in seen:
            seen.add(at)
            name, parent = rows[at]
            path.insert(0, name)
            at = parent
        paths[cid] = path
    return paths


def _attachment_path(raw: str | None, key: str, link_mode: int, data_dir: Path | None,
                     base_dir: Path | None) -> Path | None:
    """Where an attachment's file is: ``storage:NAME`` in ``<data dir>/storage/<attachment
    key>/``; ``attachments:REL`` (a linked file under Zotero's base directory, its setting
    ``extensions.zotero.baseAttachmentPath``) under ``base_dir``; a linked file's absolute path
    as it is. None when it cannot be told (no base directory known)."""
    if not raw:
        return None
    if raw.startswith("storage:"):
        return data_dir / "storage" / key / raw[len("storage:"):] if data_dir else None
    if raw.startswith("attachments:"):
        return base_dir / raw[len("attachments:"):] if base_dir else None
    return Path(raw) if link_mode == 2 else None


def read_items(conn: sqlite3.Connection, library_id: int, *, data_dir: Path | None,
               base_dir: Path | None = None, include_trash: bool = False) -> list[ZoteroItem]:
    """Every regular item of the library (in the trash too when ``include_trash``), in
    Zotero's order of addition."""
    trashed = {r[0] for r in conn.execute("SELECT itemID FROM deletedItems")}
    items: dict[int, ZoteroItem] = {}
    for iid, key, type_name in conn.execute(
            "SELECT i.itemID, i.key, t.typeName FROM items i JOIN itemTypesCombined t "
            "ON t.itemTypeID = i.itemTypeID WHERE i.libraryID=? ORDER BY i.itemID", (library_id,)):
        if type_name in NOT_ITEMS or (iid in trashed and not include_trash):
            continue
        items[iid] = ZoteroItem(library_id, key, type_name, trashed=iid in trashed)
    for iid, name, value in conn.execute(
            "SELECT d.itemID, f.fieldName, v.value FROM itemData d JOIN fieldsCombined f ON f.fieldID=d.fieldID "
            "JOIN itemDataValues v ON v.valueID=d.valueID"):
        if iid in items and value is not None and str(value) != "":
            items[iid].fields[name] = str(value)
    for iid, role, last, first, mode in conn.execute(
            "SELECT ic.itemID, ct.creatorType, c.lastName, c.firstName, c.fieldMode FROM itemCreators ic "
            "JOIN creators c ON c.creatorID=ic.creatorID JOIN creatorTypes ct ON ct.creatorTypeID=ic.creatorTypeID "
            "ORDER BY ic.itemID, ic.orderIndex"):
        if iid in items:
            items[iid].creators.append(Creator(role, last or "", first or "", bool(mode)))
    for iid, name in conn.execute(
            "SELECT it.itemID, t.name FROM itemTags it JOIN tags t ON t.tagID=it.tagID ORDER BY it.itemID, t.name"):
        if iid in items:
            items[iid].tags.append(name)
    paths = _collection_paths(conn, library_id)
    for cid, iid in conn.execute("SELECT collectionID, itemID FROM collectionItems ORDER BY orderIndex"):
        if iid in items and cid in paths:
            items[iid].collections.append(paths[cid])
    for iid, parent, note in conn.execute("SELECT itemID, parentItemID, note FROM itemNotes"):
        if parent in items and iid not in trashed and note:
            items[parent].notes.append(note)
    keys = {iid: key for iid, key in conn.execute("SELECT itemID, key FROM items")}
    has_title = conn.execute("SELECT fieldID FROM fieldsCombined WHERE fieldName='title'").fetchone()
    titles = dict(conn.execute("SELECT d.itemID, v.value FROM itemData d JOIN itemDataValues v "
                               "ON v.valueID=d.valueID WHERE d.fieldID=?", has_title)) if has_title else {}
    for iid, parent, mode, ctype, raw in conn.execute(
            "SELECT itemID, parentItemID, linkMode, contentType, path FROM itemAttachments ORDER BY itemID"):
        if parent not in items or iid in trashed or mode == 3:  # 3: a link to a web page, no file
            continue
        path = _attachment_path(raw, keys.get(iid, ""), mode or 0, data_dir, base_dir)
        items[parent].attachments.append(Attachment(str(titles.get(iid) or (path.name if path else raw or "")), path,
                                                    bool(path and path.is_file()), ctype or "", mode or 0, raw or ""))
    for item in items.values():
        if item.fields.get("citationKey"):
            item.citekey, item.key_source = item.fields["citationKey"].strip(), "citationKey"
    return list(items.values())


# A key pinned in Extra: "Citation Key: KEY" (BBT 6, Zotero 7), "bibtex: KEY" (older BBT)
EXTRA_KEY = re.compile(r"^\s*(?:citation\s+key|bibtex)\s*:\s*(\S+)\s*$", re.I | re.M)


def bbt_keys(bbt: Path) -> dict[tuple[int, str], str]:
    """Better BibTeX's keys by (library id, item key): the current ``citationkey`` table, or
    the legacy LokiJS store (a ``better-bibtex`` table holding JSON); ``better-bibtex.sqlite``
    or its ``.migrated`` rename (Zotero 8 moved the keys into the native field). Read-only."""
    from urllib.parse import quote

    try:
        conn = sqlite3.connect(f"file:{quote(str(bbt))}?mode=ro", uri=True)
    except sqlite3.Error:
        return {}
    out: dict[tuple[int, str], str] = {}
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "citationkey" in tables:
            for lid, ikey, ckey in conn.execute("SELECT libraryID, itemKey, citationKey FROM citationkey"):
                if ckey:
                    out[(int(lid), str(ikey))] = str(ckey)
        elif "better-bibtex" in tables:
            row = conn.execute("SELECT data FROM \"better-bibtex\" WHERE name='better-bibtex.citekey'").fetchone()
            for rec in (json.loads(row[0]).get("data", []) if row else []):
                if rec.get("citekey") and rec.get("itemKey"):
                    out[(int(rec.get("libraryID", 1)), str(rec["itemKey"]))] = str(rec["citekey"])
    except (sqlite3.Error, ValueError, AttributeError):
        return out
    finally:
        conn.close()
    return out


def assign_keys(items: list[ZoteroItem], data_dir: Path | None) -> None:
    """Each item's key: the native ``citationKey`` field (set by ``read_items``), else Better
    BibTeX's database, else a ``Citation Key:`` line in ``extra``."""
    bbt: dict[tuple[int, str], str] = {}
    if data_dir is not None:
        for name in ("better-bibtex.sqlite", "better-bibtex.sqlite.migrated", "better-bibtex.migrated"):
            if (data_dir / name).is_file():
                bbt = bbt_keys(data_dir / name)
                break
    for item in items:
        if item.citekey:
            continue
        if (item.library_id, item.key) in bbt:
            item.citekey, item.key_source = bbt[(item.library_id, item.key)], "better-bibtex"
            continue
        m = EXTRA_KEY.search(item.fields.get("extra", ""))
        if m:
            item.citekey, item.key_source = m.group(1), "extra"
