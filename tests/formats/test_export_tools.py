"""The exported files, checked by the real tools: bibtex, biber and pandoc.

Outside CI a missing tool skips its test (the reason is shown with -ra); in CI (CI=true) a
missing tool fails the test, so the checks cannot silently stop running.
"""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest

from conftest import need_tool as need
from papershelf.formats.bibtex.reader import BibEncodingError, read_file
from papershelf.formats.bibtex.writer import WriteReport, write_bibtex
from papershelf.formats.csljson import write_csljson
from papershelf.services.import_bibtex import import_entries
from papershelf.services.library import Library
from papershelf.storage.catalogue import Catalogue

DATA = Path(__file__).resolve().parents[1] / "data" / "bib"


def _entries(cat: Catalogue):
    return sorted(cat.entries(), key=lambda e: e.citekey.lower())


@pytest.fixture(scope="module")
def peer_entries(tmp_path_factory):
    """A catalogue built by importing every copied peer .bib file that can be read."""
    cat, _ = Catalogue.open(tmp_path_factory.mktemp("peer") / "peer.db", create=True)
    for path in sorted(DATA.glob("*.bib")):
        try:
            result = read_file(path)
        except BibEncodingError:
            continue
        import_entries(Library(cat), result.entries)
    entries = _entries(cat)
    cat.close()
    assert len(entries) > 150
    for e in entries:  # the writer's own form of these works: an imported entry as written is
        e.source_type, e.source_fields, e.edited = None, {}, []  # checked in test_bib_real_tools
        e.bib_preambles, e.bib_strings = [], {}
    # entries with only a key, pages or a note are imported (citable), but hold nothing plain prints
    return [e for e in entries if e.title or e.authors or e.editors or e.year]


@pytest.fixture
def bundled_entries(catalogue):
    return _entries(catalogue)


