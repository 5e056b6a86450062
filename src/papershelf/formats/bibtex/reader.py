"""``.bib`` text → entries, over bibtexparser v2's splitter. Pure: no catalogue, no terminal.

What it does beyond splitting, in order:

* bytes → text (``papershelf.formats.bibtex.decode``): UTF-8, UTF-16, a JabRef
  ``% Encoding:`` header or the encoding the caller names; anything else is refused
  (``BibEncodingError``).
* several files are one bibliography (``Bibliography``; ``\\bibliography{a,b,c}`` reads them
  so): an ``@string`` macro an earlier file defines applies in later ones. Macros, ``#``
  concatenation and the month macros are resolved for the decoded view; a macro no file
  defines stands as its name and is reported (kind ``undefined-macro``).
* ``crossref`` and biblatex ``xdata`` are inherited across the files: missing fields come from
  the parent; a crossref parent's title becomes the child's booktitle. Cycles are reported,
  and so is a parent no file holds (kind ``dangling-crossref``). ``@xdata`` and ``@set``
  blocks are read as entries, so an export can give them back.
* each entry's fields become an ``Entry`` (``papershelf.formats.bibtex.mapping``): LaTeX
  decoded, names split, known fields to their columns, the rest to ``extra``; biblatex's
  ``ids`` become the entry's aliases.
* each entry also keeps what the file said, verbatim: ``Entry.source_type``,
  ``Entry.source_fields`` (every field of its own block as written: the text between its
  braces, macros and ``#`` resolved, LaTeX kept; parents' fields never filled in) and
  ``Entry.source_raw`` (how each value not written as one ``{…}`` group was written:
  ``month = aug``, ``journal = jair``, ``"Foo"``, ``2006``, ``jan # "~1"``), its file's
  ``@preamble`` blocks and the ``@string`` definitions its values use (from any file read
  before it), as written, so the writer can give all of it back.
* a block bibtexparser splits so that a value's braces do not nest (it ends
  ``"Simon {"}the {saint"} Templar"`` at the inner quote) is scanned again as bibtex scans it
  (``scan_fields``; a file up to ``_RESCAN_BYTES`` keeps its text for this).
* an entry with any field is read (``@misc{k, key = …, note = …}`` is citable); only a block
  with no field at all is skipped.
* Problems never stop the read: a malformed block is reported with its line and skipped; so
  is a second block with a key the file already used (bibtex and biber read only the first).
* The text is parsed in pieces (``_pieces``: cut only before an ``@`` that starts a line, every
  brace and quote before it closed), each as one parse of the whole text reads it: every
  @string of a file is read before its entries, a piece's lines are offset to the file's.
  A UTF-8 file over ``_RESCAN_BYTES`` is cut as bytes, let go, and each piece read again from
  disk (``_Reread``, BLAKE2-checked) and decoded alone. Records keep their fields packed until
  ``Bibliography.entries`` makes the entries one at a time, as the door takes them; or, read a
  piece at a time (``reading_file``), ``ready`` makes after each piece the entries no later
  block can change (the same entries: a file's @string and @preamble blocks are read before
  its first piece of entries, and an entry's @string definitions are those of its own file's
  scope, not a later file's redefinition).
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
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from papershelf.errors import NotFoundError, PapershelfError, UsageError
from papershelf.formats.bibtex.decode import BibEncodingError, decode_bytes
from papershelf.formats.bibtex.mapping import to_entry
from papershelf.formats.bibtex.values import TooLarge, balanced, megabytes, resolve, scan_fields, written_form
from papershelf.model.entry import MAX_VALUE_CHARS, Entry  # the field cap: one field or one @string

if TYPE_CHECKING:
    from bibtexparser.library import Library
    from bibtexparser.model import Entry as BibEntry
    from bibtexparser.model import String as BibString

__all__ = ["DANGLING_CROSSREF", "MAX_INPUT_BYTES", "MAX_MACRO_TOTAL_CHARS", "MAX_VALUE_CHARS",
           "UNDEFINED_MACRO", "BibEncodingError", "BibTooLargeError", "Bibliography", "Macros", "Problem",
           "ReadResult", "balanced", "check_size", "decode_bytes", "read_file", "read_string", "resolve",
           "written_form"]

# Limits (documented in the README's import section). A real .bib is a few MB at most; its
# longest field (an abstract) a few KB.
MAX_INPUT_BYTES = 200 * 1024 * 1024  # a larger file is refused whole (exit 2)
MAX_MACRO_TOTAL_CHARS = 64 * 1024 * 1024  # all expanded @string text of one file
_RESCAN_BYTES = 16 * 1024 * 1024  # a file up to this size keeps its text to re-scan a mis-split block
_PIECE_CHARS = 1024 * 1024  # the text is parsed in pieces of about this size (``_pieces``)
_STRING_AT = re.compile(r"@\s*string", re.I)  # a piece that may hold an @string block
_BYTES_STRING_AT = re.compile(rb"@\s*string", re.I)
_PREAMBLE_AT = re.compile(r"@\s*preamble", re.I)  # ... or an @preamble block
_BYTES_PREAMBLE_AT = re.compile(rb"@\s*preamble", re.I)
_NONE: frozenset[str] = frozenset()
_STR_MARKS = ("\n@", "{", "}", '"', "\n")  # what ``_pieces`` looks for
_BYTES_MARKS = (b"\n@", b"{", b"}", b'"', b"\n")


class BibTooLargeError(UsageError):
    """A .bib file (or text) larger than ``MAX_INPUT_BYTES``: nothing of it is read."""


_FIELD_NAME = re.compile(r"^[a-z_][\w:.+\-]*$")
# Types whose title a crossref child takes as its booktitle.
_CONTAINER_TYPES = frozenset({"proceedings", "book", "collection", "mvbook", "mvproceedings",
                              "mvcollection", "reference"})


# Kinds of problem that change what a document prints (the import report says them first).
UNDEFINED_MACRO = "undefined-macro"  # a value names an @string no file read defines: kept a macro
DANGLING_CROSSREF = "dangling-crossref"  # crossref/xdata names a key no file read holds


@dataclass
class Problem:
    """Something in the file the reader worked around or skipped."""

    line: int | None  # 1-based, when known
    key: str | None
    message: str
    # a stable slug for reports: undefined-macro, dangling-crossref, skipped-entry, key-renamed,
    # field-ignored, duplicate-field, unbalanced-braces, crossref-cycle… or other
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


# --- one bibliography ------------------------------------------------------------------------

@dataclass
class Macros:
    """The @string macros in scope: those of every file read so far into one bibliography, in
    definition order (bibtex reads ``\\bibliography{a,b,c}`` as one database: a macro that
    ``a.bib`` defines applies in ``c.bib``)."""

    values: dict[str, str | None] = field(default_factory=dict)  # lower name -> expanded (None: too large)
    written: dict[str, tuple[str, str]] = field(default_factory=dict)  # lower name -> (name, value as written)
    uses: dict[str, set[str]] = field(default_factory=dict)  # lower name -> macros its value names

    def scope(self) -> MacroScope:
        """The macros as they stand now: those an entry of the file read last can use (a later
        file may define a name again)."""
        return MacroScope(dict(self.written), dict(self.uses))


class MacroScope(NamedTuple):
    """The @string macros in scope at the end of one file (``Macros.scope``)."""

    written: dict[str, tuple[str, str]]
    uses: dict[str, set[str]]

    def closure(self, names: Iterable[str]) -> dict[str, str]:
        """The @string definitions (name -> value as written) that ``names`` need, the macros
        their values use included, in definition order."""
        need: set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name in need or name not in self.written:
                continue
            need.add(name)
            todo.extend(self.uses.get(name, ()))
        return dict(self.written[n] for n in self.written if n in need)


@dataclass(slots=True)
class _Record:
    """One entry block of one file: its fields (macros resolved) and how each not braced was
    written, packed (``marshal``: one bytes object, UTF-8, a record of 100,000 is held until
    ``finish``), the macros it uses; the decoded ``Entry`` is made once every file is read."""

    key: str
    type: str
    packed: bytes  # marshal of (fields, forms)
    uses: frozenset[str]
    line: int
    file: int  # index into Bibliography.results
    ids: str  # its ``ids`` field (biber finds a parent by them too)
    child: bool  # it has a crossref or xdata field: its parents may fill its fields
    blank: bool  # no field has text
    own: dict[str, str] | None = None  # a child's fields, unpacked to be filled by its parents

    @property
    def fields(self) -> dict[str, str]:
        return self.own if self.own is not None else self.unpack()[0]

    def unpack(self) -> tuple[dict[str, str], dict[str, str]]:
        import marshal

        fields, forms = marshal.loads(self.packed)
        return fields, forms


@dataclass
class _File:
    """What reading one file keeps across its pieces."""

    index: int  # into Bibliography.results
    result: ReadResult
    source_text: str | None
    line_starts: list[int] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # lower keys of its entries
    unknown: set[str] = field(default_factory=set)
    macro_total: int = 0
    # its problems in the order one parse of the whole file gives them
    string_problems: list[Problem] = field(default_factory=list)
    block_problems: list[Problem] = field(default_factory=list)
    entry_problems: list[Problem] = field(default_factory=list)


class Bibliography:
    """Several ``.bib`` files read as one bibliography, in the order LaTeX reads them: @string
    macros defined in an earlier file apply in later ones, and ``crossref``/``xdata`` find their
    parents in any of the files. ``add_text``/``add_file`` each file, then ``finish``: one
    ``ReadResult`` per file (its entries, problems, preambles)."""

    def __init__(self) -> None:
        self.macros = Macros()
        self.results: list[ReadResult] = []
        self._records: list[_Record] = []
        self._preamble_uses: list[set[str]] = []  # per file
        self._scopes: list[MacroScope] = []  # per file read
        self._making_problems: list[list[Problem]] = []  # per file: those of making its entries
        self._count = 0  # how many entries ``entries`` makes
        self._ready = 0  # records before this one were made by ``ready``
        self._stalled = False  # ``ready`` met a crossref/xdata child: the rest waits for ``entries``

    def add_file(self, path: Path, *, encoding: str | None = None) -> ReadResult:
        for _ in self.reading_file(path, encoding=encoding):
            pass
        return self.results[-1]

    def reading_file(self, path: Path, *, encoding: str | None = None) -> Iterator[None]:
        """``add_file`` a piece at a time: after each piece, ``ready`` may make entries. The
        file is opened and decoded before the first piece (a file that cannot be read raises
        then, before anything of it is read)."""
        from papershelf.files import read_input

        check_size(path)
        data = read_input(path, MAX_INPUT_BYTES, "a .bib file")  # a regular file only: never /dev/zero, a FIFO
        if encoding is None and len(data) > _RESCAN_BYTES and _utf8(data):
            # a large UTF-8 file is cut as bytes, then each piece read again and decoded alone:
            # neither its text (up to 4 bytes a character) nor its bytes stay while it is parsed
            held_bytes = [data]
            del data
            yield from self._adding(held_bytes, str(path), _PIECE_CHARS, "utf-8", path)
            return
        text, enc = decode_bytes(data, str(path), encoding)
        del data  # the bytes need not stay in memory while the text is parsed
        held = [text]
        del text  # only ``held`` holds the text: the reader lets it go once it is split
        if len(held[0]) > MAX_INPUT_BYTES:
            raise BibTooLargeError(f"{path} is larger than the {megabytes(MAX_INPUT_BYTES)} limit; nothing read")
        yield from self._adding(held, str(path), _PIECE_CHARS, enc)

    def add_text(self, held: list[str], source: str, *, piece_chars: int = 0) -> ReadResult:
        """Read the text ``held`` holds (taken out of it). The text is parsed in pieces of about
        ``piece_chars`` characters (``_PIECE_CHARS`` by default), cut only before an ``@`` that
        starts a line with every brace and quote before it closed, so bibtexparser never holds
        more than one piece's blocks; what a piece gives is exactly what one parse of the whole
        text gives (every @string of the file is read before any entry, as one parse does)."""
        if len(held[0]) > MAX_INPUT_BYTES:
            raise BibTooLargeError(f"{source} is larger than the {megabytes(MAX_INPUT_BYTES)} limit; nothing read")
        return self._add(held, source, piece_chars or _PIECE_CHARS)

    def _add(self, held: list[str] | list[bytes], source: str, piece_chars: int,
             path: Path | None = None) -> ReadResult:
        for _ in self._adding(held, source, piece_chars, "utf-8", path):
            pass
        return self.results[-1]

    def _adding(self, held: list[str] | list[bytes], source: str, piece_chars: int, encoding: str,
                path: Path | None = None) -> Iterator[None]:
        """``add_text``'s work, over the text or (a large file, ``path``) its UTF-8 bytes; it
        stops after each piece's records (see ``reading_file``)."""
        text = held.pop()
        result = ReadResult(encoding=encoding)
        index = len(self.results)
        self.results.append(result)
        self._making_problems.append([])
        if isinstance(text, str):
            pieces = _pieces(text, piece_chars, _STR_MARKS)
            string_at: re.Pattern[str] | re.Pattern[bytes] = _STRING_AT
            preamble_at: re.Pattern[str] | re.Pattern[bytes] = _PREAMBLE_AT
        else:
            pieces, string_at, preamble_at = _pieces(text, piece_chars, _BYTES_MARKS), _BYTES_STRING_AT, \
                _BYTES_PREAMBLE_AT
        # kept (a small file only) to scan again a block bibtexparser splits wrong (``scan_fields``)
        source_text = text if isinstance(text, str) and len(text) <= _RESCAN_BYTES else None
        with_strings = [string_at.search(text, a, b) is not None for a, b, _ in pieces]  # type: ignore[arg-type]
        with_preambles = [preamble_at.search(text, a, b) is not None for a, b, _ in pieces]  # type: ignore[arg-type]
        file = _File(index, result, source_text)
        reread: _Reread | None = None
        if isinstance(text, bytes) and path is not None:
            reread = _Reread(path, text, str(path))
            del text  # read again, a piece at a time
            piece: Callable[[int, int], str] = reread.piece
        else:
            def piece(a: int, b: int) -> str:
                return _piece(text, a, b)
        try:
            yield from self._adding_pieces(pieces, with_strings, with_preambles, piece, file, reread)
        finally:
            if reread is not None:
                reread.close()

    def _adding_pieces(self, pieces: list[tuple[int, int, int]], with_strings: list[bool],
                       with_preambles: list[bool], piece: Callable[[int, int], str], file: _File,
                       reread: _Reread | None) -> Iterator[None]:
        result = file.result
        # every @string and @preamble of the file first, in file order: an entry may use a
        # macro defined below it, and every entry of the file carries all its preambles
        later: dict[int, list[BibString]] = {}  # piece -> its @strings a piece before defined already
        names: set[str] = set()
        preambles: list[str] = []
        opening: Library | None = None  # the first piece's parse, kept for its entries
        for i, (a, b, first_line) in enumerate(pieces):
            if not (with_strings[i] or with_preambles[i]):
                continue
            library = _parse(piece(a, b))
            if i == 0:
                opening = library
            preambles.extend(p.value.strip() for p in library.preambles)
            for s in library.strings:
                if s.key in names:  # a duplicate one parse reports as a failed block
                    later.setdefault(i, []).append(s)
                    continue
                names.add(s.key)
                self._add_string(s, first_line, file)
        result.preambles = list(dict.fromkeys(preambles))
        pre_uses: set[str] = set()  # the macros the preambles use travel with every entry of the file
        for p in result.preambles:
            try:
                resolve(p, self.macros.values, set(), used=pre_uses)
            except TooLarge:
                pass
        self._preamble_uses.append(pre_uses)
        self._scopes.append(self.macros.scope())  # every macro the file's entries can use is known
        if reread is not None:
            reread.restart(first_read=opening is not None)
        for i, (a, b, first_line) in enumerate(pieces):
            library = opening if i == 0 and opening is not None else _parse(piece(a, b))
            opening = None
            entries: list[BibEntry | None] = list(_blocks(library, file.block_problems, first_line, later.get(i, ())))
            del library  # the blocks are all that is needed of it now
            for j, e in enumerate(entries):
                assert e is not None
                entries[j] = None  # read once: let the block (and its raw text) go
                self._add_entry(e, (e.start_line or 0) + first_line, file)
            if i < len(pieces) - 1:
                yield
        if reread is not None:
            reread.check(pieces[-1][1])
        result.problems.extend(file.string_problems + file.block_problems + file.entry_problems)
        yield

    def _add_string(self, s: BibString, first_line: int, file: _File) -> None:
        macros = self.macros
        room = MAX_MACRO_TOTAL_CHARS - file.macro_total
        name = s.key.lower()
        used: set[str] = set()
        try:
            value = resolve(s.value, macros.values, file.unknown, limit=min(MAX_VALUE_CHARS, room), used=used)
        except TooLarge as exc:
            macros.values[name] = None
            line = s.start_line + first_line + 1 if s.start_line is not None else None
            what = exc.what if room >= MAX_VALUE_CHARS or "uses" in exc.what else \
                f"would bring all @string text past the {megabytes(MAX_MACRO_TOTAL_CHARS)} limit"
            file.string_problems.append(Problem(line, None, f"@string {s.key!r} {what}; skipped", "skipped-string"))
            return
        file.macro_total += len(value)
        macros.values[name] = value
        macros.written[name] = (s.key, s.value.strip())
        macros.uses[name] = used
        file.result.strings.setdefault(s.key, s.value.strip())

    def _add_entry(self, e: BibEntry, start_line: int, file: _File) -> None:
        """One entry block (``start_line``: its 0-based line in the file) → a ``_Record``."""
        problems = file.entry_problems
        key = e.key.strip()
        line = start_line + 1
        if key.lower() in file.seen:  # as bibtex ("Repeated entry") and biber ("Duplicate entry key") do
            problems.append(Problem(line, key, "key used twice in the file: bibtex and biber read "
                                               "only the first, so this block is not imported", "skipped-entry"))
            return
        file.seen.add(key.lower())
        fields: dict[str, str] = {}
        forms: dict[str, str] = {}
        uses: set[str] = set()
        missing: set[str] = set()
        pairs = [(f.key, f.value if isinstance(f.value, str) else str(f.value)) for f in e.fields]
        source_text = file.source_text
        if source_text is not None and not all(balanced(v) for _, v in pairs):
            # bibtexparser ends "…{"}…" at the inner quote: scan the block as bibtex does
            if not file.line_starts:
                file.line_starts = [0] + [m.end() for m in re.finditer("\n", source_text)]
            at = file.line_starts[min(start_line, len(file.line_starts) - 1)]
            pairs = scan_fields(source_text[at:at + 2 * MAX_VALUE_CHARS]) or pairs
        for field_name, raw_value in pairs:
            name = field_name.strip().lower()
            if not _FIELD_NAME.match(name):
                what = "a commented-out field" if name.startswith("%") else f"field name {name!r}"
                problems.append(Problem(line, key, f"{what} ignored", "field-ignored"))
                continue
            try:
                value = resolve(raw_value, self.macros.values, missing, month=name == "month", used=uses)
            except TooLarge as exc:
                problems.append(Problem(line, key, f"field {name!r} {exc.what}; "
                                                   "entry skipped (nothing imported from it)", "skipped-entry"))
                return
            if name in fields:
                problems.append(Problem(line, key, f"field {name!r} given twice; the first kept", "duplicate-field"))
                continue
            fields[name] = value
            form = written_form(raw_value)
            if form is not None:
                forms[name] = form
        if missing:
            file.unknown |= missing
            problems.append(Problem(
                line, key, "undefined @string macro " + ", ".join(sorted(missing)) + ": kept a macro "
                "(an export writes it bare, as the file did)", UNDEFINED_MACRO))
        import marshal

        self._records.append(_Record(key, e.entry_type.lower(), marshal.dumps((fields, forms)),
                                     frozenset(uses) if uses else _NONE, line, file.index, fields.get("ids", ""),
                                     "crossref" in fields or "xdata" in fields,
                                     not any(v.strip() for v in fields.values())))

    def finish(self, known: Callable[[str], bool] | None = None) -> list[ReadResult]:
        """Inherit crossref/xdata parents across every file read, make the entries: one
        ``ReadResult`` per file, in the order read. A parent no file holds is reported unless
        ``known`` says the key cites an entry elsewhere (in the catalogue)."""
        for index, entry in self._made(known):
            self.results[index].entries.append(entry)
        return self.results

    def entries(self, known: Callable[[str], bool] | None = None) -> Made:
        """What ``finish`` makes (less what ``ready`` made), made as they are taken, one at a
        time (so an import holds no more of them than its consumer does): parents are inherited
        now; each file's problems are complete once the last is taken; ``results`` has no
        entries."""
        making = self._made(known)  # inherits now, and counts
        return Made(making, self._count)

    def ready(self) -> Iterator[Entry]:
        """The entries that can be made before every file is read, in order: those of the
        records read so far, up to the first one with a crossref or xdata field (its parents
        may come later; it and every record after it wait for ``entries``). What an entry is
        does not depend on when it is made: a file's macros and preambles are all read before
        its first piece of entries, and each entry's @string definitions are its own file's
        (``Macros.scope``). Made entries are counted here, not by ``entries``."""
        records = self._records
        while not self._stalled and self._ready < len(records):
            rec = records[self._ready]
            if rec.child:
                self._stalled = True
                return
            self._ready += 1
            entry = self._entry(rec, None)
            if entry is not None:
                yield entry

    def _made(self, known: Callable[[str], bool] | None) -> Iterator[tuple[int, Entry]]:
        by_key: dict[str, _Record] = {}
        for rec in self._records:
            by_key.setdefault(rec.key.lower(), rec)  # bibtex takes the first of a key
        for rec in self._records:  # biber finds a parent by one of its ids too
            for alias in rec.ids.split(","):
                by_key.setdefault(alias.strip().lower(), rec)
        verbatim: dict[int, dict[str, str]] = {}  # the fields as written, before parents fill them
        for rec in self._records:
            if rec.child:  # (only a child's change)
                rec.own = rec.unpack()[0]
                verbatim[id(rec)] = dict(rec.own)
        done: set[int] = set()
        for rec in self._records:
            self._inherit(rec, by_key, (), done, known)
        del by_key, done
        records, self._records = self._records[self._ready:][::-1], []
        for rec in records:
            if rec.own is not None:
                rec.blank = not any(v.strip() for v in rec.own.values())
        self._count = sum(1 for rec in records if not rec.blank)
        return self._making(records, verbatim)

    def _making(self, records: list[_Record], verbatim: dict[int, dict[str, str]]) -> Iterator[tuple[int, Entry]]:
        while records:
            rec = records.pop()  # let each record go once its entry is made
            entry = self._entry(rec, verbatim.pop(id(rec), None))
            if entry is not None:
                yield rec.file, entry
        # a file's problems: those of reading it, of its parents, then of making its entries
        for result, making in zip(self.results, self._making_problems, strict=True):
            result.problems.extend(making)
            making.clear()

    def _entry(self, rec: _Record, source_fields: dict[str, str] | None) -> Entry | None:
        result = self.results[rec.file]
        problems = self._making_problems[rec.file]  # after the file's others (``_making``)
        fields, forms = rec.unpack()
        if rec.own is not None:
            fields = rec.own
        if source_fields is None:
            source_fields = dict(fields)
        if rec.blank:
            problems.append(Problem(rec.line, rec.key, "no field: nothing to cite, skipped", "skipped-entry"))
            return None
        entry, notes = to_entry(rec.key, rec.type, fields)
        entry.source_type = rec.type
        entry.source_fields = source_fields
        entry.source_raw = {n: v for n, v in forms.items() if n in source_fields}
        for name, value in list(entry.source_fields.items()):
            if not balanced(value):  # cannot be written back as it is: generated from the decoded view
                del entry.source_fields[name]
                entry.source_raw.pop(name, None)
                entry.edited.append(name)
                problems.append(Problem(rec.line, rec.key, f"field {name!r} has unbalanced braces; "
                                                                  "an export writes it from its decoded text",
                                                                  "unbalanced-braces"))
        ids = source_fields.get("ids")
        if ids:  # biblatex's other keys of the entry: they cite it too
            entry.aliases = list(dict.fromkeys(
                a for a in (p.strip() for p in ids.split(",")) if a and a.lower() != rec.key.lower()))
        entry.bib_preambles = result.preambles
        entry.bib_strings = self._scopes[rec.file].closure(rec.uses | self._preamble_uses[rec.file])
        problems.extend(Problem(rec.line, rec.key, note) for note in notes)
        return entry

    def _inherit(self, rec: _Record, by_key: dict[str, _Record], seen: tuple[int, ...], done: set[int],
                 known: Callable[[str], bool] | None) -> None:
        """Fill ``rec``'s missing fields from its crossref and xdata parents (cycle-safe)."""
        if id(rec) in done or not rec.child:  # (a record with neither field has no parent)
            return
        done.add(id(rec))
        result = self.results[rec.file]
        parents: list[tuple[str, str]] = []
        if rec.fields.get("crossref", "").strip():
            parents.append(("crossref", rec.fields["crossref"].strip()))
        parents += [("xdata", k.strip()) for k in rec.fields.get("xdata", "").split(",") if k.strip()]
        for how, ref in parents:
            parent = by_key.get(ref.lower())
            if parent is None:
                if known is not None and known(ref):
                    continue
                result.problems.append(Problem(rec.line, rec.key, f"{how} {ref!r} names no entry of the "
                                               "files read; kept as a field", DANGLING_CROSSREF))
                continue
            if parent is rec or id(parent) in seen:
                result.problems.append(Problem(rec.line, rec.key, f"{how} cycle through {parent.key!r}",
                                               "crossref-cycle"))
                continue
            self._inherit(parent, by_key, seen + (id(rec),), done, known)
            for name, value in parent.fields.items():
                if name in ("crossref", "xdata", "ids", "key", "entryset"):
                    continue
                if name == "title" and how == "crossref":
                    if parent.type in _CONTAINER_TYPES:
                        rec.fields.setdefault("booktitle", value)
                    continue
                rec.fields.setdefault(name, value)
        rec.fields.pop("crossref", None)
        rec.fields.pop("xdata", None)


