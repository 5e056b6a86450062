"""``.bib`` text → entries, over bibtexparser v2's splitter. Pure: no catalogue, no terminal.

What it does beyond splitting, in order:

* bytes → text (``papershelf.formats.bibtex.decode``): UTF-8, UTF-16, a JabRef
  ``% Encoding:`` header or the encoding the caller names; anything else is refused
  (``BibEncodingError``).
* ``@string`` macros, ``#`` concatenation and the month macros are resolved (bibtexparser's
  own middleware does whole-value references only).
* ``crossref`` is inherited: missing fields come from the parent; a parent's title becomes the
  child's booktitle. Cycles and missing parents are reported.
* each entry's fields become an ``Entry`` (``papershelf.formats.bibtex.mapping``): LaTeX
  decoded, names split, known fields to their columns, the rest to ``extra``.
* each entry also keeps what the file said, verbatim (``Entry.source_type``,
  ``Entry.source_fields``: every field of its own block as written, macros and ``#``
  resolved, braces and LaTeX kept, a bare month macro kept as its name), and the file's
  ``@preamble`` and ``@string`` blocks as written, so the writer can give all of it back.
* an entry with any field is read (``@misc{k, key = …, note = …}`` is citable); only a block
  with no field at all is skipped.
* an arXiv eprint shared by entries with different DOIs is not taken as their arXiv id.
* Problems never stop the read: a malformed block is reported with its line and skipped, a
  key used twice gets a suffix (``key`` → ``keya``) and is reported.
* Memory stays bounded: a file over ``MAX_INPUT_BYTES`` is refused whole (``BibTooLargeError``,
  exit 2); an ``@string`` whose expanded value would pass ``MAX_VALUE_CHARS``, or that would
  bring all expanded macro text past ``MAX_MACRO_TOTAL_CHARS``, is reported and skipped (so is
  every entry or macro that uses it); an entry with a field over ``MAX_VALUE_CHARS`` is
  reported and skipped whole, never truncated. Sizes are checked before a ``#`` concatenation
  is built, so doubling macros cannot grow exponentially.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papershelf.errors import NotFoundError, PapershelfError, UsageError
from papershelf.formats.bibtex.decode import BibEncodingError, decode_bytes
from papershelf.formats.bibtex.mapping import MONTH_NAMES, to_entry
from papershelf.model.citekeys import suffixes
from papershelf.model.entry import Entry

if TYPE_CHECKING:
    from bibtexparser.library import Library
    from bibtexparser.model import Entry as BibEntry

__all__ = ["MAX_INPUT_BYTES", "MAX_MACRO_TOTAL_CHARS", "MAX_VALUE_CHARS", "BibEncodingError",
           "BibTooLargeError", "Problem", "ReadResult", "check_size", "decode_bytes", "read_file",
           "read_string", "resolve"]

# Limits (documented in the README's import section). A real .bib is a few MB at most; its
# longest field (an abstract) a few KB.
MAX_INPUT_BYTES = 200 * 1024 * 1024  # a larger file is refused whole (exit 2)
MAX_VALUE_CHARS = 1024 * 1024  # one field or one expanded @string; larger: reported and skipped
MAX_MACRO_TOTAL_CHARS = 64 * 1024 * 1024  # all expanded @string text of one file


class BibTooLargeError(UsageError):
    """A .bib file (or text) larger than ``MAX_INPUT_BYTES``: nothing of it is read."""


class _TooLarge(Exception):
    """A value over the limit (internal: the reader turns it into a problem)."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"

MONTH_MACROS = {name[:3]: i for i, name in enumerate(MONTH_NAMES, 1)}
NOT_ENTRIES = frozenset({"set", "xdata"})
_FIELD_NAME = re.compile(r"^[a-z_][\w:.+\-]*$")
# Types whose title a crossref child takes as its booktitle.
_CONTAINER_TYPES = frozenset({"proceedings", "book", "collection", "mvbook", "mvproceedings",
                              "mvcollection", "reference"})


