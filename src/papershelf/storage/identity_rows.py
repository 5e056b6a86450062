"""The identity index (``identity_keys``, m014): each entry's identifiers in the comparable form
the one identity rule reads (``model.identity.slots``: arXiv id, DOI, ISBN, URL, normalised
title with year), so the door asks "which entries could be this work?" with an index seek per
identifier instead of reading the whole catalogue. The rule itself then decides among those
few candidates, exactly as before.

Kept up to date by the one write path: ``fts.reindex``, which every entry write calls in its
own transaction, calls ``refresh`` for the same ids (a removed entry just loses its rows). The
table has no foreign key, so the trash does not keep its rows (``refresh`` rebuilds them when
an entry comes back), and a row left by a direct ``sqlite3`` delete only names an entry that is
no longer there, which ``records`` does not find.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import cast

from papershelf.model.entry import Entry, Person
from papershelf.model.identity import Keys, slots

TABLE_SQL = [
    """
    CREATE TABLE identity_keys (
        slot TEXT NOT NULL,
        value TEXT NOT NULL,
        entry_id INTEGER NOT NULL,
        PRIMARY KEY (slot, value, entry_id)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX identity_keys_entry ON identity_keys(entry_id)",
]
CHUNK = 500  # ids per statement: well under SQLite's bound-parameter limit

# What the identity rule reads of an entry (``Keys.of``): the columns, and the first author.
_RECORD_SQL = (
    "SELECT e.id, e.citekey, e.type, e.title, e.year, e.volume, e.number, e.pages, e.isbn, e.doi, e.url, "
    "e.arxiv_id, e.booktitle, e.journal, json_extract(e.extra, '$.series'), json_extract(e.extra, '$.note'), "
    "(SELECT p.family FROM people p WHERE p.entry_id = e.id AND p.position = 0 AND p.role = 'author' LIMIT 1) "
    "FROM entries e")


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _entry(r: sqlite3.Row | tuple) -> Entry:
    family = r[16]
    return Entry(title=r[3], type=r[2], citekey=r[1], year=r[4], volume=r[5], number=r[6], pages=r[7],
                 isbn=r[8], doi=r[9], url=r[10], arxiv_id=r[11], booktitle=r[12], journal=r[13],
                 extra={k: v for k, v in (("series", r[14]), ("note", r[15])) if v},
                 authors=[Person(family)] if family else [])


def records(conn: sqlite3.Connection, ids: Sequence[int]) -> list[tuple[int, str, Entry]]:
    """(row id, citekey, entry with the fields the identity rule reads) for ``ids`` (those that
    exist), in row id order."""
    out: list[tuple[int, str, Entry]] = []
    for start in range(0, len(ids), CHUNK):
        part = list(ids[start:start + CHUNK])
        out.extend((int(r[0]), r[1], _entry(r)) for r in conn.execute(
            f"{_RECORD_SQL} WHERE e.id IN ({_marks(len(part))})", part))
    return sorted(out, key=lambda t: t[0])


def _value(slot: str, value: object) -> str:
    if slot == "title":
        title, year = cast("tuple[str, int]", value)
        return f"{year} {title}"
    return str(value)


def rows_of(keys: Keys) -> Iterator[tuple[str, str]]:
    """(slot, value) rows that index ``keys``."""
    for slot, value in slots(keys):
        yield slot, _value(slot, value)


def has_table(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'identity_keys'"
                        ).fetchone() is not None


def refresh(conn: sqlite3.Connection, ids: Sequence[int], stored: Sequence[Entry] = (),
            keys: Sequence[Keys | None] = ()) -> None:
    """Rewrite the identity rows of ``ids`` from the tables (a removed entry loses its rows);
    ``stored``: entries just inserted from these objects, made from them, not read back (what
    the rule reads of an entry is what was inserted: tested against the tables); ``keys``:
    their ``Keys`` where the caller has them already (None: made here). Nothing while a
    catalogue is migrated through a schema older than m014."""
    if not ids or not has_table(conn):
        return
    given = {e.id: e for e in stored if e.id is not None}
    known_keys = {e.id: k for e, k in zip(stored, keys or [None] * len(stored), strict=True)
                  if k is not None and e.id is not None}
    for start in range(0, len(ids), CHUNK):
        part = list(ids[start:start + CHUNK])
        conn.execute(f"DELETE FROM identity_keys WHERE entry_id IN ({_marks(len(part))})", part)
        known = [(i, given[i]) for i in part if i in given]
        read = records(conn, [i for i in part if i not in given]) if len(known) < len(part) else []
        conn.executemany("INSERT OR IGNORE INTO identity_keys(slot, value, entry_id) VALUES (?, ?, ?)",
                         [(slot, value, row_id) for row_id, entry in [*known, *((r, e) for r, _, e in read)]
                          for slot, value in rows_of(known_keys.get(row_id) or Keys.of(entry))])


def rebuild(conn: sqlite3.Connection) -> int:
    """Every entry's identity rows afresh, a chunk of entries at a time; returns how many."""
    conn.execute("DELETE FROM identity_keys")
    ids = [r[0] for r in conn.execute("SELECT id FROM entries ORDER BY id")]
    for start in range(0, len(ids), CHUNK):
        refresh(conn, ids[start:start + CHUNK])
    return len(ids)


LOOKUP_SQL = "SELECT entry_id FROM identity_keys WHERE slot = ? AND value = ? ORDER BY entry_id"


def candidates(conn: sqlite3.Connection, slot: str, value: object) -> list[int]:
    """Row ids of the entries indexed under (``slot``, ``value``): one index seek."""
    return [int(r[0]) for r in conn.execute(LOOKUP_SQL, (slot, _value(slot, value)))]


MANY_SQL = "SELECT value, entry_id FROM identity_keys WHERE slot = ? AND value IN ({}) ORDER BY entry_id"


def candidates_many(conn: sqlite3.Connection, wanted: Iterable[tuple[str, object]]
                    ) -> dict[tuple[str, object], list[int]]:
    """``candidates`` for each of ``wanted`` (slots), in a few statements: an index seek per
    value, a statement per slot name and ``CHUNK`` values. Every slot asked is in the answer
    (an empty list: none)."""
    out: dict[tuple[str, object], list[int]] = {}
    by_name: dict[str, dict[str, tuple[str, object]]] = {}
    for slot in wanted:
        if slot not in out:
            out[slot] = []
            by_name.setdefault(slot[0], {})[_value(*slot)] = slot
    for name, values in by_name.items():
        texts = list(values)
        for start in range(0, len(texts), CHUNK):
            part = texts[start:start + CHUNK]
            for value, row_id in conn.execute(MANY_SQL.format(_marks(len(part))), [name, *part]):
                out[values[value]].append(int(row_id))
    return out


def keys_of(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, tuple[str, Keys]]:
    """For each of ``ids`` that exists: (citekey, its ``Keys``)."""
    return {row_id: (key, Keys.of(entry)) for row_id, key, entry in records(conn, sorted(set(ids)))}