def run_bibtex(entries, tmp_path: Path) -> str:
    need("bibtex")
    (tmp_path / "refs.bib").write_text(write_bibtex(entries, "bibtex"), encoding="utf-8")
    (tmp_path / "t.aux").write_text("\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n")
    proc = subprocess.run(["bibtex", "t"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    log = (tmp_path / "t.blg").read_text(encoding="utf-8", errors="replace")
    assert proc.returncode == 0, proc.stdout + log
    return log


@pytest.mark.parametrize("which", ["bundled", "peer"])
def test_bibtex_reads_the_export_with_no_error_and_no_warning(which, request, tmp_path):
    entries = request.getfixturevalue(f"{which}_entries")
    log = run_bibtex(entries, tmp_path)
    assert "Warning--" not in log and "error message" not in log, log
    bbl = (tmp_path / "t.bbl").read_text(encoding="utf-8", errors="replace")
    assert bbl.count("\\bibitem") == len(entries)


def run_biber(entries, tmp_path: Path) -> tuple[list[str], WriteReport]:
    need("biber")
    report = WriteReport()
    (tmp_path / "refs.bib").write_text(write_bibtex(entries, "biblatex", report=report),
                                       encoding="utf-8")
    proc = subprocess.run(["biber", "--tool", "--validate-datamodel", "--quiet", "refs.bib"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = (proc.stdout + proc.stderr).splitlines()
    return [ln for ln in lines if ln.startswith(("WARN", "ERROR"))], report


def test_biber_validates_the_biblatex_export_of_the_bundled_catalogue(bundled_entries, tmp_path):
    problems, _ = run_biber(bundled_entries, tmp_path)
    assert problems == []


# What biber may still say about a catalogue made from its own torture-test files: each is a
# fact of the source data, never of the writer.
_SOURCE_DATA = re.compile(
    r"Invalid format '.*' of date field|Invalid namepart|Citekey alias|BAD RECURSION|"
    r"ISBN '.*' in entry .* is invalid|Overlong|Entry '.*' has no Sort")


def test_biber_finds_nothing_in_the_peer_export_but_gaps_of_the_source_data(peer_entries, tmp_path):
    problems, report = run_biber(peer_entries, tmp_path)
    assert not [p for p in problems if p.startswith("ERROR")]
    for line in problems:
        missing = re.search(r"Entry '([^']+)' \(refs\.bib\): Missing mandatory field", line)
        if missing:  # the writer knew, and told the user
            assert missing.group(1) in report.incomplete, line
            continue
        assert _SOURCE_DATA.search(line), line


@pytest.mark.parametrize("which", ["bundled", "peer"])
@pytest.mark.parametrize("fmt", ["bibtex", "csljson"])
def test_pandoc_citeproc_renders_every_entry(which, fmt, request, tmp_path):
    need("pandoc")
    entries = request.getfixturevalue(f"{which}_entries")
    if fmt == "bibtex":  # pandoc's .bib reader stops at a key bibtex and biber cite but it cannot
        # read (``< > ^ |``, a combining accent: a peer file's key as its author wrote it)
        entries = [e for e in entries if not re.search(r"[<>^|\u0300-\u036f]", e.citekey)]
        bib = tmp_path / "refs.bib"
        bib.write_text(write_bibtex(entries, "bibtex"), encoding="utf-8")
    else:
        bib = tmp_path / "refs.json"
        bib.write_text(write_csljson(entries), encoding="utf-8")
    doc = tmp_path / "doc.md"
    doc.write_text("---\nnocite: |\n  @*\n---\n\nText.\n", encoding="utf-8")
    proc = subprocess.run(["pandoc", "--citeproc", "--bibliography", str(bib), "-t", "html",
                           str(doc)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "[WARNING]" not in proc.stderr, proc.stderr
    rendered = {html.unescape(k) for k in re.findall(r'<div id="ref-([^"]+)" class="csl-entry"', proc.stdout)}
    assert rendered == {e.citekey for e in entries}


def _pandoc_html(bib: Path, tmp_path: Path) -> dict[str, str]:
    """pandoc --citeproc's bibliography of every entry in ``bib``: key -> the entry's HTML."""
    need("pandoc")
    doc = tmp_path / "doc.md"
    doc.write_text("---\nnocite: |\n  @*\n---\n\nText.\n", encoding="utf-8")
    proc = subprocess.run(["pandoc", "--citeproc", "--bibliography", str(bib), "-t", "html", str(doc)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    parts = re.split(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>', proc.stdout)[1:]
    return {key: html.split("</div>")[0] for key, html in zip(parts[::2], parts[1::2], strict=True)}


def _plain(fragment: str) -> str:
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def _starts(title: str) -> str:
    """The first words of a title, as a lower-case prefix pandoc's casing cannot change."""
    return " ".join(title.split()[:3]).lower().rstrip(":")


def _renders_as_its_type(entry, html_text: str) -> list[str]:
    """What the entry's type requires of its rendering that ``html_text`` lacks (none: fine)."""
    text = _plain(html_text).lower()
    emphasised = [_plain(m).lower() for m in re.findall(r"<em>(.*?)</em>", html_text, re.S)]
    start = _starts(entry.title)
    wrong = []
    if entry.type in ("book", "proceedings", "manual"):  # a book: its title in italics, not quoted
        if not any(e.startswith(start) for e in emphasised):
            wrong.append(f"book title not in italics: {start!r}")
        if f"“{start}" in text:
            wrong.append("book title quoted like an article's")
    elif entry.type in ("article", "inproceedings", "incollection") or entry.is_preprint:
        if f"“{start}" not in text:  # a paper: its title quoted
            wrong.append(f"paper title not quoted: {start!r}")
        venue = entry.journal or entry.booktitle
        if venue and not any(e.startswith(_starts(venue)) for e in emphasised):
            wrong.append(f"venue not in italics: {venue!r}")
    if entry.is_preprint and not ("arXiv" in _plain(html_text) and entry.arxiv_id in text):
        wrong.append(f"preprint without the word arXiv and its id {entry.arxiv_id}")
    return wrong


@pytest.mark.parametrize(("style", "name"), [
    ("bibtex", "refs.bib"),  # pandoc reads a .bib with its biblatex reader
    ("bibtex", "refs.bibtex"),  # and a .bibtex with its bibtex reader
    ("biblatex", "refs.bib"),
    ("csljson", "refs.json"),
])
def test_pandoc_renders_every_bundled_entry_as_its_type_and_every_preprint_with_its_arxiv_id(
        style, name, bundled_entries, tmp_path):
    bib = tmp_path / name
    text = write_csljson(bundled_entries) if style == "csljson" else write_bibtex(bundled_entries, style)
    bib.write_text(text, encoding="utf-8")
    rendered = _pandoc_html(bib, tmp_path)
    assert set(rendered) == {e.citekey for e in bundled_entries}
    assert any(e.type == "book" for e in bundled_entries) and any(e.is_preprint for e in bundled_entries)
    wrong = {e.citekey: w for e in bundled_entries if (w := _renders_as_its_type(e, rendered[e.citekey]))}
    assert wrong == {}
