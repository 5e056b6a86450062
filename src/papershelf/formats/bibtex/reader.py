"""``.bib`` text → entries, over bibtexparser v2's splitter. Pure: no catalogue, no terminal.

What it does beyond splitting, in order:

* bytes → text: UTF-8 (with or without BOM), UTF-16 with a BOM (or without, recognised by its
  NUL bytes), a JabRef ``% Encoding:`` header, or the encoding the caller names. Anything else
  is refused with the line and byte that is not UTF-8 (``BibEncodingError``).
* ``@string`` macros, ``#`` concatenation and the month macros are resolved (bibtexparser's
  own middleware does whole-value references only).
* ``crossref`` is inherited: missing fields come from the parent; a parent's title becomes the
  child's booktitle. Cycles and missing parents are reported.
* LaTeX is decoded to Unicode (``papershelf.formats.bibtex.latex``); names are split into
  family/given/prefix/suffix the way BibTeX splits them.
* Problems never stop the read: a malformed block is reported with its line and skipped, a
  key used twice gets a suffix (``key`` → ``keya``) and is reported.

The result maps onto ``Entry``: known fields to their columns, ``eprint`` with an arXiv
prefix to ``arxiv_id``, ``keywords`` to tags, ``annote``/``annotation`` to notes, every other
field to ``extra`` (so a re-export writes it again).
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from papershelf.errors import PapershelfError
from papershelf.formats.bibtex import latex
from papershelf.model import identifiers as arxiv_ids
from papershelf.model.entry import ENTRY_TYPES, Entry, Person

MONTH_MACROS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")

# Entry types of other tools and of biblatex → the catalogue's types.
TYPE_ALIASES = {
    "conference": "inproceedings", "electronic": "online", "www": "online", "webpage": "online",
    "thesis": "phdthesis", "report": "techreport", "collection": "book", "mvbook": "book",
    "mvcollection": "book", "reference": "book", "mvreference": "book", "bookinbook": "inbook",
    "suppbook": "inbook", "inreference": "incollection", "suppcollection": "incollection",
    "mvproceedings": "proceedings", "periodical": "misc", "suppperiodical": "article",
}
NOT_ENTRIES = frozenset({"set", "xdata"})

# Fields whose values are identifiers or paths: not LaTeX-decoded.
VERBATIM = frozenset({"url", "doi", "eprint", "isbn", "issn", "file", "pdf", "pages", "date",
                      "urldate", "year", "month", "day", "archiveprefix", "eprinttype",
                      "primaryclass", "eprintclass", "key", "papershelf-type", "entrysubtype",
                      "crossref", "xref", "ids", "timestamp", "owner", "bdsk-url-1",
                      "date-added", "date-modified", "mendeley-groups", "local-url"})
MULTILINE = frozenset({"abstract", "annote", "annotation", "note"})
_FIELD_NAME = re.compile(r"^[a-z][\w:.+\-]*$")
_ENTRY_SCALARS = ("journal", "booktitle", "volume", "number", "pages", "publisher", "edition",
                  "isbn")


class BibEncodingError(PapershelfError):
    """A file whose bytes are not in an encoding papershelf can tell."""


@dataclass
class Problem:
    """Something in the file the reader worked around or skipped."""

    line: int | None  # 1-based, when known
    key: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "?"
        return f"{where}: {self.key + ': ' if self.key else ''}{self.message}"


@dataclass
class ReadResult:
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # duplicate key in the file -> new key
    encoding: str = "utf-8"


# --- bytes → text ----------------------------------------------------------------------------

_HEADER = re.compile(rb"^%\s*Encoding:\s*([\w.-]+)", re.I | re.M)


def decode_bytes(data: bytes, name: str = "file", encoding: str | None = None) -> tuple[str, str]:
    """The text of a ``.bib`` file and the encoding it was read in."""
    if encoding:
        try:
            return data.decode(encoding).lstrip("\ufeff"), encoding
        except (LookupError, UnicodeDecodeError) as exc:
            raise BibEncodingError(f"{name}: cannot read as {encoding}: {exc}") from None
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", name), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", name).lstrip("\ufeff"), "utf-16"
    head = data[:200]
    if head and head.count(0) * 3 > len(head):  # UTF-16 without a BOM: every other byte NUL
        enc = "utf-16-le" if head[1:2] == b"\0" else "utf-16-be"
        return _strict(data, enc, name), enc
    declared = _HEADER.search(data[:1000])
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if declared and declared.group(1).decode().lower().replace("_", "-") not in ("utf-8", "utf8"):
            enc = declared.group(1).decode()
            try:
                return data.decode(enc), enc
            except (LookupError, UnicodeDecodeError):
                pass
        line = data[:exc.start].count(b"\n") + 1
        raise BibEncodingError(
            f"{name} is not UTF-8 (byte 0x{data[exc.start]:02x} on line {line})",
            hint="name its encoding with --encoding (latin-1, cp1252, gbk, …)") from None


def _strict(data: bytes, enc: str, name: str) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise BibEncodingError(f"{name}: invalid {enc} at byte {exc.start}") from None


# --- values ----------------------------------------------------------------------------------

def _split_concat(raw: str) -> list[str]:
    """The parts of ``a # "b" # {c}`` (top level ``#`` only)."""
    parts, depth, quote, start = [], 0, False, 0
    for i, c in enumerate(raw):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == '"' and depth == 0:
            quote = not quote
        elif c == "#" and depth == 0 and not quote:
            parts.append(raw[start:i])
            start = i + 1
    parts.append(raw[start:])
    return [p.strip() for p in parts]


