"""The exported files, checked by the real tools: bibtex, biber and pandoc.

Outside CI a missing tool skips its test (the reason is shown with -ra); in CI (CI=true) a
missing tool fails the test, so the checks cannot silently stop running.
"""

from __future__ import annotations

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
    if fmt == "bibtex":
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
    rendered = set(re.findall(r'<div id="ref-([^"]+)" class="csl-entry"', proc.stdout))
    assert rendered == {e.citekey for e in entries}
