"""The reader parses a file in pieces (``reader._pieces``) so that bibtexparser never holds every
block of a large file at once. What it reads must not depend on where the text is cut: over every
.bib file of the shared corpus, a read cut before every ``@`` it may cut at gives exactly the
ReadResult of one parse of the whole text (entries with every field, source_fields, source_raw,
@string closures and preambles; problems with their lines, in order; strings; renamed keys).
And the memory a read holds grows with a piece, not with the file (tracemalloc, no timing)."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest

from papershelf.errors import PapershelfError
from papershelf.formats.bibtex import reader
from papershelf.formats.bibtex.reader import (
    _STR_MARKS,
    BibEncodingError,
    Bibliography,
    ReadResult,
    _pieces,
    _utf8,
    decode_bytes,
)
from papershelf.model.entry import Entry

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "bib"
FILES = sorted(SHARED.rglob("*.bib")) if SHARED.is_dir() else []
LARGE = bool(os.environ.get("CI") or os.environ.get("PAPERSHELF_TEST_LARGE"))


def _read(texts: list[str], piece_chars: int) -> list[ReadResult]:
    bib = Bibliography()
    for i, text in enumerate(texts):
        bib.add_text([text], f"file{i}", piece_chars=piece_chars)
    return bib.finish()


def _same(cut: list[ReadResult], whole: list[ReadResult]) -> None:
    assert len(cut) == len(whole)
    for a, b in zip(cut, whole, strict=True):
        assert [str(p) + p.kind for p in a.problems] == [str(p) + p.kind for p in b.problems]
        assert a.problems == b.problems
        assert (a.strings, a.preambles, a.renamed) == (b.strings, b.preambles, b.renamed)
        assert [e.citekey for e in a.entries] == [e.citekey for e in b.entries]
        for x, y in zip(a.entries, b.entries, strict=True):
            assert (x.source_fields, x.source_raw, x.bib_strings, x.bib_preambles) == \
                (y.source_fields, y.source_raw, y.bib_strings, y.bib_preambles), x.citekey
            assert x == y, x.citekey


@pytest.mark.skipif(not FILES, reason=f"the shared corpus is not at {SHARED}")
@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(SHARED)) for p in FILES])
def test_a_file_read_in_pieces_reads_as_one_parse(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if path.stat().st_size > 400_000 and not LARGE:
        pytest.skip("over 400 kB: runs in CI or with PAPERSHELF_TEST_LARGE=1")
    data = path.read_bytes()
    try:
        text, _ = decode_bytes(data, str(path))
    except BibEncodingError:
        pytest.skip("the file cannot be decoded: import refuses it")
    if text.count("\n@") > 1:
        assert len(_pieces(text, 1, _STR_MARKS)) > 1  # the cut read is really cut
    whole = _read([text], len(text) + 1)
    _same(_read([text], 1), whole)
    if _utf8(data):  # a UTF-8 file over _RESCAN_BYTES is read from its bytes, each piece decoded alone
        monkeypatch.setattr(reader, "_RESCAN_BYTES", 0)  # such a file keeps no text to re-scan
        bib = Bibliography()
        bib._add([data], str(path), 1)
        _same(bib.finish(), _read([text], len(text) + 1))


def test_pieces_keep_what_one_parse_says() -> None:
    """Cases a cut could change: an @string defined below the entry that uses it, an @string
    defined twice in different pieces, a key used twice in different pieces, a block with an
    unclosed brace (never cut inside), a quoted value with a line starting with ``@``, a
    preamble in a later piece, lines after the cuts."""
    text = ("@preamble{\"\\newcommand{\\x}{x}\"}\n"
            "@article{a, title = j # \" one\", journal = j, year = 2001}\n"
            "@string{j = {Journal}}\n"
            "@misc{b, note = \"two\n@lines\", title = {B}}\n"
            "@string{j = {Other}}\n"
            "@article{c, title = {unclosed\n@misc{d, title = {D}}\n"
            "@misc{a, title = {again}}\n"
            "@preamble{\"later\"}\n@misc{e, title = {E}, month = aug}\n")
    cut, whole = _read([text], 1), _read([text], len(text) + 1)
    _same(cut, whole)
    assert any("Duplicate entry key 'j'" in p.message for p in whole[0].problems)
    assert any(p.kind == "skipped-entry" and p.line == 9 for p in whole[0].problems)  # the second a
    assert len(_pieces(text, 1, _STR_MARKS)) >= 4


def test_macros_flow_from_file_to_file_in_pieces() -> None:
    first = "@string{j = {Journal}}\n@misc{x, title = {X}}\n@string{k = j # { Two}}\n"
    second = "@article{y, journal = k, title = {Y}}\n@article{z, journal = j, title = {Z}, crossref = x}\n"
    _same(_read([first, second], 1), _read([first, second], 10**9))


def _generated(n: int) -> str:
    return "@string{pub = {Publisher}}\n" + "".join(
        f"@article{{key{i},\n  author = {{M{{\\\"u}}ller, Anna and Dvo{{\\v{{r}}}}{{\\'a}}k, Jan}},\n"
        f"  title = {{A title number {i} about {{LoRA}} models}},\n  journal = pub,\n  year = {1990 + i % 30},\n"
        f"  abstract = \"{'words ' * 40}{i}\"\n}}\n\n" for i in range(n))


def _peak_reading(text: str, piece_chars: int) -> int:
    """Bytes ``add_text`` held at its peak beyond what it keeps once done (the records every
    entry needs until ``finish``): the parse's own memory."""
    bib = Bibliography()
    tracemalloc.start()
    try:
        bib.add_text([text], "gen", piece_chars=piece_chars)
        kept, peak = tracemalloc.get_traced_memory()
        return peak - kept
    finally:
        tracemalloc.stop()


