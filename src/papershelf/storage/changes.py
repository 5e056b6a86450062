"""The change log (migration ``m012_change_log``): what changed in the catalogue, and since when.

SQLite itself keeps it: triggers on ``entries`` and on the tables that belong to an entry
(people, tags, aliases, the verbatim source's @string/@preamble links) append one ``changes``
row per change (a rising ``seq``, the entry's id, ``added``/``changed``/``removed``, and a random
``token``) in the writer's own transaction, whoever the writer is: papershelf, or a person
editing the file with ``sqlite3``. The log keeps the last ``KEEP`` rows (a trigger prunes it).

A reader remembers a ``Position`` (the catalogue's random id, a ``seq`` and the token of that
row) and later asks ``since(conn, position)`` for what changed after it. The answer is None
when the log cannot tell: the position was pruned, or the file holds another history (another
catalogue; a backup restored; a copy of this one that was changed on its own: its row at
``seq`` has another token). A reader given None starts again from nothing (renders all, say).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

KEEP = 100_000  # rows kept (the prune trigger of m012: every 1,000th row removes older ones)
KINDS = ("added", "changed", "removed")
# The insert triggers ``logged_in_bulk`` stands in for: ``entries_added`` logs a new entry; those
# of its children log nothing for an entry that does not exist yet (m016).
BULK_TRIGGERS = ("entries_added", "people_insert", "entry_tags_insert", "entry_bib_blocks_insert")


@dataclass(frozen=True)
class Position:
    """A point in one catalogue's history: its id, the last change's ``seq`` (0: none yet) and
    that change's token (None for 0, or when the row is gone)."""

    catalogue: str
    seq: int
    token: bytes | None


@dataclass(frozen=True)
class Change:
    seq: int
    entry_id: int
    kind: str


def catalogue_id(conn: sqlite3.Connection) -> str | None:
    """The random id the catalogue was given by ``m012`` (None: an older schema, or not ours)."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE name = 'catalogue_id'").fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None else str(row[0])


def current_seq(conn: sqlite3.Connection) -> int:
    """The ``seq`` of the latest change (0 before the first); it only ever rises."""
    try:
        row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone()
    except sqlite3.OperationalError:  # no AUTOINCREMENT table yet: nothing logged
        return 0
    return 0 if row is None else int(row[0])


def position(conn: sqlite3.Connection) -> Position | None:
    """Where the catalogue's history stands now (None: the file has no change log)."""
    ident = catalogue_id(conn)
    if ident is None:
        return None
    seq = current_seq(conn)
    return Position(ident, seq, _token(conn, seq))


def _token(conn: sqlite3.Connection, seq: int) -> bytes | None:
    if seq <= 0:
        return None
    row = conn.execute("SELECT token FROM changes WHERE seq = ?", (seq,)).fetchone()
    return None if row is None else bytes(row[0])


def follows(conn: sqlite3.Connection, since: Position) -> bool:
    """Whether the log still holds everything after ``since`` in this catalogue's history."""
    if catalogue_id(conn) != since.catalogue:
        return False
    if since.seq == 0:  # from the start: nothing may have been pruned
        return current_seq(conn) == 0 or conn.execute("SELECT 1 FROM changes WHERE seq = 1").fetchone() is not None
    return since.token is not None and _token(conn, since.seq) == since.token


def since(conn: sqlite3.Connection, after: Position) -> list[Change] | None:
    """Every change after ``after``, oldest first; None when the log cannot tell (see the
    module docstring: the reader starts again from nothing)."""
    if not follows(conn, after):
        return None
    return [Change(seq, entry_id, kind) for seq, entry_id, kind in conn.execute(
        "SELECT seq, entry_id, kind FROM changes WHERE seq > ? ORDER BY seq", (after.seq,))]


def changed_ids(conn: sqlite3.Connection, after: Position) -> set[int] | None:
    """The ids of the entries added, changed or removed after ``after`` (None: cannot tell)."""
    if not follows(conn, after):
        return None
    return {row[0] for row in conn.execute("SELECT DISTINCT entry_id FROM changes WHERE seq > ?", (after.seq,))}


@contextmanager
def logged_in_bulk(conn: sqlite3.Connection, first_id: int) -> Iterator[None]:
    """New entries (row ids from ``first_id`` on), with their children written before them,
    inserted in the caller's transaction without the per-row insert triggers, then logged as
    those triggers log them: one ``added`` row each, in row id order, by one statement.

    Any trigger on a table makes SQLite run a trigger program, and keep a statement journal,
    for every row: ~20 µs of a ~50 µs entry insert, and as much for each person, tag and
    @string link. The triggers are dropped and created again from their own SQL
    (``sqlite_master``) inside the transaction, so no other connection ever sees them missing.
    If the body raises, they are created again at once (a caller that went on and committed
    would keep them), and the caller's rollback restores them anyway. A schema without them
    (older than m016) keeps its triggers."""
    found = dict(conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN "
        f"({', '.join('?' * len(BULK_TRIGGERS))})", BULK_TRIGGERS).fetchall())
    if set(found) != set(BULK_TRIGGERS):
        yield
        return
    for name in BULK_TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    try:
        yield
    except BaseException:
        for name in BULK_TRIGGERS:
            try:
                conn.execute(found[name])
            except sqlite3.Error:  # the database failed under us: the rollback restores them
                break
        raise
    conn.execute("INSERT INTO changes(entry_id, kind, token) SELECT id, 'added', randomblob(8) "
                 "FROM entries WHERE id >= ? ORDER BY id", (first_id,))
    for name in BULK_TRIGGERS:
        conn.execute(found[name])