def resolve(raw: str, strings: dict[str, str], unknown: set[str], *, month: bool = False) -> str:
    """A raw field value with enclosing braces/quotes removed and macros expanded."""
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and "#" not in raw:
        return raw[1:-1]
    out = []
    for part in _split_concat(raw):
        if (part.startswith("{") and part.endswith("}")) or (
                part.startswith('"') and part.endswith('"') and len(part) >= 2):
            out.append(part[1:-1])
        elif part.isdigit():
            out.append(part)
        elif part.lower() in strings:
            out.append(strings[part.lower()])
        elif part.lower() in MONTH_MACROS:
            idx = MONTH_MACROS[part.lower()]
            out.append(_MONTH_NAMES[idx - 1].capitalize())
        elif part:
            unknown.add(part)
            out.append(part)
    return "".join(out)


def parse_month(value: str) -> int | None:
    v = value.strip().lower().rstrip(".")
    if v.isdigit() and 1 <= int(v) <= 12:
        return int(v)
    m = re.match(r"([a-z]+)", v)
    if m:
        word = m.group(1)
        for i, name in enumerate(_MONTH_NAMES, 1):
            if len(word) >= 3 and name.startswith(word):
                return i
    return None


def _names(raw: str) -> list[Person]:
    from bibtexparser.middlewares.names import (
        InvalidNameError,
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    people = []
    for name in split_multiple_persons_names(" ".join(raw.split())):
        if name.strip().lower() == "others":
            people.append(Person("others"))
            continue
        try:
            parts = parse_single_name_into_parts(name, strict=False)
        except InvalidNameError:
            people.append(Person.parse(latex.decode(name)))
            continue
        join = lambda xs: latex.decode(" ".join(xs))  # noqa: E731
        family = join(parts.last)
        if not family:
            people.append(Person.parse(latex.decode(name)))
            continue
        people.append(Person(family, join(parts.first), join(parts.von), join(parts.jr)))
    return people


def _lines(value: str) -> str:
    """Notes: decoded line by line, indentation and line breaks kept."""
    out = []
    for line in value.strip("\n").splitlines():
        indent = line[:len(line) - len(line.lstrip(" "))]
        out.append(indent + latex.decode(line) if line.strip() else "")
    return "\n".join(out).strip("\n")


# --- blocks → entries ------------------------------------------------------------------------

def _inherit(raw: dict[str, dict[str, str]], types: dict[str, str], result: ReadResult,
             lines: dict[str, int]) -> None:
    """Fill each entry's missing fields from its crossref parent (cycle-safe)."""
    lower = {k.lower(): k for k in raw}

    def resolved(key: str, seen: tuple[str, ...]) -> dict[str, str]:
        fields = raw[key]
        parent_ref = fields.get("crossref")
        if not parent_ref:
            return fields
        parent = lower.get(parent_ref.strip().lower())
        if parent is None:
            result.problems.append(Problem(lines.get(key), key,
                                           f"crossref {parent_ref!r} is not in the file; kept as a field"))
            return fields
        if parent in seen:
            result.problems.append(Problem(lines.get(key), key, f"crossref cycle through {parent!r}"))
            fields.pop("crossref", None)
            return fields
        pfields = resolved(parent, seen + (key,))
        for name, value in pfields.items():
            if name in ("crossref", "ids", "key"):
                continue
            if name == "title":
                if types[parent] in ("proceedings", "book", "collection", "mvbook", "mvproceedings",
                                     "mvcollection", "reference"):
                    fields.setdefault("booktitle", value)
                continue
            fields.setdefault(name, value)
        fields.pop("crossref", None)
        return fields

    for key in raw:
        resolved(key, ())


def _entry(key: str, kind: str, f: dict[str, str], result: ReadResult, line: int | None) -> Entry:
    kind = kind.lower()
    mapped = TYPE_ALIASES.get(kind, kind)
    if kind == "thesis" and re.search(r"ma|master", f.get("type", ""), re.I):
        mapped = "mastersthesis"
    if mapped not in ENTRY_TYPES:
        result.problems.append(Problem(line, key, f"entry type @{kind} read as misc"))
        mapped = "misc"
    decoded: dict[str, str] = {}
    entry = Entry(title="", type=mapped, citekey=key)
    for name, value in f.items():
        if name in ("author", "editor"):
            people = _names(value)
            if name == "author":
                entry.authors = people
            else:
                entry.editors = people
            continue
        if name in VERBATIM:
            decoded[name] = " ".join(value.split())
        elif name in ("annote", "annotation"):
            decoded[name] = _lines(value)
        elif name in MULTILINE:
            decoded[name] = latex.decode_multiline(value)
        else:
            decoded[name] = latex.decode(value)
    d = decoded
    entry.title = d.pop("title", "")
    # a subtitle is part of the title everywhere papershelf shows one
    journal = d.pop("journaltitle", None) or d.pop("journal", None)
    if journal:
        entry.journal = journal
    if d.get("location") and not d.get("address"):
        d["address"] = d.pop("location")
    for name in _ENTRY_SCALARS:
        if name != "journal" and d.get(name):
            setattr(entry, name, d.pop(name))
    if not entry.number and d.get("issue"):
        entry.number = d.pop("issue")
    doi = d.pop("doi", None)
    if doi:
        entry.doi = re.sub(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", "", doi, flags=re.I)
    url = d.pop("url", None)
    if url:
        entry.url = re.sub(r"^\\url\{(.*)\}$", r"\1", url)
    _dates(entry, d, result, line)
    _arxiv(entry, d)
    if d.get("howpublished") and entry.arxiv_id and d["howpublished"] in (
            f"arXiv preprint arXiv:{entry.arxiv_id}", f"arXiv:{entry.arxiv_id}"):
        d.pop("howpublished")
    if d.get("key") == key:
        d.pop("key")
    restored = d.pop("papershelf-type", None) or (
        d.get("entrysubtype") if entry.type == "misc" and d.get("entrysubtype") in ENTRY_TYPES else None)
    if restored in ENTRY_TYPES:
        d.pop("entrysubtype", None)
        entry.type = restored
    if entry.type in ("phdthesis", "mastersthesis") and d.get("type") in ("phdthesis", "mathesis",
                                                                          "mastersthesis"):
        d.pop("type")
    if entry.type == "techreport" and d.get("type") == "techreport":
        d.pop("type")
    if d.get("institution") and entry.type in ("phdthesis", "mastersthesis") and not d.get("school"):
        d["school"] = d.pop("institution")
    abstract = d.pop("abstract", None)
    if abstract:
        entry.abstract = abstract
    keywords = d.pop("keywords", None)
    if keywords:
        from papershelf.model.tags import normalise_tag

        tags = []
        for word in re.split(r"[,;]", keywords):
            try:
                tags.append(normalise_tag(word))
            except PapershelfError:
                continue
        entry.tags = list(dict.fromkeys(tags))
    notes = d.pop("annotation", None) or d.pop("annote", None)
    if notes:
        entry.notes = notes
    entry.extra = {k: v for k, v in sorted(d.items()) if v}
    return entry


def _dates(entry: Entry, d: dict[str, str], result: ReadResult, line: int | None) -> None:
    year = d.pop("year", "")
    date = d.get("date", "")
    month = d.pop("month", "")
    day = d.pop("day", "")
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", date)
    if m and m.group(2) and not (1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3) or 1) <= 31):
        m = None  # "1998-13": kept as written, in extra
    if m:
        d.pop("date")
        entry.year = int(m.group(1))
        entry.date = date if m.group(2) else None
        return
    ym = re.search(r"\d{4}", year)
    if ym:
        entry.year = int(ym.group())
        if year.strip() != ym.group():
            d["year"] = year  # "1995--1996", "2001a": kept as written
    elif year:
        d["year"] = year
    if month and entry.year:
        mm = re.fullmatch(r"\s*([A-Za-z]+\.?|\d{1,2})(?:[\s~,]+(\d{1,2}))?\s*", month)
        mi = parse_month(mm.group(1)) if mm else None
        if mi:
            entry.date = f"{entry.year:04d}-{mi:02d}"
            day = mm.group(2) or day
            if day.isdigit() and 1 <= int(day) <= 31:
                entry.date += f"-{int(day):02d}"
                day = ""
            month = ""
    if month:
        d["month"] = month
    if day:
        d["day"] = day


