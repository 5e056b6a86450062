"""arXiv through the one door: ``add`` papers by id, ``arxiv search --add``, and ``sync``.

Lookups go through an ``ArxivClient`` (``sources.arxiv``, made by ``open_client``); what
refreshing an entry changes is the pure merge plan of ``model.arxiv_merge``. New papers enter
through ``Library.add`` (identity, key, topic tags decided there); refreshed ones are written
by ``Library.refresh``, a batch per transaction, so a Ctrl-C or a fault keeps the batches done.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from papershelf.errors import NetworkError, NotFoundError, PapershelfError, SameWorkError, UsageError
from papershelf.model.arxiv_merge import Change, as_new_entry, fill, merge
from papershelf.model.entry import Entry
from papershelf.model.identifiers import ArxivId, canonical
from papershelf.services.library import AddPolicy, Library
from papershelf.services.outcome import batch_verdict

if TYPE_CHECKING:
    from papershelf.sources.arxiv.client import ArxivClient, Event, FetchResult


def open_client(on_event: Callable[[Event], None] | None = None) -> ArxivClient:
    """The arXiv client, set up from the environment (``PAPERSHELF_ARXIV_*``)."""
    from papershelf.sources.arxiv.client import ArxivClient

    return ArxivClient(on_event=on_event)


def search(client: ArxivClient, query: str, max_results: int, sort: str) -> list[Entry]:
    """arXiv's answer to a query; a query arXiv refuses is a usage error."""
    from papershelf.sources.arxiv.client import ArxivRejected

    try:
        return client.search(query, max_results, sort)
    except ArxivRejected as exc:
        raise UsageError(f"arXiv cannot run the query {query!r}: {exc.reason}") from None

@dataclass
class Outcome:
    """What happened to one requested id or synced entry."""

    arxiv_id: str
    # added, exists, merged, updated, completed, unchanged, changed, not_found, failed, conflict
    # (conflict: the refreshed identifiers would make it another entry's work; not written)
    status: str
    entry: Entry | None = None
    changes: list[Change] = field(default_factory=list)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status not in ("not_found", "failed", "conflict")

    def to_dict(self) -> dict[str, Any]:
        e = self.entry
        return {
            "arxiv_id": self.arxiv_id,
            "status": self.status,
            "citekey": e.citekey if e else None,
            "version": e.arxiv_version if e else None,
            "title": e.title if e else None,
            "changes": [c.to_dict() for c in self.changes],
            "message": self.message or None,
        }


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    requests: int = 0
    waited: float = 0.0
    error: NetworkError | None = None  # the fault that stopped the lookups early, if any
    written: int = 0  # entries stored or updated so far
    done: str = "added"  # what the run does to each paper, for its verdict: "added" or "synced"

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def successes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok]

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    def verdict(self) -> PapershelfError | None:
        """How the run ends (``services/outcome``): partial when some failed and some were done;
        the fault that stopped it; not found when arXiv has none; else the first failure."""
        failures = self.failures
        total = len(self.outcomes)

        def all_failed() -> PapershelfError:
            if self.error is not None:
                return self.error
            if all(o.status == "not_found" for o in failures):
                if total == 1:
                    return NotFoundError(f"arXiv has no paper arXiv:{failures[0].arxiv_id}",
                                         hint="check the id (a typo, or a paper that was never announced?)")
                return NotFoundError(f"arXiv has none of these {total} papers")
            if all(o.status == "conflict" for o in failures):
                more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
                return SameWorkError(failures[0].message + more,
                                     hint="`papershelf merge` the two entries if they are one work")
            return NetworkError(failures[0].message)

        return batch_verdict(len(failures), total, succeeded=bool(self.successes), done=self.done,
                             all_failed=all_failed)


def _failed_outcomes(result: FetchResult, report: Report) -> None:
    for ident in result.missing:
        report.outcomes.append(Outcome(ident, "not_found", message="arXiv has no paper with this id"))
    for ident, why in result.failed.items():
        report.outcomes.append(Outcome(ident, "failed", message=why))
    report.error = result.error
    report.requests = result.requests


