"""The search index: two FTS5 tables with one row per entry (rowid = entries.id).

``entries_fts`` is stemmed (porter): ``models`` finds ``model``. ``entries_exact`` indexes the
same text unstemmed, so a search can rank entries holding the very words typed above those
that only share a stem (``consistency`` before ``consists``); it is contentless (it stores
no copy of the text: rows are deleted with the values ``entries_fts`` holds).

Columns, in order: ``title``, ``names`` (acronyms, short names and the ``aliases``,
``shorthand`` and ``shorttitle`` fields: ``model.names``), ``authors``, ``tags``,
``abstract``, ``notes``, ``section`` and ``ids`` (citation key and the keys merged into it,
arXiv id, DOI, URL). Every write to an entry rewrites its rows in the same transaction
(``reindex``), so the index cannot drift from the data. CJK text is stored with a space around
each character (``model.text.split_cjk``) so unicode61 indexes characters, not whole clauses.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from papershelf.model.names import ids_text, names_text
from papershelf.model.snippets import HIT_END, HIT_START  # private-use marks around each hit
from papershelf.model.text import split_cjk

if TYPE_CHECKING:
    from papershelf.model.entry import Entry
    from papershelf.model.identity import Keys

CHUNK = 500  # ids per statement: well under SQLite's bound-parameter limit

COLUMNS = ("title", "names", "authors", "tags", "abstract", "notes", "section", "ids")
# bm25 weights, in column order: a hit in the title or a name counts most, one in the abstract least.
WEIGHTS = (10.0, 15.0, 6.0, 6.0, 1.0, 2.0, 1.0, 8.0)
_OLD_COLUMNS = ("title", "authors", "abstract", "notes", "tags", "section")  # m002 to m006
_TOKENIZER = "unicode61 remove_diacritics 2"
TABLES_SQL = (
    f"CREATE VIRTUAL TABLE entries_fts USING fts5({', '.join(COLUMNS)}, "
    f"tokenize = 'porter {_TOKENIZER}')",
    f"CREATE VIRTUAL TABLE entries_exact USING fts5({', '.join(COLUMNS)}, content = '', "
    f"tokenize = '{_TOKENIZER}')",
)


_OLD_WEIGHTS = (10.0, 6.0, 1.0, 2.0, 6.0, 1.0)


def placeholders(n: int) -> str:
    return ",".join("?" * n)


def bm25(current: bool = True) -> str:
    """The ranking function; ``current=False`` for an index of the m002 shape (a catalogue from
    before m007 opened read-only, which cannot be migrated)."""
    return f"bm25(entries_fts, {', '.join(str(w) for w in (WEIGHTS if current else _OLD_WEIGHTS))})"


def has_exact(conn: sqlite3.Connection) -> bool:
    """Whether the index has its m007 shape (a catalogue being migrated may not yet)."""
    return conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'entries_exact'").fetchone() is not None


def create_tables(conn: sqlite3.Connection) -> None:
    """Make both index tables afresh (dropping what is there) and fill them; make the table of
    topic aliases if there is none (``Library.add`` and ``autotag`` fill it: search reads it
    without loading the topic rules)."""
    conn.execute("CREATE TABLE IF NOT EXISTS topic_aliases (alias TEXT PRIMARY KEY, topic TEXT NOT NULL) "
                 "WITHOUT ROWID")
    conn.execute("DROP TABLE IF EXISTS entries_fts")
    conn.execute("DROP TABLE IF EXISTS entries_exact")
    for sql in TABLES_SQL:
        conn.execute(sql)
    reindex_all(conn)


def _texts(conn: sqlite3.Connection, chunk: list[int], marks: str) -> list[tuple]:
    """(rowid, column texts in ``COLUMNS`` order) for the entries of ``chunk``."""
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
    keys: dict[int, list[str]] = {}
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'aliases'").fetchone():
        for row in conn.execute(f"SELECT entry_id, alias FROM aliases WHERE entry_id IN ({marks})", chunk):
            keys.setdefault(row[0], []).append(row[1])
    out = []
    for r in conn.execute(
            f"SELECT id, title, abstract, notes, section, citekey, arxiv_id, doi, url, extra "
            f"FROM entries WHERE id IN ({marks})", chunk):
        title = r[1] or ""
        try:
            extra = json.loads(r[9] or "{}")
        except ValueError:
            extra = {}
        extra = {k: v for k, v in extra.items() if isinstance(v, str)} if isinstance(extra, dict) else {}
        out.append((r[0], split_cjk(title), split_cjk(names_text(title, extra)),
                    split_cjk("; ".join(people.get(r[0], []))), split_cjk(" ".join(tags.get(r[0], []))),
                    split_cjk(r[2] or ""), split_cjk(r[3] or ""), split_cjk(r[4] or ""),
                    ids_text(r[5], keys.get(r[0], ()), r[6], r[7], r[8])))
    return out


def reindex(conn: sqlite3.Connection, ids: Sequence[int], stored: Sequence[Entry] = (),
            keys: Sequence[Keys | None] = ()) -> None:
    """Rewrite the index rows of ``ids`` from the tables (deleted entries just lose theirs).
    ``stored``: entries just inserted from these very objects (their ids among ``ids``), whose
    identity rows are made from them instead of being read back (``keys``: see
    ``identity_rows.refresh``)."""
    exact = has_exact(conn)
    cols = ", ".join(COLUMNS)
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start:start + CHUNK])
        marks = placeholders(len(chunk))
        if exact:  # a contentless table forgets a row given the values it was indexed with
            conn.execute(f"INSERT INTO entries_exact(entries_exact, rowid, {cols}) "
                         f"SELECT 'delete', rowid, {cols} FROM entries_fts WHERE rowid IN ({marks})", chunk)
        conn.execute(f"DELETE FROM entries_fts WHERE rowid IN ({marks})", chunk)
        rows = _texts(conn, chunk, marks)
        if not exact:  # the m002 shape, while a catalogue is migrated through it
            by_name = [dict(zip(("rowid", *COLUMNS), r, strict=True)) for r in rows]
            conn.executemany(
                f"INSERT INTO entries_fts(rowid, {', '.join(_OLD_COLUMNS)}) VALUES (?, {placeholders(6)})",
                [(d["rowid"], *(d[c] for c in _OLD_COLUMNS)) for d in by_name])
            continue
        for table in ("entries_fts", "entries_exact"):
            conn.executemany(f"INSERT INTO {table}(rowid, {cols}) VALUES (?, {placeholders(len(COLUMNS))})", rows)
    from papershelf.storage import identity_rows  # the identifiers an entry is found by, too

    identity_rows.refresh(conn, ids, stored, keys)


def reindex_all(conn: sqlite3.Connection) -> int:
    """Rebuild the whole index; returns the number of entries indexed."""
    ids = [r[0] for r in conn.execute("SELECT id FROM entries")]
    if has_exact(conn):
        conn.execute("INSERT INTO entries_exact(entries_exact) VALUES ('delete-all')")
    conn.execute("DELETE FROM entries_fts")
    reindex(conn, ids)
    return len(ids)


# Which column explains a match best: the one holding the most of the words searched; among
# equals, the title, then what the paper is called, then the rest, the identifiers last.
SNIPPET_ORDER = ("title", "names", "authors", "abstract", "notes", "tags", "section", "ids")


def _hit_words(marked: str | None) -> int:
    """How many different words an extract marks as hits."""
    if not marked or HIT_START not in marked:
        return 0
    return len({part.split(HIT_END, 1)[0].lower() for part in marked.split(HIT_START)[1:]})


def topic_aliases(conn: sqlite3.Connection) -> dict[str, str]:
    """The topic aliases search knows (alias -> topic), as the last write recorded them."""
    try:
        return dict(conn.execute("SELECT alias, topic FROM topic_aliases"))
    except sqlite3.OperationalError:  # older than m007, opened read-only
        return {}


def set_topic_aliases(conn: sqlite3.Connection, aliases: dict[str, str]) -> bool:
    """Record the topic aliases in force (inside the caller's transaction); False if unchanged."""
    if topic_aliases(conn) == aliases:
        return False
    conn.execute("DELETE FROM topic_aliases")
    conn.executemany("INSERT INTO topic_aliases(alias, topic) VALUES (?, ?)", sorted(aliases.items()))
    return True


def snippets(conn: sqlite3.Connection, fts: str, ids: Sequence[int],
             tokens: int = 12) -> dict[int, tuple[str, str]]:
    """For each of ``ids`` that ``fts`` matches: the column that explains it best (see
    ``SNIPPET_ORDER``), and a short extract of it with each hit between ``HIT_START`` and
    ``HIT_END``."""
    columns = COLUMNS if has_exact(conn) else _OLD_COLUMNS
    names = [c for c in SNIPPET_ORDER if c in columns]
    order = [columns.index(c) for c in names]
    calls = ", ".join(f"snippet(entries_fts, {i}, ?1, ?2, '…', ?3)" for i in order)
    out: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start:start + CHUNK])
        for row in conn.execute(
                f"SELECT rowid, {calls} FROM entries_fts "
                f"WHERE entries_fts MATCH ?4 AND rowid IN ({', '.join(f'?{5 + i}' for i in range(len(chunk)))})",
                [HIT_START, HIT_END, tokens, fts, *chunk]):
            best = max(range(len(order)), key=lambda i: (_hit_words(row[1 + i]), -i))
            if _hit_words(row[1 + best]):
                out[int(row[0])] = (names[best], str(row[1 + best]))
    return out
