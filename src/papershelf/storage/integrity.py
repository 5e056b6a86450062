"""Is the catalogue whole? SQLite's own checks, the search index against the entries, rows that
point at nothing; and the repairs that never touch an entry.

``check`` only reads. ``repair`` rebuilds the search index and deletes orphaned rows (people,
tags, aliases, dismissed tags, .bib blocks of entries that are gone; tags no entry carries), in one
transaction; it never deletes an entry, nor anything in the trash (removed entries, kept whole
as JSON records: no foreign key, nothing in them can be an orphan). Damage SQLite itself reports
(``integrity_check``) is not repaired here: that is what a backup is for.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from papershelf.storage.fts import reindex_all
from papershelf.storage.migrations import change_log_triggers

# The tables of ``storage.render_cache`` (and its first version's): never a catalogue's.
RENDER_CACHE_TABLES = ("rendered", "texts", "history")

# Tables whose rows belong to an entry, and the orphans among them.
_ENTRY_CHILDREN = ("people", "entry_tags", "aliases", "dismissed_tags", "entry_bib_blocks", "venue_evidence")
_SAMPLE = 10  # row ids quoted per finding
_NOT_A_FINDING = {5, 6, 8}  # busy, locked, read-only: FTS5's check could not run, nothing found


@dataclass
class Finding:
    check: str  # integrity, schema, fts, orphans, foreign_keys
    problem: str  # one line
    count: int = 1
    sample: list[Any] = field(default_factory=list)
    repairable: bool = False  # `db check --repair` fixes it

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "problem": self.problem, "count": self.count,
                "sample": self.sample, "repairable": self.repairable}


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def _ids(conn: sqlite3.Connection, sql: str) -> tuple[int, list[Any]]:
    rows = [r[0] for r in conn.execute(sql)]
    return len(rows), rows[:_SAMPLE]


def check(conn: sqlite3.Connection, known_migrations: tuple[str, ...], applied: list[str]) -> list[Finding]:
    """Every problem found; an empty list is a clean catalogue. Only reads."""
    found: list[Finding] = []
    problems = [r[0] for r in conn.execute("PRAGMA integrity_check(50)")]
    if problems != ["ok"]:
        found.append(Finding("integrity", "SQLite integrity_check: " + "; ".join(problems[:3]),
                             len(problems), problems[:_SAMPLE]))
        return found  # the rest reads a damaged file: restore a backup first
    missing = [name for name in known_migrations if name not in applied]
    if missing:
        found.append(Finding("schema", f"migrations not applied: {', '.join(missing)}", len(missing), missing))
    tables = _tables(conn)
    needed = {"entries", "people", "tags", "entry_tags", "dismissed_tags", "entries_fts"}
    if "m004_revisions_and_aliases" in applied:
        needed.add("aliases")
    if "m008_trash" in applied:  # removed entries: no foreign key, nothing in them is an orphan
        needed.add("trash")
    if "m012_change_log" in applied:
        needed |= {"meta", "changes"}
    absent = sorted(needed - tables)
    if absent:
        found.append(Finding("schema", f"tables missing: {', '.join(absent)}", len(absent), absent))
        return found
    if "m012_change_log" in applied:
        triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        gone = sorted(set(change_log_triggers()) - triggers)
        if gone:  # the render cache and --watch would miss changes
            found.append(Finding("schema", f"change-log triggers missing: {', '.join(gone)}",
                                 len(gone), gone[:_SAMPLE]))
    foreign = sorted(tables & set(RENDER_CACHE_TABLES))
    if foreign:
        found.append(Finding("schema", f"the render cache's tables are in the catalogue ({', '.join(foreign)}): "
                                       "was rendered.db a link to it?", len(foreign), foreign, True))
    n, sample = _ids(conn, "SELECT id FROM entries WHERE id NOT IN (SELECT rowid FROM entries_fts) ORDER BY id")
    if n:
        found.append(Finding("fts", f"{n} entries have no row in the search index", n, sample, True))
    n, sample = _ids(conn, "SELECT rowid FROM entries_fts WHERE rowid NOT IN (SELECT id FROM entries) "
                           "ORDER BY rowid")
    if n:
        found.append(Finding("fts", f"{n} search-index rows belong to no entry", n, sample, True))
    try:  # FTS5's own consistency check of its index structures
        conn.execute("INSERT INTO entries_fts(entries_fts, rank) VALUES ('integrity-check', 0)")
    except sqlite3.DatabaseError as exc:
        if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF not in _NOT_A_FINDING:
            found.append(Finding("fts", f"the search index is damaged ({exc})", 1, [], True))
    for table in _ENTRY_CHILDREN:
        if table not in tables:
            continue
        n, sample = _ids(conn, f"SELECT entry_id FROM {table} WHERE entry_id NOT IN (SELECT id FROM entries) "
                               "ORDER BY entry_id")
        if n:
            found.append(Finding("orphans", f"{n} rows of {table} belong to no entry", n, sample, True))
    n, sample = _ids(conn, "SELECT tag_id FROM entry_tags WHERE tag_id NOT IN (SELECT id FROM tags)")
    if n:
        found.append(Finding("orphans", f"{n} rows of entry_tags name no tag", n, sample, True))
    n, sample = _ids(conn, "SELECT name FROM tags WHERE id NOT IN (SELECT tag_id FROM entry_tags) ORDER BY name")
    if n:
        found.append(Finding("orphans", f"{n} tags are on no entry", n, sample, True))
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        tables_hit = sorted({r[0] for r in fk})
        covered = set(_ENTRY_CHILDREN)
        found.append(Finding("foreign_keys", f"{len(fk)} rows break a foreign key ({', '.join(tables_hit)})",
                             len(fk), [f"{r[0]}:{r[1]}" for r in fk[:_SAMPLE]],
                             set(tables_hit) <= covered))
    return found


@dataclass
class Repairs:
    fts_rows: int = 0  # entries indexed again
    orphans: dict[str, int] = field(default_factory=dict)  # table -> rows deleted
    dropped: list[str] = field(default_factory=list)  # the render cache's tables, found in the catalogue
    files: int = 0  # attached files read and indexed again (services.attachments.reindex_files)
    stray_files: int = 0  # orphans moved aside, leftovers of a purge finished (attachments.tidy_files)

    def to_dict(self) -> dict[str, Any]:
        return {"fts_reindexed": self.fts_rows, "orphans_deleted": self.orphans, "tables_dropped": self.dropped,
                "files_reindexed": self.files, "stray_files": self.stray_files}


def repair(conn: sqlite3.Connection) -> Repairs:
    """Delete orphaned rows and rebuild the search index, in the caller's transaction. Never
    deletes an entry."""
    done = Repairs()
    tables = _tables(conn)
    for table in _ENTRY_CHILDREN:
        if table in tables:
            cur = conn.execute(f"DELETE FROM {table} WHERE entry_id NOT IN (SELECT id FROM entries)")
            if cur.rowcount:
                done.orphans[table] = cur.rowcount
    cur = conn.execute("DELETE FROM entry_tags WHERE tag_id NOT IN (SELECT id FROM tags)")
    if cur.rowcount:
        done.orphans["entry_tags"] = done.orphans.get("entry_tags", 0) + cur.rowcount
    cur = conn.execute("DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM entry_tags)")
    if cur.rowcount:
        done.orphans["tags"] = cur.rowcount
    if {"entry_bib_blocks", "bib_blocks"} <= tables:
        cur = conn.execute("DELETE FROM entry_bib_blocks WHERE block_id NOT IN (SELECT id FROM bib_blocks)")
        if cur.rowcount:
            done.orphans["entry_bib_blocks"] = done.orphans.get("entry_bib_blocks", 0) + cur.rowcount
    for table in sorted(tables & set(RENDER_CACHE_TABLES)):  # written through a linked rendered.db
        conn.execute(f"DROP TABLE {table}")
        done.dropped.append(table)
    try:
        done.fts_rows = reindex_all(conn)
    except sqlite3.DatabaseError:  # the index's own pages are damaged: make it afresh
        from papershelf.storage.fts import create_tables

        create_tables(conn)
        done.fts_rows = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    return done
