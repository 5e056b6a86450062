"""What a TAB reads: a read-only connection and the key and tag prefix lookups.

Imports nothing but ``sqlite3``, so shell completion (``services.completion``) answers without
loading the schema, the search index or the entry model. ``Catalogue.citekeys`` and
``tag_names`` are these same queries.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class ShelfConnection(sqlite3.Connection):
    """A connection that remembers why it is read-only (``None``: it can write)."""

    readonly_reason: str | None = None


def connect_readonly(path: Path, *, immutable: bool = False, reason: str | None = None) -> ShelfConnection:
    """A connection that cannot write: SQLite's ``mode=ro`` plus ``query_only``.

    For shell completion and other lookups that must leave the file exactly as it is: no
    schema check that writes, no migration, no WAL switch, no backup. ``immutable`` also
    skips SQLite's locks and ``-shm`` file: for a directory where nothing can be created, and
    only when no ``-wal`` holds changes the file lacks.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")  # (not urllib.request: 20 ms)
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=2, factory=ShelfConnection)
    conn.readonly_reason = reason or "it was opened read-only"
    conn.execute("PRAGMA query_only = ON")
    conn.row_factory = sqlite3.Row
    return conn


def like_prefix(prefix: str) -> str:
    """A LIKE pattern (with ``ESCAPE '\\'``) for the strings that start with ``prefix``."""
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def citekeys(conn: sqlite3.Connection, prefix: str = "", limit: int = 200) -> list[str]:
    """Keys (and aliases: merged-away keys that still cite) starting with ``prefix``."""
    keys = "SELECT citekey FROM entries WHERE citekey LIKE ?1 ESCAPE '\\'"
    aliases = "SELECT alias FROM aliases WHERE alias LIKE ?1 ESCAPE '\\'"
    try:
        found = conn.execute(f"{keys} UNION {aliases} ORDER BY 1 LIMIT ?2", (like_prefix(prefix), limit))
    except sqlite3.OperationalError:  # a catalogue older than aliases, opened read-only
        found = conn.execute(f"{keys} ORDER BY 1 LIMIT ?2", (like_prefix(prefix), limit))
    return [r[0] for r in found]


def tag_names(conn: sqlite3.Connection, prefix: str = "", limit: int = 200) -> list[str]:
    """Tags starting with ``prefix`` (without case), in name order."""
    found = conn.execute("SELECT name FROM tags WHERE name LIKE ? ESCAPE '\\' ORDER BY name LIMIT ?",
                         (like_prefix(prefix.lower()), limit))
    return [r[0] for r in found]
