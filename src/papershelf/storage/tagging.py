"""Tag writes of the catalogue repository: user tags, rule tags, and rule tags the user removed.

A tag on an entry has a source, ``user`` or ``rule``; a user tag always wins (tagging an entry
with a tag a rule set makes it the user's), and a rule tag the user removes is remembered in
``dismissed_tags`` so topic rules never put it back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from papershelf.model.entry import Entry
from papershelf.model.tags import normalise_tag
from papershelf.storage import db
from papershelf.storage.fts import CHUNK, placeholders, reindex


class TagWrites:
    conn: sqlite3.Connection

    def resolve(self, ref: str) -> int:  # provided by Catalogue
        raise NotImplementedError

    def touch(self, entry_ids: Sequence[int]) -> None:  # provided by Catalogue
        raise NotImplementedError

    def _tag_ids(self, names: Iterable[str]) -> dict[str, int]:
        ids = {}
        for name in names:
            self.conn.execute("INSERT OR IGNORE INTO tags(name) VALUES (?)", (name,))
            ids[name] = self.conn.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()[0]
        return ids

    def _attach_new(self, entries: Sequence[Entry]) -> None:
        """``_attach`` of their user tags, then their rule tags, for entries just inserted (which
        have no tags yet): each distinct tag looked up once, the links in one statement."""
        forms: dict[str, str] = {}  # each distinct tag checked once (a file repeats a few)

        def form(tag: str) -> str:
            if tag not in forms:
                forms[tag] = normalise_tag(tag)
            return forms[tag]

        user = {e.id: [form(t) for t in e.tags if t not in e.rule_tags] for e in entries}
        rule = {e.id: [form(t) for t in e.rule_tags] for e in entries}
        ids = self._tag_ids(dict.fromkeys(n for e in entries for n in (*user[e.id], *rule[e.id])))
        self.conn.executemany(
            "INSERT OR IGNORE INTO entry_tags(entry_id, tag_id, source) VALUES (?, ?, ?)",
            [(e.id, ids[n], source) for e in entries
             for source, names in (("user", user[e.id]), ("rule", rule[e.id])) for n in names])
        self.conn.executemany("DELETE FROM dismissed_tags WHERE entry_id = ? AND tag = ?",
                              [(e.id, n) for e in entries for n in user[e.id]])

    def _attach(self, entry_id: int, names: Sequence[str], source: str) -> list[str]:
        """Attach tags; returns the ones that were new on the entry. User tags win over rules."""
        if not names:
            return []
        ids = self._tag_ids(names)
        new = []
        for name in names:
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO entry_tags(entry_id, tag_id, source) VALUES (?, ?, ?)",
                (entry_id, ids[name], source))
            if cur.rowcount:
                new.append(name)
            elif source == "user":  # the user confirms a rule tag: it is theirs now
                self.conn.execute("UPDATE entry_tags SET source = 'user' WHERE entry_id = ? AND tag_id = ?",
                                  (entry_id, ids[name]))
        if source == "user":
            self.conn.executemany("DELETE FROM dismissed_tags WHERE entry_id = ? AND tag = ?",
                                  [(entry_id, n) for n in names])
        return new

    def dismissed_tags(self, ids: Sequence[int]) -> dict[int, set[str]]:
        """Rule tags the user removed from these entries (rules must not put them back)."""
        out: dict[int, set[str]] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = list(ids[start:start + CHUNK])
            for row in self.conn.execute(
                    f"SELECT entry_id, tag FROM dismissed_tags WHERE entry_id IN ({placeholders(len(chunk))})",
                    chunk):
                out.setdefault(row[0], set()).add(row[1].lower())
        return out

    def attach_rule_tags(self, tags_by_id: dict[int, Sequence[str]]) -> dict[int, list[str]]:
        """Attach topic-rule tags in one transaction, except those the user removed before.

        Returns, per entry id, the tags that were new on it (a tag it has stays as it is)."""
        added: dict[int, list[str]] = {}
        with db.transaction(self.conn):
            dismissed = self.dismissed_tags(list(tags_by_id))
            for entry_id, names in tags_by_id.items():
                keep = [n for n in dict.fromkeys(normalise_tag(t) for t in names)
                        if n not in dismissed.get(entry_id, set())]
                added[entry_id] = self._attach(entry_id, keep, "rule")
            changed = [i for i, new in added.items() if new]
            self.touch(changed)
            reindex(self.conn, changed)
        return added

    def tag(self, ref: str, tags: Sequence[str]) -> list[str]:
        """Add user tags to an entry; returns those it did not have."""
        names = list(dict.fromkeys(normalise_tag(t) for t in tags))
        with db.transaction(self.conn):
            entry_id = self.resolve(ref)
            new = self._attach(entry_id, names, "user")
            self.touch([entry_id])
            reindex(self.conn, [entry_id])
        return new

    def untag(self, ref: str, tags: Sequence[str]) -> list[str]:
        """Remove tags from an entry; returns those it had. Removed rule tags stay removed."""
        names = list(dict.fromkeys(normalise_tag(t) for t in tags))
        removed = []
        with db.transaction(self.conn):
            entry_id = self.resolve(ref)
            for name in names:
                row = self.conn.execute(
                    "SELECT et.tag_id, et.source FROM entry_tags et JOIN tags t ON t.id = et.tag_id "
                    "WHERE et.entry_id = ? AND t.name = ?", (entry_id, name)).fetchone()
                if not row:
                    continue
                self.conn.execute("DELETE FROM entry_tags WHERE entry_id = ? AND tag_id = ?",
                                  (entry_id, row[0]))
                self.conn.execute("INSERT OR IGNORE INTO dismissed_tags(entry_id, tag) VALUES (?, ?)",
                                  (entry_id, name))
                removed.append(name)
            self.conn.execute("DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM entry_tags)")
            self.touch([entry_id])
            reindex(self.conn, [entry_id])
        return removed
