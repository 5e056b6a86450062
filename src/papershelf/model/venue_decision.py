"""Which venue a preprint was published in, by the records several sources give (``decide``).

For a venue (``judge_venue``), a record must pass ``model.matching.judge`` (it is the paper)
and name a main venue: not a preprint server (arXiv/CoRR, medRxiv, bioRxiv, SSRN, …, whichever
field names it), not a DBLP CoRR key (``journals/corr/…``), not a workshop, thesis, erratum or
retraction notice, and not a record whose venue and short venue disagree about being a
preprint (S2: venue "bioRxiv", journal "Cell Genomics"). ``decide`` then groups the accepted
records by venue (``same_venue``): the group most sources agree on wins, a tie between
different venues is a conflict and nothing is accepted. Pure: no I/O; ``Decision.evidence`` is
the stored evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from papershelf.model.identifiers import is_arxiv_doi, normalise_doi
from papershelf.model.matching import Check, Reference, judge, normalise_title
from papershelf.model.works import SOURCE_NAMES, Work, clean_text

# Which source's fields a merged venue takes first (Crossref states the publisher's record).
SOURCE_ORDER = ("crossref", "dblp", "s2", "openalex", "datacite", "openlibrary", "googlebooks")

# Preprint servers and repositories: a record "published" there is not a venue.
_PREPRINT_SERVER = re.compile(
    r"^(?:arxiv(?:\.org)?(?:\s*\(cornell university\))?|arxiv:.*|corr|computing research repository|"
    r"medrxiv.*|biorxiv.*|chemrxiv.*|techrxiv.*|psyarxiv.*|socarxiv.*|engrxiv.*|eartharxiv.*|osf preprints|"
    r"ssrn(?: electronic journal)?|research square.*|preprints(?:\.org)?|zenodo.*|hal.*archives.*|"
    r"openreview(?:\.net)?)$", re.I)
_WORKSHOP = re.compile(r"\b(?:workshops?|ws|doctoral\s+consortium|student\s+(?:research|abstract)s?|"
                       r"tutorials?|extended\s+abstracts?|findings)\b", re.I)
_ERRATUM = re.compile(r"^\s*(?:correction|corrigendum|erratum|errata|retraction|retracted|"
                      r"expression\s+of\s+concern|author\s+correction)\b", re.I)
_NOT_VENUE_KINDS = {"preprint": "a preprint, not a venue", "workshop": "a workshop version",
                    "thesis": "a thesis", "erratum": "an erratum", "book": "a book, not a venue",
                    "other": "not a journal or conference paper"}


def is_preprint_server(name: str | None) -> bool:
    return bool(name) and bool(_PREPRINT_SERVER.match(" ".join(clean_text(name).split()).strip(" .")))


def not_a_venue(work: Work) -> str | None:
    """Why ``work`` does not name where a paper was published, or None when it does."""
    if work.kind in _NOT_VENUE_KINDS:
        return _NOT_VENUE_KINDS[work.kind]
    if work.source == "dblp" and work.source_id.lower().startswith("journals/corr/"):
        return "a CoRR (arXiv) record, not a venue"
    if work.doi and is_arxiv_doi(work.doi):
        return "arXiv's own DOI, not a venue"
    names = [n for n in (work.venue, work.venue_short) if n]
    if not names:
        return "no venue named"
    servers = [is_preprint_server(n) for n in names]
    if all(servers):
        return f"a preprint server ({names[0]}), not a venue"
    if any(servers):
        return f"the record names both a preprint server and a venue ({' / '.join(names)})"
    if any(_WORKSHOP.search(n) for n in names):
        return f"a workshop or companion volume ({names[0]})"
    if _ERRATUM.match(work.title):
        return "an erratum or notice, not the paper"
    if work.retracted:
        return "retracted"
    return None


def judge_venue(ref: Reference, work: Work) -> Check:
    """``judge`` plus: the record names a main venue (``not_a_venue``)."""
    check = judge(ref, work)
    why = not_a_venue(work)
    if why:
        return Check(check.source, check.source_id, check.title_score, check.author_overlap,
                     check.shared_authors, check.year, (*check.reasons, why))
    return check


# --- venues agreeing -------------------------------------------------------------------------

_DROP = re.compile(r"\((?:[^()]*)\)|\b\d+(?:st|nd|rd|th)?\b|\bproc(?:eedings|\.)?\b|"
                   r"\b(?:of|on|the|and|in|for|ieee|cvf|acm|pmlr|annual|advances|conference|international|intl)\b|&",
                   re.I)
_PAREN_ACRONYM = re.compile(r"\(([A-Za-z][A-Za-z0-9\-]{1,15})(?:['’\s]*\d{2,4})?\)")


def _acronyms(name: str | None) -> set[str]:
    """Acronyms a venue name carries: itself when short, ``(ICCV)``, a known one's full name."""
    from papershelf.model.venues import CONFERENCES, JOURNALS

    if not name:
        return set()
    out: set[str] = set()
    text = clean_text(name)
    known = {k.casefold(): v for k, v in {**CONFERENCES, **JOURNALS}.items()}
    full = {normalise_title(_DROP.sub(" ", v)): k for k, v in {**CONFERENCES, **JOURNALS}.items()}
    bare = re.sub(r"['’\s]*\d{2,4}$", "", text).strip()
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9\-]{1,15}", bare):
        out.add(bare.casefold())
    out.update(m.group(1).casefold() for m in _PAREN_ACRONYM.finditer(text))
    norm = normalise_title(_DROP.sub(" ", text))
    if norm in full:
        out.add(full[norm].casefold())
    # one canonical spelling per full name (NIPS = NeurIPS, T-PAMI = TPAMI)
    canon = {normalise_title(known[a]) for a in out if a in known}
    return out | canon


