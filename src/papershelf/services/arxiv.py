"""Adding papers from arXiv and keeping arXiv entries up to date: what changes, and writing it.

``merge(old, fresh)`` is pure: it says which fields arXiv may update on an entry and describes
the change (new version, title, authors, "now published"). The rules:

* arXiv owns the preprint's own fields: title, authors, abstract, version, categories, comment,
  the v1 date; they are updated to what arXiv says.
* A journal reference, a DOI (not arXiv's own 10.48550 one), a URL and the year are only
  filled in when the entry lacks them; what you (or a published source) put there stays. A
  preprint's year follows arXiv's v1 date.
* When arXiv reports a journal_ref or DOI, a preprint (type misc/unpublished/online, no
  journal or booktitle) becomes a published ``article`` with the journal_ref as its journal;
  the eprint fields stay, so BibTeX export keeps ``eprint``.
* The citekey, tags, notes, section and links are never touched. A placeholder (``needs_sync``,
  e.g. from the Markdown importer, keyed ``arxiv2006.11239``) keeps its key too: only
  ``papershelf rekey`` renames one.

``add_ids`` and ``sync`` do the lookups through an ``ArxivClient`` and write in transactions;
nothing here imports the network code (the client is passed in).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from papershelf.errors import NetworkError, UsageError
from papershelf.model import identifiers as arxiv_ids
from papershelf.model.entry import Entry

if TYPE_CHECKING:
    from papershelf.sources.arxiv.client import ArxivClient, FetchResult
    from papershelf.storage.catalogue import Catalogue

PREPRINT_TYPES = ("misc", "unpublished", "online")
ARXIV_DOI_PREFIX = "10.48550/"
# The fields arXiv's answer can set; the order is the order of the report's "also updated".
_OWNED = ("title", "authors", "abstract", "arxiv_id", "arxiv_version", "primary_class",
          "categories", "arxiv_comment", "date")
_REPORT_ORDER = ("completed", "version", "title", "authors", "published", "abstract", "other")
_LABELS = {"primary_class": "primary class", "arxiv_comment": "comment", "date": "v1 date",
           "journal_ref": "journal ref", "arxiv_id": "arXiv id"}


def real_doi(doi: str | None) -> str | None:
    """A publisher DOI; arXiv's own DataCite DOIs (10.48550/arXiv.…) are not a venue."""
    return doi if doi and not doi.lower().startswith(ARXIV_DOI_PREFIX) else None


def is_preprint(entry: Entry) -> bool:
    return entry.type in PREPRINT_TYPES and not entry.journal and not entry.booktitle


def venue(entry: Entry) -> str | None:
    """``journal_ref / doi:…`` when arXiv knows where the paper appeared."""
    parts = [p for p in (entry.journal_ref, real_doi(entry.doi) and f"doi:{entry.doi}") if p]
    return " / ".join(parts) or None


def as_new_entry(fresh: Entry, tags: Sequence[str] = ()) -> Entry:
    """A fresh arXiv record ready to add: published if arXiv knows a venue, with ``tags``."""
    entry = copy.deepcopy(fresh)
    if entry.journal_ref or real_doi(entry.doi):
        entry.type = "article"
        entry.journal = entry.journal or entry.journal_ref
    if entry.doi and not real_doi(entry.doi):
        entry.doi = None  # arXiv's own DOI is implied by the eprint
    entry.tags = list(tags)
    return entry


@dataclass
class Change:
    """One reportable difference: ``version``, ``title``, ``authors``, ``published``,
    ``abstract``, ``completed`` (a placeholder filled in) or ``other`` (a list of fields)."""

    kind: str
    old: Any = None
    new: Any = None

    def describe(self) -> str:
        if self.kind == "version":
            return f"v{self.old} → v{self.new}"
        if self.kind == "title":
            return f"title: {self.old!r} → {self.new!r}"
        if self.kind == "authors":
            gone = [n for n in self.old if n not in self.new]
            came = [n for n in self.new if n not in self.old]
            if not gone and not came:
                return "authors: order changed"
            return "authors: " + ", ".join([f"+ {n}" for n in came] + [f"− {n}" for n in gone])
        if self.kind == "published":
            return f"now published: {self.new}"
        if self.kind == "abstract":
            return "abstract updated"
        if self.kind == "completed":
            return f"filled in from arXiv: {self.new}"
        return "also updated: " + ", ".join(self.new)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "old": self.old, "new": self.new, "text": self.describe()}