class Made:
    """The entries ``Bibliography.entries`` makes, taken once, front to back; its ``len`` is how
    many there are (the door's progress counts them)."""

    def __init__(self, making: Iterator[tuple[int, Entry]], count: int):
        self._making, self._count = making, count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Entry]:
        for _, entry in self._making:
            yield entry


# --- the reader ------------------------------------------------------------------------------

def _parse(text: str) -> Library:
    import bibtexparser

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    return bibtexparser.parse_string(text, parse_stack=[])


_T = TypeVar("_T", str, bytes)


def _pieces(text: _T, size: int, marks: tuple[_T, _T, _T, _T, _T]) -> list[tuple[int, int, int]]:
    """``text`` cut into pieces of about ``size`` characters: (start, end, line of start). A cut
    is made only before an ``@`` that starts a line, where the text since the last cut has as
    many ``{`` as ``}`` and an even number of ``"`` (so no block or value is cut in two).
    ``marks``: those strings (and the newline) as ``text`` spells them (UTF-8 bytes or str)."""
    at_line, opening, closing, quote, newline = marks
    out: list[tuple[int, int, int]] = []
    start, line, n = 0, 0, len(text)
    while n - start > size:
        scanned, depth, quotes = start, 0, 0
        at = text.find(at_line, start + size)
        while at >= 0:
            at += 1
            depth += text.count(opening, scanned, at) - text.count(closing, scanned, at)
            quotes += text.count(quote, scanned, at)
            scanned = at
            if depth == 0 and quotes % 2 == 0:
                break
            at = text.find(at_line, at)
        if at < 0:
            break
        out.append((start, at, line))
        line += text.count(newline, start, at)
        start = at
    out.append((start, n, line))
    return out


