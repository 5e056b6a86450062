"""``sync --venues``: where were the catalogue's arXiv preprints published?

For each arXiv entry that is still a preprint, the records of four services are gathered:
Semantic Scholar (one batch request per 500 ids, ``ARXIV:<id>``), DBLP (a title search per
entry), then, only for an entry on which fewer than two sources agree so far, OpenAlex (title
search; only with ``PAPERSHELF_OPENALEX_API_KEY``, otherwise skipped with a note) and Crossref
(title + first authors). ``model.venue_decision.decide`` weighs them (title ≥ 0.95, family names,
year, main venue only, two agreeing sources beat one), and ``model.venue_plan`` says what an
accepted venue changes (never the key, never a field the user edited).

A service that is down (``SourceUnavailable``) is reported, skipped for the rest of the run, and
the others still answer. Nothing is written with ``dry_run``; otherwise the new venues and the
evidence of every entry asked about (``storage.venue_evidence``: sources, time, scores) are
written in one transaction through ``Library.refresh``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from papershelf.errors import (
    NetworkError,
    PapershelfError,
    PartialFailure,
    SameWorkError,
    SourceUnavailable,
    UsageError,
)
from papershelf.model.entry import Entry
from papershelf.model.identifiers import canonical
from papershelf.model.matching import Reference
from papershelf.model.venue_decision import Decision, decide, describe
from papershelf.model.venue_plan import VenuePlan, awaiting_venue, not_a_preprint, plan_venue
from papershelf.model.works import SOURCE_NAMES, Work

if TYPE_CHECKING:
    from papershelf.services.library import Library
    from papershelf.sources.metadata import Clients

VENUE_SERVICES = ("s2", "dblp", "openalex", "crossref")


@dataclass
class VenueOutcome:
    """What ``sync --venues`` found for one entry."""

    entry: Entry
    status: str  # published, kept, none, conflict, skipped, unchecked
    decision: Decision | None = None
    plan: VenuePlan | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        venue = self.decision.venue if self.decision else None
        return {"citekey": self.entry.citekey, "arxiv_id": self.entry.arxiv_id, "status": self.status,
                "message": self.message,
                "venue": None if venue is None else {
                    "kind": venue.kind, "venue": venue.venue, "short": venue.venue_short, "year": venue.year,
                    "volume": venue.volume, "number": venue.number, "pages": venue.pages, "doi": venue.doi},
                "sources": self.decision.sources if self.decision else [],
                "changed": self.plan.fields if self.plan and self.status == "published" else [],
                "kept": self.plan.kept if self.plan else []}


@dataclass
class VenueReport:
    outcomes: list[VenueOutcome] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)  # service -> why it was skipped
    requests: dict[str, int] = field(default_factory=dict)  # network requests per service
    cache_hits: dict[str, int] = field(default_factory=dict)
    written: int = 0  # entries whose venue was stored
    dry_run: bool = False
    # venues not stored: they would make an entry the work another entry is (``Door.conflicts``)
    refused: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "requests": self.requests, "cache_hits": self.cache_hits,
                "unavailable": self.unavailable, "written": self.written,
                "entries": [o.to_dict() for o in self.outcomes]}

    def verdict(self) -> PapershelfError | None:
        """How ``sync --venues`` ends: OpenAlex without a key is a note, not a fault; every other
        service down and nothing published is a network error; some down is partial."""
        down = [s for s in VENUE_SERVICES if s in self.unavailable and s != "openalex"]
        if down and len(down) == len(VENUE_SERVICES) - 1 and not self.count("published"):
            return NetworkError("no metadata service answered: " + "; ".join(self.unavailable[s] for s in down),
                                hint="check the connection, or try again later")
        if down:
            return PartialFailure(f"{', '.join(down)} did not answer; the entries were matched with the others",
                                  hint="run `papershelf sync --venues` again later to ask them too")
        if self.refused:
            more = f" (and {len(self.refused) - 1} more, listed above)" if len(self.refused) > 1 else ""
            return SameWorkError(self.refused[0] + more,
                                 hint="`papershelf merge` the two entries if they are one work")
        return None


def open_clients(*, refresh: bool = False) -> Clients:
    """The metadata clients, set up from the environment, sharing the on-disk answer cache."""
    from papershelf.paths import cache_dir
    from papershelf.sources.metadata import Clients

    return Clients(cache_folder=cache_dir(), refresh=refresh)


def venue_targets(lib: Library, keys: Sequence[str]) -> list[Entry]:
    """The entries named (each must have an arXiv id), else every arXiv entry still a preprint."""
    if keys:
        entries = lib.get_many(keys)
        lacking = [e.citekey for e in entries if not e.arxiv_id]
        if lacking:
            raise UsageError(f"no arXiv id on {', '.join(lacking)}: sync --venues looks for the published "
                             "version of arXiv preprints")
        return entries
    return [e for e in lib.entries() if awaiting_venue(e)]


def reference(entry: Entry) -> Reference:
    """The entry as the matcher compares it (its title decoded from LaTeX when it holds some)."""
    title = entry.title
    if "\\" in title or "$" in title:
        from papershelf.formats.bibtex.latex import decode

        title = decode(title)
    return Reference.of(entry, title)


class Asker:
    """Calls a service unless it failed earlier in the run: a failure (``SourceUnavailable``) is
    noted in ``unavailable`` (service -> why), told to ``notify``, and the service skipped."""

    def __init__(self, clients: Clients, unavailable: dict[str, str], notify: Callable[[str], None] | None):
        self.clients = clients
        self.unavailable = unavailable
        self.notify = notify

    def ok(self, service: str) -> bool:
        return service not in self.unavailable

    def ask(self, service: str, call: Callable[[Any], Any]) -> Any:
        if not self.ok(service):
            return None
        try:
            return call(self.clients.get(service))
        except SourceUnavailable as exc:
            why = exc.message + (f" ({exc.hint})" if exc.hint and service == "openalex" else "")
            self.unavailable[service] = why
            if self.notify is not None:
                self.notify(f"{SOURCE_NAMES.get(service, service)} skipped: {why}")
            return None


def _agreeing(ref: Reference, works: Sequence[Work]) -> int:
    decision = decide(ref, works)
    return len(decision.sources) if decision.status == "published" else 0


def gather(entries: Sequence[Entry], clients: Clients, unavailable: dict[str, str], *,
           notify: Callable[[str], None] | None = None,
           on_entry: Callable[[int], None] | None = None) -> dict[int, list[Work]]:
    """Every source's records for each entry (by position in ``entries``)."""
    asker = Asker(clients, unavailable, notify)
    if not clients.settings.openalex_api_key:
        from papershelf.sources.metadata import OpenAlex

        unavailable["openalex"] = OpenAlex.SKIP_NOTE
    ids = [canonical(e.arxiv_id or "") for e in entries]
    s2 = asker.ask("s2", lambda c: c.batch_arxiv(ids)) or {}
    found: dict[int, list[Work]] = {}
    for n, entry in enumerate(entries):
        ref = reference(entry)
        works: list[Work] = [w for w in [s2.get(ids[n])] if w is not None]
        # the functions are called at once, inside this iteration: ``ref`` is this entry's
        works += asker.ask("dblp", lambda c: c.search(ref.title, hits=10)) or []  # noqa: B023
        if _agreeing(ref, works) < 2:
            works += asker.ask("openalex", lambda c: c.search_title(ref.title, rows=10)) or []  # noqa: B023
        if _agreeing(ref, works) < 2:
            works += asker.ask("crossref", lambda c: c.search(ref.title, ref.families[:3], rows=5)) or []  # noqa: B023
        found[n] = works
        if on_entry is not None:
            on_entry(1)
    return found


