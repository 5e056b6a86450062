"""The search index writer: one FTS5 row per entry (rowid = entries.id).

Every write to an entry rewrites its row in the same transaction (``reindex``), so the index
cannot drift from the data. CJK text is stored with a space around each character
(``model.text.split_cjk``) so unicode61 indexes characters, not whole clauses.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from papershelf.model.text import split_cjk

CHUNK = 500  # ids per statement: well under SQLite's bound-parameter limit


def placeholders(n: int) -> str:
    return ",".join("?" * n)


def reindex(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    """Rewrite the FTS rows of ``ids`` from the tables (deleted entries just lose theirs)."""
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start:start + CHUNK])
        marks = placeholders(len(chunk))
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
    """Rebuild the whole index; returns the number of entries indexed."""
    ids = [r[0] for r in conn.execute("SELECT id FROM entries")]
    conn.execute("DELETE FROM entries_fts")
    reindex(conn, ids)
    return len(ids)
