"""``add`` beyond arXiv: a DOI, an ISBN, a DBLP key, an ACL Anthology link, pasted BibTeX, or a
record typed by hand, each through the one door (``Library.add``).

``classify`` reads what a user typed (every unreadable item reported at once, before any request);
``lookup`` asks the metadata service that answers for it (a DOI: Crossref, then DataCite when
Crossref has no record or is down; an ISBN: Open Library, then Google Books; a DBLP key: DBLP; an ACL
Anthology id: Crossref under ``10.18653/v1/<id>``) and ``model.works.to_entry`` makes the entry;
``add_references`` stores all the records found in one ``Library.add`` (identity, key and topic tags
are decided there) and reports, per item, what happened. A service that is down is reported for
the items that needed it; the others are still added. ``add_bibtex`` and ``add_manual`` bring in
pasted BibTeX and a hand-made record the same way. arXiv ids stay with ``services.arxiv``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from papershelf.errors import (
    NetworkError,
    NotFoundError,
    PapershelfError,
    PartialFailure,
    SourceUnavailable,
    UsageError,
)
from papershelf.model.entry import ENTRY_TYPES, Entry, Person
from papershelf.model.identifiers import doi_of, normalise_isbn
from papershelf.services.library import AddPolicy, Library
from papershelf.services.outcome import batch_verdict

if TYPE_CHECKING:
    from papershelf.model.works import Work
    from papershelf.services.arxiv import Report as ArxivReport
    from papershelf.sources.arxiv.client import ArxivClient
    from papershelf.sources.metadata import Clients

_ISBN_LIKE = re.compile(r"^(?:isbn(?:-1[03])?:?\s*)?[\d][\d\s\-]{8,15}[\dxX]$", re.I)
_ACL = re.compile(r"^(?:https?://(?:www\.)?aclanthology\.org/|https?://(?:www\.)?aclweb\.org/anthology/)"
                  r"(?P<id>(?:\d{4}\.[a-z\d\-]+\.\d+|[A-Z]\d{2}-\d{4}))(?:\.pdf|\.bib)?/?$", re.I)
_UNSUPPORTED = (
    (re.compile(r"^https?://(?:www\.)?openreview\.net/", re.I), "OpenReview",
     "no metadata service answers for OpenReview links: add the paper by its arXiv id or DOI, or paste the "
     "BibTeX OpenReview offers (papershelf add -)"),
    (re.compile(r"^https?://proceedings\.mlr\.press/", re.I), "PMLR",
     "no metadata service answers for PMLR links: add the paper by its arXiv id, or paste the BibTeX "
     "PMLR offers on the paper's page (papershelf add -)"),
)
TEMPLATE = """% Fill in one entry (or several) and save; an empty file adds nothing.
% The citation key may be left as it is: papershelf chooses one when it is taken.
@book{key,
  author    = {},
  title     = {},
  year      = {},
  publisher = {},
}
"""
BIBTEX_START = re.compile(r"(?m)^\s*@\s*[A-Za-z]+\s*[{(]")


@dataclass(frozen=True)
class Ref:
    """One item a user asked to add: its kind (doi, isbn, dblp, acl) and its normal form."""

    text: str  # as typed
    kind: str
    value: str

    @property
    def label(self) -> str:
        return {"doi": f"doi:{self.value}", "isbn": f"isbn:{self.value}", "dblp": f"dblp:{self.value}",
                "acl": f"acl:{self.value}"}.get(self.kind, self.value)


def classify(text: str) -> Ref | None:
    """``text`` as a DOI, ISBN, DBLP key or ACL Anthology link; None when it is none of them.
    An ISBN with a wrong check digit, or a link no service answers for, is a usage error."""
    from papershelf.sources.metadata.dblp import key_of

    text = text.strip()
    for pattern, name, hint in _UNSUPPORTED:
        if pattern.match(text):
            raise UsageError(f"{name} links are not supported: {text}", hint=hint)
    acl = _ACL.match(text)
    if acl:
        return Ref(text, "acl", acl.group("id"))
    doi = doi_of(text)
    if doi:
        return Ref(text, "doi", doi.rstrip("."))
    if _ISBN_LIKE.match(text):
        isbn = normalise_isbn(text)
        if isbn is None:
            raise UsageError(f"not a valid ISBN (its check digit is wrong): {text}",
                             hint="check the number on the book's copyright page")
        return Ref(text, "isbn", isbn)
    key = key_of(text)
    if key:
        return Ref(text, "dblp", key)
    return None


def split_references(texts: Sequence[str]) -> tuple[list[str], list[Ref]]:
    """arXiv ids (for ``services.arxiv``) apart from the other references; every unreadable
    item reported at once, before any request."""
    from papershelf.model.identifiers import parse as parse_arxiv
    from papershelf.model.identifiers import some_of

    arxiv = [text for text in texts if parse_arxiv(text) is not None]
    others = [(text, classify(text)) for text in texts if parse_arxiv(text) is None]
    bad = [text for text, ref in others if ref is None]
    if bad:
        raise UsageError(f"not an arXiv id, DOI, ISBN or DBLP key: {some_of(bad)}",
                         hint="e.g. 2006.11239, 10.1109/ICCV51070.2023.00355, 978-1-4842-9993-7, "
                              "conf/iccv/ZhangRA23; anything else: add --type book --title … --author …")
    return arxiv, [ref for _, ref in others if ref is not None]


def lookup(ref: Ref, clients: Clients) -> Work | None:
    """The record of ``ref`` at the service that answers for it (None: no such record). A
    service that is down raises ``SourceUnavailable`` unless a second source answers."""
    if ref.kind in ("doi", "acl"):
        # DOIs are case-insensitive: one form, so the cache knows a DOI however it was typed
        doi = (ref.value if ref.kind == "doi" else f"10.18653/v1/{ref.value}").lower()
        return _first(lambda: clients.crossref.work(doi), lambda: clients.datacite.work(doi))
    if ref.kind == "isbn":
        return _first(lambda: clients.openlibrary.isbn(ref.value), lambda: clients.googlebooks.isbn(ref.value))
    if ref.kind == "dblp":
        return clients.dblp.record(ref.value)
    raise UsageError(f"cannot look up {ref.text!r}")


def _first(*asks: Any) -> Work | None:
    """The first source's record, else the next's; the first fault when none answered at all."""
    fault: SourceUnavailable | None = None
    for ask in asks:
        try:
            work = ask()
        except SourceUnavailable as exc:
            fault = fault or exc
            continue
        if work is not None:
            return work
    if fault is not None:
        raise fault
    return None


# --- reporting ---------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What happened to one item: added, exists, not_found, failed."""

    ref: str  # the item as labelled in messages (doi:…, isbn:…, a key)
    status: str
    entry: Entry | None = None
    source: str = ""  # the service whose record was used
    message: str = ""
    warning: str = ""  # added, but worth knowing: a retracted work

    @property
    def ok(self) -> bool:
        return self.status in ("added", "exists")

    def to_dict(self) -> dict[str, Any]:
        e = self.entry
        return {"ref": self.ref, "status": self.status, "citekey": e.citekey if e else None,
                "title": e.title if e else None, "type": e.type if e else None,
                "source": self.source or None, "message": self.message or None,
                "warning": self.warning or None}


