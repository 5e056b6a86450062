"""The one door for new entries (``Door``, which every ``Library`` holds as ``lib.door``):
identity, keys and topic tags.

``Library.add(entries, policy)`` (``Door.add``) is how every entry enters the catalogue — the bundled reading
list, ``add`` and ``arxiv search --add``, ``import bibtex``, ``import markdown``, and every
source to come. In one place and in this order it

1. normalises identifiers (an arXiv id in its canonical form: ``math.DG/0211159`` →
   ``math/0211159``),
2. asks the one identity rule (``model.identity.same_work``) whether each record is a work the
   catalogue (or an earlier record of the same batch) already holds: a duplicate is reported,
   and merged only when the policy says ``update`` — or, when the record brings its own key
   and prints the same fields, that key becomes an alias. A record with its own key that would
   print other fields, a second key of the same batch, and a record that is only *probably* a
   catalogued work (title, year, first author) are added and reported as probable duplicates,
   with the field diff (``_add`` says the order). Two works become one only by ``merge``,
3. gives the citation key (``model.citekeys.choose_key``: the source's key when usable, else one
   made by the ``keys.pattern`` setting; a key never changes afterwards),
4. applies the topic rules (rule tags; a user's tags always win),
5. writes everything in one transaction.

No importer decides any of these itself. Reads go through the library too, so tag filters see
topic aliases (``tag:蒸餾`` finds ``distillation``) without storage knowing about topics.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence, Sized
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from papershelf.model.entry import Entry
from papershelf.model.tags import normalise_tag
from papershelf.services.door_changes import EntryChanges
from papershelf.services.door_records import AddPolicy, AddResult, Diff, Duplicate
from papershelf.storage.rows import BIBLIOGRAPHIC

if TYPE_CHECKING:  # the door's own machinery loads when something is added, not on every search
    from papershelf.errors import SameWorkError
    from papershelf.storage.catalogue import Catalogue


CHUNK = 1000  # records decided, then written, at a time (``Door.add``)


def canonical_arxiv(ident: str | None) -> str | None:
    """``model.identifiers.canonical_arxiv``, imported when first needed (its patterns cost
    startup time that a search does not need)."""
    from papershelf.model.identifiers import canonical_arxiv as canonical

    return canonical(ident)


def normalise_identifiers(entry: Entry) -> None:
    """Identifiers in the one form the catalogue stores (see ``model.identifiers``)."""
    if entry.arxiv_id:
        entry.arxiv_id = canonical_arxiv(entry.arxiv_id) or entry.arxiv_id


def _total_of(entries: Iterable[Entry]) -> Callable[[], int | None]:
    """How many entries ``entries`` holds, for the progress: its ``known_count()`` if it learns
    that as it is read (``services.read_ahead``), its ``len`` if it has one, else unknown."""
    known = getattr(entries, "known_count", None)
    if callable(known):
        return known
    fixed = len(entries) if isinstance(entries, Sized) else None
    return lambda: fixed


class Door(EntryChanges):
    """How entries enter a catalogue and change in it: ``add`` (new works, duplicates reported
    or merged), ``refresh`` (new metadata for stored entries), ``save_edit`` (a user's edit),
    and (``services.door_changes``) tags, notes, keys, the trash, merge and undo. Each
    ``Library`` holds one as ``door`` and hands these calls to it; nothing else writes entries."""

    def __init__(self, cat: Catalogue):
        self.cat = cat

    def safeguard(self, what: str) -> Path:
        """An automatic backup before a destructive change (see ``services.maintenance``)."""
        from papershelf.services.safety import auto_backup

        return auto_backup(self.cat, what)

    def add(self, entries: Iterable[Entry], policy: AddPolicy = AddPolicy()) -> AddResult:
        """Add new works, report (or merge) the ones already here; one transaction.

        Identity and keys are decided inside that write transaction (``BEGIN IMMEDIATE``): the
        catalogued works and the taken keys are read with the lock held, so concurrent adds of
        the same works serialise (the later ones report duplicates) instead of colliding."""
        if policy.dry_run:
            return self._add(entries, policy)
        with self.cat.transaction():
            return self._add(entries, policy)

    def _add(self, entries: Iterable[Entry], policy: AddPolicy) -> AddResult:
        """``add``'s work; the inner transaction joins the caller's.

        A record is, in this order: the same record as the one its key already cites (a
        re-import: nothing added); the same work (certain evidence, ``same_work``) as a
        catalogued entry or an earlier record — a duplicate, unless it comes with its own key
        and would then print other fields, or is another key of the same batch (two keys in one
        file are two entries): then it is added and reported as a probable duplicate, with the
        diff; else a new entry, reported when it is probably (title and year) a work here.

        Records are decided and written ``CHUNK`` at a time inside the one transaction, so an
        import of any size holds one chunk of entries: identity and keys are looked up in
        storage's indexes (``services.identity_lookup``), which see the chunks already written.
        ``policy.report`` is handed each chunk's result once it is written (the door then
        forgets its entries); without it, the one result gathers everything."""
        from papershelf import config
        from papershelf.model.citekeys import VALID_KEY, base_key, choose_key, usable_key
        from papershelf.model.identity import Keys, field_diff, same_keys, same_record
        from papershelf.services.door_writes import ChunkWriter
        from papershelf.services.identity_lookup import CatalogueIndex

        total = _total_of(entries)
        topics = None
        if policy.autotag:
            from papershelf.topics.loader import current_topics

            topics = policy.topics or current_topics()  # a bad rules file stops us first
        pattern = config.value("keys.pattern")  # a bad setting stops us before any write
        extra_tags = [normalise_tag(t) for t in policy.tags]
        result = AddResult()
        # rows above ``floor`` are this batch's (written inside this one transaction)
        floor = None if policy.dry_run else self.cat.last_id()
        index = CatalogueIndex(cat=self.cat, floor=floor)
        taken: set[str] = set()  # keys (and aliases) this batch gave and has not written yet
        pending: list[tuple[str, str]] = []  # new key, another key that cites it (biblatex ids)
        writer = ChunkWriter(self, policy, topics)
        batch: dict[str, Entry] = {}  # the batch's unwritten new records by lower-cased key

        asked: set[str] = set()  # lower-cased keys this chunk asked storage about: ``found_keys``
        found_keys: dict[str, tuple[int, bool]] = {}

        def is_taken(key: str) -> bool:
            low = key.lower()
            if low in taken:
                return True
            if low in asked and key.isascii():  # (NOCASE folds ASCII only: as ``key_taken`` asks)
                return low in found_keys
            return self.cat.key_taken(key)

        stored: dict[int, Entry] = {}  # entries loaded for a diff (this chunk's)
        ours: dict[str, int] = {}  # lower-cased keys of the batch's written records -> row id

        def stored_entry(row_id: int) -> Entry:
            if row_id not in stored:
                stored[row_id] = self.cat.get_id(row_id)
            return stored[row_id]

        def printed_both(entry: Entry, light: Entry) -> bool:
            """Both the record and the catalogued entry (``light``: its verbatim fields only)
            print their verbatim .bib fields: ``light`` decides sameness."""
            return light.source_type is not None and entry.source_type is not None

        def batch_entry(low: str) -> Entry | None:
            """The batch's record under this lower-cased key (written or not), if any."""
            if low in batch or not low:
                return batch.get(low)
            if low and low not in ours:
                written = (found_keys if low in asked else self.cat.key_holders([low])).get(low)
                if written is None or floor is None or written[0] <= floor:
                    return None
                ours[low] = written[0]
            return stored_entry(ours[low])

        def other(at: tuple[int | None, str]) -> Entry:
            if at[0] is None:
                found = batch_entry(at[1].lower())
                assert found is not None
                return found
            return stored_entry(at[0])

        def duplicate(entry: Entry, row_id: int | None, key: str, why: str, diff: Diff, *,
                      merge: bool, alias_ok: bool) -> None:
            result.duplicates.append(Duplicate(entry, key, row_id, why, diff))
            merged = merge and row_id is not None
            if row_id is not None and merged:
                writer.updates.append((row_id, entry))
            alias = entry.citekey  # the record's key keeps citing, printing what it printed
            if alias and (merged or alias_ok) and VALID_KEY.match(alias) and not is_taken(alias):
                writer.aliases.append((row_id, key, alias))
                taken.add(alias.lower())
                result.aliased.append((alias, key))

        update = policy.on_duplicate == "update"
        done = 0
        records = iter(entries)
        while chunk := list(islice(records, CHUNK)):
            # the key each record would have if nothing were taken: its own, cleaned up, or made
            probes = [(e.citekey if e.citekey and VALID_KEY.match(e.citekey)
                       else (usable_key(e.citekey) if e.citekey else "") or base_key(e, pattern))
                      if policy.source_keys else "" for e in chunk]
            asking = [*filter(None, probes), *(e.citekey for e in chunk if e.citekey)] if policy.source_keys else []
            found_keys = self.cat.key_holders(asking) if asking else {}
            asked = {k.lower() for k in asking}  # nothing is written until the chunk is decided
            # keys citing entries catalogued before this batch; those of its own written records
            holders = {k: v for k, v in found_keys.items() if floor is None or v[0] <= floor}
            ours.clear()
            ours.update((k, v[0]) for k, v in found_keys.items() if k not in holders)
            verbatim = self.cat.verbatim_of(sorted({i for i, _ in holders.values()}))
            stored.clear()
            # the identity of each record, and storage's candidates for all of them, asked at
            # once; not for a record that is the very record its key cites (a re-import: a
            # duplicate, whose identity is not asked), as its verbatim fields show
            known: dict[int, Keys] = {}
            same: set[int] = set()
            for pos, (entry, probe) in enumerate(zip(chunk, probes, strict=True)):
                normalise_identifiers(entry)
                held_at = holders.get(probe.lower())
                if held_at is not None and not held_at[1]:
                    light = verbatim.get(held_at[0])
                    if light is not None and printed_both(entry, light) and same_record(entry, light):
                        same.add(pos)
                        continue
                known[pos] = Keys.of(entry)
            index.prefetch(known.values())
            # what the rule reads of the catalogued entries those other records' keys cite
            compared = {holders[p.lower()][0] for pos, p in enumerate(probes)
                        if pos not in same and p.lower() in holders}
            identity = self.cat.identity_of(sorted(i for i in compared if (light := verbatim.get(i)) is not None
                                                   and light.source_type))

            for pos, (entry, probe) in enumerate(zip(chunk, probes, strict=True)):
                if policy.progress is not None and done % 100 == 0:
                    policy.progress("checking", done, total())
                done += 1
                own_key = policy.source_keys and bool(entry.citekey)
                low = entry.citekey.lower() if entry.citekey else ""
                if probe.lower() in holders:  # its key (as it would be stored) cites a catalogued entry
                    held_id, is_alias = holders[probe.lower()]
                    light = verbatim.get(held_id)
                    # both print their verbatim fields: ``light`` decides sameness, and identity
                    # needs only the columns the rule reads; else the stored entry is loaded
                    printed = light is not None and printed_both(entry, light)
                    held = light if printed else stored_entry(held_id)
                    assert held is not None
                    key = held.citekey
                    if not is_alias and (pos in same or (not printed and same_record(entry, held))):
                        result.duplicates.append(Duplicate(entry, key, held_id, "the same record (key and fields)"))
                        continue
                    held_keys = identity[held_id][1] if printed else Keys.of(held)
                    keys = known[pos]
                    verdict = same_keys(keys, held_keys)
                    if probe == entry.citekey and (verdict or verdict.probable or is_alias):
                        held = stored_entry(held_id)
                        diff = field_diff(entry, held)
                        why = f"its key is an alias of {key}" if is_alias else "its key, and " + verdict.describe(entry)
                        result.duplicates.append(Duplicate(entry, key, held_id, why, diff))
                        if diff and update:
                            writer.updates.append((held_id, entry))
                        elif diff:
                            result.differs.append(Duplicate(entry, key, held_id, why, diff))
                        continue
                else:
                    keys = known[pos]
                twin = batch_entry(low) if own_key else None
                if twin is not None and same_record(entry, twin):
                    result.duplicates.append(Duplicate(entry, twin.citekey, None, "the same record twice"))
                    continue
                found = index.find(keys)
                if found is not None:
                    (at_id, at_key), verdict = found
                    why = verdict.describe(entry)
                    if not own_key:
                        duplicate(entry, at_id, at_key, why, [], merge=update, alias_ok=False)
                        continue
                    diff = field_diff(entry, other((at_id, at_key)))
                    if at_id is not None and (update or not diff):
                        duplicate(entry, at_id, at_key, why, diff, merge=update and bool(diff), alias_ok=not diff)
                        continue
                    # two keys of one batch are two entries; a key prints what was written under it
                    why += ", another key in the same import" if at_id is None else ", other fields"
                    result.probable.append(Duplicate(entry, at_key, at_id, why, diff))
                else:
                    maybe = index.probable(keys)
                    if maybe:
                        (at_id, at_key), verdict = maybe[0]
                        result.probable.append(Duplicate(entry, at_key, at_id, verdict.why,
                                                         field_diff(entry, other((at_id, at_key)))))
                given = entry.citekey
                key, renamed = choose_key(entry, is_taken, source_keys=policy.source_keys, pattern=pattern)
                if renamed:
                    result.renamed.append((given, key, renamed))
                entry.citekey = key
                taken.add(key.lower())
                pending.extend((key, alias) for alias in entry.aliases)  # a .bib's ids (h2-bibio)
                batch.setdefault(key.lower(), entry)
                owner = index.arxiv_owner(keys.arxiv) if entry.arxiv_id else None
                if owner is not None:  # one arXiv id per entry (storage)
                    result.shared_ids.append((key, owner, entry.arxiv_id or keys.arxiv))
                    if "eprint" not in entry.source_fields:
                        entry.extra = {**entry.extra, "eprint": entry.arxiv_id or keys.arxiv}
                    entry.arxiv_id, entry.arxiv_version = None, None
                index.add_pending(keys, key, holds_arxiv=bool(entry.arxiv_id))
                entry.tags = list(dict.fromkeys([*(normalise_tag(t) for t in entry.tags), *extra_tags]))
                writer.new.append(entry)
                writer.new_keys.append(keys if owner is None else None)  # (else its arXiv id went)
            if policy.dry_run:
                continue  # nothing is written: the batch's records stay in the index
            writer.write(result)
            index.written()
            asked = set()  # (storage changed: ``found_keys`` is stale)
            batch.clear()
            taken.clear()  # what this chunk took is stored: ``key_taken`` sees it
            if policy.report is not None:
                policy.report(result)
                result = AddResult()
        for key, alias in pending:  # once every key is chosen: an id never takes another's key
            if not is_taken(alias) and VALID_KEY.match(alias):
                writer.aliases.append((None, key, alias))
                taken.add(alias.lower())
        if policy.progress is not None:
            policy.progress("writing", done, total())
        if policy.dry_run:
            if topics is not None:
                topics.tag_new(writer.new)
            result.added = writer.new
            result.updated = [e for _, e in writer.updates]
            return result
        writer.write(result)
        result.operation = writer.finish()
        if policy.report is not None:
            policy.report(result)
        return result

    def _merge_record(self, row_id: int, entry: Entry) -> Entry:
        """The record's non-empty bibliographic fields overwrite the stored ones; its tags are
        added. Citekey, notes, section and the entry's own tags stay."""
        names = [name for name in BIBLIOGRAPHIC if getattr(entry, name) not in (None, "", [])]
        current = self.cat.get_id(row_id)
        if entry.extra:
            entry = copy.copy(entry)
            entry.extra = {**current.extra, **entry.extra}
            names.append("extra")
        stored = self.cat.update_metadata(row_id, entry, names) if names else current
        if entry.tags:
            self.cat.tag(stored.citekey, entry.tags)
        return stored

    def refresh(self, updates: Sequence[tuple[int, Entry, Sequence[str]]],
                completed: Sequence[Entry] = (), *, also: Callable[[], object] | None = None) -> list[Entry]:
        """Write metadata a source refreshed (``arxiv sync``, ``sync --venues``, a Zotero item
        changed there) in one transaction; placeholders that were ``completed`` get the topic
        tags their new title and abstract earn; ``also`` (the evidence ``sync --venues``
        records) runs in the same one. An update whose identifiers would make its entry the
        work another entry is (``conflicts``) stops it all: ``SameWorkError``, nothing written
        (callers that go on without it ask ``conflicts`` first)."""
        if updates:  # a bulk overwrite of stored fields: keep a copy first
            self.safeguard("sync")
        with self.cat.transaction():  # the metadata and the tags it earns: all or nothing
            for error in self.conflicts(updates).values():
                raise error
            stored = self.cat.update_many(updates) if updates else []
            if completed:
                self.autotag([e.citekey for e in completed])
            if also is not None:
                also()
        return stored

    def save_edit(self, entry_id: int, revision: int, before: Entry, new: Entry, names: Sequence[str],
                  *, notes: bool = False) -> Entry:
        """A user's change of an entry's fields (``edit``, ``set``) in one transaction: when an
        identifier changes, the one identity rule is asked first (``refuse_same_work``), then
        ``Catalogue.save_edit`` compares the revision and writes."""
        with self.cat.transaction():
            self.refuse_same_work(entry_id, before, new)
            return self.cat.save_edit(entry_id, revision, new, names, notes=notes)

    def refuse_same_work(self, entry_id: int, before: Entry, new: Entry) -> None:
        """``SameWorkError`` naming the other entry when ``new`` (entry ``entry_id`` changed
        from ``before``) would be another entry's work (``same_works``)."""
        for error in self.same_works([(entry_id, before, new)]).values():
            raise error

    def conflicts(self, updates: Sequence[tuple[int, Entry, Sequence[str]]]) -> dict[int, SameWorkError]:
        """``same_works`` for ``refresh``'s updates (row id, record, the fields taken from it)."""
        stored = {e.id: e for e in self.cat.load(list(dict.fromkeys(i for i, _, _ in updates)))}
        changes = []
        for row_id, new, names in updates:
            after = copy.copy(stored[row_id])
            for name in names:
                if hasattr(after, name):
                    setattr(after, name, getattr(new, name))
            changes.append((row_id, stored[row_id], after))
        return self.same_works(changes)

    def same_works(self, changes: Sequence[tuple[int, Entry, Entry]]) -> dict[int, SameWorkError]:
        """For each change (row id, the entry before, after) whose identifiers (arXiv id, DOI,
        ISBN, URL) change: a ``SameWorkError`` naming the other entry when it takes an arXiv id
        another entry holds (one per entry), or when, by ``same_work``, it becomes a work another
        entry (or an earlier change of the same batch) is and was not before. Nothing is asked
        when no identifier changes; the catalogue is read once for the batch."""
        from papershelf.errors import SameWorkError
        from papershelf.model.identity import Keys
        from papershelf.services.identity_lookup import CatalogueIndex

        ids = ("arxiv", "doi", "isbn", "url")
        moved = [(row_id, after, Keys.of(before), Keys.of(after)) for row_id, before, after in changes]
        moved = [m for m in moved if any(getattr(m[2], n) != getattr(m[3], n) for n in ids)]
        if not moved:
            return {}
        hint = "fix the identifier, or `papershelf merge` the two entries if they are one work"
        out: dict[int, SameWorkError] = {}
        for row_id, after, old, keys in moved:
            owner = self.cat.find_arxiv_id(keys.arxiv) if keys.arxiv and keys.arxiv != old.arxiv else None
            if owner is not None and owner != row_id:
                other = self.cat.keys_of([owner])[owner]
                out[row_id] = SameWorkError(f"arXiv id {keys.arxiv} is already {other}'s; "
                                            f"{after.citekey} cannot have it too", hint=hint)
        # the identity index (m014): only the candidates of each changed entry are read
        index = CatalogueIndex(cat=self.cat, exclude=frozenset(m[0] for m in moved))
        for row_id, after, old, keys in moved:
            found = index.find(keys)
            was = index.find(old)
            if row_id not in out and found is not None and (was is None or was[0] != found[0]):
                out[row_id] = SameWorkError(f"{after.citekey} would be the same work as {found[0][1]} "
                                            f"({found[1].describe(after)}); nothing changed", hint=hint)
            index.add(keys, (row_id, after.citekey))
        return out

    def existing(self, entries: Sequence[Entry]) -> list[tuple[int | None, str] | None]:
        """For each record, (row id, citekey) of the catalogued work it is, by the one identity
        rule, or None. Looks only (in the identity index); nothing is normalised or written."""
        from papershelf.model.identity import Keys
        from papershelf.services.identity_lookup import CatalogueIndex

        index = CatalogueIndex(cat=self.cat)
        out: list[tuple[int | None, str] | None] = []
        for entry in entries:
            found = index.find(Keys.of(entry))
            out.append(found[0] if found else None)
        return out

    def find_arxiv(self, arxiv_ids: Iterable[str]) -> dict[str, Entry]:
        """Catalogued entries by canonical arXiv id (an indexed lookup per id)."""
        found: dict[str, Entry] = {}
        for ident in arxiv_ids:
            canonical = canonical_arxiv(ident) or ident
            row = self.cat.find_arxiv_id(canonical)
            if row is not None:
                found[canonical] = self.cat.get_id(row)
        return found
