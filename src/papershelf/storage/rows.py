"""Entries to table rows and back: the columns of ``entries`` and how each maps onto ``Entry``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from papershelf.model.entry import Entry, Person, Summary
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
JSON_COLUMNS = ("categories", "links", "extra", "source_fields", "source_raw", "edited")
# Entry fields that say what a .bib source wrote (replaced together when a .bib record merges).
VERBATIM = ("source_type", "source_fields", "source_raw", "edited")
# Fields a metadata source (arXiv, a .bib file) may overwrite; never citekey, notes, section, tags.
BIBLIOGRAPHIC = (
    "type", "title", "authors", "editors", "year", "date", "abstract", "journal", "booktitle",
    "volume", "number", "pages", "publisher", "edition", "isbn", "doi", "url", "arxiv_id",
    "arxiv_version", "primary_class", "categories", "arxiv_comment", "journal_ref",
)


def to_json(name: str, value: Any) -> str:
    if value == [] or value == {}:  # most entries: no categories, links, edits…
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value, ensure_ascii=False, sort_keys=name == "extra")


def row_of(entry: Entry) -> dict[str, Any]:
    """The ``entries`` row of ``entry`` (without its id)."""
    row: dict[str, Any] = {k: getattr(entry, k) for k in SCALAR}
    row.update({k: to_json(k, getattr(entry, k)) for k in JSON_COLUMNS})
    row["needs_sync"] = int(entry.needs_sync)
    return row


_EMPTY_JSON: dict[str, Any] = {"[]": list, "{}": dict}
_json_loads = json.JSONDecoder().decode


def _from_json(text: str) -> Any:
    """A JSON column's value; the empty list and object (most rows) without a parse."""
    empty = _EMPTY_JSON.get(text)
    return empty() if empty is not None else _json_loads(text)


_Reader = tuple[list[tuple[int, str]], list[tuple[int, str]], int, int, int]


def _reader(columns: Sequence[str]) -> _Reader:
    """How to read an ``entries`` row with these columns (a catalogue older than m005, opened
    read-only, lacks the source columns): (index, name) of the scalar and the JSON columns, and
    the indexes of id, revision and needs_sync."""
    where = {name: i for i, name in enumerate(columns)}
    return ([(where[k], k) for k in SCALAR if k in where], [(where[k], k) for k in JSON_COLUMNS if k in where],
            where["id"], where["revision"], where["needs_sync"])


def entry_of(row: Sequence[Any], reader: _Reader) -> Entry:
    """The ``Entry`` of one ``entries`` row (``SELECT *``, read by ``_reader``), without its
    people, tags, aliases and blocks (``load`` adds those)."""
    scalars, jsons, at_id, at_revision, at_sync = reader
    data: dict[str, Any] = {k: row[i] for i, k in scalars}
    for i, k in jsons:
        data[k] = _from_json(row[i])
    data["needs_sync"] = bool(row[at_sync])
    data["id"] = row[at_id]
    data["revision"] = row[at_revision]
    return Entry(**data)


@dataclass
class RawChunk:
    """The stored rows of a chunk of entries, as SQLite gives them (``read_chunk``): what
    ``built`` makes ``Entry`` objects of."""

    reader: _Reader
    entries: dict[int, tuple[Any, ...]]  # id -> its ``entries`` row (``SELECT *``)
    # entry id -> its rows, each starting with the entry id:
    people: dict[int, list[tuple[Any, ...]]]  # (id, role, family, given, prefix, suffix), in order
    aliases: dict[int, list[tuple[Any, ...]]]  # (id, alias), by alias
    blocks: dict[int, list[tuple[Any, ...]]]  # (id, kind, name, value), in order
    tags: dict[int, list[tuple[Any, ...]]]  # (id, name, source), by name