def store(lib: Library, wanted: Sequence[str], fresh: dict[str, Entry],
          existing: dict[str, Entry], report: Report, *, update: bool = False,
          tags: Sequence[str] = (), dry_run: bool = False) -> None:
    """Write what arXiv sent for ``wanted``: new papers through the door in one transaction,
    refreshed ones (``update``, or placeholders) in another; catalogued ones otherwise stay.
    ``dry_run``: report what would be added; nothing is written (nor refreshed)."""
    records = [as_new_entry(fresh[i]) for i in wanted if i in fresh and i not in existing]
    if records:
        added = lib.add(records, AddPolicy(tags=tuple(tags), dry_run=dry_run))
        maybe = {d.entry.citekey: d for d in added.probable}
        for entry in added.added:
            d = maybe.get(entry.citekey)
            report.outcomes.append(Outcome(entry.arxiv_id or "", "added", entry, message=(
                f"may be the same work as {d.existing_key} ({d.why}): `papershelf merge "
                f"{d.existing_key} {entry.citekey}` if so" if d else "")))
        report.written += 0 if dry_run else len(added.added)
        # the same work under another record (DOI, URL): arXiv's identity is merged into it
        # (arXiv id, version, categories…; its key, title, authors and venue stay)
        fills = [(dup, fill(lib.cat.get_id(dup.existing_id), dup.entry))
                 for dup in added.duplicates if dup.existing_id is not None and not dry_run]
        stored = {e.id: e for e in lib.refresh([(d.existing_id, m.entry, m.fields)
                                                for d, m in fills if m.fields and d.existing_id is not None])
                  } if fills else {}
        for dup, m in fills:
            status = "merged" if m.fields else "exists"
            what = "arXiv's record merged into" if m.fields else "already in the catalogue as"
            report.outcomes.append(Outcome(dup.entry.arxiv_id or "", status, stored.get(dup.existing_id, m.entry),
                                           m.changes, message=f"{what} {dup.existing_key} (same {dup.why})"))
            report.written += bool(m.fields)
        for dup in added.duplicates:
            if dup.existing_id is None or dry_run:  # two ids of one batch that are one work
                report.outcomes.append(Outcome(dup.entry.arxiv_id or "", "exists", lib.get(dup.existing_key),
                                               message=f"already in the catalogue as {dup.existing_key} "
                                                       f"(same {dup.why})"))
    merges, updates, completed = [], [], []
    for ident in wanted:
        old = existing.get(ident)
        if old is None:
            continue
        if not (update or old.needs_sync) or ident not in fresh:
            if not (update or old.needs_sync):
                report.outcomes.append(Outcome(ident, "exists", old, message="already in the catalogue"))
            continue
        m = merge(old, fresh[ident])
        merges.append((ident, old, m))
        if m.fields and old.id is not None:
            updates.append((old.id, m.entry, m.fields))
    refused = _refused(lib, updates)
    updates = [u for u in updates if u[0] not in refused]
    completed = [old for _, old, _ in merges if old.needs_sync and old.id not in refused]
    stored = {} if dry_run else {e.id: e for e in lib.refresh(updates, completed)}
    for ident, old, m in merges:
        status = "completed" if old.needs_sync else ("updated" if m.changed else "unchanged")
        if old.id in refused:
            report.outcomes.append(Outcome(ident, "conflict", old, message=str(refused[old.id])))
            continue
        report.outcomes.append(Outcome(ident, status, stored.get(old.id, m.entry), m.changes))
    report.written += 0 if dry_run else len(updates)


def _refused(lib: Library, updates: Sequence[tuple[int, Entry, Sequence[str]]]) -> dict[int, SameWorkError]:
    """The updates the door would refuse: arXiv's identifiers (its DOI) would make the entry
    another entry's work. They are left out and reported; the others are written."""
    return lib.door.conflicts(updates) if updates else {}


