"""The catalogue repository: entries, their people and tags, and the search index, over one file.

All SQL of papershelf lives in ``storage``. This class stores and finds what it is given; it
decides nothing about identity, citation keys or topics (``services.library`` does). Every
write happens inside ``transaction()`` and refreshes the entries' FTS rows in that same
transaction (``fts.reindex``), so the index cannot drift from the data.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papershelf.errors import NotFoundError, QuerySyntaxError, UsageError
from papershelf.model.entry import Entry, Summary
from papershelf.model.query import Filters
from papershelf.storage import db, lookup, opening, rows
from papershelf.storage.entry_writes import EntryWrites
from papershelf.storage.fts import bm25, has_exact, placeholders

# Each sort is a list of ORDER BY terms (so --reverse can turn every term around).
SORTS = {
    "added": ("e.id",),
    "year": ("e.year IS NULL", "e.year", "e.id"),
    "title": ("e.title COLLATE NOCASE", "e.id"),
    "key": ("e.citekey",),
    "author": ("(SELECT family FROM people p WHERE p.entry_id = e.id AND p.position = 0 "
               "ORDER BY p.role LIMIT 1) COLLATE NOCASE", "e.year", "e.id"),
}
# The shortest key prefix that ``resolve`` expands (as git does with abbreviated hashes).
MIN_PREFIX = 4


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


class Catalogue(EntryWrites):
    """A papershelf catalogue file."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path, *, create: bool = False, readonly: str | None = None) -> tuple[Catalogue, bool]:
        """Open (migrating it to the current schema) or, with ``create``, make the catalogue;
        ``readonly``: open it for reading only, every write refused with this reason."""
        conn, created = opening.open_db(path, create=create, readonly=readonly)
        return cls(conn, path), created

    @classmethod
    def open_readonly(cls, path: Path) -> Catalogue:
        """Open for reading only: no migration, no WAL switch, no backup, no write of any kind."""
        return cls(db.connect_readonly(path), path)

    def close(self) -> None:
        self.conn.close()

    def transaction(self) -> Any:
        return db.transaction(self.conn)

    def backup(self, label: str) -> Path:
        """A consistent copy beside the catalogue (``VACUUM INTO``); returns its path."""
        from papershelf.storage import backups

        return backups.backup(self.conn, self.path, label)

    def backup_to(self, target: Path) -> Path:
        from papershelf.storage import backups

        return backups.backup_to(self.conn, target)

    # -- reading ------------------------------------------------------------------------------

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM entries").fetchone()[0])

    def load(self, ids: Sequence[int]) -> list[Entry]:
        """Entries for row ids, in that order."""
        return rows.load(self.conn, ids)

    def summaries(self, ids: Sequence[int]) -> list[Summary]:
        """What ``list`` and ``search`` show of the entries ``ids`` (``rows.summaries``), in order."""
        return rows.summaries(self.conn, ids)

    def iter_load(self, ids: Sequence[int], chunk: int = 500) -> Iterator[Entry]:
        """Entries for row ids, in that order, loaded ``chunk`` at a time: a caller that handles
        each entry and lets it go never holds more than one chunk."""
        for start in range(0, len(ids), chunk):
            yield from rows.load(self.conn, ids[start:start + chunk])

    def keys_of(self, ids: Sequence[int]) -> dict[int, str]:
        """The citekey of each row id (without loading the entries)."""
        out: dict[int, str] = {}
        cur = self.conn.cursor()
        cur.row_factory = None  # plain (id, citekey) tuples: what dict.update takes
        for start in range(0, len(ids), 500):
            part = list(ids[start:start + 500])
            out.update(cur.execute(f"SELECT id, citekey FROM entries WHERE id IN ({placeholders(len(part))})", part))
        cur.close()
        return out

    def get_id(self, entry_id: int) -> Entry:
        """The entry stored under row id ``entry_id``."""
        found = self.load([entry_id])
        if not found:
            raise NotFoundError(f"no entry with row id {entry_id}")
        return found[0]

    def resolve(self, ref: str, *, exact: bool = False, suggest: bool = True) -> int:
        """The row id of the entry ``ref`` names: a citekey (or an alias, a merged-away key that
        still cites it), an arXiv id or URL, or a DOI; then, unless ``exact``, a prefix of
        exactly one key (at least ``MIN_PREFIX`` characters; a key in the trash is not expanded,
        it is named). A miss is a ``NotFoundError`` that names the closest keys. Every step is
        an index lookup. ``suggest=False`` leaves the closest keys out of a miss (a document's
        many cited keys, checked in bulk)."""
        ref = ref.strip()
        row = self.conn.execute("SELECT id FROM entries WHERE citekey = ?", (ref,)).fetchone()
        if row:
            return int(row[0])
        row = self.conn.execute("SELECT entry_id FROM aliases WHERE alias = ?", (ref,)).fetchone()
        if row:  # a key merged into another entry still cites it
            return int(row[0])
        from papershelf.model.identifiers import doi_of  # only when ref is not a key (startup)
        from papershelf.model.identifiers import parse as parse_arxiv

        aid = parse_arxiv(ref)
        if aid:
            found = self.find_arxiv_id(aid.canonical)
            if found is None and aid.id != aid.canonical:
                found = self.find_arxiv_id(aid.id)
            if found is not None:
                return found
        doi = doi_of(ref)
        if doi:
            row = self.conn.execute(
                "SELECT id FROM entries WHERE lower(doi) = ?", (doi.lower(),)).fetchone()
            if row:
                return int(row[0])
        row = self.conn.execute(
            "SELECT id FROM entries WHERE citekey = ? COLLATE NOCASE", (ref,)).fetchone()
        if row:
            return int(row[0])
        try:
            trashed = self.conn.execute("SELECT citekey FROM trash WHERE citekey = ? COLLATE NOCASE LIMIT 1",
                                        (ref,)).fetchone()
        except sqlite3.OperationalError:  # older than m008, opened read-only
            trashed = None
        if trashed:
            raise NotFoundError(f"no entry {ref!r}: it is in the trash",
                                hint=f"`papershelf restore {trashed[0]}` brings it back")
        if not exact and len(ref) >= MIN_PREFIX:
            starting = self._keys_from(ref, 6)
            ids = list(dict.fromkeys(entry_id for entry_id, _ in starting))
            if len(ids) == 1:
                return ids[0]
            if ids:
                shown = list(dict.fromkeys(key for _, key in starting))[:5]
                raise NotFoundError(f"{ref!r} is the start of several keys: {', '.join(shown)}"
                                    f"{', …' if len(ids) > 5 else ''}", hint="type more of the key")
        from papershelf.model.suggest import closest, did_you_mean

        close = closest(ref, self._key_candidates(ref)) if suggest else []
        raise NotFoundError(f"no entry {ref!r}{did_you_mean(close)}", hint=None if close else
                            "`papershelf search` finds entries by words; keys are in `papershelf list`")

    def _keys_from(self, prefix: str, limit: int) -> list[tuple[int, str]]:
        """(row id, key) of keys and aliases starting with ``prefix`` (range scans on their
        indexes: keys as written, aliases without case), keys first."""
        end = prefix + "\U0010ffff"
        found = [(int(r[0]), str(r[1])) for r in self.conn.execute(
            "SELECT id, citekey FROM entries WHERE citekey >= ? AND citekey < ? ORDER BY citekey LIMIT ?",
            (prefix, end, limit))]
        try:
            found += [(int(r[0]), str(r[1])) for r in self.conn.execute(
                "SELECT entry_id, alias FROM aliases WHERE alias >= ? AND alias < ? ORDER BY alias LIMIT ?",
                (prefix, end, limit))]
        except sqlite3.OperationalError:  # a catalogue older than aliases, opened read-only
            pass
        return found

    def _key_candidates(self, ref: str, want: int = 200) -> list[str]:
        """Keys that may be what a mistyped ``ref`` meant, for "did you mean": those sharing
        ever shorter prefixes with it (as typed and in lower case), until ``want`` are found.
        Range scans only: a miss costs a few index seeks, whatever the catalogue's size."""
        found: dict[str, None] = {}
        for form in dict.fromkeys((ref, ref.lower())):
            for cut in range(min(len(form), 40), 0, -1):
                found.update((key, None) for _, key in self._keys_from(form[:cut], want))
                if len(found) >= want:
                    break
        return list(found)

    def get(self, ref: str) -> Entry:
        return self.load([self.resolve(ref)])[0]

    def entries(self) -> list[Entry]:
        return self.load([r[0] for r in self.conn.execute("SELECT id FROM entries ORDER BY id")])

    def find_arxiv_id(self, arxiv_id: str) -> int | None:
        row = self.conn.execute("SELECT id FROM entries WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
        return int(row[0]) if row else None

    def _filter_sql(self, filters: Filters) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        for names in filters.tag_name_groups():
            where.append(
                "e.id IN (SELECT et.entry_id FROM entry_tags et JOIN tags t ON t.id = et.tag_id "
                f"WHERE t.name IN ({placeholders(len(names))}))")
            params.extend(names)
        if filters.types:
            where.append(f"e.type IN ({placeholders(len(filters.types))})")
            params.extend(t.lower() for t in filters.types)
        if filters.year_min is not None:
            where.append("e.year >= ?")
            params.append(filters.year_min)
        if filters.year_max is not None:
            where.append("e.year <= ?")
            params.append(filters.year_max)
        if filters.has_pdf is not None:
            from papershelf.storage.files import entries_with_files_sql, has_table

            if has_table(self.conn):
                where.append(("" if filters.has_pdf else "NOT ") + entries_with_files_sql())
            elif filters.has_pdf:
                where.append("0")
        return where, params

    def list_entries(self, filters: Filters | None = None, *, sort: str = "added",
                     reverse: bool = False, limit: int | None = None) -> list[Entry]:
        return self.load(self.list_ids(filters, sort=sort, reverse=reverse, limit=limit))

    def list_ids(self, filters: Filters | None = None, *, sort: str = "added",
                 reverse: bool = False, limit: int | None = None) -> list[int]:
        """The row ids ``list_entries`` would load, in its order."""
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
        return [r[0] for r in self.conn.execute(sql, params)]

    def search_ids(self, fts: str, filters: Filters | None = None, limit: int | None = None, *,
                   literal: str | None = None) -> list[int]:
        """Row ids matching the FTS5 expression ``fts`` (from ``model.query.parse_query``) and
        the filters, best first; an empty ``fts`` means filters only, newest first.

        Best first: entries holding the words as typed (``literal`` in the unstemmed index:
        ``consistency``), then those sharing only a stem (``consists``), then those found only
        through a topic's alias (``fts`` minus ``literal``); bm25 within each."""
        where, params = self._filter_sql(filters or Filters())
        literal = literal or fts
        if not fts:
            sql = "SELECT e.id FROM entries e"
            if where:
                sql += " WHERE " + " AND ".join(where)
            sql += " ORDER BY e.year DESC, e.id"
        else:
            # Each tier is one uncorrelated subquery, computed once: a set the rows are looked up in.
            tiers = ["entries_fts.rowid NOT IN (SELECT rowid FROM entries_exact WHERE entries_exact MATCH ?)"]
            tier_params = [literal]
            current = has_exact(self.conn)
            if not current:  # older than m007, opened read-only: bm25 alone
                tiers, tier_params = ["entries_fts.rowid IS NULL"], []
            if literal != fts and current:
                tiers.append("entries_fts.rowid NOT IN "
                             "(SELECT rowid FROM entries_fts AS lit WHERE lit.entries_fts MATCH ?)")
                tier_params.append(literal)
            order = ", ".join(tiers)
            if not where:
                # Rank inside the index alone: joining entries first costs 2x on broad queries.
                sql = (f"SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? "
                       f"ORDER BY {order}, {bm25(current)}, rowid")
                params = [fts, *tier_params]
            else:
                # Filters through the join (never "rowid IN (subquery)" on FTS5: that scans per row).
                sql = (f"SELECT e.id FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid "
                       f"WHERE entries_fts MATCH ? AND {' AND '.join(where)} ORDER BY {order}, {bm25(current)}, e.id")
                params = [fts, *params, *tier_params]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        try:
            return [r[0] for r in self.conn.execute(sql, params)]
        except sqlite3.OperationalError as exc:
            message = str(exc)
            if "locked" in message or "busy" in message or "disk" in message:
                raise
            # Anything else SQLite refuses in a search (FTS5 syntax, an expression too large)
            # is the query's fault: one line, exit 2.
            first = message.splitlines()[0] if message else type(exc).__name__
            raise QuerySyntaxError(f"cannot search for that: {first}") from None

    def search_snippets(self, fts: str, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """For each of ``ids`` that ``fts`` matches: the column that explains the match and an
        extract of it with the hits marked (``fts.snippets``)."""
        from papershelf.storage.fts import snippets

        return snippets(self.conn, fts, ids)

    def topic_aliases(self) -> dict[str, str]:
        """alias -> topic, as ``record_topic_aliases`` last stored them (for search)."""
        from papershelf.storage.fts import topic_aliases

        return topic_aliases(self.conn)

    def record_topic_aliases(self, aliases: dict[str, str]) -> None:
        """Store the topic aliases in force, if they changed (one small write)."""
        from papershelf.storage.fts import set_topic_aliases

        with db.transaction(self.conn):
            set_topic_aliases(self.conn, aliases)

    def tags(self) -> list[tuple[str, int, int]]:
        """Every tag with its entry count and how many of those a topic rule set."""
        found = self.conn.execute(
            "SELECT t.name, count(et.entry_id), sum(et.source = 'rule') FROM tags t "
            "JOIN entry_tags et ON et.tag_id = t.id GROUP BY t.id "
            "ORDER BY count(et.entry_id) DESC, t.name")
        return [(r[0], r[1], r[2] or 0) for r in found]

    def tag_names(self, prefix: str = "", limit: int = 200) -> list[str]:
        return lookup.tag_names(self.conn, prefix, limit)

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
        """Keys (and aliases: merged-away keys that still cite) starting with ``prefix``."""
        return lookup.citekeys(self.conn, prefix, limit)

    def taken_keys(self) -> set[str]:
        """Every citekey and alias in use, lower-cased (BibTeX compares keys without case)."""
        return {r[0] for r in self.conn.execute(
            "SELECT lower(citekey) FROM entries UNION SELECT lower(alias) FROM aliases")}

    def key_taken(self, key: str, *, other_than: int | None = None) -> bool:
        """Whether ``key`` cites an entry (other than ``other_than``), as a key or an alias."""
        return self.conn.execute(
            "SELECT 1 FROM entries WHERE citekey = ? COLLATE NOCASE AND id IS NOT ? UNION ALL "
            "SELECT 1 FROM aliases WHERE alias = ? AND entry_id IS NOT ? LIMIT 1",
            (key, other_than, key, other_than)).fetchone() is not None

    def identity_candidates(self, slot: str, value: object) -> list[tuple[int, str, Any]]:
        """(row id, citekey, ``Keys``) of the entries the identity index holds under (``slot``,
        ``value``) (``model.identity.slots``), in row id order: index seeks, not a pass over all."""
        from papershelf.storage import identity_rows

        found = identity_rows.keys_of(self.conn, identity_rows.candidates(self.conn, slot, value))
        return [(row_id, key, keys) for row_id, (key, keys) in sorted(found.items())]

    def identity_candidates_many(self, slots: Iterable[tuple[str, object]]
                                 ) -> dict[tuple[str, object], list[tuple[int, str, Any]]]:
        """``identity_candidates`` for each of ``slots``, in a few statements (the slots a chunk
        of records is looked up by, asked at once)."""
        from papershelf.storage import identity_rows

        found = identity_rows.candidates_many(self.conn, slots)
        keys = identity_rows.keys_of(self.conn, [i for ids in found.values() for i in ids])
        return {slot: [(row_id, *keys[row_id]) for row_id in ids if row_id in keys]
                for slot, ids in found.items()}

    def identity_of(self, ids: Sequence[int]) -> dict[int, tuple[str, Any]]:
        """For each of ``ids`` that exists: (citekey, ``Keys``), read from the few columns the
        identity rule reads (one query per 500 ids), not by loading the entries."""
        from papershelf.storage import identity_rows

        return identity_rows.keys_of(self.conn, ids)

    def last_id(self) -> int:
        """The largest row id: entries written after this (in one transaction) have larger ones."""
        return int(self.conn.execute("SELECT coalesce(max(id), 0) FROM entries").fetchone()[0])