def _grouped(found: Iterable[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    """Rows whose first column is an entry id, grouped by it (whole rows), in the order read."""
    out: dict[int, list[tuple[Any, ...]]] = {}
    for row in found:
        group = out.get(row[0])
        if group is None:
            out[row[0]] = [row]
        else:
            group.append(row)
    return out


def read_chunk(cur: sqlite3.Cursor, chunk: Sequence[int], *, blocks: bool = True) -> RawChunk:
    """The rows of the entries ``chunk`` names (at most ``CHUNK``): five queries (four without
    ``blocks``, which an entry's own text never shows). ``cur`` reads plain tuples."""
    ids = list(chunk)
    marks = placeholders(len(ids))
    found = cur.execute(f"SELECT * FROM entries WHERE id IN ({marks})", ids)
    reader = _reader([d[0] for d in found.description])
    at_id = reader[2]
    entries = {row[at_id]: row for row in found}
    people = _grouped(cur.execute(
        f"SELECT entry_id, role, family, given, prefix, suffix FROM people "
        f"WHERE entry_id IN ({marks}) ORDER BY entry_id, role, position", ids))
    aliases = _grouped(cur.execute(
        f"SELECT entry_id, alias FROM aliases WHERE entry_id IN ({marks}) ORDER BY alias", ids))
    block_rows: dict[int, list[tuple[Any, ...]]] = {}
    if blocks:
        try:
            block_rows = _grouped(cur.execute(
                f"SELECT eb.entry_id, b.kind, b.name, b.value FROM entry_bib_blocks eb "
                f"JOIN bib_blocks b ON b.id = eb.block_id WHERE eb.entry_id IN ({marks}) "
                f"ORDER BY eb.entry_id, b.id", ids).fetchall())
        except sqlite3.OperationalError:  # older than m005, opened read-only
            pass
    tags = _grouped(cur.execute(
        f"SELECT et.entry_id, t.name, et.source FROM entry_tags et "
        f"JOIN tags t ON t.id = et.tag_id WHERE et.entry_id IN ({marks}) "
        f"ORDER BY t.name", ids))
    return RawChunk(reader, entries, people, aliases, block_rows, tags)


def built(raw: RawChunk, entry_id: int) -> Entry:
    """The ``Entry`` of one entry of ``raw`` (which must hold it), with its people, aliases,
    blocks and tags."""
    entry = entry_of(raw.entries[entry_id], raw.reader)
    for _, role, family, given, prefix, suffix in raw.people.get(entry_id, ()):
        (entry.authors if role == "author" else entry.editors).append(Person(family, given, prefix, suffix))
    entry.aliases.extend(row[1] for row in raw.aliases.get(entry_id, ()))
    for _, kind, name, value in raw.blocks.get(entry_id, ()):
        if kind == "preamble":
            entry.bib_preambles.append(value)
        else:
            entry.bib_strings.setdefault(name, value)
    for _, tag, source in raw.tags.get(entry_id, ()):
        entry.tags.append(tag)
        if source == "rule":
            entry.rule_tags.append(tag)
    return entry


# What a .bib entry's own text is made of (``writer.verbatim_to_bibtex``): key, types, verbatim
# fields, how they were written, edits since; the JSON columns decoded.
Verbatim = tuple[int, str, str, str | None, dict[str, str], dict[str, str], list[str]]


def verbatim_rows(cur: sqlite3.Cursor, ids: Sequence[int]) -> list[Verbatim] | None:
    """(id, citekey, source_type, type, source_fields, source_raw, edited) of each entry of
    ``ids`` (at most ``CHUNK``) read from a .bib file (``source_type`` set), in no order: one
    query over those columns alone, no people, tags or abstract column. None for a catalogue
    older than m005 (no source columns; opened read-only). ``cur`` reads plain tuples."""
    try:
        found = cur.execute(
            f"SELECT id, citekey, source_type, type, source_fields, source_raw, edited FROM entries "
            f"WHERE id IN ({placeholders(len(ids))}) AND source_type IS NOT NULL", list(ids)).fetchall()
    except sqlite3.OperationalError:
        return None
    return [(i, key, source_type, kind, _json_loads(fields), {} if raw == "{}" else _json_loads(raw),
             [] if edited == "[]" else _json_loads(edited))
            for i, key, source_type, kind, fields, raw, edited in found]


def aliases_of(cur: sqlite3.Cursor, ids: Sequence[int]) -> dict[int, list[str]]:
    """The aliases of each entry of ``ids`` that has any (at most ``CHUNK``), in ``load``'s
    order. ``cur`` reads plain tuples."""
    out: dict[int, list[str]] = {}
    for entry_id, alias in cur.execute(f"SELECT entry_id, alias FROM aliases WHERE entry_id IN "
                                       f"({placeholders(len(ids))}) ORDER BY alias", list(ids)):
        out.setdefault(entry_id, []).append(alias)
    return out


def summaries(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Summary]:
    """What ``list`` and ``search`` show of the entries ``ids``, in that order (``Summary``):
    three queries per chunk of ``CHUNK`` reading only those columns, people and tags in the
    order ``load`` gives them; no abstract, notes, verbatim source, aliases or blocks."""
    out: list[Summary] = []
    cur = conn.cursor()
    cur.row_factory = None
    try:
        for start in range(0, len(ids), CHUNK):
            chunk = list(ids[start:start + CHUNK])
            marks = placeholders(len(chunk))
            found = {row[0]: Summary(row[1], row[2], row[3], row[4], row[5], row[6], row[7], id=row[0])
                     for row in cur.execute(f"SELECT id, citekey, type, title, year, arxiv_id, doi, section "
                                            f"FROM entries WHERE id IN ({marks})", chunk)}
            for entry_id, role, family, given, prefix, suffix in cur.execute(
                    f"SELECT entry_id, role, family, given, prefix, suffix FROM people "
                    f"WHERE entry_id IN ({marks}) ORDER BY entry_id, role, position", chunk):
                one = found[entry_id]
                (one.authors if role == "author" else one.editors).append(Person(family, given, prefix, suffix))
            for entry_id, tag in cur.execute(
                    f"SELECT et.entry_id, t.name FROM entry_tags et JOIN tags t ON t.id = et.tag_id "
                    f"WHERE et.entry_id IN ({marks}) ORDER BY t.name", chunk):
                found[entry_id].tags.append(tag)
            out.extend(found[i] for i in chunk if i in found)
    finally:
        cur.close()
    return out


def blocks_of(conn: sqlite3.Connection, ids: Sequence[int], *,
              preamble: bool = True) -> tuple[dict[str, None], dict[tuple[str, str], None]]:
    """The @preamble values (none when not ``preamble``) and @string (name, value) pairs of the
    entries ``ids`` names, each once, in the order first seen over the entries in import order
    (row id order: the order of the files in one import), as collecting
    ``Entry.bib_preambles`` and ``bib_strings`` of the loaded entries gives them:
    ``writer.render_blocks`` writes them. Reads the links (two integers per entry), then each
    distinct block once."""
    cur = conn.cursor()
    cur.row_factory = None
    links: dict[int, list[int]] = {}
    try:
        for start in range(0, len(ids), CHUNK):
            chunk = list(ids[start:start + CHUNK])
            for entry_id, block_id in cur.execute(
                    f"SELECT entry_id, block_id FROM entry_bib_blocks WHERE entry_id IN "
                    f"({placeholders(len(chunk))}) ORDER BY entry_id, block_id", chunk):
                links.setdefault(entry_id, []).append(block_id)
    except sqlite3.OperationalError:  # older than m005, opened read-only
        links = {}
    distinct = list({b: None for found in links.values() for b in found})
    block: dict[int, tuple[str, str, str]] = {}
    for start in range(0, len(distinct), CHUNK):
        chunk = distinct[start:start + CHUNK]
        block.update((row[0], row[1:]) for row in cur.execute(
            f"SELECT id, kind, name, value FROM bib_blocks WHERE id IN ({placeholders(len(chunk))})", chunk))
    cur.close()
    preambles: dict[str, None] = {}
    strings: dict[tuple[str, str], None] = {}
    seen: set[tuple[int, ...]] = set()  # entries of one file share the same blocks: handled once
    for entry_id in sorted(ids):  # in import order (row ids grow with it)
        found = links.get(entry_id)
        if not found or tuple(found) in seen:
            continue
        seen.add(tuple(found))
        names: set[str] = set()
        for b in found:
            if b not in block:
                continue
            kind, name, value = block[b]
            if kind == "preamble":
                preambles.setdefault(value)
            elif name not in names:  # an entry's first definition of a name (``built``)
                names.add(name)
                strings.setdefault((name, value))
    return (preambles if preamble else {}), strings


def load(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Entry]:
    """Entries for ``ids``, in that order, with people, aliases, .bib blocks and tags (five
    queries per chunk of ``CHUNK``). Rows are read as plain tuples (no ``sqlite3.Row``)."""
    out: list[Entry] = []
    cur = conn.cursor()
    cur.row_factory = None
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        raw = read_chunk(cur, chunk)
        out.extend(built(raw, i) for i in chunk if i in raw.entries)
    cur.close()
    return out


_INSERT_PEOPLE = ("INSERT INTO people(entry_id, role, position, family, given, prefix, suffix) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)")


def people_rows(entry_id: int, entry: Entry) -> list[tuple[Any, ...]]:
    """The ``people`` rows of ``entry``: authors, then editors, each in order."""
    return [(entry_id, role, i, p.family, p.given, p.prefix, p.suffix)
            for role, people in (("author", entry.authors), ("editor", entry.editors))
            for i, p in enumerate(people)]


def revisions(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, int]:
    """The revision of each entry of ``ids`` that exists (one indexed read per ``CHUNK``): what
    a cache of rendered entries compares to tell which changed."""
    out: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start:start + CHUNK])
        out.update((int(i), int(r)) for i, r in conn.execute(
            f"SELECT id, revision FROM entries WHERE id IN ({placeholders(len(chunk))})", chunk))
    return out