@dataclass
class AddReport:
    outcomes: list[Outcome] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # from pasted BibTeX: what was skipped
    renamed: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def successes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok]

    def to_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "entries": [o.to_dict() for o in self.outcomes],
                "problems": self.problems,
                "renamed": [{"from": a, "to": b, "why": why} for a, b, why in self.renamed]}

    def verdict(self, done: str = "added") -> PapershelfError | None:
        """How the run ends (``services/outcome``): partial when some failed and some were done;
        a network error when a source failed; else not found."""
        failures = self.failures
        total = len(self.outcomes)

        def all_failed() -> PapershelfError:
            if any(o.status == "failed" for o in failures):
                first = next(o for o in failures if o.status == "failed")
                return NetworkError(first.message, hint="nothing was added; try again later")
            if total == 1:
                return NotFoundError(failures[0].message)
            return NotFoundError(f"none of these {total} was found", hint="the ones listed above")

        return batch_verdict(len(failures), total, succeeded=bool(self.successes), done=done,
                             all_failed=all_failed)


def _store(lib: Library, found: Sequence[tuple[Outcome, Entry]], report: AddReport, *, source_keys: bool,
           tags: Sequence[str], dry_run: bool = False) -> None:
    """One ``Library.add`` for every record found; each outcome says what the door decided
    (``dry_run``: would decide; nothing is written)."""
    if not found:
        return
    result = lib.add([entry for _, entry in found],
                     AddPolicy(source_keys=source_keys, tags=tuple(tags), dry_run=dry_run))
    added = {e.citekey: e for e in result.added}
    dups = {id(d.entry): d for d in result.duplicates}
    probable = {id(d.entry): d for d in result.probable}
    for outcome, entry in found:
        d = dups.get(id(entry))
        if d is not None:
            outcome.status, outcome.entry = "exists", lib.get(d.existing_key)
            outcome.message = f"already in the catalogue as {d.existing_key} (same {d.why})"
        elif entry.citekey in added:
            maybe = probable.get(id(entry))
            outcome.status, outcome.entry, outcome.message = "added", added[entry.citekey], (
                f"may be the same work as {maybe.existing_key} ({maybe.why}): both kept; `papershelf merge "
                f"{maybe.existing_key} {entry.citekey}` if they are one" if maybe else "")
    report.renamed.extend(result.renamed)


