"""THE duplicate rule: when are two records the same work?

``same_work(a, b)`` is the only place papershelf decides it; every way into the catalogue asks
it through ``Library.add`` (``papershelf.services.library``). The rule, in order:

1. **A contradicting identifier means different works.** Both have an arXiv id and they
   differ, or both have a publisher DOI and they differ: never the same, whatever else they
   share. (A bogus ``eprint`` copied into two papers with their own DOIs does not make them one
   paper.) Two ISBNs that differ prove nothing: one book has an ISBN per format (print, ebook).
2. **Different kinds of work are different works**, whatever they share: a technical report,
   a thesis, a proceedings volume, a book (or collection) and a paper (article, conference or
   workshop paper, chapter) are each their own work; so are a workshop version and a
   conference or journal version (its booktitle, journal or series says "workshop"), and an
   erratum (corrigendum, correction) and the paper it corrects. A ``misc``, ``online`` or
   ``unpublished`` record (a preprint, a web page) is of no particular kind.
3. **A shared strong identifier means the same work**: the same canonical arXiv id
   (``math.DG/0211159`` = ``math/0211159`` = ``arXiv:math/0211159v2``), the same DOI (compared
   without case or resolver prefix; arXiv's own ``10.48550/arXiv.ID`` counts as the arXiv id),
   or the same ISBN (ISBN-10 and ISBN-13 of one book are equal) — unless the two titles are
   both known and clearly different *and* the records are two parts (articles, papers,
   chapters), a part and its whole, or have different pages: chapters of one book share its
   DOI or ISBN but are different works. A preprint retitled on publication keeps its DOI and
   stays one work.
4. **The same URL** (ignoring a trailing slash and the scheme) is the same work when the
   titles do not differ (a proceedings page shared by many papers is not one work); a "title"
   that is only the link's own text (``github.com/cloneofsimo/lora``) does not count as one.
5. **A title is never proof.** The same normalised title (case, accents, punctuation and LaTeX
   braces ignored; CJK characters kept) and year, with the same first author's family name (or
   no author on one side) and no differing volume, number or pages (a column that recurs in
   every issue is not one work), makes a *probable* duplicate: ``Verdict.probable``, reported
   with the reason, never merged without the user (``papershelf merge``).

Anything else is two works. Pure: no database, no I/O; ``IdentityIndex`` makes the rule fast
over a whole catalogue (one dictionary lookup per identifier instead of a comparison per pair).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from papershelf.model.entry import Entry
from papershelf.model.identifiers import canonical_arxiv, is_arxiv_doi, normalise_doi, normalise_isbn

_NON_WORD = re.compile(r"[\W_]+")


def normal_title(title: str | None) -> str:
    """A title reduced for comparison: NFKC, case-folded, accents dropped, LaTeX braces and
    punctuation gone, words separated by one space. CJK characters stay (they are the title)."""
    if not title:
        return ""
    text = title.replace("{", "").replace("}", "")
    if text.isascii():  # what the normalisations below leave of ASCII: its lower case
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(w for w in _NON_WORD.split(text) if w)


def normal_name(name: str | None) -> str:
    """A family name reduced for comparison, like ``normal_title`` (``Müller`` = ``Muller``)."""
    return normal_title((name or "").split("(")[0])


def normal_url(url: str | None) -> str:
    if not url:
        return ""
    url = url.strip().rstrip("/")
    return re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE)


@dataclass(frozen=True)
class Keys:
    """What identifies a record, each in its comparable form ("" when absent)."""

    arxiv: str = ""
    doi: str = ""  # a publisher DOI (arXiv's own DOIs become ``arxiv``)
    isbn: str = ""
    url: str = ""
    title: str = ""
    year: int | None = None
    first_author: str = ""
    where: tuple[str, str, str] = ("", "", "")  # volume, number, pages
    type: str = ""
    title_is_link: bool = False  # the title is just the text of its URL
    kind: str = ""  # the kind of work (``work_kind``): "" for a record of no particular kind
    venue: str = ""  # "workshop", "venue" (a venue that is not a workshop) or "" (none named)
    erratum: bool = False  # an erratum, corrigendum or correction of a paper

    @property
    def real_title(self) -> str:
        return "" if self.title_is_link else self.title

    @property
    def strong(self) -> bool:
        return bool(self.arxiv or self.doi or self.isbn)

    @classmethod
    def of(cls, entry: Entry) -> Keys:
        arxiv = canonical_arxiv(entry.arxiv_id) or ""
        doi = normalise_doi(entry.doi) or ""
        if doi and is_arxiv_doi(doi):
            arxiv = arxiv or canonical_arxiv(doi) or ""
            doi = ""
        people = entry.authors or entry.editors
        title = normal_title(entry.title)
        return cls(
            title_is_link=bool(title) and bool(entry.url)
            and set(title.split()) <= set(normal_title(entry.url).split()),
            arxiv=arxiv, doi=doi, isbn=normalise_isbn(entry.isbn) or "", url=normal_url(entry.url),
            title=title, year=entry.year,
            first_author=normal_name(people[0].family) if people else "",
            where=(str(entry.volume or "").strip(), str(entry.number or "").strip(),
                   _pages(entry.pages)),
            type=entry.type or "", kind=work_kind(entry.type),
            venue=_venue(entry.booktitle, entry.journal, entry.extra.get("series")),
            erratum=bool(_ERRATUM.search(" ".join(filter(None, (entry.title, entry.extra.get("note")))))),
        )


# Record types of no particular kind (a preprint, a web page): compatible with any.
_GENERIC_TYPES = frozenset({"", "misc", "online", "electronic", "www", "unpublished"})
_PAPER_TYPES = frozenset({"article", "inproceedings", "conference", "incollection", "inbook",
                          "suppbook", "suppcollection", "suppperiodical", "inreference"})
_KINDS = {"techreport": "report", "report": "report", "phdthesis": "thesis",
          "mastersthesis": "thesis", "thesis": "thesis", "proceedings": "proceedings",
          "mvproceedings": "proceedings", "book": "book", "mvbook": "book",
          "collection": "book", "mvcollection": "book", "reference": "book", "mvreference": "book"}
_ERRATUM = re.compile(r"\b(errat(um|a)|corrigend(um|a)|correction to)\b", re.IGNORECASE)


def work_kind(entry_type: str | None) -> str:
    """The kind of work a record type names: paper, report, thesis, proceedings, book, or the
    type itself (manual, patent…); "" for a type of no particular kind (misc, online…)."""
    t = (entry_type or "").strip().lower()
    if t in _GENERIC_TYPES:
        return ""
    return "paper" if t in _PAPER_TYPES else _KINDS.get(t, t)


def _venue(*names: str | None) -> str:
    named = [n for n in names if n and n.strip()]
    if not named:
        return ""
    return "workshop" if any("workshop" in n.lower() for n in named) else "venue"


def different_kinds(a: Keys, b: Keys) -> str:
    """Why ``a`` and ``b`` are different works by their kind alone, or "" (see rule 2)."""
    if a.kind and b.kind and a.kind != b.kind:
        return f"a {a.type} and a {b.type} are different works"
    if {a.venue, b.venue} == {"workshop", "venue"}:
        return "a workshop version and another venue's are different works"
    if a.erratum != b.erratum:
        return "an erratum and the work it corrects are different works"
    return ""


def _pages(pages: str | None) -> str:
    return re.sub(r"[\s\-–—]+", "-", pages or "").strip("-")


_PART_TYPES = frozenset({"inbook", "incollection", "inproceedings", "article"})
_WHOLE_TYPES = frozenset({"book", "proceedings", "collection"})


@dataclass(frozen=True)
class Verdict:
    """``same``: one work; ``why`` says which evidence decided (for reports)."""

    same: bool
    why: str
    kind: str = ""  # the evidence that decided: arxiv, doi, isbn, url, title
    probable: bool = False  # not the same, but maybe: the same title and year (rule 5)

    def describe(self, entry: Entry) -> str:
        """``why``, with the identifier as ``entry`` writes it (``DOI 10.1/X``, not ``10.1/x``)."""
        written = {"arxiv": entry.arxiv_id, "doi": entry.doi, "isbn": entry.isbn}.get(self.kind)
        label = {"arxiv": "arXiv id", "doi": "DOI", "isbn": "ISBN"}.get(self.kind)
        return f"{label} {written}" if label and written else self.why

    def __bool__(self) -> bool:
        return self.same


def _differ(a: str, b: str) -> bool:
    return bool(a) and bool(b) and a != b


def _parts_of_one_whole(a: Keys, b: Keys) -> bool:
    """Two records sharing a DOI/ISBN that are different parts of it (or a part and the whole)."""
    if not _differ(a.title, b.title):
        return False  # a retitled version (preprint → journal) with the same DOI is still one work
    part_and_whole = (a.type in _PART_TYPES and b.type in _WHOLE_TYPES) or \
        (b.type in _PART_TYPES and a.type in _WHOLE_TYPES)
    two_parts = a.type in _PART_TYPES and b.type in _PART_TYPES  # not a preprint and its version
    return part_and_whole or two_parts or _differ(a.where[2], b.where[2])


def same_keys(a: Keys, b: Keys) -> Verdict:
    """``same_work`` over precomputed ``Keys`` (see the module docstring for the rule)."""
    for name, label in (("arxiv", "arXiv id"), ("doi", "DOI")):
        if _differ(getattr(a, name), getattr(b, name)):
            return Verdict(False, f"different {label}s")
    kinds = different_kinds(a, b)
    if kinds:
        return Verdict(False, kinds)
    for name, label in (("arxiv", "arXiv id"), ("doi", "DOI"), ("isbn", "ISBN")):
        value = getattr(a, name)
        if value and value == getattr(b, name):
            if name != "arxiv" and _parts_of_one_whole(a, b):
                return Verdict(False, f"same {label} but different titles: parts of one work")
            return Verdict(True, f"{label} {value}", name)
    if a.url and a.url == b.url and not _differ(a.real_title, b.real_title):
        return Verdict(True, "URL", "url")
    if (a.real_title and a.real_title == b.real_title and a.year is not None and a.year == b.year
            and not _differ(a.first_author, b.first_author)
            and not any(_differ(x, y) for x, y in zip(a.where, b.where, strict=True))):
        why = "title, year and first author" if a.first_author and b.first_author else \
            "title and year (no author to compare)"
        return Verdict(False, why, "title", probable=True)
    return Verdict(False, "nothing identifies them as one work")


def same_work(a: Entry, b: Entry) -> Verdict:
    """Whether ``a`` and ``b`` are one work (see the module docstring)."""
    return same_keys(Keys.of(a), Keys.of(b))


T = TypeVar("T")


def slots(k: Keys) -> Iterator[tuple[str, object]]:
    """Where a record is looked up: each identifier it has, and its (title, year). Two records
    the rule can find the same (or probably the same) share at least one slot."""
    for name in ("arxiv", "doi", "isbn", "url"):
        value = getattr(k, name)
        if value:
            yield name, value
    if k.title and k.year is not None:
        yield "title", (k.title, k.year)


@dataclass
class IdentityIndex(Generic[T]):
    """Records (with a payload each: a row id, a citekey…) looked up by ``same_work``.

    Candidates come from dictionaries keyed by each identifier and by (title, year); the rule
    then decides among them, so a lookup costs a few dictionary hits, not a pass over all."""

    _by: dict[tuple[str, object], list[tuple[Keys, T]]] = field(default_factory=dict)

    def add(self, keys: Keys, payload: T) -> None:
        for slot in slots(keys):
            self._by.setdefault(slot, []).append((keys, payload))

    def at(self, slot: tuple[str, object]) -> list[tuple[Keys, T]]:
        """The records indexed under ``slot`` (``slots``), in the order they were added."""
        return self._by.get(slot, [])

    def add_entry(self, entry: Entry, payload: T) -> None:
        self.add(Keys.of(entry), payload)

    def find(self, keys: Keys) -> tuple[T, Verdict] | None:
        """The first indexed record that is the same work as ``keys``, with the verdict."""
        seen: set[int] = set()
        for slot in slots(keys):
            if slot[0] == "title":
                continue  # a title is never proof (rule 5): ``probable`` looks there
            for other, payload in self.at(slot):
                if id(other) in seen:
                    continue
                seen.add(id(other))
                verdict = same_keys(keys, other)
                if verdict:
                    return payload, verdict
        return None

    def probable(self, keys: Keys) -> list[tuple[T, Verdict]]:
        """The indexed records that are probably (not certainly) the same work as ``keys``."""
        if not keys.real_title or keys.year is None:
            return []
        return [(payload, verdict) for other, payload in self.at(("title", (keys.title, keys.year)))
                if (verdict := same_keys(keys, other)).probable]

    def find_entry(self, entry: Entry) -> tuple[T, Verdict] | None:
        return self.find(Keys.of(entry))

    @classmethod
    def of(cls, items: Iterable[tuple[Entry, T]]) -> IdentityIndex[T]:
        index: IdentityIndex[T] = cls()
        for entry, payload in items:
            index.add_entry(entry, payload)
        return index


# Fields a bibliography does not show (papershelf's own: tags, notes, files, the reference
# manager's bookkeeping): two records differing only there print the same.
NOT_SHOWN = frozenset({"keywords", "abstract", "annote", "annotation", "file", "ids", "timestamp",
                       "owner", "date-added", "date-modified", "groups", "readstatus", "mendeley-tags"})
_GENERATED = ("title", "journal", "booktitle", "volume", "number", "pages", "publisher", "edition",
              "isbn", "doi", "url")


def shown_fields(entry: Entry) -> dict[str, str]:
    """What a bibliography prints of ``entry``, field by field (``@type`` included): a .bib
    record's fields as written (whitespace runs as one space), else the catalogued fields."""
    if entry.source_type is not None:
        out = {"@type": entry.source_type.lower()}
        out.update({k.lower(): " ".join(v.split()) for k, v in entry.source_fields.items()
                    if k.lower() not in NOT_SHOWN})
        return out
    out = {"@type": (entry.type or "misc").lower()}
    for role, people in (("author", entry.authors), ("editor", entry.editors)):
        if people:
            out[role] = " and ".join(p.name for p in people)
    out.update({name: str(getattr(entry, name)) for name in _GENERATED if getattr(entry, name)})
    if entry.year is not None:
        out["year"] = str(entry.year)
    if entry.arxiv_id:
        out["eprint"] = entry.arxiv_id
    out.update({k.lower(): " ".join(v.split()) for k, v in entry.extra.items()
                if k.lower() not in NOT_SHOWN and k.lower() not in out})
    out.update({k.lower(): " ".join(v.split()) for k, v in entry.source_fields.items()
                if k.lower() not in NOT_SHOWN})  # what a user wrote with ``set``
    return out


def field_diff(a: Entry, b: Entry) -> list[tuple[str, str | None, str | None]]:
    """(field, ``a``'s value, ``b``'s value) for each field a bibliography shows differently."""
    fa, fb = shown_fields(a), shown_fields(b)
    return [(name, fa.get(name), fb.get(name)) for name in dict.fromkeys([*fa, *fb])
            if fa.get(name) != fb.get(name)]


def same_record(a: Entry, b: Entry) -> bool:
    """Whether ``a`` and ``b`` print the same (``field_diff`` is empty)."""
    if a.source_type is not None and a.source_type == b.source_type and a.source_fields == b.source_fields:
        return True  # the same verbatim record (a re-import): no need to compare field by field
    return shown_fields(a) == shown_fields(b)
