"""The full-text index of attached PDFs (m013): one FTS5 row per page, keyed by the file's
sha256 and the page number (1-based).

Text is stored as ``storage.fts`` stores the metadata: CJK characters spaced apart
(``model.text.split_cjk``, the one CJK splitting), so a Chinese query of any length, one
character or ten, is a phrase of single-character tokens and matches. Pages belong to the bytes,
not to an entry: a search reaches an entry only through a ``files`` row, so removing an entry
(its ``files`` rows go with it, into the trash) takes its pages out of every result at once,
``restore`` brings them back without reading the PDF again, and the same PDF attached twice is
indexed once. ``prune`` drops the pages no file row nor trashed entry names any more.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import NamedTuple

from papershelf.model.snippets import HIT_END, HIT_START
from papershelf.model.text import split_cjk

TABLE_SQL = ("CREATE VIRTUAL TABLE pdf_pages USING fts5(text, sha256 UNINDEXED, page UNINDEXED, "
             "tokenize = 'unicode61 remove_diacritics 2')")
SNIPPET_TOKENS = 16


class PageHit(NamedTuple):
    entry_id: int
    page: int
    marked: str  # the extract, hits between HIT_START/HIT_END, CJK spaced (``Snippet.parse`` undoes it)
    rank: float


def has_table(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'pdf_pages'").fetchone() is not None


def indexed(conn: sqlite3.Connection, sha256: str) -> bool:
    return conn.execute("SELECT 1 FROM pdf_pages WHERE sha256 = ? LIMIT 1", (sha256,)).fetchone() is not None


def put(conn: sqlite3.Connection, sha256: str, texts: Sequence[str]) -> int:
    """Index the pages of the file ``sha256`` (replacing what was there); returns pages written."""
    conn.execute("DELETE FROM pdf_pages WHERE sha256 = ?", (sha256,))
    rows = [(split_cjk(t), sha256, i) for i, t in enumerate(texts, 1) if t.strip()]
    conn.executemany("INSERT INTO pdf_pages(text, sha256, page) VALUES (?, ?, ?)", rows)
    return len(rows)


def prune(conn: sqlite3.Connection) -> int:
    """Drop the pages of files no ``files`` row and no trashed entry names; returns how many."""
    shas = [r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM pdf_pages")]
    live = {r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM files")}
    gone = []
    for sha in shas:
        if sha in live:
            continue
        if conn.execute("SELECT 1 FROM trash WHERE instr(record, ?) > 0 LIMIT 1", (sha,)).fetchone():
            continue
        gone.append(sha)
    conn.executemany("DELETE FROM pdf_pages WHERE sha256 = ?", [(s,) for s in gone])
    return len(gone)


def search(conn: sqlite3.Connection, match: str, limit: int | None = None) -> list[PageHit]:
    """The pages matching the FTS5 expression ``match``, best first, at most one hit (its best
    page) per entry; ``limit`` entries."""
    if not has_table(conn):
        return []
    sql = (f"SELECT f.entry_id, p.page, snippet(pdf_pages, 0, '{HIT_START}', '{HIT_END}', '…', "
           f"{SNIPPET_TOKENS}), bm25(pdf_pages) AS r FROM pdf_pages p JOIN files f ON f.sha256 = p.sha256 "
           "WHERE pdf_pages MATCH ? ORDER BY r")
    out: list[PageHit] = []
    seen: set[int] = set()
    for entry_id, page, marked, rank in conn.execute(sql, (match,)):
        if entry_id in seen:
            continue
        seen.add(entry_id)
        out.append(PageHit(int(entry_id), int(page), marked, float(rank)))
        if limit is not None and len(out) >= limit:
            break
    return out


def stats(conn: sqlite3.Connection) -> tuple[int, int]:
    """(pages indexed, distinct files indexed)."""
    if not has_table(conn):
        return 0, 0
    row = conn.execute("SELECT count(*), count(DISTINCT sha256) FROM pdf_pages").fetchone()
    return int(row[0]), int(row[1])