class _Reread:
    """A large file's pieces read again from disk, each decoded alone, once its bytes are cut
    (``_pieces``) and let go. Read in order (after ``restart``), the pieces must be the bytes
    that were cut (``check``: their CRC-32, which any change made while the file is read
    shows, at a tenth of a cryptographic digest's cost), or the file changed while it was
    read."""

    def __init__(self, path: Path, data: bytes, name: str):
        self.name = name
        self.crc = zlib.crc32(data)
        self.fh = open(path, "rb")  # noqa: SIM115 (closed by ``close``, in ``Bibliography._add``'s finally)
        self.running, self.at = 0, 0
        self._first: tuple[int, int] | None = None  # (running CRC, end) once the first piece is read

    def restart(self, *, first_read: bool = False) -> None:
        """Read the pieces in order again, from the first (``first_read``: from the second; the
        first one was read in order and is not read again)."""
        self.running, self.at = self._first if first_read and self._first is not None else (0, 0)

    def piece(self, start: int, end: int) -> str:
        self.fh.seek(start)
        data = self.fh.read(end - start)
        if start == self.at:
            self.running, self.at = zlib.crc32(data, self.running), end
            if start == 0:
                self._first = (self.running, end)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise self._changed() from None

    def check(self, size: int) -> None:
        if self.at != size or self.running != self.crc or self.fh.read(1):
            raise self._changed()

    def _changed(self) -> PapershelfError:
        return PapershelfError(f"{self.name} changed while it was read; nothing read",
                               hint="import it again once it is saved")

    def close(self) -> None:
        self.fh.close()