@dataclass
class Problem:
    """Something in the file the reader worked around or skipped."""

    line: int | None  # 1-based, when known
    key: str | None
    message: str
    # a stable slug for reports: undefined-macro, dangling-crossref, skipped-entry, key-renamed,
    # field-ignored, duplicate-field, unbalanced-braces, shared-eprint, crossref-cycle… or other
    kind: str = "other"

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "?"
        return f"{where}: {self.key + ': ' if self.key else ''}{self.message}"


@dataclass
class ReadResult:
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # duplicate key in the file -> new key
    encoding: str = "utf-8"
    preambles: list[str] = field(default_factory=list)  # @preamble values as written
    strings: dict[str, str] = field(default_factory=dict)  # @string name -> value as written


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


def resolve(raw: str, strings: Mapping[str, str | None], unknown: set[str], *, month: bool = False,
            limit: int = MAX_VALUE_CHARS) -> str:
    """A raw field value with enclosing braces/quotes removed and macros expanded.

    A macro mapped to None was skipped (too large). Raises ``_TooLarge`` when the value would
    pass ``limit`` characters or uses a skipped macro, before the value is built."""
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and "#" not in raw:
        if len(raw) - 2 > limit:
            raise _TooLarge(f"is {_mb(len(raw) - 2)}, over the {_mb(limit)} limit")
        return raw[1:-1]
    out: list[str] = []
    size = 0
    parts = _split_concat(raw)
    if len(parts) == 1 and parts[0].lower() in MONTH_MACROS and parts[0].lower() not in strings:
        return parts[0].lower()  # a bare month macro stays one (``month = jan``)
    for part in parts:
        name = part.lower()
        if (part.startswith("{") and part.endswith("}")) or (
                part.startswith('"') and part.endswith('"') and len(part) >= 2):
            piece = part[1:-1]
        elif part.isdigit():
            piece = part
        elif name in strings:
            value = strings[name]
            if value is None:
                raise _TooLarge(f"uses @string {part!r}, which was skipped as too large")
            piece = value
        elif name in MONTH_MACROS:
            piece = MONTH_NAMES[MONTH_MACROS[name] - 1].capitalize()
        elif part:
            unknown.add(part)
            piece = part
        else:
            continue
        size += len(piece)
        if size > limit:  # checked before joining: doubling macros cannot grow exponentially
            raise _TooLarge(f"would expand past the {_mb(limit)} limit")
        out.append(piece)
    return "".join(out)


_BRACES = re.compile(r"[^{}]+")


def balanced(value: str) -> bool:
    """Whether ``value``'s braces nest (a value BibTeX can read between braces)."""
    if "{" not in value and "}" not in value:
        return True
    depth = 0
    for c in _BRACES.sub("", value):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


# --- crossref --------------------------------------------------------------------------------

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
                                           f"crossref {parent_ref!r} is not in the file; kept as a field",
                                           "dangling-crossref"))
            return fields
        if parent in seen:
            result.problems.append(Problem(lines.get(key), key, f"crossref cycle through {parent!r}",
                                           "crossref-cycle"))
            fields.pop("crossref", None)
            return fields
        pfields = resolved(parent, seen + (key,))
        for name, value in pfields.items():
            if name in ("crossref", "ids", "key"):
                continue
            if name == "title":
                if types[parent] in _CONTAINER_TYPES:
                    fields.setdefault("booktitle", value)
                continue
            fields.setdefault(name, value)
        fields.pop("crossref", None)
        return fields

    for key in raw:
        resolved(key, ())


# --- the reader ------------------------------------------------------------------------------

