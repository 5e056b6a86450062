"""Matching you can trust: is a source's record the paper the catalogue holds?

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

Whether an accepted record names a venue, and which venue several sources agree on, is
``model.venue_decision``. Pure: no I/O; ``Check.to_dict`` is the stored evidence.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from papershelf.model.entry import Entry, Person
from papershelf.model.identifiers import canonical_arxiv
from papershelf.model.identity import normal_title
from papershelf.model.text import to_ascii
from papershelf.model.works import Work

TITLE_RATIO = 0.95
AUTHOR_OVERLAP = 0.5
MAX_TITLE = 2000  # characters compared; a longer "title" is cut (bounded work per pair)

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
