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
    "added", "updated",
)
# Columns the repository maintains itself (never taken from an incoming Entry).
MANAGED = ("revision",)
JSON_COLUMNS = ("categories", "links", "extra")
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
    data: dict[str, Any] = {k: row[k] for k in SCALAR}
    for k in JSON_COLUMNS:
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