def _abbreviates(short: str, full: str) -> bool:
    """``IEEE Trans. Pattern Anal. Mach. Intell.`` abbreviates ``IEEE Transactions on Pattern
    Analysis and Machine Intelligence``: each word a prefix of the next significant word."""
    s = [w for w in normalise_title(_DROP.sub(" ", short)).split()]
    f = [w for w in normalise_title(_DROP.sub(" ", full)).split()]
    if len(s) < 2 or len(s) != len(f):
        return False
    return all(b.startswith(a) for a, b in zip(s, f, strict=True))


def _names_agree(a: Work, b: Work) -> bool:
    from rapidfuzz.fuzz import token_sort_ratio

    names_a = [n for n in (a.venue, a.venue_short) if n]
    names_b = [n for n in (b.venue, b.venue_short) if n]
    acr_a = set().union(*(_acronyms(n) for n in names_a)) if names_a else set()
    acr_b = set().union(*(_acronyms(n) for n in names_b)) if names_b else set()
    if acr_a & acr_b:
        return True
    for x in names_a:
        for y in names_b:
            if _abbreviates(x, y) or _abbreviates(y, x):
                return True
            cx, cy = normalise_title(_DROP.sub(" ", x)), normalise_title(_DROP.sub(" ", y))
            if cx and cy and token_sort_ratio(cx, cy) >= 90 and min(len(cx), len(cy)) >= 8:
                return True
    return False


def same_venue(a: Work, b: Work) -> bool:
    """Do two records (of one paper) name the same venue? Publisher DOIs decide when both
    have one; otherwise the venue names (acronym, abbreviation or full name) and the year
    (Semantic Scholar dates the preprint, so its year is not compared)."""
    da = normalise_doi(a.doi) if a.doi and not is_arxiv_doi(a.doi) else None
    db_ = normalise_doi(b.doi) if b.doi and not is_arxiv_doi(b.doi) else None
    if da and db_:
        return da == db_
    if a.year and b.year and "s2" not in (a.source, b.source) and abs(a.year - b.year) > 1:
        return False
    return _names_agree(a, b)


@dataclass
class Decision:
    """What the records say about where a preprint was published."""

    status: str  # published, none, conflict
    venue: Work | None = None  # the accepted venue, fields merged from the agreeing records
    agreeing: list[Work] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    rivals: list[Work] = field(default_factory=list)  # the other venue of a conflict

    @property
    def sources(self) -> list[str]:
        """The agreeing sources, in ``SOURCE_ORDER``."""
        found = set(w.source for w in self.agreeing)
        return [s for s in SOURCE_ORDER if s in found] + sorted(found - set(SOURCE_ORDER))

    def evidence(self, when: str) -> dict[str, Any]:
        """What is stored with an accepted venue: who said it, when, and the scores."""
        return {"time": when, "status": self.status,
                "sources": self.sources,
                "records": [{"source": w.source, "source_id": w.source_id, "venue": w.venue,
                             "venue_short": w.venue_short, "year": w.year, "doi": w.doi, "pages": w.pages}
                            for w in self.agreeing],
                "checks": [c.to_dict() for c in self.checks]}