def _blocks(library: Library, result: ReadResult) -> list[BibEntry]:
    """The library's entries in file order: a second block with a key already used is kept
    (it is renamed later), a block bibtexparser cannot read is reported."""
    from bibtexparser.model import DuplicateBlockKeyBlock
    from bibtexparser.model import Entry as BibEntry

    blocks: list[BibEntry] = list(library.entries)
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(block.ignore_error_block, BibEntry):
            blocks.append(block.ignore_error_block)
            continue
        err = (str(getattr(block, "error", "") or "").strip().splitlines() or [""])[0]
        line = block.start_line + 1 if block.start_line is not None else None
        result.problems.append(Problem(line, getattr(block, "key", None),
                                       f"skipped a block bibtexparser cannot read ({err or 'malformed'})",
                                       "skipped-entry"))
    return sorted(blocks, key=lambda e: e.start_line or 0)


def read_string(text: str, *, source: str = "input") -> ReadResult:
    """Parse ``.bib`` text into entries, collecting what had to be skipped or renamed."""
    return _read([text], source)


def _read(held: list[str], source: str) -> ReadResult:
    """``read_string`` of the text ``held`` holds (taken out of it, so that once it is split
    into blocks, the text can go; so can each block once its fields are read)."""
    import bibtexparser

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    if len(held[0]) > MAX_INPUT_BYTES:
        raise BibTooLargeError(f"{source} is larger than the {_mb(MAX_INPUT_BYTES)} limit; nothing read")
    result = ReadResult()
    library = bibtexparser.parse_string(held.pop(), parse_stack=[])
    unknown: set[str] = set()
    strings: dict[str, str | None] = {}  # None: skipped as too large
    macro_total = 0
    for s in library.strings:  # in file order: later strings may use earlier ones
        room = MAX_MACRO_TOTAL_CHARS - macro_total
        try:
            value = resolve(s.value, strings, unknown, limit=min(MAX_VALUE_CHARS, room))
        except _TooLarge as exc:
            strings[s.key.lower()] = None
            line = s.start_line + 1 if s.start_line is not None else None
            what = exc.what if room >= MAX_VALUE_CHARS or "uses" in exc.what else \
                f"would bring all @string text past the {_mb(MAX_MACRO_TOTAL_CHARS)} limit"
            result.problems.append(Problem(line, None, f"@string {s.key!r} {what}; skipped", "skipped-string"))
            continue
        macro_total += len(value)
        strings[s.key.lower()] = value
        result.strings.setdefault(s.key, s.value.strip())
    result.preambles = list(dict.fromkeys(p.value.strip() for p in library.preambles))
    entries: list[BibEntry | None] = list(_blocks(library, result))
    del library  # the blocks are all that is needed of it now

    raw: dict[str, dict[str, str]] = {}
    types: dict[str, str] = {}
    lines: dict[str, int] = {}
    taken = {e.key.strip().lower() for e in entries if e is not None}
    seen: set[str] = set()
    for i, e in enumerate(entries):
        assert e is not None
        entries[i] = None  # read once: let the block (and its raw text) go
        key = e.key.strip()
        line = (e.start_line or 0) + 1
        if e.entry_type.lower() in NOT_ENTRIES:
            result.problems.append(Problem(line, key, f"@{e.entry_type} is not a work; skipped", "skipped-entry"))
            continue
        if key.lower() in seen:
            new = next(key + s for s in suffixes() if (key + s).lower() not in taken)
            taken.add(new.lower())
            result.renamed[key] = new
            result.problems.append(Problem(line, key, f"key used twice in the file; this one is now {new!r}",
                                          "key-renamed"))
            key = new
        seen.add(key.lower())
        fields: dict[str, str] = {}
        too_large = False
        for f in e.fields:
            name = f.key.strip().lower()
            if not _FIELD_NAME.match(name):
                what = "a commented-out field" if name.startswith("%") else f"field name {name!r}"
                result.problems.append(Problem(line, key, f"{what} ignored", "field-ignored"))
                continue
            try:
                value = resolve(f.value, strings, unknown, month=name == "month") \
                    if isinstance(f.value, str) else str(f.value)
            except _TooLarge as exc:
                result.problems.append(Problem(line, key, f"field {name!r} {exc.what}; "
                                                          "entry skipped (nothing imported from it)",
                                                  "skipped-entry"))
                too_large = True
                break
            if name in fields:
                result.problems.append(Problem(line, key, f"field {name!r} given twice; the first kept",
                                                  "duplicate-field"))
                continue
            fields[name] = value
        if too_large:
            continue
        raw[key] = fields
        types[key] = e.entry_type.lower()
        lines[key] = line
    if unknown:
        result.problems.append(Problem(None, None, "undefined @string macros kept as text: "
                                       + ", ".join(sorted(unknown)[:10]), "undefined-macro"))
    verbatim = {key: dict(fields) for key, fields in raw.items()}  # before crossref fills them
    _inherit(raw, types, result, lines)
    for key in list(raw):
        fields, source_fields = raw.pop(key), verbatim.pop(key)  # each entry's fields go once read
        if not any(v.strip() for v in fields.values()):
            result.problems.append(Problem(lines[key], key, "no field: nothing to cite, skipped", "skipped-entry"))
            continue
        entry, notes = to_entry(key, types[key], fields)
        entry.source_type = types[key]
        entry.source_fields = source_fields
        for name, value in list(entry.source_fields.items()):
            if not balanced(value):  # cannot be written back as it is: generated from the decoded view
                del entry.source_fields[name]
                entry.edited.append(name)
                result.problems.append(Problem(lines[key], key, f"field {name!r} has unbalanced braces; "
                                                                "an export writes it from its decoded text",
                                                                "unbalanced-braces"))
        entry.bib_preambles = result.preambles
        entry.bib_strings = result.strings
        result.problems.extend(Problem(lines[key], key, note) for note in notes)
        result.entries.append(entry)
    _shared_eprints(result, lines)
    return result