def _arxiv(entry: Entry, d: dict[str, str]) -> None:
    prefix = (d.get("archiveprefix") or d.get("eprinttype") or "").lower()
    eprint = d.get("eprint", "")
    aid = None
    if eprint and (prefix in ("arxiv", "") ):
        aid = arxiv_ids.parse(eprint)
    journal = entry.journal or ""
    gs = re.match(r"^arxiv(?: preprint)?:?\s*(?:arxiv:)?\s*(\S+)$", journal, re.I)
    if aid is None and gs:
        aid = arxiv_ids.parse(gs.group(1))
        if aid:
            entry.journal = None
            if entry.type == "article":
                entry.type = "misc"
    if aid is None:
        return
    entry.arxiv_id = aid.id
    entry.arxiv_version = aid.version
    if entry.type == "online" and not (entry.journal or entry.booktitle):
        entry.type = "misc"  # biblatex's @online preprint is the catalogue's misc preprint
    for name in ("eprint", "archiveprefix", "eprinttype"):
        d.pop(name, None)
    cls = d.pop("primaryclass", None) or d.pop("eprintclass", None)
    if cls:
        entry.primary_class = cls
    if entry.url and entry.url.rstrip("/") in (f"https://arxiv.org/abs/{aid.id}",
                                               f"http://arxiv.org/abs/{aid.id}"):
        if entry.type in ("misc", "online") and not (entry.journal or entry.booktitle):
            entry.url = f"https://arxiv.org/abs/{aid.id}"


