"""Entries to table rows and back: the columns of ``entries`` and how each maps onto ``Entry``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from papershelf.model.entry import Entry, Person
from papershelf.storage.fts import CHUNK, placeholders

# Columns of ``entries`` that map one-to-one onto Entry fields.
SCALAR = (
    "citekey", "type", "title", "year", "date", "abstract", "journal", "booktitle", "volume",
    "number", "pages", "publisher", "edition", "isbn", "doi", "url", "arxiv_id",
    "arxiv_version", "primary_class", "arxiv_comment", "journal_ref", "section", "notes",
    "added", "updated", "source_type",
)
# Columns the repository maintains itself (never taken from an incoming Entry).
MANAGED = ("revision",)
JSON_COLUMNS = ("categories", "links", "extra", "source_fields", "edited")
# Entry fields that say what a .bib source wrote (replaced together when a .bib record merges).
VERBATIM = ("source_type", "source_fields", "edited")
# Fields a metadata source (arXiv, a .bib file) may overwrite; never citekey, notes, section, tags.
BIBLIOGRAPHIC = (
    "type", "title", "authors", "editors", "year", "date", "abstract", "journal", "booktitle",
    "volume", "number", "pages", "publisher", "edition", "isbn", "doi", "url", "arxiv_id",
    "arxiv_version", "primary_class", "categories", "arxiv_comment", "journal_ref",
)


def to_json(name: str, value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=name == "extra")


def row_of(entry: Entry) -> dict[str, Any]:
    """The ``entries`` row of ``entry`` (without its id)."""
    row: dict[str, Any] = {k: getattr(entry, k) for k in SCALAR}
    row.update({k: to_json(k, getattr(entry, k)) for k in JSON_COLUMNS})
    row["needs_sync"] = int(entry.needs_sync)
    return row


def entry_of(row: sqlite3.Row) -> Entry:
    have = row.keys()  # a catalogue older than m005, opened read-only, lacks the source columns
    data: dict[str, Any] = {k: row[k] for k in SCALAR if k in have}
    for k in JSON_COLUMNS:
        if k in have:
            data[k] = json.loads(row[k])
    data["needs_sync"] = bool(row["needs_sync"])
    data["id"] = row["id"]
    data["revision"] = row["revision"]
    return Entry(**data)


def load(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Entry]:
    """Entries for ``ids``, in that order, with people and tags (three queries per chunk)."""
    out: dict[int, Entry] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start:start + CHUNK])
        marks = placeholders(len(chunk))
        for row in conn.execute(f"SELECT * FROM entries WHERE id IN ({marks})", chunk):
            out[row["id"]] = entry_of(row)
        for row in conn.execute(
                f"SELECT entry_id, role, family, given, prefix, suffix FROM people "
                f"WHERE entry_id IN ({marks}) ORDER BY entry_id, role, position", chunk):
            person = Person(row[2], row[3], row[4], row[5])
            entry = out[row[0]]
            (entry.authors if row[1] == "author" else entry.editors).append(person)
        for row in conn.execute(
                f"SELECT entry_id, alias FROM aliases WHERE entry_id IN ({marks}) ORDER BY alias", chunk):
            out[row[0]].aliases.append(row[1])
        try:
            blocks = conn.execute(
                f"SELECT eb.entry_id, b.kind, b.name, b.value FROM entry_bib_blocks eb "
                f"JOIN bib_blocks b ON b.id = eb.block_id WHERE eb.entry_id IN ({marks}) "
                f"ORDER BY eb.entry_id, b.id", chunk).fetchall()
        except sqlite3.OperationalError:  # older than m005, opened read-only
            blocks = []
        for row in blocks:
            if row[1] == "preamble":
                out[row[0]].bib_preambles.append(row[3])
            else:
                out[row[0]].bib_strings.setdefault(row[2], row[3])
        for row in conn.execute(
                f"SELECT et.entry_id, t.name, et.source FROM entry_tags et "
                f"JOIN tags t ON t.id = et.tag_id WHERE et.entry_id IN ({marks}) "
                f"ORDER BY t.name", chunk):
            out[row[0]].tags.append(row[1])
            if row[2] == "rule":
                out[row[0]].rule_tags.append(row[1])
    return [out[i] for i in ids if i in out]


def write_people(conn: sqlite3.Connection, entry_id: int, entry: Entry) -> None:
    conn.execute("DELETE FROM people WHERE entry_id = ?", (entry_id,))
    conn.executemany(
        "INSERT INTO people(entry_id, role, position, family, given, prefix, suffix) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(entry_id, role, i, p.family, p.given, p.prefix, p.suffix)
         for role, people in (("author", entry.authors), ("editor", entry.editors))
         for i, p in enumerate(people)],
    )


def write_blocks(conn: sqlite3.Connection, entry_id: int, entry: Entry,
                 cache: dict[tuple[str, str, str], int] | None = None) -> None:
    """Link the entry to its file's @preamble and @string blocks (each stored once)."""
    blocks = [("preamble", "", p) for p in entry.bib_preambles]
    blocks += [("string", name, value) for name, value in entry.bib_strings.items()]
    cache = cache if cache is not None else {}
    for block in blocks:
        block_id = cache.get(block)
        if block_id is None:
            conn.execute("INSERT OR IGNORE INTO bib_blocks(kind, name, value) VALUES (?, ?, ?)", block)
            block_id = conn.execute("SELECT id FROM bib_blocks WHERE kind = ? AND name = ? AND value = ?",
                                    block).fetchone()[0]
            cache[block] = block_id
        conn.execute("INSERT OR IGNORE INTO entry_bib_blocks(entry_id, block_id) VALUES (?, ?)",
                     (entry_id, block_id))
