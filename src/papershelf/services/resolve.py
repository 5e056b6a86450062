""""Is this in my library?": a reference as someone wrote it, matched to the catalogue.

``resolve_reference`` takes a citation key (or an alias, or a unique start of a key), an arXiv id,
a DOI, or a free-text reference as it appears in a paper's bibliography, and answers with the
catalogued entry it names, found by

1. the text itself as a key, alias, key prefix, arXiv id or DOI (``Library.get``);
2. an arXiv id or DOI written inside the text;
3. the title: the catalogued entry whose whole title the text holds (or nearly: the titles'
   ``model.matching.title_score`` at least ``TITLE_MATCH``), the year agreeing within one when
   the text names years;

or with the closest candidates when nothing is certain. Offline, read-only: nothing is asked of
a metadata service and nothing is written (``add`` brings in a reference that is not there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from papershelf.errors import NotFoundError, UsageError
from papershelf.model.entry import Entry
from papershelf.services.library import Library

TITLE_MATCH = 0.95  # the title_score above which two titles are the same (as model.matching)
CANDIDATES = 5
_WORDS = 32  # words of a reference searched for (a long reference is mostly venue and pages)
_ARXIV_IN = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|arXiv:\s*|\b)(\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})", re.I)
_DOI_IN = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_WORD = re.compile(r"\w+")


@dataclass
class Resolution:
    entry: Entry | None  # the catalogued entry the reference names; None: not (certainly) there
    by: str = ""  # how it was found: key, identifier or title
    candidates: list[Entry] = field(default_factory=list)  # when no entry: the closest ones
    note: str = ""  # when no entry: why (the key lookup's message, with its "did you mean")


def resolve_reference(lib: Library, text: str) -> Resolution:
    """The catalogued entry ``text`` names, or candidates (see the module docstring)."""
    text = " ".join(text.split())
    if not text:
        raise UsageError("an empty reference", hint="give a key, an arXiv id, a DOI or a reference's text")
    note = ""
    if " " not in text:
        try:
            return Resolution(lib.get(text), "key")
        except NotFoundError as exc:
            note = exc.message
            if "start of several keys" in exc.message:
                return Resolution(None, candidates=lib.get_many(lib.cat.citekeys(text, CANDIDATES)), note=note)
    for ident in _identifiers(text):
        try:
            return Resolution(lib.get(ident), "identifier")
        except NotFoundError:
            continue
    candidates = _search(lib, text)
    years = {int(y) for y in _YEAR.findall(text)}
    for entry in sorted(candidates, key=lambda e: -len(e.title or "")):  # the most specific title first
        if _title_in(entry.title, text) and (not years or entry.year is None
                                             or any(abs(entry.year - y) <= 1 for y in years)):
            return Resolution(entry, "title")
    return Resolution(None, candidates=candidates, note=note or "no entry with this key, identifier or title")


def _identifiers(text: str) -> list[str]:
    found = [m.group(1) for m in _ARXIV_IN.finditer(text)]
    found += [m.group(0).rstrip(".,;:)]}") for m in _DOI_IN.finditer(text)]
    return list(dict.fromkeys(found))


def _search(lib: Library, text: str) -> list[Entry]:
    """Entries sharing the most words with the reference, best first (any word may match)."""
    words = [w for w in dict.fromkeys(_WORD.findall(text.casefold())) if len(w) > 2 or not w.isascii()]
    if not words:
        return []
    query = " OR ".join(f'"{w}"' for w in words[:_WORDS])
    return lib.search(query, limit=CANDIDATES)


def _title_in(title: str | None, text: str) -> bool:
    """Whether the reference holds this whole title (a title of a word or two is too short to tell)."""
    from papershelf.model.matching import normalise_title, title_score

    norm = normalise_title(title)
    if len(norm) < 12 or " " not in norm:
        return False
    return f" {norm} " in f" {normalise_title(text)} " or title_score(title, text) >= TITLE_MATCH