@dataclass
class Merge:
    entry: Entry  # the entry as it will be stored
    fields: list[str]  # the fields to write
    changes: list[Change]  # what to tell the user

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def merge(old: Entry, fresh: Entry) -> Merge:
    """What refreshing ``old`` from arXiv's ``fresh`` record changes (see the module rules)."""
    new = copy.deepcopy(old)
    fields: list[str] = []
    placeholder = old.needs_sync

    def put(name: str, value: Any) -> bool:
        if getattr(old, name) == value:
            return False
        setattr(new, name, copy.deepcopy(value))
        fields.append(name)
        return True

    changes: list[Change] = []
    others: list[str] = []
    for name in _OWNED:
        value = getattr(fresh, name)
        if value in (None, "", []) and name not in ("arxiv_comment",):
            continue  # arXiv left it out: keep what we have
        if name == "authors":
            if [p.name for p in old.authors] == [p.name for p in value]:
                continue
            put(name, value)
            if not placeholder:
                changes.append(Change("authors", old.author_names, [p.name for p in value]))
            continue
        if not put(name, value) or placeholder:
            continue
        if name == "title":
            if " ".join(old.title.split()) != value:
                changes.append(Change("title", old.title, value))
        elif name == "arxiv_version":
            if old.arxiv_version is not None:
                changes.append(Change("version", old.arxiv_version, value))
        elif name == "abstract":
            if old.abstract and " ".join(old.abstract.split()) != value:
                changes.append(Change("abstract"))
        elif name not in ("arxiv_id",):
            others.append(_LABELS.get(name, name))

    if fresh.journal_ref and not old.journal_ref:
        put("journal_ref", fresh.journal_ref)
    doi = real_doi(fresh.doi)
    if doi and not old.doi:
        put("doi", doi)
    if fresh.url and not old.url:
        put("url", fresh.url)
    if fresh.year and (old.year is None or (placeholder or is_preprint(old))):
        put("year", fresh.year)
    newly_published = bool((fresh.journal_ref and not old.journal_ref) or (doi and not old.doi))
    if (fresh.journal_ref or doi) and is_preprint(old):
        put("type", "article")
        if fresh.journal_ref:
            put("journal", fresh.journal_ref)
    if newly_published and not placeholder:
        changes.append(Change("published", None, venue(new)))
    if placeholder:
        put("needs_sync", False)
        changes.insert(0, Change("completed", None, new.title))
    elif others:
        changes.append(Change("other", None, others))
    changes.sort(key=lambda c: _REPORT_ORDER.index(c.kind))
    return Merge(new, fields, changes)


# --- operations ------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What happened to one requested id or synced entry."""

    arxiv_id: str
    status: str  # added, exists, updated, completed, unchanged, changed, not_found, failed
    entry: Entry | None = None
    changes: list[Change] = field(default_factory=list)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status not in ("not_found", "failed")

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

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def successes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok]

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)


def parse_ids(texts: Iterable[str]) -> list[arxiv_ids.ArxivId]:
    """Every text as an arXiv id; all the unreadable ones are reported at once, before any request."""
    parsed, bad = [], []
    for text in texts:
        aid = arxiv_ids.parse(text)
        if aid is None:
            bad.append(text)
        else:
            parsed.append(aid)
    if bad:
        shown = ", ".join(repr(b) for b in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise UsageError(
            f"not an arXiv id: {shown}",
            hint="use forms like 2006.11239, 2006.11239v2, arXiv:2006.11239, hep-th/9901001 "
                 "or https://arxiv.org/abs/2006.11239")
    if not parsed:
        raise UsageError("no arXiv ids given", hint="pass ids as arguments, or a file with --file")
    return parsed


def ids_from_text(text: str) -> list[str]:
    """Ids in a file or on stdin: separated by whitespace or commas; ``#`` starts a comment."""
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0] if not line.lstrip().startswith("http") else line
        out.extend(w for w in line.replace(",", " ").split() if w)
    return out


def _failed_outcomes(result: FetchResult, report: Report) -> None:
    for ident in result.missing:
        report.outcomes.append(Outcome(ident, "not_found", message="arXiv has no paper with this id"))
    for ident, why in result.failed.items():
        report.outcomes.append(Outcome(ident, "failed", message=why))
    report.error = result.error
    report.requests = result.requests


def _existing(cat: Catalogue, ids: Sequence[arxiv_ids.ArxivId]) -> dict[str, Entry]:
    """The catalogued entries of ``ids``, by canonical id (an entry may hold ``math.GT/…``)."""
    found: dict[str, Entry] = {}
    for aid in ids:
        row = cat.find_arxiv_id(aid.canonical)
        if row is None and aid.id != aid.canonical:
            row = cat.find_arxiv_id(aid.id)
        if row is not None:
            found[aid.canonical] = cat.get_id(row)
    return found