def test_reading_holds_a_piece_of_parse_not_the_whole_file() -> None:
    """Parsing in one piece holds bibtexparser's blocks of every entry at once: its transient
    memory grows with the file. In pieces it is one piece's: about the same for 1,000 and 4,000
    entries but for the sets and lists of keys, and a fraction of the one-piece parse's."""
    small, large = _generated(1000), _generated(4000)
    whole_small, whole_large = _peak_reading(small, len(small) + 1), _peak_reading(large, len(large) + 1)
    cut_small, cut_large = _peak_reading(small, 64 * 1024), _peak_reading(large, 64 * 1024)
    assert cut_large < whole_large / 4, (cut_large, whole_large)
    assert (cut_large - cut_small) * 4 < whole_large - whole_small, (cut_small, cut_large, whole_small, whole_large)


def test_a_large_file_is_read_from_its_bytes_as_from_its_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over ``_RESCAN_BYTES`` a UTF-8 file is cut as bytes and each piece decoded alone: the
    same result; a file that is not UTF-8 is still refused (or read in its declared encoding)."""
    monkeypatch.setattr(reader, "_RESCAN_BYTES", 100)
    monkeypatch.setattr(reader, "_PIECE_CHARS", 2000)
    text = _generated(50).replace("Anna", "Łucja") + "@string{late = {Late}}\n@misc{z, title = late}\n"
    path = tmp_path / "big.bib"
    path.write_bytes(text.encode())
    bib = Bibliography()
    assert bib.add_file(path).encoding == "utf-8"
    _same(bib.finish(), _read([text], len(text) + 1))
    assert len(_pieces(text.encode(), 2000, reader._BYTES_MARKS)) > 5
    path.write_bytes(text.encode("latin-1", "replace").replace(b"words", b"w\xf6rds"))
    with pytest.raises(BibEncodingError, match=r"not UTF-8 \(byte 0xf6 on line 7\)"):
        Bibliography().add_file(path)
    path.write_bytes(b"% Encoding: latin-1\n" + text.replace("Łucja", "Jos\xe9").encode("latin-1"))
    bib = Bibliography()
    assert bib.add_file(path).encoding == "latin-1"
    assert "José" in bib.finish()[0].entries[0].source_fields["author"]


def test_a_large_file_changed_while_read_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large file's pieces are read again from disk: if they are not the bytes that were cut
    (the file was saved meanwhile), nothing of it is read."""
    monkeypatch.setattr(reader, "_RESCAN_BYTES", 100)
    monkeypatch.setattr(reader, "_PIECE_CHARS", 2000)
    path = tmp_path / "big.bib"
    text = _generated(50)
    path.write_bytes(text.encode())
    checked = reader._utf8

    def then_saved(data: bytes) -> bool:
        path.write_bytes(text.replace("title number", "title count").encode())
        return checked(data)

    monkeypatch.setattr(reader, "_utf8", then_saved)
    with pytest.raises(PapershelfError, match="changed while it was read"):
        Bibliography().add_file(path)


@pytest.mark.parametrize("where", ["first piece", "last piece"])
def test_a_same_length_change_to_a_large_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        where: str) -> None:
    """The pieces read again must be, byte for byte, those that were cut, whichever piece
    changed (in the first one, whose parse for its @string blocks is kept, or a later one)
    and whenever (before the first piece is read, or once it has been parsed)."""
    monkeypatch.setattr(reader, "_RESCAN_BYTES", 100)
    monkeypatch.setattr(reader, "_PIECE_CHARS", 2000)
    path = tmp_path / "big.bib"
    text = _generated(50)
    path.write_bytes(text.encode())
    old = "number 0 " if where == "first piece" else "number 49 "
    changed = text.replace(old, old.upper()).encode()
    assert len(changed) == len(text.encode()) and changed != text.encode()
    real_utf8, real_parse = reader._utf8, reader._parse
    for moment in ("before any read", "after the first parse"):
        path.write_bytes(text.encode())
        calls = []

        def saved_at_cut(data: bytes, moment: str = moment) -> bool:
            if moment == "before any read":
                path.write_bytes(changed)
            return real_utf8(data)

        def saved_after_parse(piece_text: str, moment: str = moment, calls: list = calls):
            library = real_parse(piece_text)
            calls.append(1)
            if moment == "after the first parse" and len(calls) == 1:
                path.write_bytes(changed)
            return library

        monkeypatch.setattr(reader, "_utf8", saved_at_cut)
        monkeypatch.setattr(reader, "_parse", saved_after_parse)
        if where == "first piece" and moment == "after the first parse":
            # the first piece was read before the change, and its parse is all that is used
            # of it: the bytes read are the bytes cut
            bib = Bibliography()
            bib.add_file(path)
            assert "A title number 0 about" in bib.finish()[0].entries[0].title
        else:
            with pytest.raises(PapershelfError, match="changed while it was read"):
                Bibliography().add_file(path)


