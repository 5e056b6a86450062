"""The door's changes to catalogued entries (``Door`` holds them; see ``services.door``).

Every write to an entry that is not an ``add``, a ``refresh`` or an ``edit`` is here: tags and
notes, a new key, removal to the trash and restoring from it, the topic rules' tags, a merge and
its undo. Each is one transaction (``Catalogue.transaction``) through ``storage``'s writes, which
bump the entry's revision; SQLite's change-log triggers (m012, ``storage.changes``) record the
change with the entry's id in that same transaction. Where an identity can come back (restore),
the one identity rule is asked first. No other module of ``services`` or a front-end calls the
storage writes (``tests/services/test_one_write_path.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papershelf.model.entry import Entry

if TYPE_CHECKING:
    from papershelf.storage.catalogue import Catalogue
    from papershelf.storage.journal import Operation
    from papershelf.topics.rules import TopicSet

Diff = list[tuple[str, "str | None", "str | None"]]


@dataclass
class MergePlan:
    """What ``merge`` does (``services.merge.plan`` makes it; the door carries it out)."""

    keep: Entry
    other: Entry
    diff: Diff  # field, what OTHER's key printed, what it prints after (KEEP's)
    aliases: list[str]  # the keys that will cite KEEP: OTHER's key and its aliases
    tags: list[str]  # OTHER's tags KEEP lacks
    notes: bool  # OTHER has notes (appended to KEEP's)

    def to_dict(self) -> dict[str, Any]:
        return {"keep": self.keep.citekey, "other": self.other.citekey, "aliases": self.aliases,
                "tags": self.tags, "notes": self.notes,
                "diff": [{"field": n, "before": a, "after": b} for n, a, b in self.diff]}


@dataclass
class AutotagResult:
    added: dict[str, list[str]]  # citekey -> tags added (or that would be, in a dry run)
    checked: int
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "dry_run": self.dry_run,
                "added": [{"citekey": k, "tags": v} for k, v in self.added.items()]}


class EntryChanges:
    """The door's writes to entries already catalogued (a part of ``Door``)."""

    cat: Catalogue

    def safeguard(self, what: str) -> Path:  # provided by Door
        raise NotImplementedError

    # -- tags and notes -----------------------------------------------------------------------

    def tag(self, ref: str, tags: Sequence[str]) -> tuple[list[str], Entry]:
        with self.cat.transaction():  # the entry as tagged: it cannot vanish in between
            added = self.cat.tag(ref, tags)
            return added, self.cat.get(ref)

    def untag(self, ref: str, tags: Sequence[str]) -> tuple[list[str], Entry]:
        with self.cat.transaction():
            removed = self.cat.untag(ref, tags)
            return removed, self.cat.get(ref)

    def tag_all(self, refs: Sequence[str], tags: Sequence[str], *,
                remove: bool = False) -> list[tuple[str, list[str]]]:
        """Tag (``remove``: untag) several entries in one transaction; (key, the tags new on
        it, or that it had) for each."""
        write = self.cat.untag if remove else self.cat.tag
        with self.cat.transaction():
            out = []
            for ref in refs:
                entry_id = self.cat.resolve(ref, exact=True)
                out.append((self.cat.keys_of([entry_id])[entry_id], write(ref, tags)))
            return out

    def set_notes(self, ref: str, text: str, *, append: bool = True, expect: int | None = None) -> Entry:
        """Append to (or replace) the notes; ``expect``: the revision the caller read them at
        (compare-and-swap: ``ConflictError`` if the entry changed since)."""
        return self.cat.set_notes(ref, text, append=append, expect=expect)

    def autotag(self, refs: Sequence[str] = (), *, dry_run: bool = False,
                topics: TopicSet | None = None) -> AutotagResult:
        """Apply the topic rules to ``refs`` (default: every entry), in one transaction. Tags an
        entry has (the user's or the rules') and rule tags the user removed stay as they are."""
        from papershelf.topics.loader import current_topics

        topics = topics or current_topics()
        cat = self.cat
        entries = (list({e.id: e for e in (cat.get(r) for r in refs)}.values()) if refs else cat.entries())
        dismissed = cat.dismissed_tags([e.id for e in entries if e.id is not None])
        wanted: dict[int, list[str]] = {}
        keys: dict[int, str] = {}
        for entry in entries:
            assert entry.id is not None
            have = set(entry.tags) | dismissed.get(entry.id, set())
            new = [name for name in topics.match(entry) if name not in have]
            if new:
                wanted[entry.id], keys[entry.id] = new, entry.citekey
        if dry_run:
            added = wanted
        else:
            with cat.transaction():
                cat.record_topic_aliases(topics.aliases)  # what search needs of the rules
                added = cat.attach_rule_tags(dict(wanted))
        return AutotagResult({keys[i]: tags for i, tags in added.items() if tags}, len(entries), dry_run)

    def rekey(self, old: str, new: str) -> tuple[str, str]:
        return self.cat.rekey(old, new)

    def add_aliases(self, entry_id: int, aliases: Sequence[str]) -> None:
        """Make each of ``aliases`` cite the entry too (one transaction; a key that cites
        another entry is refused, as ``rekey`` refuses it)."""
        if not aliases:
            return
        with self.cat.transaction():
            for alias in aliases:
                self.cat.add_alias(entry_id, alias)

    # -- the trash ----------------------------------------------------------------------------

    def remove(self, refs: Sequence[str]) -> list[str]:
        """Remove entries (all or none) into the trash, and purge what it held longer than the
        retention period (``trash.days``; 0: delete for good, no trash)."""
        from papershelf.services.attachments import releasing_files
        from papershelf.services.safety import trash_cutoff, trash_days
        from papershelf.storage import trash

        days = trash_days()  # a bad value stops us before anything is written
        for ref in refs:
            self.cat.resolve(ref)
        self.safeguard("remove")
        with releasing_files(self.cat):  # a transaction that deletes the stored files it purges
            removed = self.cat.remove(refs, to_trash=days > 0)
            trash.purge(self.cat.conn, trash_cutoff(days))
            _prune_pages(self.cat.conn)
        return removed  # (the files of what left for good are deleted: attachments.releasing_files)

    def restore(self, keys: Sequence[str]) -> list[str]:
        """Bring trashed entries back unchanged (all or none); see ``storage.trash``. A restored
        entry whose work the catalogue holds again is refused, by the one identity rule."""
        from papershelf.services.attachments import releasing_files
        from papershelf.services.safety import trash_cutoff, trash_days
        from papershelf.storage import trash

        days = trash_days()
        with releasing_files(self.cat):
            trash.purge(self.cat.conn, trash_cutoff(days))
            _prune_pages(self.cat.conn)
            rows = list(dict.fromkeys(trash.find(self.cat.conn, k.strip()) for k in keys))
            restored = [trash.restore(self.cat.conn, row) for row in rows]
            self._refuse_works_held_again(restored)
            return restored

    def _refuse_works_held_again(self, keys: Sequence[str]) -> None:
        """The one identity rule, as for ``add``: a restored entry whose work the catalogue holds
        again (imported or added since it was removed) is refused, and the transaction with it.
        Only each restored entry's candidates are read (the identity index, m014)."""
        from papershelf.errors import CiteKeyError
        from papershelf.model.identity import Keys
        from papershelf.services.identity_lookup import CatalogueIndex

        ids = [self.cat.resolve(k) for k in keys]
        index = CatalogueIndex(cat=self.cat, exclude=frozenset(ids))
        for entry in self.cat.load(ids):
            found = index.find(Keys.of(entry))
            if found is not None:
                other = found[0][1]
                raise CiteKeyError(f"cannot restore {entry.citekey!r}: the catalogue holds the same work again, "
                                   f"as {other!r} (added again since?)",
                                   hint=f"remove {other} first if the trashed entry is the one to keep")

    def empty_trash(self) -> int:
        """Delete everything in the trash for good (a backup first); returns how many."""
        from papershelf.services.attachments import releasing_files
        from papershelf.storage import trash

        if not trash.listing(self.cat.conn):
            return 0
        self.safeguard("empty-trash")
        with releasing_files(self.cat):
            purged = trash.purge(self.cat.conn)
            _prune_pages(self.cat.conn)
            return purged

    # -- merge and undo -----------------------------------------------------------------------

    def merge(self, p: MergePlan) -> MergePlan:
        """Do what ``p`` says, if neither entry changed since it was planned (``ConflictError``):
        OTHER to the trash, its keys as KEEP's aliases, its tags, notes and attached files
        (those KEEP lacks) added to KEEP; one transaction after a backup, recorded in the
        operations journal. (``undo`` brings OTHER back; its files stay with KEEP.)"""
        from papershelf.storage import files, journal

        cat = self.cat
        assert p.keep.id is not None and p.other.id is not None
        self.safeguard("merge")
        with cat.transaction():
            cat.expect_revision(p.keep.id, p.keep.revision, p.keep.citekey)
            cat.expect_revision(p.other.id, p.other.revision, p.other.citekey)
            op = journal.begin(cat.conn, "merge", f"merge {p.keep.citekey} {p.other.citekey}")
            journal.before(cat.conn, op, [p.keep.id])
            files.move(cat.conn, p.other.id, p.keep.id)  # a purge of the trash must not delete them
            [trashed] = cat.remove_ids([p.other.id], reason=f"merged into {p.keep.citekey}")
            journal.merged(cat.conn, op, p.other.id, p.other.citekey, trashed)
            for alias in p.aliases:
                cat.add_alias(p.keep.id, alias)
            user = [t for t in p.tags if t not in p.other.rule_tags]
            if user:
                cat.tag(p.keep.citekey, user)
            rule = [t for t in p.tags if t in p.other.rule_tags]
            if rule:
                cat.attach_rule_tags({p.keep.id: rule})
            if p.notes and p.other.notes:
                cat.set_notes(p.keep.citekey, f"(merged from {p.other.citekey})\n{p.other.notes.strip()}")
            journal.finish(cat.conn, op)
            p.keep = cat.get_id(p.keep.id)
        return p

    def take_back(self, op: Operation) -> list[int]:
        """Undo the journal's operation ``op`` (after a backup); the row ids touched."""
        self.safeguard("undo")
        return self.cat.take_back(op)


def _prune_pages(conn: Any) -> None:
    """Drop the full-text pages of PDFs no entry (nor trashed entry) holds any more."""
    from papershelf.storage import fulltext

    if fulltext.has_table(conn):
        fulltext.prune(conn)
