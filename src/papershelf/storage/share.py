"""The catalogue's side of a shared library in git (migration ``m015_share``): the stable id of
each shared entry (``share_entries``: share id <-> row id; the id never changes when the key
does) and the share's state (``share_state``: its folder, the change-log position of the last
sync). It stores what it is given; ``services.share`` decides."""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Iterable

from papershelf.storage import db
from papershelf.storage.changes import Position


def new_id() -> str:
    """A new share id: 12 hex digits of milliseconds, then 16 random ones (sorts by age, ULID-like)."""
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(8)}"


def ids(conn: sqlite3.Connection) -> dict[int, str]:
    """Row id -> share id of every entry this catalogue has shared (removed ones included)."""
    return {int(e): str(s) for s, e in conn.execute("SELECT share_id, entry_id FROM share_entries")}


def entry_of(conn: sqlite3.Connection, share_ids: Iterable[str]) -> dict[str, int]:
    """Share id -> row id, for those of ``share_ids`` this catalogue knows."""
    out: dict[str, int] = {}
    for sid in share_ids:
        row = conn.execute("SELECT entry_id FROM share_entries WHERE share_id = ?", (sid,)).fetchone()
        if row is not None:
            out[sid] = int(row[0])
    return out


def assign(conn: sqlite3.Connection, pairs: Iterable[tuple[str, int]]) -> None:
    """Record ``(share id, row id)`` pairs (a row id given another share id loses the old one)."""
    with db.transaction(conn):
        for sid, entry_id in pairs:
            conn.execute("DELETE FROM share_entries WHERE entry_id = ? OR share_id = ?", (entry_id, sid))
            conn.execute("INSERT INTO share_entries(share_id, entry_id) VALUES (?, ?)", (sid, entry_id))


def forget(conn: sqlite3.Connection, share_ids: Iterable[str]) -> None:
    with db.transaction(conn):
        for sid in share_ids:
            conn.execute("DELETE FROM share_entries WHERE share_id = ?", (sid,))


def existing_ids(conn: sqlite3.Connection, entry_ids: Iterable[int]) -> set[int]:
    """Those of ``entry_ids`` that are catalogued entries now."""
    out: set[int] = set()
    for entry_id in entry_ids:
        if conn.execute("SELECT 1 FROM entries WHERE id = ?", (entry_id,)).fetchone() is not None:
            out.add(entry_id)
    return out


def all_entry_ids(conn: sqlite3.Connection) -> list[int]:
    return [int(r[0]) for r in conn.execute("SELECT id FROM entries ORDER BY id")]


def get_state(conn: sqlite3.Connection, name: str) -> str | None:
    row = conn.execute("SELECT value FROM share_state WHERE name = ?", (name,)).fetchone()
    return None if row is None else str(row[0])


def set_state(conn: sqlite3.Connection, values: dict[str, str | None]) -> None:
    with db.transaction(conn):
        for name, value in values.items():
            if value is None:
                conn.execute("DELETE FROM share_state WHERE name = ?", (name,))
            else:
                conn.execute("INSERT INTO share_state(name, value) VALUES (?, ?) "
                             "ON CONFLICT(name) DO UPDATE SET value = excluded.value", (name, value))


def position_text(pos: Position | None) -> str | None:
    if pos is None:
        return None
    return json.dumps({"catalogue": pos.catalogue, "seq": pos.seq,
                       "token": None if pos.token is None else pos.token.hex()})


def position_of(text: str | None) -> Position | None:
    if not text:
        return None
    data = json.loads(text)
    token = data.get("token")
    return Position(str(data["catalogue"]), int(data["seq"]), None if token is None else bytes.fromhex(token))


def conflicted(conn: sqlite3.Connection, marker: str) -> list[tuple[str, list[str]]]:
    """(key, the ``extra`` field names starting with ``marker``) of each entry holding any: the
    fields a merge kept both values of, waiting for ``edit``."""
    out = []
    for key, extra in conn.execute("SELECT citekey, extra FROM entries WHERE extra LIKE ? ORDER BY citekey",
                                   (f"%{marker}%",)):
        names = sorted(n for n in json.loads(extra or "{}") if n.startswith(marker))
        if names:
            out.append((str(key), names))
    return out
