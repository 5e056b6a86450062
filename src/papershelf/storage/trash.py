"""The trash: removed entries, kept whole until they are restored or purged.

``remove`` moves each entry here in the transaction that deletes it: one ``trash`` row holding,
as JSON, every row the catalogue had for it — the ``entries`` row as stored (fields, notes,
verbatim source, revision, added/updated, row id), and the rows of every table that belongs to
an entry (found through their foreign keys on ``entries``, so a table a later migration adds
is kept too): people, tags with their source, dismissed rule tags, aliases, the .bib blocks'
text. ``restore`` writes those rows back unchanged: the same key, and the same row id when it
is free (so the "added" order stays). It refuses, naming the entry in the way, when the key,
an alias or the arXiv id has been taken since: keys never change behind the user's back.

A key in the trash is not reserved: a new entry may take it (``restore`` then refuses).
Retention is the caller's business: ``purge(conn, before)`` deletes what was removed earlier.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from papershelf.errors import CiteKeyError, NotFoundError, StorageError
from papershelf.storage.fts import placeholders, reindex

FORMAT = 1  # of the JSON record; a record of a newer format is refused, never half-restored
# Child tables stored in a form of their own (their other foreign keys name shared rows).
_SPECIAL = ("entry_tags", "entry_bib_blocks")


@dataclass
class Trashed:
    id: int  # the trash row
    citekey: str
    title: str
    year: int | None
    removed: str  # UTC, as ``entry_state.now`` writes it
    reason: str | None = None  # why it is here when not removed: "merged into KEY", "undo of …"

    def to_dict(self) -> dict[str, Any]:
        return {"citekey": self.citekey, "title": self.title, "year": self.year, "removed": self.removed,
                "reason": self.reason}


def _child_tables(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(table, column) of every table with a foreign key on ``entries``."""
    out = []
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'entries' "
                                "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall():
        for fk in conn.execute(f"PRAGMA foreign_key_list({_quote(name)})").fetchall():
            if fk["table"] == "entries":
                out.append((name, fk["from"]))
    return out


