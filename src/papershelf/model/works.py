"""A work as a metadata source states it, and the catalogue entry it becomes.

``Work`` is one record of Crossref, DataCite, DBLP, Semantic Scholar, OpenAlex, Open Library or
Google Books, read by the parsers of ``sources.metadata`` into one shape: plain Unicode text (HTML
entities and inline markup removed, DBLP's trailing full stop dropped), authors in order, a
``kind`` from one small vocabulary, and the identifiers it carries. It is evidence, never a
decision: ``add`` turns it into an ``Entry`` with ``to_entry`` (the door decides identity, key
and tags); venue resolution and ``check`` compare it with what the catalogue holds.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from papershelf.model.entry import Entry, Person

SOURCES = ("crossref", "datacite", "dblp", "s2", "openalex", "openlibrary", "googlebooks")
SOURCE_NAMES = {"crossref": "Crossref", "datacite": "DataCite", "dblp": "DBLP", "s2": "Semantic Scholar",
                "openalex": "OpenAlex", "openlibrary": "Open Library", "googlebooks": "Google Books"}
KINDS = ("conference", "journal", "preprint", "book", "chapter", "thesis", "workshop", "erratum", "other")

# The BibTeX type of each kind, and the field its venue goes in.
_ENTRY_TYPE = {"conference": "inproceedings", "workshop": "inproceedings", "journal": "article",
               "erratum": "article", "preprint": "misc", "book": "book", "chapter": "incollection",
               "thesis": "phdthesis", "other": "misc"}
_VENUE_FIELD = {"inproceedings": "booktitle", "incollection": "booktitle", "article": "journal"}

# Sources whose ``url`` is the work's own page (DataCite: a repository's landing page); the others
# link a catalogue page (DBLP, S2, Open Library…) or the DOI resolver, which export already derives.
_OWN_PAGE = frozenset({"datacite"})

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:._-]*(?:\s[^<>]*)?/?>")


def clean_text(text: object) -> str:
    """A source's text as plain Unicode: HTML entities decoded (``&amp;``), inline markup
    (JATS ``<i>``, MathML tags) removed, whitespace collapsed. Not a string: empty."""
    if not isinstance(text, str):
        return ""
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def clean_title(text: object) -> str:
    """``clean_text``, without the full stop DBLP ends every title with (``…Need.``); a title
    ending in an abbreviation's or ellipsis' dots keeps them."""
    title = clean_text(text)
    if title.endswith(".") and not title.endswith("..") and not re.search(r"\b[A-Za-z]\.$", title):
        title = title[:-1].rstrip()
    return title


def clean_pages(text: object) -> str | None:
    """Pages as ``first-last`` (S2 writes ``"525 - 535"`` and may put newlines inside)."""
    pages = re.sub(r"\s*[-\u2013\u2014]+\s*", "-", clean_text(text))
    return pages or None


def year_of(value: object) -> int | None:
    """A plausible publication year from an int or a string starting with one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        year = value
    elif isinstance(value, str) and re.match(r"^\d{4}", value.strip()):
        year = int(value.strip()[:4])
    else:
        return None
    return year if 1000 <= year <= 2999 else None


@dataclass(frozen=True)
class Work:
    """One record as a metadata source states it."""

    source: str  # one of SOURCES
    source_id: str  # the record's id at its source: a DOI, a DBLP key, an S2 paperId, an OpenAlex W…
    title: str
    authors: tuple[str, ...] = ()  # display names, in order
    family_names: tuple[str, ...] = ()  # one per author ("" when the source does not split names)
    year: int | None = None
    kind: str = "other"  # one of KINDS
    venue: str | None = None  # journal, proceedings or book-series title, in full where known
    venue_short: str | None = None  # an acronym or abbreviation ("ICCV", "Nat. Mac. Intell.")
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    publisher: str | None = None
    doi: str | None = None  # as the source writes it (compare with identifiers.normalise_doi)
    arxiv_id: str | None = None  # without version
    isbn: str | None = None
    url: str | None = None
    retracted: bool = False
    updates: tuple[tuple[str, str], ...] = ()  # (relation, DOI): ("retraction", …), ("is-preprint-of", …)

    @property
    def source_name(self) -> str:
        return SOURCE_NAMES.get(self.source, self.source)


def _person(name: str, family: str) -> Person:
    """A display name split as the source split it when it did (``family`` is its family name)."""
    if family and name.endswith(family) and name != family:
        return Person(family, name[: -len(family)].strip())
    if family and name == family:
        return Person(family)
    return Person.parse(name)


def family_of(name: str) -> str:
    """The family name in a display name (``Andrés M Bran`` → ``Bran``)."""
    return Person.parse(name).family


def to_entry(work: Work) -> Entry:
    """The catalogue entry ``add`` stores for ``work``: the BibTeX type its kind calls for
    (``@inproceedings``, ``@article``, ``@book``, ``@incollection``, ``@phdthesis``, ``@misc``), the
    venue in ``booktitle`` or ``journal``, and every identifier the source gave."""
    kind = _ENTRY_TYPE.get(work.kind, "misc")
    families = (list(work.family_names) + [""] * len(work.authors))[:len(work.authors)]
    entry = Entry(title=work.title, type=kind,
                  authors=[_person(n, f) for n, f in zip(work.authors, families, strict=True) if n.strip()],
                  year=work.year, volume=work.volume, number=work.number, pages=work.pages,
                  publisher=work.publisher, doi=work.doi, arxiv_id=work.arxiv_id, isbn=work.isbn,
                  url=work.url if work.source in _OWN_PAGE and not work.doi else None)
    venue_field = _VENUE_FIELD.get(kind)
    if venue_field and work.venue:
        setattr(entry, venue_field, work.venue)
    elif kind == "misc" and work.venue and work.kind != "preprint":
        entry.extra["howpublished"] = work.venue
    if kind == "phdthesis" and work.publisher:
        entry.extra["school"] = work.publisher
        entry.publisher = None
    return entry
