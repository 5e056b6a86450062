"""A work as a metadata source states it, and the catalogue entry it becomes.

``Work`` is one record of Crossref, DataCite, DBLP, Semantic Scholar, OpenAlex, Open Library or
Google Books, read by the parsers of ``sources.metadata`` into one shape: plain Unicode text (HTML
entities and inline markup removed, DBLP's trailing full stop dropped), authors in order, a
``kind`` from one small vocabulary, and the identifiers it carries. It is evidence, never a
decision: ``add`` turns it into an ``Entry`` with ``to_entry`` (the door decides identity, key
and tags); venue resolution and ``check`` compare it with what the catalogue holds.

A ``Work`` is validated when it is made (``Work.__post_init__``): an answer is data to check,
not to trust. Every text is a string of at most ``MAX_VALUE_CHARS`` characters (the cap .bib
import enforces) with no C0 control characters and no lone surrogates (``clean_text`` drops the
C1 ones); a record has a title, at most ``MAX_AUTHORS`` authors, a year between 1000 and 2999 or
none, a kind of ``KINDS``, and identifiers of their own shape (a DOI ``10.…/…``, an arXiv id, an
http(s) URL when it names a scheme). Anything else raises ``InvalidRecord``, which the source
clients turn into a one-line error naming the source (exit 4). ``check_entry`` applies the same
limits to an entry a source built (arXiv's).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any

from papershelf.model.entry import MAX_VALUE_CHARS, Entry, Person

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
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # removed by clean_text
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")  # C0 (no text has them), lone surrogates
_DOI_SHAPE = re.compile(r"10\.[\d.]+/\S+")
_URL_SHAPE = re.compile(r"https?://[^\s]+", re.IGNORECASE)
MAX_AUTHORS = 20_000  # the largest author lists (particle physics) have about 5,000
MAX_ID_CHARS = 2000  # an identifier or a URL
MAX_UPDATES = 1000  # relations (retractions, versions) of one record


class InvalidRecord(ValueError):
    """A source's record that does not validate (see the module docstring); the message says why."""


