"""The operations journal: what each import and merge did, so ``undo`` can take it back.

One ``journal`` row per operation (the last ``KEEP`` are kept), written in the transaction of
the operation itself; per entry it touched one ``journal_items`` row: ``added`` (a new entry),
``updated`` (its whole record before, as the trash keeps it: ``trash.snapshot``), ``aliased``
(a key made an alias of it; ``detail`` is the alias) or ``merged`` (it went to the trash as
merged into another; ``detail`` is the trash row). ``finish`` records each entry's revision
after the operation: ``undo`` refuses when an entry changed since (unless forced).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from papershelf.storage.entry_state import now
from papershelf.storage.trash import snapshot

KEEP = 20  # operations remembered: older ones cannot be undone


@dataclass
class Item:
    action: str  # added, updated, aliased, merged
    entry_id: int
    citekey: str
    revision: int | None  # the entry's revision right after the operation
    detail: str | None = None
    before: dict[str, Any] | None = None


@dataclass
class Operation:
    id: int
    kind: str  # import, merge
    at: str
    summary: str
    items: list[Item] = field(default_factory=list)


def begin(conn: sqlite3.Connection, kind: str, summary: str) -> int:
    """A new operation (in the caller's transaction); older ones beyond ``KEEP`` are dropped."""
    cur = conn.execute("INSERT INTO journal(kind, at, summary) VALUES (?, ?, ?)", (kind, now(), summary))
    op = int(cur.lastrowid or 0)
    conn.execute("DELETE FROM journal WHERE id <= ?", (op - KEEP,))
    return op


def _item(conn: sqlite3.Connection, op: int, action: str, entry_id: int, citekey: str,
          detail: str | None = None, before: dict[str, Any] | None = None) -> None:
    conn.execute("INSERT INTO journal_items(op_id, action, entry_id, citekey, detail, before) "
                 "VALUES (?, ?, ?, ?, ?, ?)",
                 (op, action, entry_id, citekey, detail,
                  None if before is None else json.dumps(before, ensure_ascii=False)))


def before(conn: sqlite3.Connection, op: int, ids: Iterable[int]) -> None:
    """Keep the whole record of each entry of ``ids`` before the operation changes it."""
    for entry_id in dict.fromkeys(ids):
        record = snapshot(conn, entry_id)
        _item(conn, op, "updated", entry_id, record["entry"]["citekey"], before=record)


def added(conn: sqlite3.Connection, op: int, entries: Sequence[tuple[int, str]]) -> None:
    conn.executemany("INSERT INTO journal_items(op_id, action, entry_id, citekey) VALUES (?, 'added', ?, ?)",
                     [(op, entry_id, key) for entry_id, key in entries])


def aliased(conn: sqlite3.Connection, op: int, entry_id: int, alias: str, *, keep_before: bool = False) -> None:
    """``alias`` now cites the entry; ``keep_before``: with the entry's whole record before it."""
    _item(conn, op, "aliased", entry_id, alias, detail=alias,
          before=snapshot(conn, entry_id) if keep_before else None)


def merged(conn: sqlite3.Connection, op: int, entry_id: int, citekey: str, trash_id: int) -> None:
    _item(conn, op, "merged", entry_id, citekey, detail=str(trash_id))


def finish(conn: sqlite3.Connection, op: int) -> None:
    """Record each touched entry's revision now, at the end of the operation."""
    conn.execute("UPDATE journal_items SET revision = (SELECT revision FROM entries e WHERE e.id = entry_id) "
                 "WHERE op_id = ?", (op,))


def last(conn: sqlite3.Connection) -> Operation | None:
    """The latest operation not undone, with its items, or None."""
    try:
        row = conn.execute("SELECT id, kind, at, summary FROM journal ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # older than m010, opened read-only
        return None
    if row is None:
        return None
    op = Operation(row[0], row[1], row[2], row[3])
    for r in conn.execute("SELECT action, entry_id, citekey, revision, detail, before FROM journal_items "
                          "WHERE op_id = ? ORDER BY id", (op.id,)):
        op.items.append(Item(r[0], r[1], r[2], r[3], r[4], None if r[5] is None else json.loads(r[5])))
    return op


def carry_revision(conn: sqlite3.Connection, entry_id: int, old: int, new: int) -> None:
    """The entry, written back as it was at revision ``old``, is now at ``new`` (a revision is
    never given twice): earlier operations that left it at ``old`` now expect ``new``."""
    conn.execute("UPDATE journal_items SET revision = ? WHERE entry_id = ? AND revision = ?", (new, entry_id, old))


def drop(conn: sqlite3.Connection, op: int) -> None:
    conn.execute("DELETE FROM journal WHERE id = ?", (op,))


def changed_since(conn: sqlite3.Connection, op: Operation) -> list[str]:
    """What stops an undo of ``op``: entries whose revision is not the one it left, an entry it
    merged away that is no longer in the trash, one removed since."""
    out = []
    for item in op.items:
        if item.action == "merged":
            if not conn.execute("SELECT 1 FROM trash WHERE id = ?", (int(item.detail or 0),)).fetchone():
                out.append(f"{item.citekey} (no longer in the trash)")
            continue
        row = conn.execute("SELECT revision, citekey FROM entries WHERE id = ?", (item.entry_id,)).fetchone()
        if row is None:
            out.append(f"{item.citekey} (removed since)")
        elif item.revision is not None and row[0] != item.revision:
            out.append(f"{row[1]} (edited since)")
    return list(dict.fromkeys(out))
