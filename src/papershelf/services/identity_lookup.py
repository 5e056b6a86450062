"""The door's identity lookups (``services.door``): which catalogued entry, or which earlier
record of the batch being added, a record is, by the one identity rule (``model.identity``).

Catalogued entries are found through the identity index storage keeps (``identity_keys``,
m014: a few index seeks per record, whatever the catalogue's size); records of the batch that
are not written yet are held in memory (an ``IdentityIndex``) until the door writes them, after
which the index finds them too. The rule then decides among the candidates exactly as it did
over the whole catalogue: candidates come slot by slot (arXiv id, DOI, ISBN, URL; then title
with year for a probable duplicate), catalogued ones before the batch's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from papershelf.model.identity import IdentityIndex, Keys, slots

if TYPE_CHECKING:
    from papershelf.storage.catalogue import Catalogue

# (row id, citekey): row id None for a record of the batch being added
Payload = tuple["int | None", str]


@dataclass
class CatalogueIndex(IdentityIndex[Payload]):
    """An ``IdentityIndex`` over a catalogue: its entries from storage's identity index, the
    batch's unwritten records from memory (``add``; ``written`` forgets them once stored).
    Entries with a row id above ``floor`` were written by this batch: they are reported as
    earlier records of the batch (row id None), as before they were written."""

    cat: Catalogue | None = None
    floor: int | None = None
    exclude: frozenset[int] = frozenset()  # row ids never candidates (entries being changed)
    _arxiv: dict[str, str] = field(default_factory=dict)  # the batch's unwritten arXiv ids -> key
    # storage's candidates for the slots of the records being decided, asked at once
    # (``prefetch``) and good until something is written (``written``)
    _fetched: dict[tuple[str, object], list[tuple[int, str, Any]]] = field(default_factory=dict)

    def prefetch(self, keys: Iterable[Keys]) -> None:
        """Ask storage at once for the candidates of every slot of ``keys`` (a chunk of
        records about to be looked up, with nothing written meanwhile)."""
        assert self.cat is not None
        wanted = {slot for k in keys for slot in slots(k) if slot not in self._fetched}
        if wanted:
            self._fetched.update(self.cat.identity_candidates_many(wanted))

    def at(self, slot: tuple[str, object]) -> list[tuple[Keys, Payload]]:
        assert self.cat is not None
        found = self._fetched.get(slot)
        if found is None:
            found = self.cat.identity_candidates(*slot)
        stored: list[tuple[Keys, Payload]] = [
            (keys, (None if self.floor is not None and row_id > self.floor else row_id, key))
            for row_id, key, keys in found if row_id not in self.exclude]
        return [*stored, *super().at(slot)]

    def add_pending(self, keys: Keys, key: str, *, holds_arxiv: bool) -> None:
        """A record of the batch, not yet written, under its chosen key (``holds_arxiv``: it
        keeps its arXiv id, which no other entry may then take)."""
        self.add(keys, (None, key))
        if holds_arxiv and keys.arxiv:
            self._arxiv[keys.arxiv] = key

    def written(self) -> None:
        """The pending records are stored now: storage's index finds them from here on."""
        self._by.clear()
        self._arxiv.clear()
        self._fetched.clear()

    def arxiv_owner(self, arxiv: str) -> str | None:
        """The key of the entry (or pending record) that holds the canonical arXiv id ``arxiv``."""
        assert self.cat is not None
        if arxiv in self._arxiv:
            return self._arxiv[arxiv]
        row_id = self.cat.find_arxiv_id(arxiv)
        return None if row_id is None else self.cat.keys_of([row_id])[row_id]
