"""Entry writes of the catalogue repository: insert, update, notes, remove, rekey, take back.

Each method is one transaction (``db.transaction``) and refreshes the entries' FTS rows in it
(``fts.reindex``). Keys and identity are decided above (``services.door``); here a malformed or
taken key, or an arXiv id already stored, is an error, not a decision. The change log (m012's
triggers) records every write these make, in the same transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from papershelf.errors import CiteKeyError, UsageError
from papershelf.model.citekeys import check_key
from papershelf.model.entry import Entry
from papershelf.model.tags import normalise_tag
from papershelf.storage import db, rows
from papershelf.storage.entry_state import EntryState, now
from papershelf.storage.fts import placeholders, reindex
from papershelf.storage.tagging import TagWrites

if TYPE_CHECKING:
    from papershelf.model.identity import Keys
    from papershelf.storage.journal import Operation

_ROWS_PER_STATEMENT = 1000  # rows one executemany of insert_many writes
_BULK_LOGGED = 50  # from this many entries an insert is logged in bulk (``changes.logged_in_bulk``)


class EntryWrites(EntryState, TagWrites):
    conn: sqlite3.Connection

    def resolve(self, ref: str) -> int:  # provided by Catalogue
        raise NotImplementedError

    def get_id(self, entry_id: int) -> Entry:  # provided by Catalogue
        raise NotImplementedError

    def keys_of(self, ids: Sequence[int]) -> dict[int, str]:  # provided by Catalogue
        raise NotImplementedError

    def insert_many(self, entries: Iterable[Entry], keys: Sequence[Keys | None] = ()) -> list[Entry]:
        """Store new entries, each with the citekey it carries, in one transaction: all or none.

        Keys and identity are decided before (``services.library``); here a key that is
        malformed or taken, or an arXiv id already stored, is an error, not a decision.
        ``keys``: the entries' identity ``Keys`` as the door found them (None: made here)."""
        stored = list(entries)
        for e in stored:
            check_key(e.citekey)
        with db.transaction(self.conn):
            self.conn.execute("SAVEPOINT insert_many")
            try:
                self._insert_bulk(stored)
            except sqlite3.IntegrityError:  # again one by one, to name the entry at fault
                self.conn.execute("ROLLBACK TO insert_many")
                for e in stored:
                    self._insert(e)
                rows.link_blocks(self.conn, [(e.id, e) for e in stored if e.id is not None
                                             and (e.bib_preambles or e.bib_strings)], {})
            self.conn.execute("RELEASE insert_many")
            reindex(self.conn, [e.id for e in stored if e.id is not None], stored, keys)
        return stored

    def _insert_bulk(self, entries: Sequence[Entry]) -> None:
        """``_insert`` (and the @string/@preamble links) for many entries in a few statements (a
        chunk of rows at a time, so the rows are never all built at once). Row ids are given as
        SQLite would (one past the largest), inside the write transaction."""
        if not entries:
            return
        next_id = int(self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM entries").fetchone()[0])
        for entry in entries:
            entry.id = None
        # Each chunk's people and tags go in before its entries (their foreign keys checked when
        # the entries are there): the change log then has one ``added`` row per entry, not one
        # more per person and tag (m016). A clash rolls the children back with the entries.
        self.conn.execute("PRAGMA defer_foreign_keys = ON")
        blocks: dict[tuple[str, str, str], int] = {}  # each @string/@preamble block stored once
        from papershelf.storage.changes import logged_in_bulk  # (writes only: not at every start)

        try:  # a large insert is logged in one statement, without the per-row insert triggers
            with logged_in_bulk(self.conn, next_id) if len(entries) >= _BULK_LOGGED else nullcontext():
                self._insert_chunks(entries, next_id, blocks)
        except BaseException:
            for entry in entries:
                entry.id = None
            raise
        finally:
            self.conn.execute("PRAGMA defer_foreign_keys = OFF")

    def _insert_chunks(self, entries: Sequence[Entry], next_id: int, blocks: dict[tuple[str, str, str], int]) -> None:
        for start in range(0, len(entries), _ROWS_PER_STATEMENT):
            chunk = entries[start:start + _ROWS_PER_STATEMENT]
            values: list[list[Any]] = []
            cols: list[str] = []
            for entry in chunk:
                stamp = now()
                entry.added, entry.updated = stamp, stamp
                row = rows.row_of(entry)
                cols = cols or list(row)
                entry.id = next_id
                next_id += 1
                values.append([entry.id, *(row[c] for c in cols)])
            rows.insert_people(self.conn, chunk)
            self._attach_new(chunk)
            rows.link_blocks(self.conn, [(e.id, e) for e in chunk if e.id is not None
                                         and (e.bib_preambles or e.bib_strings)], blocks)
            self.conn.executemany(
                f"INSERT INTO entries(id, {', '.join(cols)}) VALUES ({placeholders(len(cols) + 1)})",
                values)

    def _insert(self, entry: Entry) -> Entry:
        check_key(entry.citekey)
        stamp = now()
        entry.added, entry.updated = stamp, stamp
        row = rows.row_of(entry)
        cols = list(row)
        try:
            cur = self.conn.execute(
                f"INSERT INTO entries({', '.join(cols)}) VALUES ({placeholders(len(cols))})",
                [row[c] for c in cols])
        except sqlite3.IntegrityError as exc:
            if "arxiv_id" in str(exc):
                raise UsageError(f"arXiv:{entry.arxiv_id} is already in the catalogue") from None
            raise CiteKeyError(f"citation key {entry.citekey!r} is already in use") from None
        assert cur.lastrowid is not None
        entry.id = cur.lastrowid
        rows.write_people(self.conn, entry.id, entry)
        user_tags = [normalise_tag(t) for t in entry.tags if t not in entry.rule_tags]
        self._attach(entry.id, user_tags, "user")
        self._attach(entry.id, [normalise_tag(t) for t in entry.rule_tags], "rule")
        return entry

    def update_many(self, updates: Iterable[tuple[int, Entry, Sequence[str]]]) -> list[Entry]:
        """Several ``update_metadata(entry_id, new, fields)`` in one transaction: all or none."""
        with db.transaction(self.conn):
            return [self.update_metadata(entry_id, new, names) for entry_id, new, names in updates]

    def update_metadata(self, entry_id: int, new: Entry,
                        fields_to_set: Iterable[str] = rows.BIBLIOGRAPHIC) -> Entry:
        """Overwrite bibliographic fields from a source; citekey, notes, section, tags stay."""
        names = list(fields_to_set)
        bad = set(names) - set(rows.BIBLIOGRAPHIC) - {"needs_sync", "links", "extra", *rows.VERBATIM}
        if bad:
            raise ValueError(f"not bibliographic fields: {sorted(bad)}")
        with db.transaction(self.conn):
            names += [n for n in self._verbatim_after(entry_id, new, names) if n not in names]
            sets: dict[str, Any] = {}
            for name in names:
                if name in ("authors", "editors"):
                    continue
                value = getattr(new, name)
                if name in rows.JSON_COLUMNS:
                    value = rows.to_json(name, value)
                elif name == "needs_sync":
                    value = int(value)
                sets[name] = value
            sets["updated"] = now()
            self.conn.execute(
                f"UPDATE entries SET {', '.join(f'{k} = ?' for k in sets)}, revision = revision + 1 WHERE id = ?",
                [*sets.values(), entry_id])
            if "authors" in names or "editors" in names:
                current = self.get_id(entry_id)
                if "authors" in names:
                    current.authors = new.authors
                if "editors" in names:
                    current.editors = new.editors
                rows.write_people(self.conn, entry_id, current)
            reindex(self.conn, [entry_id])
        return self.get_id(entry_id)

    def set_notes(self, ref: str, text: str, *, append: bool = True, expect: int | None = None) -> Entry:
        """Append to (or replace) the notes; with ``expect``, only if the entry is still at that
        revision (``ConflictError`` otherwise, nothing written)."""
        with db.transaction(self.conn):
            entry_id = self.resolve(ref)
            if expect is not None:
                self.expect_revision(entry_id, expect, "the entry")
            self._notes_edited(entry_id)
            if append:
                old = self.conn.execute("SELECT notes FROM entries WHERE id = ?", (entry_id,)).fetchone()[0]
                text = f"{old.rstrip()}\n{text}" if old and old.strip() else text
            self.conn.execute("UPDATE entries SET notes = ?, updated = ?, revision = revision + 1 WHERE id = ?",
                              (text or None, now(), entry_id))
            reindex(self.conn, [entry_id])
        return self.get_id(entry_id)

    def remove(self, refs: Sequence[str], *, to_trash: bool = True) -> list[str]:
        """Delete entries (all or none), into the trash unless ``to_trash`` is false (see
        ``storage.trash``); returns their citekeys."""
        with db.transaction(self.conn):
            ids = list(dict.fromkeys(self.resolve(r) for r in refs))
            found = self.keys_of(ids)
            keys = [found[i] for i in ids]
            self.remove_ids(ids, to_trash=to_trash)
        return keys

    def remove_ids(self, ids: Sequence[int], *, to_trash: bool = True, reason: str | None = None) -> list[int]:
        """``remove`` by row id; returns the trash rows (``reason``: why they are there)."""
        from papershelf.storage import trash

        with db.transaction(self.conn):
            trashed = trash.put(self.conn, ids, now(), reason) if to_trash else []
            for start in range(0, len(ids), 500):
                part = list(ids[start:start + 500])
                self.conn.execute(f"DELETE FROM entries WHERE id IN ({placeholders(len(part))})", part)
            self.conn.execute("DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM entry_tags)")
            self.conn.execute("DELETE FROM bib_blocks WHERE id NOT IN (SELECT block_id FROM entry_bib_blocks)")
            reindex(self.conn, list(ids))
        return trashed

    def rekey(self, old: str, new: str) -> tuple[str, str]:
        """Rename a citekey; refuses a key in use. Returns (old key, new key)."""
        check_key(new)
        with db.transaction(self.conn):
            entry_id = self.resolve(old)
            current = self.conn.execute("SELECT citekey FROM entries WHERE id = ?", (entry_id,)).fetchone()[0]
            if current == new:
                return current, new
            if self.key_taken(new, other_than=entry_id):
                raise CiteKeyError(f"citation key {new!r} is already in use by another entry",
                                   hint="pick another key, or rekey that entry first")
            self.conn.execute("UPDATE entries SET citekey = ?, updated = ?, revision = revision + 1 WHERE id = ?",
                              (new, now(), entry_id))
            reindex(self.conn, [entry_id])  # the key is searchable (the index's ids column)
        return current, new

    def take_back(self, op: Operation) -> list[int]:
        """Undo ``op``'s writes (``storage.journal``) in one transaction: each changed entry
        gets its whole record back (a new revision: one is never given twice), aliases it added
        go, entries it added go to the trash, entries it merged away come back from it (after
        the aliases that held their keys are gone). Returns the row ids touched."""
        from papershelf.storage import journal, trash

        conn = self.conn
        touched: list[int] = []
        with db.transaction(conn):
            restored: set[int] = set()
            for item in op.items:
                if item.before is None or item.entry_id in restored:
                    continue
                restored.add(item.entry_id)
                row = conn.execute("SELECT revision FROM entries WHERE id = ?", (item.entry_id,)).fetchone()
                if row is not None:
                    self.remove_ids([item.entry_id], to_trash=False)
                entry_id = trash.write_back(conn, item.before)
                was = int(item.before["entry"].get("revision") or 0)
                now_at = max(was, int(row[0]) if row is not None else 0) + 1
                conn.execute("UPDATE entries SET revision = ? WHERE id = ?", (now_at, entry_id))
                journal.carry_revision(conn, entry_id, was, now_at)
                touched.append(entry_id)
            for item in op.items:
                if item.action == "aliased" and item.entry_id not in restored:
                    conn.execute("DELETE FROM aliases WHERE alias = ? AND entry_id = ?", (item.detail, item.entry_id))
                    self.touch([item.entry_id])
                    reindex(conn, [item.entry_id])
                    touched.append(item.entry_id)
            added = [i.entry_id for i in op.items if i.action == "added"
                     and conn.execute("SELECT 1 FROM entries WHERE id = ?", (i.entry_id,)).fetchone()]
            if added:
                self.remove_ids(added, reason=f"undo of {op.summary}")
                touched.extend(added)
            for item in op.items:
                if item.action == "merged":
                    trash.restore(conn, int(item.detail or 0))
                    touched.append(item.entry_id)
            journal.drop(conn, op.id)
        return touched
