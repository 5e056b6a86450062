"""How ``Door.add`` writes (``services.door``): what it decided, a chunk at a time, inside its one
transaction — the new entries, the merges (``update``), the aliases, and the journal's one
operation recording them all (``undo``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from papershelf.model.entry import Entry

if TYPE_CHECKING:
    from papershelf.model.identity import Keys
    from papershelf.services.door_records import AddPolicy, AddResult
    from papershelf.storage.catalogue import Catalogue


class Door(Protocol):
    """What the chunk writer uses of ``services.door.Door`` (a Protocol: no import of it back)."""

    cat: Catalogue

    def safeguard(self, what: str) -> Path: ...

    def _merge_record(self, row_id: int, entry: Entry) -> Entry: ...


class ChunkWriter:
    """What ``Door.add`` writes, a chunk at a time, inside its one transaction: the new entries,
    the merges (``update``), the aliases, and the journal's record of them (one operation)."""

    def __init__(self, door: Door, policy: AddPolicy, topics: Any):
        self.door, self.cat, self.policy, self.topics = door, door.cat, policy, topics
        self.new: list[Entry] = []
        self.new_keys: list[Keys | None] = []  # the identity keys of ``new`` (None: not known)
        self.updates: list[tuple[int, Entry]] = []
        self.aliases: list[tuple[int | None, str, str]] = []  # row id (None: new), key, alias
        self.op: int | None = None
        self.started = False
        self.snapshotted: set[int] = set()  # merged entries whose "before" the journal holds
        self.safe = False

    def write(self, result: AddResult) -> None:
        """Write what was decided since the last call; the results go into ``result``."""
        from papershelf.storage import journal

        new, new_keys, updates, aliases = self.new, self.new_keys, self.updates, self.aliases
        self.new, self.new_keys, self.updates, self.aliases = [], [], [], []
        if self.topics is not None:
            self.topics.tag_new(new)
        if updates and not self.safe:  # merging overwrites stored fields: keep a copy first
            self.door.safeguard("update")
            self.safe = True
        with self.cat.transaction():
            if (self.op is None and self.policy.journal is not None
                    and (new or updates or any(r is not None for r, _, _ in aliases))):
                self.op = journal.begin(self.cat.conn, "import", self.policy.journal)
            if self.op is not None:
                journal.before(self.cat.conn, self.op, [i for i, _ in updates if i not in self.snapshotted])
            self.snapshotted |= {row_id for row_id, _ in updates}
            before = self.snapshotted
            if self.topics is not None and not self.started:  # what search needs of the rules
                self.cat.record_topic_aliases(self.topics.aliases)
            self.started = True
            added = self.cat.insert_many(new, new_keys) if new else []
            row_of = {e.citekey: e.id for e in added}
            for row_id, key, alias in aliases:
                target = row_id if row_id is not None else row_of.get(key)
                if target is None:  # a record of an earlier chunk
                    held = self.cat.key_holders([key]).get(key.lower())
                    target = held[0] if held else None
                if target is not None:
                    if self.op is not None and row_id is not None:  # before the write, as undo needs it
                        journal.aliased(self.cat.conn, self.op, target, alias, keep_before=target not in before)
                        before.add(target)
                    self.cat.add_alias(target, alias)
            result.updated.extend(self.door._merge_record(row_id, entry) for row_id, entry in updates)
            if aliases and added:  # the new entries as stored, with the keys that cite them
                fresh = {e.id: e for e in self.cat.load([e.id for e in added if e.id is not None])}
                added = [fresh.get(e.id, e) for e in added]
            result.added.extend(added)
            if self.op is not None:
                journal.added(self.cat.conn, self.op, [(e.id, e.citekey) for e in added if e.id is not None])

    def finish(self) -> int | None:
        """Close the journal's operation; returns it (None when nothing was recorded)."""
        from papershelf.storage import journal

        if self.op is not None:
            journal.finish(self.cat.conn, self.op)
        return self.op