def add_references(lib: Library, refs: Sequence[Ref], clients: Clients, *, tags: Sequence[str] = (),
                   dry_run: bool = False) -> AddReport:
    """Look every item up, then add what was found in one transaction (see the module docstring)."""
    from papershelf.model.works import to_entry
    from papershelf.topics.loader import current_topics

    current_topics()  # a broken topics.toml stops the command before anything is asked
    report = AddReport()
    found: list[tuple[Outcome, Entry]] = []
    for ref in dict.fromkeys(refs):
        outcome = Outcome(ref.label, "failed")
        report.outcomes.append(outcome)
        try:
            work = lookup(ref, clients)
        except SourceUnavailable as exc:
            outcome.message = exc.message
            continue
        if work is None:
            outcome.status = "not_found"
            outcome.message = _not_found(ref)
            continue
        outcome.source = work.source_name
        if work.retracted:
            notice = next((doi for rel, doi in work.updates if rel in ("retraction", "removal", "withdrawal")), "")
            outcome.warning = f"{work.source_name} marks this work as retracted" + (
                f" (notice: doi:{notice})" if notice else "")
        found.append((outcome, to_entry(work)))
    _store(lib, found, report, source_keys=False, tags=tags, dry_run=dry_run)
    report.requests = {k: v for k, v in clients.requests().items() if v}
    return report


def _not_found(ref: Ref) -> str:
    if ref.kind == "doi":
        return f"no record of DOI {ref.value} at Crossref or DataCite (check the DOI)"
    if ref.kind == "acl":
        return f"no record of ACL Anthology paper {ref.value} at Crossref (DOI 10.18653/v1/{ref.value})"
    if ref.kind == "isbn":
        return f"no book with ISBN {ref.value} at Open Library or Google Books (add it with --type book)"
    return f"DBLP has no record {ref.value}"


def add_bibtex(lib: Library, text: str, *, tags: Sequence[str] = (), source: str = "stdin",
               dry_run: bool = False) -> AddReport:
    """Pasted (or edited) BibTeX: every entry it holds, through the door with its key kept when
    free; what the reader skipped is reported."""
    from papershelf.formats.bibtex.reader import read_string

    read = read_string(text, source=source)
    report = AddReport(problems=[str(p) for p in read.problems])
    if not read.entries:
        raise UsageError(f"no BibTeX entry in {source}" + (f": {report.problems[0]}" if report.problems else ""),
                         hint="paste entries like @article{key, title = {…}, author = {…}, year = {…}}")
    found = [(Outcome(e.citekey or "-", "failed", message="not stored"), e) for e in read.entries]
    report.outcomes = [o for o, _ in found]
    _store(lib, found, report, source_keys=True, tags=tags, dry_run=dry_run)
    return report


def add_manual(lib: Library, *, type_: str, title: str, authors: Sequence[str], year: int | None = None,
               venue: str | None = None, publisher: str | None = None, url: str | None = None,
               tags: Sequence[str] = ()) -> AddReport:
    """A record typed on the command line (``add --type book --title … --author …``)."""
    kind = type_.strip().lower()
    if kind not in ENTRY_TYPES:
        raise UsageError(f"unknown entry type {type_!r}", hint="one of " + ", ".join(ENTRY_TYPES))
    title = " ".join(title.split())
    if not title:
        raise UsageError("--title is empty")
    names = [" ".join(a.split()) for a in authors if a.strip()]
    if not names:
        raise UsageError("give at least one --author", hint='e.g. --author "Ada Lovelace" --author "Alan Turing"')
    if year is not None and not 1000 <= year <= 2999:
        raise UsageError(f"--year must be a year like 2024, not {year}")
    entry = Entry(title=title, type=kind, authors=[Person.parse(n) for n in names], year=year,
                  publisher=publisher or None, url=url or None)
    if venue:
        if kind in ("article",):
            entry.journal = venue
        elif kind in ("inproceedings", "incollection", "inbook"):
            entry.booktitle = venue
        else:
            entry.extra["howpublished"] = venue
    outcome = Outcome("manual", "failed")
    report = AddReport(outcomes=[outcome])
    _store(lib, [(outcome, entry)], report, source_keys=False, tags=tags)
    return report