def _suffixes():
    from papershelf.model.citekeys import suffixes

    return suffixes()


# --- the reader ------------------------------------------------------------------------------

def read_string(text: str, *, source: str = "input") -> ReadResult:
    """Parse ``.bib`` text into entries, collecting what had to be skipped or renamed."""
    import bibtexparser
    from bibtexparser.model import DuplicateBlockKeyBlock

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    result = ReadResult()
    library = bibtexparser.parse_string(text, parse_stack=[])
    unknown: set[str] = set()
    strings: dict[str, str] = {}
    for s in library.strings:  # in file order: later strings may use earlier ones
        strings[s.key.lower()] = resolve(s.value, strings, unknown)

    blocks = []
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            dup = block.ignore_error_block
            if dup is not None and hasattr(dup, "fields"):
                blocks.append(dup)
                continue
        err = (str(getattr(block, "error", "") or "").strip().splitlines() or [""])[0]
        line = block.start_line + 1 if block.start_line is not None else None
        result.problems.append(Problem(line, getattr(block, "key", None),
                                       f"skipped a block bibtexparser cannot read ({err or 'malformed'})"))
    entries = sorted(list(library.entries) + blocks, key=lambda e: e.start_line or 0)

    raw: dict[str, dict[str, str]] = {}
    types: dict[str, str] = {}
    lines: dict[str, int] = {}
    taken = {e.key.strip().lower() for e in entries}
    seen: set[str] = set()
    for e in entries:
        key = e.key.strip()
        line = (e.start_line or 0) + 1
        if e.entry_type.lower() in NOT_ENTRIES:
            result.problems.append(Problem(line, key, f"@{e.entry_type} is not a work; skipped"))
            continue
        if key.lower() in seen:
            new = next(key + s for s in _suffixes() if (key + s).lower() not in taken)
            taken.add(new.lower())
            result.renamed[key] = new
            result.problems.append(Problem(line, key, f"key used twice in the file; this one is now {new!r}"))
            key = new
        seen.add(key.lower())
        fields: dict[str, str] = {}
        for f in e.fields:
            name = f.key.strip().lower()
            if not _FIELD_NAME.match(name):
                what = "a commented-out field" if name.startswith("%") else f"field name {name!r}"
                result.problems.append(Problem(line, key, f"{what} ignored"))
                continue
            value = resolve(f.value, strings, unknown, month=name == "month") \
                if isinstance(f.value, str) else str(f.value)
            if name in fields:
                result.problems.append(Problem(line, key, f"field {name!r} given twice; the first kept"))
                continue
            fields[name] = value
        raw[key] = fields
        types[key] = e.entry_type.lower()
        lines[key] = line
    if unknown:
        result.problems.append(Problem(None, None, "undefined @string macros kept as text: "
                                       + ", ".join(sorted(unknown)[:10])))
    _inherit(raw, types, result, lines)
    for key, fields in raw.items():
        if not any(fields.get(n, "").strip() for n in ("title", "author", "editor", "year", "date")):
            result.problems.append(Problem(lines[key], key, "no title, author or year: nothing to "
                                                            "cite, skipped"))
            continue
        result.entries.append(_entry(key, types[key], fields, result, lines[key]))
    return result


def read_file(path: Path, *, encoding: str | None = None) -> ReadResult:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        from papershelf.errors import NotFoundError

        raise NotFoundError(f"no such file: {path}") from None
    except OSError as exc:
        raise PapershelfError(f"cannot read {path}: {exc.strerror}") from None
    text, enc = decode_bytes(data, str(path), encoding)
    result = read_string(text, source=str(path))
    result.encoding = enc
    return result