def store(cat: Catalogue, wanted: Sequence[str], fresh: dict[str, Entry],
          existing: dict[str, Entry], report: Report, *, update: bool = False,
          tags: Sequence[str] = ()) -> None:
    """Write what arXiv sent for ``wanted``: new papers in one transaction, refreshed ones
    (``update``, or placeholders) in another; catalogued ones otherwise left as they are."""
    from papershelf.topics.rules import current_topics

    new_entries = [as_new_entry(fresh[i], tags) for i in wanted if i in fresh and i not in existing]
    current_topics().tag_new(new_entries)  # new papers get their topic tags, like imported ones
    for entry in cat.add_many(new_entries) if new_entries else []:
        report.outcomes.append(Outcome(entry.arxiv_id, "added", entry))
    merges, updates = [], []
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
        if m.fields:
            updates.append((old.id, m.entry, m.fields))
    stored = {e.id: e for e in cat.update_many(updates)} if updates else {}
    _tag_completed(cat, [old for _, old, _ in merges if old.needs_sync])
    for ident, old, m in merges:
        status = "completed" if old.needs_sync else ("updated" if m.changed else "unchanged")
        report.outcomes.append(Outcome(ident, status, stored.get(old.id, m.entry), m.changes))
    report.written += len(new_entries) + len(updates)


def _tag_completed(cat: Catalogue, placeholders: Sequence[Entry]) -> None:
    """Placeholders that just got their title and abstract get the topic tags these earn
    (rule tags the user removed stay removed)."""
    if placeholders:
        from papershelf.topics.rules import autotag

        autotag(cat, [e.citekey for e in placeholders])


def add_ids(cat: Catalogue, ids: Sequence[arxiv_ids.ArxivId], client: ArxivClient, *,
            update: bool = False, tags: Sequence[str] = (),
            on_batch: Callable[[int], None] | None = None) -> Report:
    """Add papers by arXiv id. An id already catalogued is not even looked up unless
    ``update`` (a placeholder always is, and gets completed). Good ids are stored even when
    others fail; the failures are in the report."""
    from papershelf.topics.rules import current_topics

    current_topics()  # a broken topics.toml stops the command before anything is asked
    report = Report()
    wanted = list(dict.fromkeys(a.canonical for a in ids))
    existing = _existing(cat, ids)
    to_fetch = [i for i in wanted if i not in existing or update or existing[i].needs_sync]
    fresh: dict[str, Entry] = {}
    if to_fetch:
        result = client.fetch(to_fetch, on_batch=(lambda _r, batch: on_batch(len(batch)))
                              if on_batch else None)
        fresh = result.found
        _failed_outcomes(result, report)
    store(cat, wanted, fresh, existing, report, update=update, tags=tags)
    order = {ident: n for n, ident in enumerate(wanted)}
    report.outcomes.sort(key=lambda o: order.get(o.arxiv_id, len(order)))
    report.requests = client.requests
    report.waited = client.waited
    return report


def add_entries(cat: Catalogue, entries: Sequence[Entry], *, update: bool = False,
                tags: Sequence[str] = ()) -> Report:
    """Add records arXiv already sent (search results), with the same rules as ``add_ids``."""
    report = Report()
    fresh = {e.arxiv_id: e for e in entries if e.arxiv_id}
    wanted = list(fresh)
    existing = _existing(cat, [arxiv_ids.ArxivId(i) for i in wanted])
    store(cat, wanted, fresh, existing, report, update=update, tags=tags)
    order = {ident: n for n, ident in enumerate(wanted)}
    report.outcomes.sort(key=lambda o: order.get(o.arxiv_id, len(order)))
    return report


def sync_entries(cat: Catalogue, client: ArxivClient, entries: Sequence[Entry], *,
                 dry_run: bool = False, report: Report | None = None,
                 on_batch: Callable[[int], None] | None = None) -> Report:
    """Refresh ``entries`` (those with an arXiv id) from arXiv, writing each batch in its own
    transaction as it arrives: a Ctrl-C or a fault keeps the batches already done, whole."""
    report = report if report is not None else Report()
    by_id: dict[str, Entry] = {}
    for entry in entries:
        if entry.arxiv_id:
            by_id.setdefault(arxiv_ids.canonical(entry.arxiv_id), entry)

    def apply(result: FetchResult, batch: list[str]) -> None:
        merges = [(i, merge(by_id[i], result.found[i])) for i in batch if i in result.found]
        updates = [(by_id[i].id, m.entry, m.fields) for i, m in merges if m.fields]
        if updates and not dry_run:
            cat.update_many(updates)
            report.written += len(updates)
            _tag_completed(cat, [by_id[i] for i, _ in merges if by_id[i].needs_sync])
        for ident, m in merges:
            old = by_id[ident]
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
    order = {ident: n for n, ident in enumerate(by_id)}
    report.outcomes.sort(key=lambda o: order.get(o.arxiv_id, len(order)))
    return report
