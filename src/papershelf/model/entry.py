"""The catalogue's records: entries and the people who wrote them.

Plain dataclasses, no I/O. ``Entry.to_dict()`` is the stable JSON shape that ``--json`` prints
(documented in the README), and the shape of the bundled snapshot in ``data/catalogue.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

# Name particles that belong before the family name ("van Stein", "del Campo").
PARTICLES = frozenset(
    "van von der den de del della di da dos das du le la ten ter op het zu vom dem des bin al el".split()
)
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})

# Types a preprint is stored as (a publisher's record makes it an article, inproceedings, …).
# The largest value one field may hold, whatever brings it (a .bib file, a metadata source, an
# edit): the .bib reader skips a larger field, a source's record with one is refused.
MAX_VALUE_CHARS = 1024 * 1024

PREPRINT_TYPES = ("misc", "unpublished", "online")

ENTRY_TYPES = (
    "article", "inproceedings", "incollection", "book", "inbook", "booklet", "proceedings",
    "phdthesis", "mastersthesis", "techreport", "manual", "unpublished", "misc", "online",
)


# Which .bib fields (lower-case names) feed each decoded field: when a source other than a
# .bib file changes the decoded field, these verbatim values are stale. ``@type`` stands for
# the entry type. A field not listed here feeds ``extra`` under its own name.
SOURCE_FIELDS_OF: dict[str, tuple[str, ...]] = {
    "type": ("@type",), "title": ("title",), "authors": ("author",), "editors": ("editor",),
    "year": ("year", "date", "month", "day"), "date": ("year", "date", "month", "day"),
    "abstract": ("abstract",), "journal": ("journal", "journaltitle"),
    "booktitle": ("booktitle",), "volume": ("volume",), "number": ("number",),
    "pages": ("pages",), "publisher": ("publisher",), "edition": ("edition",), "isbn": ("isbn",),
    "doi": ("doi",), "url": ("url",),
    "arxiv_id": ("eprint", "archiveprefix", "eprinttype"),
    "arxiv_version": ("eprint",), "primary_class": ("primaryclass", "eprintclass"),
    "notes": ("annote", "annotation"),
}


def source_fields_of(attributes: list[str] | tuple[str, ...] | set[str]) -> set[str]:
    """The .bib field names that feed the decoded ``attributes`` (``extra`` keys: themselves)."""
    out: set[str] = set()
    for name in attributes:
        out.update(SOURCE_FIELDS_OF.get(name, ()))
    return out


# Han, kana, hangul (and their compatibility forms): the scripts whose names read family first.
_CJK_RANGES = ((0x2E80, 0x2FDF), (0x3040, 0x30FF), (0x3100, 0x312F), (0x3130, 0x318F),
               (0x31A0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF),
               (0xF900, 0xFAFF), (0x20000, 0x2FA1F))


def _all_cjk(text: str) -> bool:
    """Every letter of ``text`` is CJK (a middle dot as in ``欧阳·修`` aside)."""
    return not text.isascii() and all(
        ch in "·・" or any(lo <= ord(ch) <= hi for lo, hi in _CJK_RANGES) for ch in text)


_FIELD_GETTERS: dict[type, Any] = {}


def _by_fields(obj: Any) -> tuple[Any, tuple[Any, ...]]:
    """How ``pickle`` and ``copy`` make ``obj`` (an ``Entry`` or ``Person``) again: its class
    called with its fields in order. Half the time of the default for a slotted class (a dict
    of the slots made and read back per object), which an import pays for every entry it sends
    from the reading process (``services.read_ahead``)."""
    cls = type(obj)
    get = _FIELD_GETTERS.get(cls)
    if get is None:
        from operator import attrgetter

        names = [f.name for f in fields(cls)]
        get = _FIELD_GETTERS[cls] = attrgetter(*names) if len(names) > 1 else (lambda o: (getattr(o, names[0]),))
    return cls, get(obj)


@dataclass(slots=True)
class Person:
    """An author or editor, with the parts kept apart as BibTeX and CSL need them."""

    family: str
    given: str = ""
    prefix: str = ""  # the "von" part
    suffix: str = ""  # the "Jr." part

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _by_fields(self)

    @property
    def name(self) -> str:
        """The name in reading order: ``Given von Family, Jr.``; a Chinese, Japanese or Korean
        name written in its own script reads family name first, without a space (``王小明``)."""
        if self.family_first:
            return self.family + self.given
        core = " ".join(p for p in (self.given, self.prefix, self.family) if p)
        return f"{core}, {self.suffix}" if self.suffix else core

    @property
    def family_first(self) -> bool:
        """A name in CJK script (family and given name both): read family name first, no space."""
        return bool(self.family) and not self.prefix and not self.suffix and _all_cjk(self.family) \
            and (not self.given or _all_cjk(self.given))

    @property
    def is_corporate(self) -> bool:
        return not self.given and not self.prefix and " " in self.family

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("family", self.family), ("given", self.given),
                                  ("prefix", self.prefix), ("suffix", self.suffix)) if v}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Person:
        return cls(data.get("family", ""), data.get("given", ""), data.get("prefix", ""),
                   data.get("suffix", ""))

    @classmethod
    def parse(cls, name: str) -> Person:
        """Split a name written ``Given [von] Family[, Jr.]`` or ``[von] Family, [Jr.,] Given``.

        A trailing parenthesis stays with the family name ("Andrew Zhu (Shudong Zhu)"), so the
        name reads back exactly as it was credited.
        """
        name = " ".join(name.split())
        if not name:
            return cls("")
        if "," in name:
            parts = [p.strip() for p in name.split(",")]
            if len(parts) == 2 and parts[1].lower() in SUFFIXES:
                person = cls.parse(parts[0])
                person.suffix = parts[1]
                return person
            famparts = parts[0].split()
            suffix = parts[1] if len(parts) >= 3 else ""
            given = parts[-1] if len(parts) >= 2 else ""
            prefix_words = []
            while len(famparts) > 1 and famparts[0].lower() in PARTICLES:
                prefix_words.append(famparts.pop(0))
            return cls(" ".join(famparts), given, " ".join(prefix_words), suffix)
        paren = ""
        if name.endswith(")") and "(" in name:
            cut = name.rfind("(")
            name, paren = name[:cut].rstrip(), name[cut:]
        words = name.split()
        suffix = ""
        if len(words) > 2 and words[-1].lower() in SUFFIXES:
            suffix = words.pop()
        if len(words) == 1:
            return cls(f"{words[0]} {paren}".strip(), suffix=suffix)
        family = [words.pop()]
        prefix: list[str] = []
        while len(words) > 1 and words[-1].lower() in PARTICLES:
            prefix.insert(0, words.pop())
        if paren:
            family.append(paren)
        return cls(" ".join(family), " ".join(words), " ".join(prefix), suffix)


@dataclass(slots=True)
class Entry:
    """One item of the catalogue: a paper, a book, a talk, a web page."""

    title: str
    type: str = "misc"
    citekey: str = ""
    authors: list[Person] = field(default_factory=list)
    editors: list[Person] = field(default_factory=list)
    year: int | None = None
    date: str | None = None  # ISO date the work first appeared (arXiv v1 for preprints)
    abstract: str | None = None
    journal: str | None = None
    booktitle: str | None = None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    publisher: str | None = None
    edition: str | None = None
    isbn: str | None = None
    doi: str | None = None
    url: str | None = None
    arxiv_id: str | None = None  # without version: 2006.11239, hep-th/9901001
    arxiv_version: int | None = None
    primary_class: str | None = None
    categories: list[str] = field(default_factory=list)
    arxiv_comment: str | None = None
    journal_ref: str | None = None
    section: str | None = None  # where it sits in the user's reading list
    notes: str | None = None
    links: list[dict[str, str]] = field(default_factory=list)  # {"url": ..., "label": ...}
    extra: dict[str, str] = field(default_factory=dict)  # other BibTeX fields, kept verbatim
    tags: list[str] = field(default_factory=list)
    rule_tags: list[str] = field(default_factory=list)  # the subset of tags set by topic rules
    needs_sync: bool = False  # a placeholder whose metadata still has to come from arXiv
    aliases: list[str] = field(default_factory=list)  # other keys that cite it (merged-away keys)
    revision: int = 0  # bumped by every write: read-modify-write commands compare it
    # What a .bib source said, verbatim (see ``SOURCE_FIELDS_OF``): the entry type as written
    # (None: papershelf made the entry), each field's value as written (@string references and
    # ``#`` resolved, braces and LaTeX kept), and the fields changed since (by a user or a source)
    # whose value is generated from the decoded view when no verbatim text replaced it.
    source_type: str | None = None
    source_fields: dict[str, str] = field(default_factory=dict)
    # how each verbatim field not written as one ``{…}`` group was written (``month = aug``,
    # ``journal = jair``, ``"Foo"``, ``a # b``): an export writes it so again
    source_raw: dict[str, str] = field(default_factory=dict)
    edited: list[str] = field(default_factory=list)
    bib_preambles: list[str] = field(default_factory=list)  # the file's @preamble values, as written
    bib_strings: dict[str, str] = field(default_factory=dict)  # its @string definitions, as written
    added: str | None = None
    updated: str | None = None
    id: int | None = None  # the storage row id; not part of the public JSON

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _by_fields(self)

    @property
    def author_names(self) -> list[str]:
        return [p.name for p in self.authors]

    @property
    def publication_date(self) -> str | None:
        """``date`` when it dates the cited version (so exports may give its month), else None.

        An arXiv paper with a venue carries its arXiv v1 date (that is what the bundled
        catalogue and arXiv sync record): it says nothing of the month the venue published
        it, so only the year is cited. A month read from a .bib file (``YYYY-MM``) is kept.
        """
        if not self.date or not self.year or self.date[:4] != str(self.year):
            return None
        if self.arxiv_id and (self.journal or self.booktitle) and len(self.date) > 7:
            return None
        return self.date

    @property
    def has_venue(self) -> bool:
        """A journal or proceedings says where the work appeared."""
        return bool(self.journal or self.booktitle)

    @property
    def is_unpublished(self) -> bool:
        """Of a preprint's type (misc, unpublished, online) and with no venue: a venue that
        arXiv or another source reports may turn it into a published entry."""
        return self.type in PREPRINT_TYPES and not self.has_venue

    @property
    def is_preprint(self) -> bool:
        """An arXiv paper not (yet) known as published: exports cite it by its eprint."""
        return bool(self.arxiv_id) and self.is_unpublished

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON object (every field; ``authors`` as a list of names)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "id":
                continue
            value = getattr(self, f.name)
            if f.name in ("authors", "editors"):
                out[f.name] = [p.name for p in value]
                out[f"{f.name[:-1]}_parts"] = [p.to_dict() for p in value]
            else:
                out[f.name] = value
        return out

    def summary_dict(self) -> dict[str, Any]:
        """The short JSON object of ``list``/``search``."""
        return summary_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known and k not in ("authors", "editors")}
        entry = cls(**kwargs)
        for role in ("authors", "editors"):
            parts = data.get(f"{role[:-1]}_parts")
            if parts is not None:
                setattr(entry, role, [Person.from_dict(p) for p in parts])
            else:
                setattr(entry, role, [p if isinstance(p, Person) else Person.parse(p)
                                      for p in data.get(role, [])])
        return entry


@dataclass
class Summary:
    """What ``list`` and ``search`` show of an entry, and nothing else: its key, type, title,
    people, year, arXiv id, DOI, tags and section (``storage.rows.summaries`` reads just these,
    which costs a fraction of a whole ``Entry``). ``summary_dict`` is ``Entry.summary_dict``."""

    citekey: str
    type: str
    title: str
    year: int | None = None
    arxiv_id: str | None = None
    doi: str | None = None
    section: str | None = None
    authors: list[Person] = field(default_factory=list)
    editors: list[Person] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    id: int | None = None

    @property
    def author_names(self) -> list[str]:
        return [p.name for p in self.authors]

    def summary_dict(self) -> dict[str, Any]:
        return summary_dict(self)


def summary_dict(entry: Entry | Summary) -> dict[str, Any]:
    """The short JSON object of ``list``/``search``, of an ``Entry`` or a ``Summary`` alike."""
    return {
        "citekey": entry.citekey, "type": entry.type, "title": entry.title,
        "authors": entry.author_names, "year": entry.year, "arxiv_id": entry.arxiv_id,
        "doi": entry.doi, "tags": entry.tags, "section": entry.section,
    }


ET_AL_AFTER = 3


def short_authors(entry: Entry | Summary) -> str:
    """``Ho, Jain, Abbeel``; ``del Campo, Manovich``; ``Radford et al.`` beyond three people."""
    names = [f"{p.prefix} {p.family}".lstrip() for p in entry.authors or entry.editors]
    if len(names) > ET_AL_AFTER:
        return f"{names[0]} et al."
    return ", ".join(names)
