"""The venue evidence table (``m009``): what ``sync --venues`` found for an entry, and when.

One row per entry and run: the status (``published``, ``none``, ``conflict``), whether the
venue was written to the entry, the venue and DOI, the agreeing sources and the evidence
(records, scores) as JSON. Storage decides nothing: the service says what to record.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from papershelf.storage import db
from papershelf.storage.fts import placeholders


@dataclass
class VenueRecord:
    entry_id: int
    checked: str  # UTC time, as ``entry_state.now()`` writes it
    status: str  # published, none, conflict
    applied: bool = False
    venue: str | None = None
    doi: str | None = None
    sources: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "status": self.status, "applied": self.applied, "venue": self.venue,
                "doi": self.doi, "sources": self.sources, "evidence": self.evidence}


def record(conn: sqlite3.Connection, records: Iterable[VenueRecord]) -> int:
    """Store ``records`` in the caller's transaction (or one of its own); returns how many."""
    rows_ = [(r.entry_id, r.checked, r.status, int(r.applied), r.venue, r.doi,
              json.dumps(r.sources, ensure_ascii=False), json.dumps(r.evidence, ensure_ascii=False))
             for r in records]
    if rows_:
        with db.transaction(conn):
            conn.executemany("INSERT INTO venue_evidence(entry_id, checked, status, applied, venue, doi, sources, "
                             "evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows_)
    return len(rows_)


def latest(conn: sqlite3.Connection, entry_ids: Sequence[int]) -> dict[int, VenueRecord]:
    """The newest record of each entry of ``entry_ids`` that has one. A catalogue older than
    ``m009`` opened read-only has none."""
    found: dict[int, VenueRecord] = {}
    for start in range(0, len(entry_ids), 500):
        part = list(entry_ids[start:start + 500])
        try:
            cursor = conn.execute(
                f"SELECT entry_id, checked, status, applied, venue, doi, sources, evidence FROM venue_evidence "
                f"WHERE entry_id IN ({placeholders(len(part))}) ORDER BY entry_id, checked, id", part)
        except sqlite3.OperationalError:
            return {}
        for row in cursor:
            found[int(row[0])] = VenueRecord(int(row[0]), row[1], row[2], bool(row[3]), row[4], row[5],
                                             _json(row[6], []), _json(row[7], {}))
    return found


def _json(text: str | None, default: Any) -> Any:
    try:
        value = json.loads(text or "")
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default
