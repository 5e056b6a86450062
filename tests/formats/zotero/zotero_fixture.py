"""Build a Zotero database for tests: the tables papershelf reads, as Zotero's userdata schema
declares them (``resource/schema/userdata.sql``), item types and fields by name as in Zotero's
global ``schema.json``. ``build(path, items, userdata=125)`` writes one; ``generate(n)`` makes
``n`` varied items (for the 10,000-item measure)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE version (schema TEXT PRIMARY KEY, version INT NOT NULL);
CREATE TABLE libraries (libraryID INTEGER PRIMARY KEY, type TEXT NOT NULL, editable INT NOT NULL,
  filesEditable INT NOT NULL, version INT NOT NULL DEFAULT 0, storageVersion INT NOT NULL DEFAULT 0,
  lastSync INT NOT NULL DEFAULT 0, archived INT NOT NULL DEFAULT 0);
CREATE TABLE groups (groupID INTEGER PRIMARY KEY, libraryID INT NOT NULL UNIQUE, name TEXT NOT NULL,
  description TEXT NOT NULL, version INT NOT NULL);
CREATE TABLE itemTypesCombined (itemTypeID INT NOT NULL, typeName TEXT NOT NULL, display INT DEFAULT 1 NOT NULL,
  custom INT NOT NULL, PRIMARY KEY (itemTypeID));
CREATE TABLE fieldsCombined (fieldID INT NOT NULL, fieldName TEXT NOT NULL, label TEXT, fieldFormatID INT,
  custom INT NOT NULL, PRIMARY KEY (fieldID));
CREATE TABLE creatorTypes (creatorTypeID INTEGER PRIMARY KEY, creatorType TEXT);
CREATE TABLE items (itemID INTEGER PRIMARY KEY, itemTypeID INT NOT NULL,
  dateAdded TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, dateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL, key TEXT NOT NULL,
  version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0, UNIQUE (libraryID, key));
CREATE TABLE itemDataValues (valueID INTEGER PRIMARY KEY, value UNIQUE);
CREATE TABLE itemData (itemID INT, fieldID INT, valueID, PRIMARY KEY (itemID, fieldID));
CREATE TABLE creators (creatorID INTEGER PRIMARY KEY, firstName TEXT, lastName TEXT, fieldMode INT,
  UNIQUE (lastName, firstName, fieldMode));
CREATE TABLE itemCreators (itemID INT NOT NULL, creatorID INT NOT NULL, creatorTypeID INT NOT NULL DEFAULT 1,
  orderIndex INT NOT NULL DEFAULT 0, PRIMARY KEY (itemID, creatorID, creatorTypeID, orderIndex),
  UNIQUE (itemID, orderIndex));
CREATE TABLE tags (tagID INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE itemTags (itemID INT NOT NULL, tagID INT NOT NULL, type INT NOT NULL, PRIMARY KEY (itemID, tagID));
CREATE TABLE collections (collectionID INTEGER PRIMARY KEY, collectionName TEXT NOT NULL,
  parentCollectionID INT DEFAULT NULL, clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  libraryID INT NOT NULL, key TEXT NOT NULL, version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0,
  UNIQUE (libraryID, key));
CREATE TABLE collectionItems (collectionID INT NOT NULL, itemID INT NOT NULL, orderIndex INT NOT NULL DEFAULT 0,
  PRIMARY KEY (collectionID, itemID));
CREATE TABLE itemNotes (itemID INTEGER PRIMARY KEY, parentItemID INT, note TEXT, title TEXT);
CREATE TABLE itemAttachments (itemID INTEGER PRIMARY KEY, parentItemID INT, linkMode INT, contentType TEXT,
  charsetID INT, path TEXT, syncState INT DEFAULT 0, storageModTime INT, storageHash TEXT,
  lastProcessedModificationTime INT);
CREATE TABLE deletedItems (itemID INTEGER PRIMARY KEY, dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL);
"""
TYPES = ["annotation", "attachment", "book", "bookSection", "computerProgram", "conferencePaper",
         "journalArticle", "note", "preprint", "report", "thesis", "webpage"]
FIELDS = ["title", "abstractNote", "date", "publicationTitle", "proceedingsTitle", "bookTitle", "volume",
          "issue", "pages", "publisher", "place", "DOI", "ISBN", "url", "language", "extra", "citationKey",
          "thesisType", "university", "institution", "archiveID", "websiteTitle"]
CREATOR_TYPES = ["author", "editor", "translator", "bookAuthor", "programmer", "contributor"]


