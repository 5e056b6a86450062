"""The catalogue: entries, their people and tags, and the search index, over one SQLite file.

This is the core every command uses; it knows nothing of the terminal. Every write happens
inside ``transaction()`` and refreshes the entry's FTS row in that same transaction
(``_reindex``), so the index cannot drift from the data.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from papershelf.errors import CiteKeyError, NotFoundError, QuerySyntaxError, UsageError
from papershelf.model.citekeys import base_key, check_key, unique_key
from papershelf.model.entry import Entry, Person
from papershelf.model.tags import normalise_tag
from papershelf.model.query import Filters, parse_query
from papershelf.model.text import split_cjk
from papershelf.storage.db import open_db, transaction

# Columns of ``entries`` that map one-to-one onto Entry fields.
_SCALAR = (
    "citekey", "type", "title", "year", "date", "abstract", "journal", "booktitle", "volume",
    "number", "pages", "publisher", "edition", "isbn", "doi", "url", "arxiv_id",
    "arxiv_version", "primary_class", "arxiv_comment", "journal_ref", "section", "notes",
    "added", "updated",
)
_JSON = ("categories", "links", "extra")
# Fields a metadata source (arXiv, a .bib file) may overwrite; never citekey, notes, section, tags.
BIBLIOGRAPHIC = (
    "type", "title", "authors", "editors", "year", "date", "abstract", "journal", "booktitle",
    "volume", "number", "pages", "publisher", "edition", "isbn", "doi", "url", "arxiv_id",
    "arxiv_version", "primary_class", "categories", "arxiv_comment", "journal_ref",
)

# Each sort is a list of ORDER BY terms (so --reverse can turn every term around).
SORTS = {
    "added": ("e.id",),
    "year": ("e.year IS NULL", "e.year", "e.id"),
    "title": ("e.title COLLATE NOCASE", "e.id"),
    "key": ("e.citekey",),
    "author": ("(SELECT family FROM people p WHERE p.entry_id = e.id AND p.position = 0 "
               "ORDER BY p.role LIMIT 1) COLLATE NOCASE", "e.year", "e.id"),
}
# bm25 weights, in FTS column order: title, authors, abstract, notes, tags, section.
_BM25 = "bm25(entries_fts, 10.0, 6.0, 1.0, 2.0, 6.0, 1.0)"


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")




def _placeholders(n: int) -> str:
    return ",".join("?" * n)


# --- the search index ------------------------------------------------------------------------

def _reindex(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    """Rewrite the FTS rows of ``ids`` from the tables (deleted entries just lose theirs)."""
    for chunk_start in range(0, len(ids), 500):
        chunk = list(ids[chunk_start:chunk_start + 500])
        marks = _placeholders(len(chunk))
        conn.execute(f"DELETE FROM entries_fts WHERE rowid IN ({marks})", chunk)
        people: dict[int, list[str]] = {}
        for row in conn.execute(
            f"SELECT entry_id, given, prefix, family FROM people WHERE entry_id IN ({marks}) "
            "ORDER BY entry_id, role, position", chunk):
            people.setdefault(row[0], []).append(" ".join(x for x in row[1:] if x))
        tags: dict[int, list[str]] = {}
        for row in conn.execute(
            f"SELECT et.entry_id, t.name FROM entry_tags et JOIN tags t ON t.id = et.tag_id "
            f"WHERE et.entry_id IN ({marks})", chunk):
            tags.setdefault(row[0], []).append(row[1])
        rows = conn.execute(
            f"SELECT id, title, abstract, notes, section FROM entries WHERE id IN ({marks})", chunk
        ).fetchall()
        conn.executemany(
            "INSERT INTO entries_fts(rowid, title, authors, abstract, notes, tags, section) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (r[0], split_cjk(r[1] or ""), split_cjk("; ".join(people.get(r[0], []))),
                 split_cjk(r[2] or ""), split_cjk(r[3] or ""),
                 split_cjk(" ".join(tags.get(r[0], []))), split_cjk(r[4] or ""))
                for r in rows
            ],
        )


def reindex_all(conn: sqlite3.Connection) -> int:
    ids = [r[0] for r in conn.execute("SELECT id FROM entries")]
    conn.execute("DELETE FROM entries_fts")
    _reindex(conn, ids)
    return len(ids)


# --- results ---------------------------------------------------------------------------------

@dataclass
class Stats:
    total: int
    by_type: list[tuple[str, int]]
    by_tag: list[tuple[str, int]]
    by_year: list[tuple[int | None, int]]
    needs_sync: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "needs_sync": self.needs_sync,
            "by_type": dict(self.by_type),
            "by_tag": dict(self.by_tag),
            "by_year": {str(y) if y is not None else "unknown": n for y, n in self.by_year},
        }


class Catalogue:
    """A papershelf catalogue file."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> tuple[Catalogue, bool]:
        conn, created = open_db(path, create=create)
        return cls(conn, path), created

    def close(self) -> None:
        self.conn.close()

    # -- reading ------------------------------------------------------------------------------

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM entries").fetchone()[0]

    def _load(self, ids: Sequence[int]) -> list[Entry]:
        """Entries for ``ids``, in that order, with people and tags (three queries per 500)."""
        out: dict[int, Entry] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = _placeholders(len(chunk))
            for row in self.conn.execute(f"SELECT * FROM entries WHERE id IN ({marks})", chunk):
                out[row["id"]] = self._entry_from_row(row)
            for row in self.conn.execute(
                f"SELECT entry_id, role, family, given, prefix, suffix FROM people "
                f"WHERE entry_id IN ({marks}) ORDER BY entry_id, role, position", chunk):
                person = Person(row[2], row[3], row[4], row[5])
                entry = out[row[0]]
                (entry.authors if row[1] == "author" else entry.editors).append(person)
            for row in self.conn.execute(
                f"SELECT et.entry_id, t.name, et.source FROM entry_tags et "
                f"JOIN tags t ON t.id = et.tag_id WHERE et.entry_id IN ({marks}) "
                f"ORDER BY t.name", chunk):
                out[row[0]].tags.append(row[1])
                if row[2] == "rule":
                    out[row[0]].rule_tags.append(row[1])
        return [out[i] for i in ids if i in out]

    @staticmethod
    def _entry_from_row(row: sqlite3.Row) -> Entry:
        data: dict[str, Any] = {k: row[k] for k in _SCALAR}
        for k in _JSON:
            data[k] = json.loads(row[k])
        data["needs_sync"] = bool(row["needs_sync"])
        data["id"] = row["id"]
        return Entry(**data)

    def resolve(self, ref: str) -> int:
        """The row id of the entry ``ref`` names: a citekey, an arXiv id or URL, or a DOI."""
        ref = ref.strip()
        row = self.conn.execute("SELECT id FROM entries WHERE citekey = ?", (ref,)).fetchone()
        if row:
            return row[0]
        from papershelf.model import identifiers as arxiv_ids  # only when ref is not a citekey

        aid = arxiv_ids.parse(ref)
        if aid:
            row = self.conn.execute("SELECT id FROM entries WHERE arxiv_id = ?", (aid.id,)).fetchone()
            if row:
                return row[0]
        doi = doi_of(ref)
        if doi:
            row = self.conn.execute(
                "SELECT id FROM entries WHERE lower(doi) = ?", (doi.lower(),)).fetchone()
            if row:
                return row[0]
        row = self.conn.execute(
            "SELECT id FROM entries WHERE citekey = ? COLLATE NOCASE", (ref,)).fetchone()
        if row:
            return row[0]
        raise NotFoundError(f"no entry {ref!r} in the catalogue",
                            hint="`papershelf search` finds entries by words; keys are in `papershelf list`")

    def get(self, ref: str) -> Entry:
        return self._load([self.resolve(ref)])[0]

    def entries(self) -> list[Entry]:
        return self._load([r[0] for r in self.conn.execute("SELECT id FROM entries ORDER BY id")])

    def tag_names_for(self, tag: str) -> list[str]:
        """The stored tag names a filter ``tag:X`` matches: X, and the topic X is an alias of."""
        from papershelf.topics.rules import tag_names_for

        return tag_names_for(normalise_tag(tag))

    def _filter_sql(self, filters: Filters) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        for tag in filters.tags:
            names = self.tag_names_for(tag)
            where.append(
                "e.id IN (SELECT et.entry_id FROM entry_tags et JOIN tags t ON t.id = et.tag_id "
                f"WHERE t.name IN ({_placeholders(len(names))}))")
            params.extend(names)
        if filters.types:
            where.append(f"e.type IN ({_placeholders(len(filters.types))})")
            params.extend(t.lower() for t in filters.types)
        if filters.year_min is not None:
            where.append("e.year >= ?")
            params.append(filters.year_min)
        if filters.year_max is not None:
            where.append("e.year <= ?")
            params.append(filters.year_max)
        return where, params

    def list(self, filters: Filters | None = None, *, sort: str = "added",
             reverse: bool = False, limit: int | None = None) -> list[Entry]:
        if sort not in SORTS:
            raise UsageError(f"unknown sort {sort!r}: choose one of {', '.join(SORTS)}")
        where, params = self._filter_sql(filters or Filters())
        order = ", ".join(f"{term} DESC" if reverse else term for term in SORTS[sort])
        sql = "SELECT e.id FROM entries e"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self._load([r[0] for r in self.conn.execute(sql, params)])

    def search_ids(self, query: str, filters: Filters | None = None,
                   limit: int | None = None) -> list[int]:
        parsed = parse_query(query)
        all_filters = (filters or Filters()).merge(parsed.filters)
        where, params = self._filter_sql(all_filters)
        if not parsed.fts:
            sql = "SELECT e.id FROM entries e"
            if where:
                sql += " WHERE " + " AND ".join(where)
            sql += " ORDER BY e.year DESC, e.id"
        elif not where:
            # Rank inside the index alone: joining entries first costs 2x on broad queries.
            sql = f"SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? ORDER BY {_BM25}, rowid"
            params.insert(0, parsed.fts)
        else:
            # Filters go on the join (never "rowid IN (subquery)" on FTS5: that scans per row).
            sql = (f"SELECT e.id FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid "
                   f"WHERE entries_fts MATCH ? AND {' AND '.join(where)} ORDER BY {_BM25}, e.id")
            params.insert(0, parsed.fts)
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        try:
            return [r[0] for r in self.conn.execute(sql, params)]
        except sqlite3.OperationalError as exc:
            if "fts5" in str(exc) or "syntax" in str(exc):
                raise QuerySyntaxError(f"cannot search for {query!r}: {exc}") from None
            raise

    def search(self, query: str, filters: Filters | None = None,
               limit: int | None = None) -> list[Entry]:
        """Entries matching the search language (see ``papershelf.model.query``), best first."""
        return self._load(self.search_ids(query, filters, limit))

    def tags(self) -> list[tuple[str, int, int]]:
        """Every tag with its entry count and how many of those a topic rule set."""
        rows = self.conn.execute(
            "SELECT t.name, count(et.entry_id), sum(et.source = 'rule') FROM tags t "
            "JOIN entry_tags et ON et.tag_id = t.id GROUP BY t.id ORDER BY count(et.entry_id) DESC, t.name")
        return [(r[0], r[1], r[2] or 0) for r in rows]

    def stats(self) -> Stats:
        q = self.conn.execute
        return Stats(
            total=self.count(),
            by_type=[(r[0], r[1]) for r in q(
                "SELECT type, count(*) FROM entries GROUP BY type ORDER BY count(*) DESC, type")],
            by_tag=[(name, n) for name, n, _ in self.tags()],
            by_year=[(r[0], r[1]) for r in q(
                "SELECT year, count(*) FROM entries GROUP BY year ORDER BY year IS NULL, year")],
            needs_sync=q("SELECT count(*) FROM entries WHERE needs_sync").fetchone()[0],
        )

    def citekeys(self, prefix: str = "", limit: int = 200) -> list[str]:
        rows = self.conn.execute(
            "SELECT citekey FROM entries WHERE citekey LIKE ? ESCAPE '\\' ORDER BY citekey LIMIT ?",
            (prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%", limit))
        return [r[0] for r in rows]

    # -- writing ------------------------------------------------------------------------------

    def _key_taken(self, key: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM entries WHERE citekey = ? COLLATE NOCASE", (key,)).fetchone() is not None

    def _write_people(self, entry_id: int, entry: Entry) -> None:
        self.conn.execute("DELETE FROM people WHERE entry_id = ?", (entry_id,))
        self.conn.executemany(
            "INSERT INTO people(entry_id, role, position, family, given, prefix, suffix) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(entry_id, role, i, p.family, p.given, p.prefix, p.suffix)
             for role, people in (("author", entry.authors), ("editor", entry.editors))
             for i, p in enumerate(people)],
        )

    def _tag_ids(self, names: Iterable[str]) -> dict[str, int]:
        ids = {}
        for name in names:
            self.conn.execute("INSERT OR IGNORE INTO tags(name) VALUES (?)", (name,))
            ids[name] = self.conn.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()[0]
        return ids

    def add(self, entry: Entry, *, citekey: str | None = None) -> Entry:
        """Store a new entry, giving it a citekey (``citekey`` if given and free). Returns it."""
        with transaction(self.conn):
            added = self._insert(entry, citekey)
            _reindex(self.conn, [added.id])
        return added

    def add_many(self, entries: Iterable[Entry]) -> list[Entry]:
        """Store several new entries in one transaction: all of them or none."""
        with transaction(self.conn):
            stored = [self._insert(e, e.citekey or None) for e in entries]
            _reindex(self.conn, [e.id for e in stored])
        return stored

    def _insert(self, entry: Entry, citekey: str | None) -> Entry:
        if citekey:
            check_key(citekey)
            if self._key_taken(citekey):
                raise CiteKeyError(f"citation key {citekey!r} is already in use")
            key = citekey
        else:
            key = unique_key(base_key(entry), self._key_taken)
        if entry.arxiv_id and self.find_arxiv_id(entry.arxiv_id) is not None:
            raise UsageError(f"arXiv:{entry.arxiv_id} is already in the catalogue")
        stamp = now()
        entry.citekey, entry.added, entry.updated = key, stamp, stamp
        row = {k: getattr(entry, k) for k in _SCALAR}
        row.update({k: json.dumps(getattr(entry, k), ensure_ascii=False, sort_keys=k == "extra")
                    for k in _JSON})
        row["needs_sync"] = int(entry.needs_sync)
        cols = list(row)
        cur = self.conn.execute(
            f"INSERT INTO entries({', '.join(cols)}) VALUES ({_placeholders(len(cols))})",
            [row[c] for c in cols])
        entry.id = cur.lastrowid
        self._write_people(entry.id, entry)
        user_tags = [normalise_tag(t) for t in entry.tags if t not in entry.rule_tags]
        self._attach(entry.id, user_tags, "user")
        self._attach(entry.id, [normalise_tag(t) for t in entry.rule_tags], "rule")
        return entry

    def find_arxiv_id(self, arxiv_id: str) -> int | None:
        row = self.conn.execute("SELECT id FROM entries WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
        return row[0] if row else None

    def find_same(self, entries: Sequence[Entry]) -> list[int | None]:
        """For each entry, the row id of a stored entry that is the same work (same arXiv id,
        DOI, ISBN or URL), or None. One pass over the table, however many entries."""
        index: dict[tuple[str, str], int] = {}
        for row in self.conn.execute("SELECT id, arxiv_id, lower(doi), isbn, rtrim(url, '/') FROM entries"):
            for kind, value in zip(("arxiv", "doi", "isbn", "url"), row[1:]):
                if value:
                    index.setdefault((kind, value), row[0])
        out: list[int | None] = []
        for e in entries:
            keys = (("arxiv", e.arxiv_id), ("doi", (e.doi or "").lower()), ("isbn", e.isbn),
                    ("url", (e.url or "").rstrip("/")))
            out.append(next((index[k] for k in keys if k[1] and k in index), None))
        return out

    def get_id(self, entry_id: int) -> Entry:
        """The entry stored under row id ``entry_id`` (from ``resolve``/``find_arxiv_id``)."""
        found = self._load([entry_id])
        if not found:
            raise NotFoundError(f"no entry with row id {entry_id}")
        return found[0]

    def update_many(self, updates: Iterable[tuple[int, Entry, Sequence[str]]]) -> list[Entry]:
        """Several ``update_metadata(entry_id, new, fields)`` in one transaction: all or none."""
        with transaction(self.conn):
            return [self.update_metadata(entry_id, new, names) for entry_id, new, names in updates]

    def update_metadata(self, entry_id: int, new: Entry, fields_to_set: Iterable[str] = BIBLIOGRAPHIC) -> Entry:
        """Overwrite bibliographic fields from a source; citekey, notes, section, tags stay."""
        names = list(fields_to_set)
        bad = set(names) - set(BIBLIOGRAPHIC) - {"needs_sync", "links", "extra"}
        if bad:
            raise ValueError(f"not bibliographic fields: {sorted(bad)}")
        with transaction(self.conn):
            sets: dict[str, Any] = {}
            for name in names:
                if name in ("authors", "editors"):
                    continue
                value = getattr(new, name)
                if name in _JSON:
                    value = json.dumps(value, ensure_ascii=False, sort_keys=name == "extra")
                elif name == "needs_sync":
                    value = int(value)
                sets[name] = value
            sets["updated"] = now()
            self.conn.execute(
                f"UPDATE entries SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
                [*sets.values(), entry_id])
            if "authors" in names or "editors" in names:
                current = self._load([entry_id])[0]
                if "authors" in names:
                    current.authors = new.authors
                if "editors" in names:
                    current.editors = new.editors
                self._write_people(entry_id, current)
            _reindex(self.conn, [entry_id])
        return self._load([entry_id])[0]

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
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            for row in self.conn.execute(
                    f"SELECT entry_id, tag FROM dismissed_tags WHERE entry_id IN ({_placeholders(len(chunk))})",
                    chunk):
                out.setdefault(row[0], set()).add(row[1].lower())
        return out

    def attach_rule_tags(self, tags_by_id: dict[int, Sequence[str]]) -> dict[int, list[str]]:
        """Attach topic-rule tags in one transaction, except those the user removed before.

        Returns, per entry id, the tags that were new on it (a tag it has stays as it is)."""
        added: dict[int, list[str]] = {}
        with transaction(self.conn):
            dismissed = self.dismissed_tags(list(tags_by_id))
            for entry_id, names in tags_by_id.items():
                keep = [n for n in dict.fromkeys(normalise_tag(t) for t in names)
                        if n not in dismissed.get(entry_id, set())]
                added[entry_id] = self._attach(entry_id, keep, "rule")
            _reindex(self.conn, [i for i, new in added.items() if new])
        return added

    def tag(self, ref: str, tags: Sequence[str]) -> list[str]:
        """Add user tags to an entry; returns those it did not have."""
        names = list(dict.fromkeys(normalise_tag(t) for t in tags))
        with transaction(self.conn):
            entry_id = self.resolve(ref)
            new = self._attach(entry_id, names, "user")
            _reindex(self.conn, [entry_id])
        return new

    def untag(self, ref: str, tags: Sequence[str]) -> list[str]:
        """Remove tags from an entry; returns those it had. Removed rule tags stay removed."""
        names = list(dict.fromkeys(normalise_tag(t) for t in tags))
        removed = []
        with transaction(self.conn):
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
            _reindex(self.conn, [entry_id])
        return removed

    def set_notes(self, ref: str, text: str, *, append: bool = True) -> Entry:
        with transaction(self.conn):
            entry_id = self.resolve(ref)
            if append:
                old = self.conn.execute("SELECT notes FROM entries WHERE id = ?", (entry_id,)).fetchone()[0]
                text = f"{old.rstrip()}\n{text}" if old and old.strip() else text
            self.conn.execute("UPDATE entries SET notes = ?, updated = ? WHERE id = ?",
                              (text or None, now(), entry_id))
            _reindex(self.conn, [entry_id])
        return self._load([entry_id])[0]

    def remove(self, refs: Sequence[str]) -> list[str]:
        """Delete entries (all or none); returns their citekeys."""
        with transaction(self.conn):
            ids = [self.resolve(r) for r in refs]
            ids = list(dict.fromkeys(ids))
            keys = [e.citekey for e in self._load(ids)]
            marks = _placeholders(len(ids))
            self.conn.execute(f"DELETE FROM entries WHERE id IN ({marks})", ids)
            self.conn.execute("DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM entry_tags)")
            _reindex(self.conn, ids)
        return keys

    def rekey(self, old: str, new: str) -> tuple[str, str]:
        """Rename a citekey; refuses a key in use. Returns (old key, new key)."""
        check_key(new)
        with transaction(self.conn):
            entry_id = self.resolve(old)
            current = self.conn.execute("SELECT citekey FROM entries WHERE id = ?", (entry_id,)).fetchone()[0]
            if current == new:
                return current, new
            clash = self.conn.execute(
                "SELECT citekey FROM entries WHERE citekey = ? COLLATE NOCASE AND id != ?",
                (new, entry_id)).fetchone()
            if clash:
                raise CiteKeyError(f"citation key {new!r} is already in use by another entry",
                                   hint="pick another key, or rekey that entry first")
            self.conn.execute("UPDATE entries SET citekey = ?, updated = ? WHERE id = ?",
                              (new, now(), entry_id))
        return current, new


def doi_of(text: str) -> str | None:
    """The DOI in ``text`` (bare, ``doi:``-prefixed, or a doi.org URL), or None."""
    m = re.match(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", text.strip(), re.I)
    return m.group(1) if m else None

