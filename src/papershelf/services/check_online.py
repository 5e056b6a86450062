"""``check --online``: does every cited work exist, and does the registry agree with the entry?

For each entry: its publisher DOI must resolve (Crossref, else DataCite) and its arXiv id too
(DataCite's ``10.48550/arXiv.<id>``); the record found is compared with the entry by
``model.matching.judge`` (title ratio ≥ 0.95, family names overlap, year within one). A DOI whose
record is another paper is flagged (``mismatch``), and so is a work Crossref marks as retracted
(``update-to``/``updated-by`` retraction notices, a "RETRACTED" title). Preprints are looked up
for a published version as ``sync --venues`` would, without writing anything. A service that is
down is reported in ``unverified`` and the entries it would have checked are not flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from papershelf.model.entry import Entry
from papershelf.model.identifiers import canonical, is_arxiv_doi
from papershelf.model.matching import Reference, judge
from papershelf.model.venue_decision import decide, describe
from papershelf.model.venue_plan import awaiting_venue
from papershelf.model.works import Work
from papershelf.services.check_report import CheckReport, Finding

if TYPE_CHECKING:
    from papershelf.services.library import Library


def _who(work: Work) -> str:
    names = ", ".join(work.authors[:3]) + (" et al." if len(work.authors) > 3 else "")
    return f"“{work.title}” ({names or 'no authors'}, {work.year or 'no year'})"


def online_lints(lib: Library, entries: Sequence[Entry], clients: Any, report: CheckReport) -> list[Finding]:
    """The online findings (see the module docstring); ``clients`` None: opened here."""
    from papershelf.services.venues import Asker, gather, open_clients, reference

    own = clients is None
    clients = open_clients() if own else clients
    try:
        asker = Asker(clients, report.unverified, None)
        out: list[Finding] = []
        for entry in entries:
            out += _identifiers(entry, reference(entry), asker)
        preprints = [e for e in entries if awaiting_venue(e)]
        if preprints:
            found = gather(preprints, clients, report.unverified)
            for n, entry in enumerate(preprints):
                decision = decide(reference(entry), found.get(n, []))
                if decision.status == "published":

                    out.append(Finding("published", entry.citekey,
                                       f"cited as a preprint, but {describe(decision)}",
                                       f"`papershelf sync --venues {entry.citekey}` makes it the published entry "
                                       "(the key stays)"))
        report.requests = clients.requests()
        return out
    finally:
        if own:
            clients.close()


def _identifiers(entry: Entry, ref: Reference, asker: Any) -> list[Finding]:

    out: list[Finding] = []
    key = entry.citekey
    if entry.doi and not is_arxiv_doi(entry.doi):
        doi = entry.doi.strip()
        work = asker.ask("crossref", lambda c: c.work(doi))
        if work is None and asker.ok("crossref"):
            work = asker.ask("datacite", lambda c: c.work(doi))
        if work is None and asker.ok("crossref") and asker.ok("datacite"):
            out.append(Finding("unresolved", key, f"DOI {doi} does not resolve (neither Crossref nor DataCite "
                                                  "knows it)",
                               f"check the DOI for a typo; fix it with `papershelf set {key} doi=…` or remove it "
                               f"(`papershelf set {key} doi=`)"))
        elif work is not None:
            out += _compare(entry, ref, work, f"DOI {doi}", "doi")
            notices = [d for rel, d in work.updates if rel in ("retraction", "removal", "withdrawal")]
            if work.retracted:
                notice = f" (notice: doi {notices[0]})" if notices else ""
                out.append(Finding("retracted", key, f"retracted according to {work.source_name}{notice}",
                                   "do not cite it as valid work; read the notice"
                                   + (f" at https://doi.org/{notices[0]}" if notices else "")))
    if entry.arxiv_id:
        ident = canonical(entry.arxiv_id)
        work = asker.ask("datacite", lambda c: c.work(f"10.48550/arXiv.{ident}"))
        if work is None and asker.ok("datacite"):
            out.append(Finding("unresolved", key, f"arXiv id {ident} does not resolve (DataCite has no "
                                                  f"10.48550/arXiv.{ident})",
                               f"check the id (`papershelf show {key}`); fix it with `papershelf edit {key}`"))
        elif work is not None:
            # the arXiv record dates the preprint: a published entry's year may be later
            arxiv_ref = Reference(ref.title, ref.families, None if entry.has_venue else ref.year,
                                  ref.arxiv_id, ref.doi)
            out += _compare(entry, arxiv_ref, work, f"arXiv id {ident}", "eprint")
    return out


def _compare(entry: Entry, ref: Reference, work: Work, what: str, field: str) -> list[Finding]:

    check = judge(ref, work, year_rule="close")
    key = entry.citekey
    if check.accepted:
        return []
    if any(r.startswith("title differs") for r in check.reasons) and check.shared_authors == 0:
        return [Finding("mismatch", key, f"{what} resolves to a different paper: {_who(work)}",
                        f"the {field} is wrong: correct it with `papershelf edit {key}`")]
    return [Finding("mismatch", key, f"the registry record of {what} disagrees with the entry "
                                     f"({'; '.join(check.reasons)}): {_who(work)}",
                    f"compare with `papershelf show {key}` and correct whichever is wrong "
                    f"(`papershelf edit {key}`)")]