def add_ids(lib: Library, ids: Sequence[ArxivId], client: ArxivClient, *,
            update: bool = False, tags: Sequence[str] = (), dry_run: bool = False,
            on_batch: Callable[[int], None] | None = None) -> Report:
    """Add papers by arXiv id. An id already catalogued is not even looked up unless
    ``update`` (a placeholder always is, and gets completed). Good ids are stored even when
    others fail; the failures are in the report."""
    from papershelf.topics.loader import current_topics

    current_topics()  # a broken topics.toml stops the command before anything is asked
    report = Report()
    wanted = list(dict.fromkeys(a.canonical for a in ids))
    existing = lib.find_arxiv(wanted)
    to_fetch = [i for i in wanted if i not in existing or update or existing[i].needs_sync]
    fresh: dict[str, Entry] = {}
    if to_fetch:
        result = client.fetch(to_fetch, on_batch=(lambda _r, batch: on_batch(len(batch)))
                              if on_batch else None)
        fresh = result.found
        _failed_outcomes(result, report)
    store(lib, wanted, fresh, existing, report, update=update, tags=tags, dry_run=dry_run)
    _in_order(report, wanted)
    report.requests = client.requests
    report.waited = client.waited
    return report


def add_entries(lib: Library, entries: Sequence[Entry], *, update: bool = False,
                tags: Sequence[str] = ()) -> Report:
    """Add records arXiv already sent (search results), with the same rules as ``add_ids``."""
    report = Report()
    fresh = {e.arxiv_id: e for e in entries if e.arxiv_id}
    wanted = list(fresh)
    store(lib, wanted, fresh, lib.find_arxiv(wanted), report, update=update, tags=tags)
    _in_order(report, wanted)
    return report


def _in_order(report: Report, wanted: Sequence[str]) -> None:
    order = {ident: n for n, ident in enumerate(wanted)}
    report.outcomes.sort(key=lambda o: order.get(o.arxiv_id, len(order)))


def sync_entries(lib: Library, client: ArxivClient, entries: Sequence[Entry], *,
                 dry_run: bool = False, report: Report | None = None,
                 on_batch: Callable[[int], None] | None = None) -> Report:
    """Refresh ``entries`` (those with an arXiv id) from arXiv, writing each batch in its own
    transaction as it arrives: a Ctrl-C or a fault keeps the batches already done, whole."""
    report = report if report is not None else Report()
    report.done = "synced"
    by_id: dict[str, Entry] = {}
    for entry in entries:
        if entry.arxiv_id:
            by_id.setdefault(canonical(entry.arxiv_id), entry)

    def apply(result: FetchResult, batch: list[str]) -> None:
        merges = [(i, merge(by_id[i], result.found[i])) for i in batch if i in result.found]
        updates = [(entry_id, m.entry, m.fields) for i, m in merges
                   if m.fields and (entry_id := by_id[i].id) is not None]
        refused = _refused(lib, updates)
        updates = [u for u in updates if u[0] not in refused]
        if updates and not dry_run:
            lib.refresh(updates, [by_id[i] for i, _ in merges if by_id[i].needs_sync and by_id[i].id not in refused])
            report.written += len(updates)
        for ident, m in merges:
            old = by_id[ident]
            if old.id in refused:
                report.outcomes.append(Outcome(ident, "conflict", old, message=str(refused[old.id])))
                continue
            status = "completed" if old.needs_sync else ("changed" if m.changed else "unchanged")
            report.outcomes.append(Outcome(ident, status, m.entry, m.changes))
        report.requests = client.requests
        if on_batch is not None:
            on_batch(len(batch))

    result = client.fetch(list(by_id), on_batch=apply)
    for ident in result.missing:
        report.outcomes.append(Outcome(ident, "not_found", by_id[ident],
                                       message="arXiv has no paper with this id"))
    for ident, why in result.failed.items():
        report.outcomes.append(Outcome(ident, "failed", by_id[ident], message=why))
    report.error = result.error
    report.requests = client.requests
    report.waited = client.waited
    _in_order(report, list(by_id))
    return report


def sync_targets(lib: Library, keys: Sequence[str]) -> list[Entry]:
    """The entries ``sync`` refreshes: those named (each must have an arXiv id), else every
    arXiv entry."""
    if keys:
        entries = lib.get_many(keys)
        lacking = [e.citekey for e in entries if not e.arxiv_id]
        if lacking:
            raise UsageError(f"no arXiv id on {', '.join(lacking)}: sync only refreshes arXiv entries")
        return entries
    return [e for e in lib.entries() if e.arxiv_id]