def _piece(text: str | bytes, start: int, end: int) -> str:
    return text[start:end] if isinstance(text, str) else text[start:end].decode("utf-8")


def _utf8(data: bytes) -> bool:
    """Whether ``decode_bytes`` would read ``data`` as UTF-8 without a BOM (checked a slice at a
    time: the whole text is never made)."""
    import codecs

    head = data[:200]
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or \
            (head and head.count(0) * 3 > len(head)):
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for i in range(0, len(data), 1 << 20):
            decoder.decode(view[i:i + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _blocks(library: Library, problems: list[Problem], first_line: int = 0,
            later: Iterable[BibString] = ()) -> list[BibEntry]:
    """The library's entries in file order: a second block with a key already used is kept
    (it is renamed later), a block bibtexparser cannot read is reported (so is an @string
    whose name an earlier piece of the file defined: ``later``, as one parse would)."""
    from bibtexparser.model import DuplicateBlockKeyBlock
    from bibtexparser.model import Entry as BibEntry

    blocks: list[BibEntry] = list(library.entries)
    failed: list[tuple[int, Problem]] = []
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(block.ignore_error_block, BibEntry):
            blocks.append(block.ignore_error_block)
            continue
        err = (str(getattr(block, "error", "") or "").strip().splitlines() or [""])[0]
        line = block.start_line + first_line + 1 if block.start_line is not None else None
        failed.append((line or 0, Problem(line, getattr(block, "key", None),
                                          f"skipped a block bibtexparser cannot read ({err or 'malformed'})",
                                          "skipped-entry")))
    for s in later:
        line = s.start_line + first_line + 1 if s.start_line is not None else None
        failed.append((line or 0, Problem(line, s.key, "skipped a block bibtexparser cannot read "
                                          f"(Duplicate entry key '{s.key}')", "skipped-entry")))
    if later:
        failed.sort(key=lambda f: f[0])
    problems.extend(p for _, p in failed)
    return sorted(blocks, key=lambda e: e.start_line or 0)


def read_string(text: str, *, source: str = "input") -> ReadResult:
    """Parse ``.bib`` text into entries, collecting what had to be skipped or renamed."""
    bib = Bibliography()
    bib.add_text([text], source)
    return bib.finish()[0]


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
    """One ``.bib`` file, read as a bibliography of its own (``Bibliography`` for several)."""
    bib = Bibliography()
    bib.add_file(path, encoding=encoding)
    return bib.finish()[0]