def data_version(conn: sqlite3.Connection) -> int:
    """SQLite's ``data_version``: it changes once another connection commits to the file, so a
    connection kept open sees that the catalogue changed without reading it."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def write_people(conn: sqlite3.Connection, entry_id: int, entry: Entry) -> None:
    conn.execute("DELETE FROM people WHERE entry_id = ?", (entry_id,))
    conn.executemany(_INSERT_PEOPLE, people_rows(entry_id, entry))


def insert_people(conn: sqlite3.Connection, entries: Sequence[Entry]) -> None:
    """The people of entries just inserted (which have none yet), in one statement."""
    conn.executemany(_INSERT_PEOPLE, (r for e in entries if e.id is not None for r in people_rows(e.id, e)))


def _block_id(conn: sqlite3.Connection, block: tuple[str, str, str],
              cache: dict[tuple[str, str, str], int]) -> int:
    block_id = cache.get(block)
    if block_id is None:
        conn.execute("INSERT OR IGNORE INTO bib_blocks(kind, name, value) VALUES (?, ?, ?)", block)
        block_id = conn.execute("SELECT id FROM bib_blocks WHERE kind = ? AND name = ? AND value = ?",
                                block).fetchone()[0]
        cache[block] = block_id
    return int(block_id)


def _blocks_of(entry: Entry) -> list[tuple[str, str, str]]:
    return [("preamble", "", p) for p in entry.bib_preambles] + \
        [("string", name, value) for name, value in entry.bib_strings.items()]


def write_blocks(conn: sqlite3.Connection, entry_id: int, entry: Entry,
                 cache: dict[tuple[str, str, str], int] | None = None) -> None:
    """Link the entry to its file's @preamble and @string blocks (each stored once)."""
    link_blocks(conn, [(entry_id, entry)], {} if cache is None else cache)


def link_blocks(conn: sqlite3.Connection, entries: Sequence[tuple[int, Entry]],
                cache: dict[tuple[str, str, str], int]) -> None:
    """``write_blocks`` for many entries: each distinct block stored once (``cache``: block ->
    its id), the links in one statement."""
    conn.executemany("INSERT OR IGNORE INTO entry_bib_blocks(entry_id, block_id) VALUES (?, ?)",
                     [(entry_id, _block_id(conn, block, cache))
                      for entry_id, entry in entries for block in _blocks_of(entry)])
