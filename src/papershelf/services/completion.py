"""Shell completion's lookups: citekeys and tags starting with what was typed.

Read-only and light (``storage.lookup``: ``sqlite3`` alone), since every TAB is a new process:
the file is never migrated, switched to WAL or otherwise written, and a catalogue that cannot
be read gives no answers rather than an error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def complete_keys(path: Path, prefix: str) -> list[str]:
    """Citekeys (and aliases) starting with ``prefix``, for shell completion: never raises."""
    from papershelf.storage.lookup import citekeys

    return _readonly(path, lambda conn: citekeys(conn, prefix))


def complete_tags(path: Path, prefix: str) -> list[str]:
    """Tags starting with ``prefix``, for shell completion: never raises."""
    from papershelf.storage.lookup import tag_names

    return _readonly(path, lambda conn: tag_names(conn, prefix))


def _readonly(path: Path, fetch: Callable[..., list[str]]) -> list[str]:
    from papershelf.storage.lookup import connect_readonly

    try:
        if not path.is_file():
            return []
        conn = connect_readonly(path)
        try:
            return list(fetch(conn))
        finally:
            conn.close()
    except Exception:  # TAB must never print a traceback, nor change the file
        return []