def clean_text(text: object) -> str:
    """A source's text as plain Unicode: HTML entities decoded (``&amp;``), inline markup
    (JATS ``<i>``, MathML tags) and control characters removed, whitespace collapsed. Not a
    string: empty. A text over ``MAX_VALUE_CHARS`` is refused before any work on it."""
    if not isinstance(text, str):
        return ""
    if len(text) > MAX_VALUE_CHARS:
        raise InvalidRecord(f"a text of {len(text):,} characters, over the {MAX_VALUE_CHARS:,} a field may hold")
    return " ".join(_CONTROL.sub("", html.unescape(_TAG.sub("", text))).split())


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
    """A plausible publication year (1000–2999) from an int or a string starting with one;
    anything else (``true``, ``-5``, ``10**30``, ``2020.5``) None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        year = value
    elif isinstance(value, str) and re.match(r"^\d{4}(?!\d)", value.strip()[:5]):
        year = int(value.strip()[:4])
    else:
        return None
    return year if 1000 <= year <= 2999 else None


def check_text(name: str, value: object, *, limit: int = MAX_VALUE_CHARS, required: bool = False) -> None:
    """``value`` is None (unless ``required``) or a string a field may hold: at most ``limit``
    characters, no C0 control characters but tab and newlines, no lone surrogates; else
    ``InvalidRecord``."""
    if value is None:
        if required:
            raise InvalidRecord(f"no {name}")
        return
    if not isinstance(value, str):
        raise InvalidRecord(f"{name} is not text ({type(value).__name__})")
    if required and not value.strip():
        raise InvalidRecord(f"no {name}")
    if len(value) > limit:
        raise InvalidRecord(f"{name} holds {len(value):,} characters, over the {limit:,} allowed")
    bad = _FORBIDDEN.search(value)  # C1 controls occur in real records (mojibake): clean_text drops them
    if bad:
        raise InvalidRecord(f"{name} holds the character U+{ord(bad.group()):04X}, which no text has")


def check_year(value: object) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value <= 2999):
        raise InvalidRecord(f"the year {str(value)[:20]!r} is not a year")


def check_names(name: str, names: Iterable[object]) -> None:
    """A list of names: at most ``MAX_AUTHORS``, each a text, all together within the field cap."""
    items = list(names) if not isinstance(names, (list, tuple)) else names
    if len(items) > MAX_AUTHORS:
        raise InvalidRecord(f"{len(items):,} {name}, over the {MAX_AUTHORS:,} allowed")
    total = 0
    for n in items:
        check_text(name, n)
        total += len(str(n)) + 5  # as one BibTeX field: " and " between names
    if total > MAX_VALUE_CHARS:
        raise InvalidRecord(f"the {name} hold {total:,} characters together, over the {MAX_VALUE_CHARS:,} allowed")


def check_ids(doi: object, arxiv_id: object, isbn: object, url: object) -> None:
    """Identifiers of their own shape, when given."""
    for name, value in (("DOI", doi), ("arXiv id", arxiv_id), ("ISBN", isbn), ("URL", url)):
        check_text(name, value, limit=MAX_ID_CHARS)
    if isinstance(doi, str) and not _DOI_SHAPE.fullmatch(doi.strip()):
        raise InvalidRecord(f"the DOI {doi[:80]!r} is not a DOI")
    if isinstance(arxiv_id, str):
        from papershelf.model.identifiers import parse

        if parse(arxiv_id) is None:
            raise InvalidRecord(f"the arXiv id {arxiv_id[:80]!r} is not an arXiv id")
    if isinstance(url, str) and re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", url) and not _URL_SHAPE.fullmatch(url):
        raise InvalidRecord(f"the URL {url[:80]!r} is not a web address")  # javascript:, file:, data:…


def check_entry(entry: Entry) -> Entry:
    """``entry`` (a record a source built, such as arXiv's) within the limits of a ``Work``;
    ``InvalidRecord`` if not."""
    check_text("title", entry.title, required=True)
    check_names("authors", [str(p) for p in entry.authors])
    check_year(entry.year)
    for f in fields(entry):
        value = getattr(entry, f.name)
        if isinstance(value, str) and f.name not in ("title",):
            check_text(f.name, value)
    for name, value in entry.extra.items():
        check_text(name, value)
    check_ids(entry.doi, entry.arxiv_id, entry.isbn, None)
    return entry


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

    def __post_init__(self) -> None:
        """The validation of the module docstring: ``InvalidRecord`` if the record fails it."""
        check_text("source", self.source, limit=100, required=True)
        check_text("record id", self.source_id, limit=MAX_ID_CHARS)
        check_text("title", self.title, required=True)
        for name in ("venue", "venue_short", "volume", "number", "pages", "publisher"):
            check_text(name, getattr(self, name))
        if not isinstance(self.authors, tuple) or not isinstance(self.family_names, tuple):
            raise InvalidRecord("the authors are not a list")
        check_names("authors", self.authors)
        check_names("family names", self.family_names)
        check_year(self.year)
        if self.kind not in KINDS:
            raise InvalidRecord(f"unknown kind {str(self.kind)[:40]!r}")
        check_ids(self.doi, self.arxiv_id, self.isbn, self.url)
        if not isinstance(self.retracted, bool):
            raise InvalidRecord("retracted is not true or false")
        if len(self.updates) > MAX_UPDATES:
            raise InvalidRecord(f"{len(self.updates):,} related records, over the {MAX_UPDATES:,} allowed")
        for relation, doi in self.updates:
            check_text("relation", relation, limit=MAX_ID_CHARS)
            check_text("related DOI", doi, limit=MAX_ID_CHARS)

    @property
    def source_name(self) -> str:
        return SOURCE_NAMES.get(self.source, self.source)


def valid_works(items: Iterable[Any], parse: Callable[[Any], Work | None]) -> list[Work]:
    """``parse(item)`` of each item of a list answer (a search's hits), leaving out the ones
    that do not validate: one bad hit does not spoil the others."""
    out: list[Work] = []
    for item in items:
        try:
            work = parse(item)
        except InvalidRecord:
            continue
        if work is not None:
            out.append(work)
    return out


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