@dataclass
class ItemsReport:
    """What ``add_items`` did: arXiv's report on the arXiv ids, and one on everything else."""

    arxiv: ArxivReport | None = None  # None: no arXiv id was given
    others: AddReport | None = None  # DOIs, ISBNs, DBLP keys, ACL links, BibTeX entries; None: none given
    dry_run: bool = False

    def rows(self) -> list[dict[str, Any]]:
        """One row per item, arXiv ids first: ref, status, key, title, message (or None)."""
        rows = [_row(f"arXiv:{o.arxiv_id}", o.status, o.entry, o.message)
                for o in (self.arxiv.outcomes if self.arxiv else [])]
        return rows + [_row(o.ref, o.status, o.entry, "; ".join(filter(None, (o.message, o.warning))))
                       for o in (self.others.outcomes if self.others else [])]

    def verdict(self) -> PapershelfError | None:
        """How an ``add`` of arXiv ids and other references ends: one of the two reports' verdict
        when only it ran (or only it failed); partial when one part failed and something was added."""
        arxiv_error = self.arxiv.verdict() if self.arxiv is not None else None
        report = self.others
        if report is None:
            return arxiv_error
        arxiv_some = self.arxiv is not None and (arxiv_error is None or isinstance(arxiv_error, PartialFailure))
        if (report.failures and arxiv_some) or (arxiv_error is not None and report.successes):
            return PartialFailure("some items could not be added; the others were", hint="the ones listed above")
        if report.failures or arxiv_error is None:
            return report.verdict()
        return arxiv_error


def add_items(lib: Library, refs: Sequence[str] = (), *, bibtex: str | None = None, tags: Sequence[str] = (),
              update: bool = False, dry_run: bool = False, arxiv_client: ArxivClient | None = None,
              on_batch: Callable[[int], None] | None = None) -> ItemsReport:
    """``add`` of any mix of references (arXiv ids, DOIs, ISBNs, DBLP keys, ACL links) and pasted
    BibTeX: every item read before any request, arXiv ids to ``services.arxiv`` (``update``:
    refresh the catalogued ones; ``arxiv_client``: the caller's, e.g. one showing progress), the
    rest to the metadata services, each through the door. A failure is in the reports, per item.
    ``dry_run``: what would be added (the sources are still asked), nothing written."""
    from papershelf.model.identifiers import parse_arxiv_ids
    from papershelf.model.tags import normalise_tag

    tags = [normalise_tag(t) for t in tags]
    arxiv_texts, others = split_references([r for r in refs if r.strip()])
    parsed = parse_arxiv_ids(arxiv_texts) if arxiv_texts else []
    if not parsed and not others and not (bibtex or "").strip():
        raise UsageError("nothing to add", hint="give arXiv ids, DOIs, ISBNs, DBLP keys or BibTeX")
    out = ItemsReport(dry_run=dry_run)
    if parsed:
        from papershelf.services.arxiv import add_ids, open_client

        client = arxiv_client or open_client()
        try:
            out.arxiv = add_ids(lib, parsed, client, update=update, tags=tags, dry_run=dry_run, on_batch=on_batch)
        finally:
            if arxiv_client is None:
                client.close()
    if others:
        with open_clients() as clients:
            out.others = add_references(lib, others, clients, tags=tags, dry_run=dry_run)
    if (bibtex or "").strip():
        pasted = add_bibtex(lib, bibtex or "", tags=tags, source="the BibTeX given", dry_run=dry_run)
        if out.others is None:
            out.others = pasted
        else:
            out.others.outcomes += pasted.outcomes
            out.others.problems += pasted.problems
            out.others.renamed += pasted.renamed
    return out


def _row(ref: str, status: str, entry: Entry | None, message: str) -> dict[str, Any]:
    return {"ref": ref, "status": status, "key": entry.citekey if entry else None,
            "title": entry.title if entry else None, "message": message or None}


def looks_like_bibtex(text: str) -> bool:
    """Whether pasted text holds BibTeX entries (else it is read as a list of ids)."""
    return bool(BIBTEX_START.search(text))


def open_clients(*, refresh: bool = False, on_event: Any = None) -> Clients:
    """The metadata clients, set up from the environment, with the cache in the cache directory."""
    from papershelf.paths import cache_dir
    from papershelf.sources.metadata import Clients

    return Clients(cache_folder=cache_dir(), refresh=refresh, on_event=on_event)