# --- entries made while the files are read (``Bibliography.ready``, as the read-ahead child does)

def _streamed(paths: list[Path]) -> tuple[list[Entry], list[ReadResult], int]:
    """Read ``paths`` a piece at a time, taking what ``ready`` makes after each piece, then
    the rest from ``entries``: the entries in the order made, the results, and how many
    were made before the last piece was read."""
    bib = Bibliography()
    made: list[Entry] = []
    early = 0
    for path in paths:
        for _ in bib.reading_file(path):
            made.extend(bib.ready())
        early = len(made)
    made.extend(bib.entries())
    return made, bib.results, early


def _eager(paths: list[Path]) -> tuple[list[Entry], list[ReadResult]]:
    bib = Bibliography()
    for path in paths:
        bib.add_file(path)
    results = bib.finish()
    return [e for r in results for e in r.entries], results


def _same_stream(paths: list[Path]) -> int:
    streamed, results, early = _streamed(paths)
    entries, whole = _eager(paths)
    assert [e.citekey for e in streamed] == [e.citekey for e in entries]
    for x, y in zip(streamed, entries, strict=True):
        assert (x.source_fields, x.source_raw, x.bib_strings, x.bib_preambles) == \
            (y.source_fields, y.source_raw, y.bib_strings, y.bib_preambles), x.citekey
        assert x == y, x.citekey
    for a, b in zip(results, whole, strict=True):
        assert [str(p) + p.kind for p in a.problems] == [str(p) + p.kind for p in b.problems]
        assert (a.strings, a.preambles, a.renamed, a.encoding) == (b.strings, b.preambles, b.renamed, b.encoding)
    return early


@pytest.mark.skipif(not FILES, reason=f"the shared corpus is not at {SHARED}")
@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(SHARED)) for p in FILES])
def test_entries_made_while_a_file_is_read_are_the_entries_of_one_read(path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    if path.stat().st_size > 400_000 and not LARGE:
        pytest.skip("over 400 kB: runs in CI or with PAPERSHELF_TEST_LARGE=1")
    try:
        decode_bytes(path.read_bytes(), str(path))
    except BibEncodingError:
        pytest.skip("the file cannot be decoded: import refuses it")
    monkeypatch.setattr(reader, "_PIECE_CHARS", 1)  # a piece a block: entries after every one
    _same_stream([path])


def test_entries_are_made_before_the_file_ends_up_to_its_first_crossref_child(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Macros below their use, a preamble at the end, a crossref child with its parent after
    it: what ``ready`` makes early is what one read makes, and it stops at the child."""
    monkeypatch.setattr(reader, "_PIECE_CHARS", 1)
    path = tmp_path / "a.bib"
    path.write_text("@misc{a, title = j # { one}}\n@string{j = {Journal}}\n@misc{b, title = {B}}\n"
                    "@inproceedings{c, title = {C}, crossref = {p}}\n@misc{d, title = {D}}\n"
                    "@proceedings{p, title = {Proc}, year = 2001}\n@preamble{\"\\newcommand{\\x}{x}\"}\n",
                    encoding="utf-8")
    assert _same_stream([path]) == 2  # a and b before the last piece; c waits for its parent
    bib = Bibliography()
    made = []
    for _ in bib.reading_file(path):
        made.extend(e.citekey for e in bib.ready())
        if made:
            break  # the first piece made: the preamble at the end is already known
    assert made == ["a"]


def test_a_macro_a_later_file_defines_again_keeps_its_first_meaning(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """bibtex reads ``a.bib``'s entries with the macros read so far: an entry of the first
    file writes back the definition it was read with, however it is made."""
    monkeypatch.setattr(reader, "_PIECE_CHARS", 1)
    first, second = tmp_path / "a.bib", tmp_path / "b.bib"
    first.write_text("@string{j = {First Journal}}\n@article{x, journal = j, title = {X}}\n", encoding="utf-8")
    second.write_text("@string{j = {Second Journal}}\n@article{y, journal = j, title = {Y}}\n", encoding="utf-8")
    _same_stream([first, second])
    entries, _ = _eager([first, second])
    assert [(e.citekey, e.journal, e.bib_strings) for e in entries] == [
        ("x", "First Journal", {"j": "{First Journal}"}), ("y", "Second Journal", {"j": "{Second Journal}"})]