class Builder:
    def __init__(self, path: Path, userdata: int = 125, *, wal: bool = False) -> None:
        self.conn = sqlite3.connect(str(path))
        if wal:
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.executescript(SCHEMA)
        c = self.conn
        c.executemany("INSERT INTO version VALUES (?, ?)", [("userdata", userdata), ("system", 32)])
        c.execute("INSERT INTO libraries VALUES (1, 'user', 1, 1, 0, 0, 0, 0)")
        c.executemany("INSERT INTO itemTypesCombined VALUES (?, ?, 1, 0)", list(enumerate(TYPES, 1)))
        c.executemany("INSERT INTO fieldsCombined VALUES (?, ?, NULL, NULL, 0)", list(enumerate(FIELDS, 1)))
        c.executemany("INSERT INTO creatorTypes VALUES (?, ?)", list(enumerate(CREATOR_TYPES, 1)))
        self.next_item = 1
        self.collections: dict[tuple[int, str], int] = {}
        c.commit()

    def group(self, library_id: int, group_id: int, name: str) -> None:
        self.conn.execute("INSERT INTO libraries VALUES (?, 'group', 1, 1, 0, 0, 0, 0)", (library_id,))
        self.conn.execute("INSERT INTO groups VALUES (?, ?, ?, '', 0)", (group_id, library_id, name))

    def _value(self, value: str) -> int:
        c = self.conn
        row = c.execute("SELECT valueID FROM itemDataValues WHERE value=?", (value,)).fetchone()
        if row:
            return int(row[0])
        return int(c.execute("INSERT INTO itemDataValues (value) VALUES (?)", (value,)).lastrowid or 0)

    def _raw_item(self, type_name: str, key: str, library: int) -> int:
        iid = self.next_item
        self.next_item += 1
        self.conn.execute("INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (?, ?, ?, ?)",
                          (iid, TYPES.index(type_name) + 1, library, key))
        return iid

    def collection(self, path: list[str], library: int = 1) -> int:
        parent = None
        for depth in range(len(path)):
            ident = (library, "/".join(path[:depth + 1]))
            if ident not in self.collections:
                cid = len(self.collections) + 1
                self.conn.execute("INSERT INTO collections (collectionID, collectionName, parentCollectionID, "
                                  "libraryID, key) VALUES (?, ?, ?, ?, ?)",
                                  (cid, path[depth], parent, library, f"C{cid:07d}"))
                self.collections[ident] = cid
            parent = self.collections[ident]
        assert parent is not None
        return parent

    def item(self, type_name: str, key: str, fields: dict[str, str], *, creators: list[tuple] = (),  # type: ignore[assignment]
             tags: list[str] = (), collections: list[list[str]] = (), notes: list[str] = (),  # type: ignore[assignment]
             attachments: list[tuple[int, str]] = (), trashed: bool = False, library: int = 1) -> int:  # type: ignore[assignment]
        c = self.conn
        iid = self._raw_item(type_name, key, library)
        for name, value in fields.items():
            c.execute("INSERT INTO itemData VALUES (?, ?, ?)", (iid, FIELDS.index(name) + 1, self._value(value)))
        for order, (role, last, first, mode) in enumerate(creators):
            c.execute("INSERT OR IGNORE INTO creators (firstName, lastName, fieldMode) VALUES (?, ?, ?)",
                      (first, last, mode))
            cid = c.execute("SELECT creatorID FROM creators WHERE firstName=? AND lastName=? AND fieldMode=?",
                            (first, last, mode)).fetchone()[0]
            c.execute("INSERT INTO itemCreators VALUES (?, ?, ?, ?)", (iid, cid, CREATOR_TYPES.index(role) + 1, order))
        for tag in tags:
            c.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (tag,))
            tid = c.execute("SELECT tagID FROM tags WHERE name=?", (tag,)).fetchone()[0]
            c.execute("INSERT INTO itemTags VALUES (?, ?, 0)", (iid, tid))
        for path in collections:
            c.execute("INSERT INTO collectionItems VALUES (?, ?, 0)", (self.collection(path, library), iid))
        for n, note in enumerate(notes):
            nid = self._raw_item("note", f"N{iid:05d}{n:02d}"[:8], library)
            c.execute("INSERT INTO itemNotes VALUES (?, ?, ?, '')", (nid, iid, note))
        for n, (mode, path) in enumerate(attachments):
            aid = self._raw_item("attachment", f"A{iid:05d}{n:02d}"[:8], library)
            c.execute("INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) "
                      "VALUES (?, ?, ?, 'application/pdf', ?)", (aid, iid, mode, path))
        if trashed:
            c.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (iid,))
        return iid

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        self.conn.commit()
        self.conn.close()


def build(path: Path, items: list[dict[str, Any]], userdata: int = 125) -> Path:
    b = Builder(path, userdata)
    for spec in items:
        spec = dict(spec)
        b.item(spec.pop("type"), spec.pop("key"), spec.pop("fields"), **spec)
    b.close()
    return path


def generate(path: Path, n: int, userdata: int = 125) -> Path:
    """``n`` varied items: articles, conference papers, books, preprints, theses; a third
    with native keys, notes and collections on some."""
    b = Builder(path, userdata)
    kinds = ["journalArticle", "conferencePaper", "book", "preprint", "thesis", "bookSection", "report"]
    for i in range(n):
        kind = kinds[i % len(kinds)]
        fields = {"title": f"Study number {i} of generated things {i % 97}", "date": f"{2000 + i % 25}-03-00 "
                  f"{2000 + i % 25}-03", "pages": f"{i % 300}-{i % 300 + 9}", "DOI": f"10.5555/gen.{i}"}
        if i % 3 == 0:
            fields["citationKey"] = f"gen{i}:key"
        if kind == "preprint":
            fields["url"] = f"https://arxiv.org/abs/2101.{i % 100000:05d}"
        b.item(kind, f"K{i:07d}", fields, creators=[("author", f"Family{i % 501}", f"Given{i % 13}", 0)],
               tags=[f"topic {i % 20}"], collections=[["gen", f"part {i % 10}"]] if i % 2 else [],
               notes=[f"<p>note {i}</p>"] if i % 5 == 0 else [])
    b.close()
    return path