def sync_venues(lib: Library, clients: Clients, entries: Sequence[Entry], *, dry_run: bool = False,
                notify: Callable[[str], None] | None = None,
                on_entry: Callable[[int], None] | None = None) -> VenueReport:
    """Look for the published version of ``entries`` and (unless ``dry_run``) store what is
    accepted, with the evidence, in one transaction. See the module docstring."""
    from papershelf.storage import venue_evidence
    from papershelf.storage.entry_state import now

    report = VenueReport(dry_run=dry_run)
    asked = [e for e in entries if awaiting_venue(e)]
    for entry in entries:
        if not awaiting_venue(entry):
            report.outcomes.append(VenueOutcome(entry, "skipped", message=not_a_preprint(entry)))
    works = gather(asked, clients, report.unavailable, notify=notify, on_entry=on_entry) if asked else {}
    when = now()
    updates: list[tuple[int, Entry, Sequence[str]]] = []
    records: list[venue_evidence.VenueRecord] = []
    everything_down = all(s in report.unavailable for s in ("s2", "dblp", "crossref"))
    for n, entry in enumerate(asked):
        found = works.get(n, [])
        if everything_down and not found:
            report.outcomes.append(VenueOutcome(entry, "unchecked", message="no service answered"))
            continue
        decision = decide(reference(entry), found)
        outcome = VenueOutcome(entry, decision.status, decision, message=describe(decision))
        applied = False
        if decision.status == "published" and decision.venue is not None:
            plan = plan_venue(entry, decision.venue)
            outcome.plan = plan
            if plan.refused:
                outcome.status = "kept"
                outcome.message += f"; {plan.refused}"
            elif plan.fields and entry.id is not None:
                updates.append((entry.id, plan.entry, plan.fields))
                applied = True
        report.outcomes.append(outcome)
        if entry.id is not None:
            evidence = decision.evidence(when)
            evidence["unavailable"] = sorted(report.unavailable)  # services not asked this time
            if outcome.plan is not None:
                evidence["changed"] = outcome.plan.fields if applied else []
                evidence["kept"] = outcome.plan.kept
            venue = decision.venue
            records.append(venue_evidence.VenueRecord(
                entry.id, when, decision.status, applied, venue.venue if venue else None,
                venue.doi if venue else None, decision.sources, evidence))
    report.requests = clients.requests()
    report.cache_hits = clients.cache_hits()
    refused = lib.door.conflicts(updates) if updates else {}
    if refused:  # stored as a venue, it would be another entry's work: kept out, said why
        updates = [u for u in updates if u[0] not in refused]
        for record in records:
            if record.entry_id in refused:
                record.applied, record.evidence["changed"] = False, []
        for outcome in report.outcomes:
            if outcome.entry.id in refused:
                outcome.status = "kept"
                outcome.message += f"; not stored: {refused[outcome.entry.id]}"
                report.refused.append(str(refused[outcome.entry.id]))
    if dry_run or not records:
        return report
    stored = lib.refresh(updates, also=lambda: venue_evidence.record(lib.cat.conn, records))
    report.written = len(stored)
    by_id = {e.id: e for e in stored}
    for outcome in report.outcomes:
        if outcome.entry.id in by_id and outcome.status == "published":
            outcome.entry = by_id[outcome.entry.id]
    return report


def known_venues(lib: Library, entries: Sequence[Entry]) -> dict[int, Any]:
    """The newest recorded venue evidence of each entry that has some (``check`` reads it)."""
    from papershelf.storage import venue_evidence

    return venue_evidence.latest(lib.cat.conn, [e.id for e in entries if e.id is not None])
