"""Generated fields fitted to a style (``writer``'s generated entries): plain.bst's entry types and
the fields each requires (an entry lacking one is written as another type, with
``papershelf-type``), biblatex's types, field names and data model (as ``biber
--validate-datamodel`` checks it); and the ``WriteReport`` of what had to be adapted."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from papershelf.formats.bibtex.fields import ARXIV_ORGANIZATION, arxiv_howpublished
from papershelf.model.entry import Entry

# Fields each plain.bst type checks with output.check (a|b: either will do).
_PLAIN_REQUIRED: dict[str, tuple[str, ...]] = {
    "article": ("author", "title", "journal", "year"),
    "book": ("author|editor", "title", "publisher", "year"),
    "booklet": ("title",),
    "inbook": ("author|editor", "title", "chapter|pages", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "manual": ("title",),
    "mastersthesis": ("author", "title", "school", "year"),
    "phdthesis": ("author", "title", "school", "year"),
    "proceedings": ("title", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "unpublished": ("author", "title", "note"),
    "misc": ("author|title|howpublished|month|year|note",),
}
BIBTEX_TYPES = frozenset(_PLAIN_REQUIRED)
# The type an entry plain cannot print as its own is written as (with ``papershelf-type``): a
# book as @manual, which plain prints as it prints a book (title in italics, edition, year)
# and pandoc reads as a book; anything else as @misc.
_DEGRADED_TO = {"book": "manual"}


def degraded_type(kind: str) -> str:
    """The plain.bst type an entry of ``kind`` lacking a required field is written as."""
    return _DEGRADED_TO.get(kind, "misc")


PLAIN_REQUIRED = _PLAIN_REQUIRED  # read by `papershelf check` (fields an entry type needs)
_SERIES_TYPES = frozenset({"book", "inbook", "incollection", "inproceedings", "proceedings"})

# Catalogue type → biblatex type (and the ``type`` field that says which kind of thesis/report).
_BIBLATEX_TYPES = {
    "phdthesis": ("thesis", "phdthesis"), "mastersthesis": ("thesis", "mathesis"),
    "techreport": ("report", "techreport"),
}
# Field names that differ between the styles (bibtex name → biblatex name).
TO_BIBLATEX = {"journal": "journaltitle", "address": "location", "school": "institution",
               "annote": "annotation", "archiveprefix": "eprinttype", "primaryclass": "eprintclass"}
_BIBLATEX_ALWAYS = frozenset({"entrysubtype"})  # macros, written without braces
ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")  # a date biblatex takes as it is


@dataclass
class WriteReport:
    """What the writer had to adapt, for the command to tell the user."""

    degraded: dict[str, str] = field(default_factory=dict)  # citekey -> the type it should have
    dropped: dict[str, list[str]] = field(default_factory=dict)  # fields the style cannot carry
    incomplete: dict[str, list[str]] = field(default_factory=dict)  # mandatory fields missing
    cleaned: dict[str, list[str]] = field(default_factory=dict)  # fields control characters were removed from


def _has(f: dict[str, str], spec: str) -> bool:
    return any(f.get(name) for name in _alternatives(spec))


@lru_cache(maxsize=256)
def _alternatives(spec: str) -> tuple[str, ...]:
    return tuple(spec.split("|"))


def _venue_unknown(entry: Entry) -> bool:
    """An arXiv paper stored as an article with no journal (arXiv gave a DOI, not a venue)."""
    return bool(entry.arxiv_id) and entry.type == "article" and not entry.has_venue


def bibtex_shape(entry: Entry, kind: str, f: dict[str, str], report: WriteReport) -> str:
    """Fit the fields to plain.bst: standard types, no field it warns about."""
    if entry.is_preprint or kind == "online" or _venue_unknown(entry):
        kind = "misc"  # an arXiv article whose journal is unknown (a DOI alone): cited as the preprint
    if kind not in BIBTEX_TYPES:
        kind = "misc"
    if kind == "misc" and entry.arxiv_id and "howpublished" not in f and not entry.has_venue:
        f["howpublished"] = arxiv_howpublished(entry)
    # number: plain prints it only with a series (and no volume), or with a volume (articles)
    if f.get("number") and "issue" not in f:
        if kind == "article":
            clash = not f.get("volume")
        elif kind in _SERIES_TYPES:
            clash = bool(f.get("volume")) or not f.get("series")
        else:
            clash = False
        if clash:
            f["issue"] = f.pop("number")
    conflict = kind in ("book", "inbook") and f.get("author") and f.get("editor")
    missing = [spec for spec in _PLAIN_REQUIRED[kind] if not _has(f, spec)]
    if (missing or conflict) and kind != "misc":
        report.degraded[entry.citekey] = kind
        f["papershelf-type"] = entry.type
        kind = degraded_type(kind) if f.get("title") else "misc"
    if not f.get("author") and "key" not in f:
        f["key"] = entry.citekey
    return kind


@lru_cache(maxsize=64)
def _mandatory(kind: str) -> tuple[str, ...]:
    """biblatex's mandatory fields of ``kind``, each as ``a|b`` (either will do)."""
    from papershelf.formats.bibtex.biblatex_dm import MANDATORY

    return tuple("|".join(rule) for rule in MANDATORY.get(kind, []))


@lru_cache(maxsize=64)
def _allowed(kind: str) -> frozenset[str]:
    """The fields biblatex's data model lets an entry of ``kind`` carry."""
    from papershelf.formats.bibtex.biblatex_dm import COMMON, DATES, FIELDS

    return FIELDS[kind] | COMMON | DATES | _BIBLATEX_ALWAYS


def biblatex_shape(entry: Entry, kind: str, f: dict[str, str], report: WriteReport) -> str:
    """Fit the fields to biblatex's data model, as ``biber --validate-datamodel`` checks it."""
    from papershelf.formats.bibtex.biblatex_dm import FIELDS

    if entry.is_preprint or _venue_unknown(entry):
        kind = "online"
        if entry.arxiv_id and "organization" not in f:
            f["organization"] = ARXIV_ORGANIZATION  # biblatex prints the eprint; pandoc only this
    kind, thesis_type = _BIBLATEX_TYPES.get(kind, (kind, None))
    if kind not in FIELDS:
        kind = "misc"
    if thesis_type and "type" not in f:
        f["type"] = thesis_type
    for name in list(f):
        new = TO_BIBLATEX.get(name.lower(), name.lower())
        if new != name:
            value = f.pop(name)
            f.setdefault(new, value)
    # the full date when it dates the cited version; otherwise the year alone
    year = f.pop("year", None)
    f.pop("month", None)
    if year and "date" not in f:
        date = entry.publication_date
        f["date"] = date if date and ISO_DATE.fullmatch(date) else year
    original = kind
    if any(not _has(f, spec) for spec in _mandatory(kind)):
        kind = "misc"
        f.setdefault("entrysubtype", entry.type)
    allowed = _allowed(kind)
    dropped = sorted(n for n in f if n not in allowed)
    for name in dropped:
        del f[name]
    if dropped:
        report.dropped[entry.citekey] = dropped
    if kind != original:
        report.degraded[entry.citekey] = original
    missing = [spec for spec in _mandatory(kind) if not _has(f, spec)]
    if missing:
        report.incomplete[entry.citekey] = missing
    return kind