def _shared_eprints(result: ReadResult, lines: dict[str, int]) -> None:
    """An arXiv eprint that entries with different DOIs share (a reference manager's copy-paste
    slip) identifies none of them: it stays a field (and in the verbatim text), not their id."""
    groups: dict[str, list[Entry]] = {}
    for entry in result.entries:
        if entry.arxiv_id:
            groups.setdefault(entry.arxiv_id, []).append(entry)
    for arxiv_id, group in groups.items():
        if len({e.doi.lower() for e in group if e.doi}) < 2:
            continue
        for entry in group:
            entry.arxiv_id, entry.arxiv_version, entry.primary_class = None, None, None
            for name in ("eprint", "archiveprefix", "eprinttype", "primaryclass", "eprintclass"):
                if entry.source_fields.get(name):
                    entry.extra[name] = " ".join(entry.source_fields[name].split())
            result.problems.append(Problem(lines.get(entry.citekey), entry.citekey,
                                           f"eprint {arxiv_id} is shared by {len(group)} entries with "
                                           "different DOIs: kept as a field, not used as the arXiv id",
                                           "shared-eprint"))


def check_size(path: Path) -> None:
    """Refuse a file over ``MAX_INPUT_BYTES`` before any of it is read (``BibTooLargeError``)."""
    try:
        size = Path(path).stat().st_size
    except FileNotFoundError:
        raise NotFoundError(f"no such file: {path}") from None
    except OSError as exc:
        raise PapershelfError(f"cannot read {path}: {exc.strerror}") from None
    if size > MAX_INPUT_BYTES:
        raise BibTooLargeError(f"{path} is {size:,} bytes, over the {MAX_INPUT_BYTES:,}-byte limit "
                               "for a .bib file; nothing imported", hint="split it into smaller files")


def read_file(path: Path, *, encoding: str | None = None) -> ReadResult:
    check_size(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"no such file: {path}") from None
    except OSError as exc:
        raise PapershelfError(f"cannot read {path}: {exc.strerror}") from None
    text, enc = decode_bytes(data, str(path), encoding)
    del data  # the bytes need not stay in memory while the text is parsed
    held = [text]
    del text  # only ``held`` holds the text: the reader lets it go once it is split
    result = _read(held, str(path))
    result.encoding = enc
    return result