def _rowid_column(conn: sqlite3.Connection, table: str) -> str | None:
    """The column that is ``table``'s rowid (an INTEGER PRIMARY KEY), if it has one."""
    keys = [r for r in conn.execute(f"PRAGMA table_info({_quote(table)})") if r["pk"]]
    return keys[0]["name"] if len(keys) == 1 and keys[0]["type"].upper() == "INTEGER" else None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def snapshot(conn: sqlite3.Connection, entry_id: int, children: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Every row the catalogue has for the entry, as the trash keeps it (``write_back`` takes it)."""
    children = _child_tables(conn) if children is None else children
    row = conn.execute("SELECT * FROM entries WHERE id = ?", (entry_id,)).fetchone()
    record: dict[str, Any] = {"format": FORMAT, "entry": dict(row), "tables": {}}
    for table, column in children:
        if table in _SPECIAL:
            continue
        own_id = _rowid_column(conn, table)  # kept in that order, so restore writes them back in it
        order = f" ORDER BY {_quote(own_id)}" if own_id else ""
        rows = [dict(r) for r in conn.execute(f"SELECT * FROM {_quote(table)} WHERE {_quote(column)} = ?{order}",
                                              (entry_id,))]
        for r in rows:
            r.pop(column)
        if rows:
            record["tables"][table] = {"column": column, "rows": rows}
    record["tags"] = [[r[0], r[1]] for r in conn.execute(
        "SELECT t.name, et.source FROM entry_tags et JOIN tags t ON t.id = et.tag_id "
        "WHERE et.entry_id = ? ORDER BY t.name", (entry_id,))]
    if any(t == "entry_bib_blocks" for t, _ in children):
        record["bib_blocks"] = [[r[0], r[1], r[2]] for r in conn.execute(
            "SELECT b.kind, b.name, b.value FROM entry_bib_blocks eb JOIN bib_blocks b ON b.id = eb.block_id "
            "WHERE eb.entry_id = ? ORDER BY b.id", (entry_id,))]
    return record


def put(conn: sqlite3.Connection, ids: Sequence[int], stamp: str, reason: str | None = None) -> list[int]:
    """Copy the entries ``ids`` into the trash (the caller deletes them, in its transaction);
    returns their trash rows. ``reason``: why, when it is not a plain ``remove``."""
    children = _child_tables(conn)
    out = []
    for entry_id in ids:
        record = snapshot(conn, entry_id, children)
        entry = record["entry"]
        values = [entry["citekey"], entry.get("title") or "", entry.get("year"), stamp,
                  json.dumps(record, ensure_ascii=False)]
        if reason is None:
            cur = conn.execute("INSERT INTO trash(citekey, title, year, removed, record) VALUES (?, ?, ?, ?, ?)",
                               values)
        else:
            cur = conn.execute("INSERT INTO trash(citekey, title, year, removed, record, reason) "
                               "VALUES (?, ?, ?, ?, ?, ?)", [*values, reason])
        out.append(int(cur.lastrowid or 0))
    return out


def listing(conn: sqlite3.Connection) -> list[Trashed]:
    """What the trash holds, most recently removed first (empty for a catalogue without one)."""
    try:
        rows = conn.execute("SELECT id, citekey, title, year, removed, reason FROM trash "
                            "ORDER BY removed DESC, id DESC").fetchall()
    except sqlite3.OperationalError:  # older than m010 (or m008), opened read-only
        try:
            rows = conn.execute("SELECT id, citekey, title, year, removed, NULL FROM trash "
                                "ORDER BY removed DESC, id DESC").fetchall()
        except sqlite3.OperationalError:
            return []
    return [Trashed(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


def links_held(conn: sqlite3.Connection, prefix: str) -> list[tuple[str, dict[str, str], str | None]]:
    """(key, link, reason) for each link starting with ``prefix`` on an entry the trash holds
    (removed, or merged into another), most recently removed first."""
    try:
        rows = conn.execute("SELECT citekey, record, reason FROM trash WHERE instr(record, ?) > 0 "
                            "ORDER BY removed DESC, id DESC", (prefix,)).fetchall()
    except sqlite3.OperationalError:  # no trash, or one older than m010
        return []
    out = []
    for key, record, reason in rows:
        links = json.loads(record).get("entry", {}).get("links") or "[]"
        for link in json.loads(links) if isinstance(links, str) else links:
            if isinstance(link, dict) and str(link.get("url", "")).startswith(prefix):
                out.append((key, link, reason))
    return out


def find(conn: sqlite3.Connection, key: str) -> int:
    """The trash row of ``key`` (the latest removed, if it was removed more than once)."""
    same = conn.execute("SELECT id, citekey FROM trash WHERE citekey = ? COLLATE NOCASE "
                        "ORDER BY removed DESC, id DESC LIMIT 100", (key,)).fetchall()
    if same:  # the key as written, else without case
        return int(next((r[0] for r in same if r[1] == key), same[0][0]))
    from papershelf.model.suggest import closest, did_you_mean

    keys = [r[0] for r in conn.execute("SELECT DISTINCT citekey FROM trash ORDER BY removed DESC LIMIT 5000")]
    close = closest(key, keys)
    raise NotFoundError(f"no entry {key!r} in the trash{did_you_mean(close)}",
                        hint=None if close else "`papershelf trash` lists what it holds")


def _taken_by(conn: sqlite3.Connection, key: str) -> str | None:
    """The key of the entry that now cites ``key`` (as its key or an alias), or None."""
    row = conn.execute("SELECT citekey FROM entries WHERE citekey = ? COLLATE NOCASE UNION ALL "
                       "SELECT e.citekey FROM aliases a JOIN entries e ON e.id = a.entry_id "
                       "WHERE a.alias = ? LIMIT 1", (key, key)).fetchone()
    return str(row[0]) if row else None


def restore(conn: sqlite3.Connection, trash_id: int) -> str:
    """Write a trashed entry back as it was and take it out of the trash; returns its key.
    In the caller's transaction; refuses (writing nothing) when something it held is taken."""
    raw = conn.execute("SELECT record FROM trash WHERE id = ?", (trash_id,)).fetchone()
    if raw is None:
        raise NotFoundError("that entry is no longer in the trash (restored or purged meanwhile)")
    record = json.loads(raw[0])
    if record.get("format") != FORMAT:
        raise StorageError(f"the trash holds a record of format {record.get('format')!r}, which this "
                           "papershelf cannot read", hint="restore it with a newer papershelf")
    entry = dict(record["entry"])
    key = entry["citekey"]
    aliases = [r["alias"] for r in record["tables"].get("aliases", {}).get("rows", [])]
    for name in (key, *aliases):
        holder = _taken_by(conn, name)
        if holder is not None:
            what = "its key" if name == key else f"its alias {name!r}"
            raise CiteKeyError(f"cannot restore {key!r}: {what} now cites the entry {holder!r}",
                               hint=f"rename that entry first (`papershelf rekey {holder} NEW`), then restore")
    if entry.get("arxiv_id"):
        row = conn.execute("SELECT citekey FROM entries WHERE arxiv_id = ?", (entry["arxiv_id"],)).fetchone()
        if row:
            raise CiteKeyError(f"cannot restore {key!r}: arXiv:{entry['arxiv_id']} is now held by the entry "
                               f"{row[0]!r} (added again since?)",
                               hint=f"remove {row[0]} first if the trashed entry is the one to keep")
    write_back(conn, record)
    conn.execute("DELETE FROM trash WHERE id = ?", (trash_id,))
    return str(key)


def write_back(conn: sqlite3.Connection, record: dict[str, Any]) -> int:
    """Write an entry's rows (``snapshot``) back, under its old row id when that is free;
    returns the row id. The caller has checked that its key, aliases and arXiv id are free."""
    entry = dict(record["entry"])
    key = entry["citekey"]
    columns = {r[1] for r in conn.execute("PRAGMA table_info(entries)")}
    old_id = entry.pop("id", None)
    if old_id is not None and not conn.execute("SELECT 1 FROM entries WHERE id = ?", (old_id,)).fetchone():
        entry["id"] = old_id  # its place in the "added" order
    values = {k: v for k, v in entry.items() if k in columns}
    cur = conn.execute(f"INSERT INTO entries({', '.join(map(_quote, values))}) VALUES ({placeholders(len(values))})",
                       list(values.values()))
    entry_id = int(cur.lastrowid or 0)
    for table, saved in record["tables"].items():
        own_id = _rowid_column(conn, table)  # a child row's own id is given afresh
        for r in saved["rows"]:
            r = {k: v for k, v in r.items() if k != own_id}
            r[saved["column"]] = entry_id
            try:
                conn.execute(f"INSERT INTO {_quote(table)}({', '.join(map(_quote, r))}) "
                             f"VALUES ({placeholders(len(r))})", list(r.values()))
            except sqlite3.OperationalError as exc:  # a table or column this schema lacks
                raise StorageError(f"cannot restore {key!r}: its {table} rows do not fit this "
                                   f"catalogue ({exc})") from None
    for name, source in record.get("tags", []):
        conn.execute("INSERT OR IGNORE INTO tags(name) VALUES (?)", (name,))
        conn.execute("INSERT OR IGNORE INTO entry_tags(entry_id, tag_id, source) "
                     "SELECT ?, id, ? FROM tags WHERE name = ?", (entry_id, source, name))
    for kind, name, value in record.get("bib_blocks", []):
        conn.execute("INSERT OR IGNORE INTO bib_blocks(kind, name, value) VALUES (?, ?, ?)", (kind, name, value))
        conn.execute("INSERT OR IGNORE INTO entry_bib_blocks(entry_id, block_id) SELECT ?, id FROM bib_blocks "
                     "WHERE kind = ? AND name = ? AND value = ?", (entry_id, kind, name, value))
    reindex(conn, [entry_id])
    return entry_id


def purge(conn: sqlite3.Connection, before: str | None = None) -> int:
    """Delete for good what was removed before ``before`` (everything when None); returns how many."""
    if before is None:
        return conn.execute("DELETE FROM trash").rowcount
    return conn.execute("DELETE FROM trash WHERE removed < ?", (before,)).rowcount
