"""The files attached to entries (``m013_files``): one row per file, with where it is, its
size, page count and sha256 as recorded when it was attached.

``name`` is the file's name inside the catalogue's files folder (``<catalogue>.files/``), or,
for a ``--link``ed file, its absolute path. The rows are children of ``entries`` (a foreign key
with ``ON DELETE CASCADE``), so ``storage.trash`` keeps them in a removed entry's record and
``restore`` writes them back: the file on disk is left where it is while its entry is in the trash.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AttachedFile:
    id: int
    entry_id: int
    name: str
    original: str
    linked: bool
    size: int
    pages: int | None
    sha256: str
    status: str  # what extraction found: ok, encrypted, no text layer, ... ('' before it ran)
    added: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "original": self.original, "linked": self.linked, "size": self.size,
                "pages": self.pages, "sha256": self.sha256, "status": self.status, "added": self.added}


_COLUMNS = "id, entry_id, name, original, linked, size, pages, sha256, status, added"


def _file(r: Sequence[Any]) -> AttachedFile:
    return AttachedFile(int(r[0]), int(r[1]), r[2], r[3], bool(r[4]), int(r[5]), r[6], r[7], r[8] or "", r[9])


def has_table(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'files'").fetchone() is not None


def of_entries(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[AttachedFile]]:
    """The files of each entry in ``ids``, in the order they were attached."""
    out: dict[int, list[AttachedFile]] = {}
    if not ids or not has_table(conn):
        return out
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        for r in conn.execute(f"SELECT {_COLUMNS} FROM files WHERE entry_id IN ({','.join('?' * len(chunk))}) "
                              "ORDER BY id", chunk):
            f = _file(r)
            out.setdefault(f.entry_id, []).append(f)
    return out


def every(conn: sqlite3.Connection) -> list[AttachedFile]:
    if not has_table(conn):
        return []
    return [_file(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM files ORDER BY id")]


def insert(conn: sqlite3.Connection, entry_id: int, *, name: str, original: str, linked: bool, size: int,
           pages: int | None, sha256: str, status: str, added: str) -> int:
    cur = conn.execute("INSERT INTO files(entry_id, name, original, linked, size, pages, sha256, status, added) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (entry_id, name, original, int(linked), size, pages, sha256, status, added))
    return int(cur.lastrowid or 0)


def update(conn: sqlite3.Connection, file_id: int, *, sha256: str, size: int, pages: int | None,
           status: str) -> None:
    conn.execute("UPDATE files SET sha256 = ?, size = ?, pages = ?, status = ? WHERE id = ?",
                 (sha256, size, pages, status, file_id))


def held(conn: sqlite3.Connection, entry_id: int, sha256: str) -> bool:
    """Whether the entry already has a file with these bytes."""
    return conn.execute("SELECT 1 FROM files WHERE entry_id = ? AND sha256 = ?",
                        (entry_id, sha256)).fetchone() is not None


def move(conn: sqlite3.Connection, from_id: int, to_id: int) -> int:
    """Give entry ``to_id`` the files of entry ``from_id`` it does not hold already (by sha256);
    returns how many moved (``merge``: the merged-away entry's PDFs stay with the one kept)."""
    if not has_table(conn):
        return 0
    return conn.execute(
        "UPDATE files SET entry_id = ? WHERE entry_id = ? AND sha256 NOT IN "
        "(SELECT sha256 FROM files WHERE entry_id = ?)", (to_id, from_id, to_id)).rowcount


def delete(conn: sqlite3.Connection, file_ids: Sequence[int]) -> None:
    conn.executemany("DELETE FROM files WHERE id = ?", [(i,) for i in file_ids])


_TRASHED_NAMES = ("SELECT json_extract(r.value, '$.name') AS name FROM trash, "
                  "json_each(trash.record, '$.tables.files.rows') AS r "
                  "WHERE NOT coalesce(json_extract(r.value, '$.linked'), 0)")


def name_in_use(conn: sqlite3.Connection, name: str) -> bool:
    """Whether a row, or an entry in the trash, still names the stored file ``name``."""
    if conn.execute("SELECT 1 FROM files WHERE name = ? LIMIT 1", (name,)).fetchone():
        return True
    try:
        return conn.execute(f"SELECT 1 FROM ({_TRASHED_NAMES}) WHERE name = ? LIMIT 1", (name,)).fetchone() is not None
    except sqlite3.OperationalError:
        return False


def stored_names(conn: sqlite3.Connection) -> set[str]:
    """The names of the copied (not ``--link``ed) files a row or a trashed entry's record names:
    the files of the files folder that papershelf keeps."""
    if not has_table(conn):
        return set()
    names = {r[0] for r in conn.execute("SELECT name FROM files WHERE NOT linked")}
    try:
        names.update(r[0] for r in conn.execute(_TRASHED_NAMES) if isinstance(r[0], str))
    except sqlite3.OperationalError:  # no trash table (a catalogue before its migration)
        pass
    return names


def entries_with_files_sql() -> str:
    """A SQL condition on ``entries.id`` (as ``e.id``) true when the entry has a file."""
    return "EXISTS (SELECT 1 FROM files f WHERE f.entry_id = e.id)"