def _merged(works: Sequence[Work]) -> Work:
    """One venue from agreeing records: each field from the first source (``SOURCE_ORDER``)
    that has it; the venue's full name from the longest name that is not a preprint server."""
    ordered = sorted(works, key=lambda w: SOURCE_ORDER.index(w.source) if w.source in SOURCE_ORDER else 99)
    first = ordered[0]

    def pick(name: str) -> Any:
        return next((getattr(w, name) for w in ordered if getattr(w, name)), None)

    venue = _full_venue(ordered)
    year = next((w.year for w in ordered if w.year and w.source != "s2"), None) or first.year
    kind = next((w.kind for w in ordered if w.kind in ("conference", "journal")), first.kind)
    short = next((w.venue_short for w in ordered if w.venue_short and len(w.venue_short) <= 20), None)
    doi = next((w.doi for w in ordered if w.doi and not is_arxiv_doi(w.doi)), None)
    return Work(source="+".join(dict.fromkeys(w.source for w in ordered)), source_id=first.source_id,
                title=first.title, authors=first.authors, family_names=first.family_names, year=year,
                kind=kind, venue=venue, venue_short=short, volume=pick("volume"), number=pick("number"),
                pages=pick("pages"), publisher=pick("publisher"), doi=doi, arxiv_id=pick("arxiv_id"),
                url=pick("url"))


def _full_venue(works: Sequence[Work]) -> str | None:
    """The venue's full name: a known acronym's (``ICCV`` → the name ``model.venues`` uses, as
    ``journal_ref`` reading does), else the longest name the sources give."""
    from papershelf.model.venues import CONFERENCES, JOURNALS

    known = {k.casefold(): v for k, v in {**CONFERENCES, **JOURNALS}.items()}
    names = [n for w in works for n in (w.venue, w.venue_short) if n and not is_preprint_server(n)]
    for n in names:
        bare = re.sub(r"['’\s]*\d{2,4}$", "", clean_text(n)).strip().casefold()
        if bare in known:
            return known[bare]
    for n in names:
        for m in _PAREN_ACRONYM.finditer(n):
            if m.group(1).casefold() in known:
                return known[m.group(1).casefold()]
        for full in known.values():  # DBLP's "Trans. Mach. Learn. Res." is TMLR's full name
            if _abbreviates(n, full):
                return full
    return max(names, key=len) if names else None


def decide(ref: Reference, works: Sequence[Work]) -> Decision:
    """Where ``ref`` was published, by the records ``works`` of all sources (see the module)."""
    checks = [judge_venue(ref, w) for w in works]
    accepted = [w for w, c in zip(works, checks, strict=True) if c.accepted]
    if not accepted:
        return Decision("none", checks=checks)
    groups: list[list[Work]] = []
    for work in accepted:
        for group in groups:
            if any(same_venue(work, other) for other in group):
                group.append(work)
                break
        else:
            groups.append([work])
    groups.sort(key=lambda g: len({w.source for w in g}), reverse=True)
    best = groups[0]
    if len(groups) > 1 and len({w.source for w in groups[1]}) == len({w.source for w in best}):
        return Decision("conflict", agreeing=best, checks=checks, rivals=groups[1])
    return Decision("published", _merged(best), best, checks, [w for g in groups[1:] for w in g])


def describe(decision: Decision) -> str:
    """``published: ICCV 2023, pp. 3836–3847, doi … (DBLP + Semantic Scholar agree)``."""
    names = " + ".join(SOURCE_NAMES.get(s, s) for s in decision.sources)
    if decision.status == "conflict":
        a = _label(decision.agreeing[0])
        b = _label(decision.rivals[0])
        return f"sources disagree: {a} ({names}) vs {b} ({decision.rivals[0].source_name}); nothing accepted"
    if decision.status != "published" or decision.venue is None:
        return "no published version found"
    v = decision.venue
    parts = [_label(v), v.volume and f"vol. {v.volume}", v.number and f"no. {v.number}",
             v.pages and "pp. " + v.pages.replace("--", "–").replace("-", "–"), v.doi and f"doi {v.doi}"]
    agree = f"({names} agree)" if len(decision.sources) > 1 else f"({names})"
    return "published: " + ", ".join(p for p in parts if p) + " " + agree


def _label(work: Work) -> str:
    short = work.venue_short if work.venue_short and len(work.venue_short) <= 20 else None
    if short is None:
        acr = sorted(a for a in _acronyms(work.venue) if " " not in a)
        from papershelf.model.venues import CONFERENCES, JOURNALS

        spelled = {k.casefold(): k for k in {**CONFERENCES, **JOURNALS}}
        short = spelled.get(acr[0]) if acr and acr[0] in spelled else None
    name = short or work.venue or "?"
    return f"{name} {work.year}" if work.year and str(work.year) not in name else name
