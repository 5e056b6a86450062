"""Matching you can trust: is a source's record the paper the catalogue holds, and is it a venue?

A title search at Crossref or DBLP always answers with its best hit, and that hit is often
another paper ("Attentional Transfer is All You Need" for "Attention is All you Need"). So a
record is accepted only when every check passes:

* **title**: the normalised titles (LaTeX braces and accent macros, HTML entities and tags,
  Unicode accents and compatibility forms, case and punctuation folded away) have a rapidfuzz
  ratio of at least ``TITLE_RATIO`` (0.95);
* **authors**: the family names overlap: at least one shared, and at least ``AUTHOR_OVERLAP``
  of the shorter list (a published version may add or drop an author);
* **year**: a venue is not dated before the preprint (``year_rule="not_before"``); a record
  that verifies an entry (``check --online``) is within a year of it (``"close"``).

For a venue (``judge_venue``), the record must also name a main venue: not a preprint server
(arXiv/CoRR, medRxiv, bioRxiv, SSRN, …, whichever field names it), not a DBLP CoRR key
(``journals/corr/…``), not a workshop, thesis, erratum or retraction notice, and not a record
whose venue and short venue disagree about being a preprint (S2: venue "bioRxiv", journal
"Cell Genomics"). ``decide`` then groups the accepted records by venue (``same_venue``): the
group most sources agree on wins, a tie between different venues is a conflict and nothing is
accepted. Pure: no I/O; ``Check.to_dict`` and ``Decision.evidence`` are the stored evidence.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from papershelf.model.entry import Entry, Person
from papershelf.model.identifiers import canonical_arxiv, is_arxiv_doi, normalise_doi
from papershelf.model.identity import normal_title
from papershelf.model.text import to_ascii
from papershelf.model.works import SOURCE_NAMES, Work, clean_text

TITLE_RATIO = 0.95
AUTHOR_OVERLAP = 0.5
MAX_TITLE = 2000  # characters compared; a longer "title" is cut (bounded work per pair)

# Which source's fields a merged venue takes first (Crossref states the publisher's record).
SOURCE_ORDER = ("crossref", "dblp", "s2", "openalex", "datacite", "openlibrary", "googlebooks")

# LaTeX accent macros → combining marks (``{\"o}`` → ö): enough for titles and names.
_ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
            "r": "\u030a"}
_ACCENT = re.compile(r"\\([\"'`^~=.]|[uvHckr](?![A-Za-z]))\s*(?:\{\s*\\?([A-Za-z])\s*\}|\\?([A-Za-z]))")
_LETTERS = {r"\ss": "ss", r"\o": "o", r"\O": "O", r"\ae": "ae", r"\AE": "AE", r"\oe": "oe", r"\l": "l",
            r"\L": "L", r"\i": "i", r"\aa": "a", r"\AA": "A"}
_LETTER = re.compile(r"\\(ss|o|O|ae|AE|oe|l|L|i|aa|AA)(?![A-Za-z])")
_MACRO = re.compile(r"\\[A-Za-z]+\*?")  # \textit, \emph, \mathcal …: the argument stays
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:._-]*(?:\s[^<>]*)?/?>")

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


def normalise_title(text: str | None) -> str:
    """A title reduced for comparison: its LaTeX (accent macros, letters, macros, math) and HTML
    (entities, tags) read as text, then folded by the one title normaliser,
    ``identity.normal_title`` (braces, Unicode accents and compatibility forms, case and
    punctuation away)."""
    if not text:
        return ""
    text = html.unescape(_TAG.sub(" ", text[:MAX_TITLE]))
    text = _ACCENT.sub(lambda m: (m.group(2) or m.group(3)) + _ACCENTS[m.group(1)], text)
    text = _LETTER.sub(lambda m: _LETTERS["\\" + m.group(1)], text)
    return normal_title(_MACRO.sub(" ", text).replace("$", " "))


def title_score(a: str | None, b: str | None) -> float:
    """How alike two titles are once normalised, from 0 to 1 (rapidfuzz's ``ratio``)."""
    from rapidfuzz.fuzz import ratio

    na, nb = normalise_title(a), normalise_title(b)
    if not na or not nb:
        return 0.0
    return ratio(na, nb) / 100.0


def family_key(name: str | None) -> str:
    """A family name reduced for comparison: DBLP's homonym number (``Wei Wang 0001``) dropped,
    accents and case folded, ASCII (``Müller`` = ``Muller`` = ``Mueller`` is not attempted)."""
    text = re.sub(r"\s+\d{4}$", "", (name or "").strip())
    return to_ascii(normalise_title(text)).replace(" ", "")


def families_of_names(names: Sequence[str]) -> tuple[str, ...]:
    return tuple(Person.parse(re.sub(r"\s+\d{4}$", "", n)).family for n in names)


def work_families(work: Work) -> tuple[str, ...]:
    """The family names of a record's authors (split by the source, else from the names)."""
    if work.family_names and any(work.family_names):
        parsed = families_of_names(work.authors) if work.authors else ()
        return tuple(f or (parsed[i] if i < len(parsed) else "") for i, f in enumerate(work.family_names))
    return families_of_names(work.authors)


def author_overlap(ours: Sequence[str], theirs: Sequence[str]) -> tuple[float, int]:
    """The share of the shorter family-name list found in the other, and how many are shared."""
    a = {k for k in (family_key(n) for n in ours) if k}
    b = {k for k in (family_key(n) for n in theirs) if k}
    if not a or not b:
        return 0.0, 0
    shared = len(a & b)
    return shared / min(len(a), len(b)), shared


@dataclass(frozen=True)
class Reference:
    """What the catalogue says about a work: the side a source's record is compared with."""

    title: str
    families: tuple[str, ...] = ()
    year: int | None = None
    arxiv_id: str | None = None
    doi: str | None = None

    @classmethod
    def of(cls, entry: Entry, title: str | None = None) -> Reference:
        """``title``: the entry's title already decoded from LaTeX, when the caller has it."""
        return cls(title if title is not None else entry.title, tuple(p.family for p in entry.authors),
                   entry.year, canonical_arxiv(entry.arxiv_id) if entry.arxiv_id else None, entry.doi)


@dataclass(frozen=True)
class Check:
    """One record judged against a reference: the scores, and why it was refused (if it was)."""

    source: str
    source_id: str
    title_score: float
    author_overlap: float
    shared_authors: int
    year: int | None
    reasons: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.reasons

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "source_id": self.source_id, "title_score": round(self.title_score, 4),
                "author_overlap": round(self.author_overlap, 4), "shared_authors": self.shared_authors,
                "year": self.year, "accepted": self.accepted, "reasons": list(self.reasons)}


def judge(ref: Reference, work: Work, *, year_rule: str = "not_before") -> Check:
    """Is ``work`` the paper ``ref`` describes? Title, authors and year, as the module says."""
    score = title_score(ref.title, work.title)
    overlap, shared = author_overlap(ref.families, work_families(work))
    reasons: list[str] = []
    if score < TITLE_RATIO:
        reasons.append(f"title differs ({score:.2f} < {TITLE_RATIO})")
    if not ref.families or not (work.authors or work.family_names):
        reasons.append("no authors to compare")
    elif shared == 0 or overlap < AUTHOR_OVERLAP:
        reasons.append(f"authors differ ({shared} shared)")
    if ref.year is not None:
        if work.year is None:
            reasons.append("no year")
        elif year_rule == "not_before" and work.year < ref.year:
            reasons.append(f"dated {work.year}, before the preprint ({ref.year})")
        elif year_rule == "close" and abs(work.year - ref.year) > 1:
            reasons.append(f"year {work.year}, not {ref.year}")
    return Check(work.source, work.source_id, score, overlap, shared, work.year, tuple(reasons))


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
