"""``sync`` and ``add`` read arXiv's journal_ref as a venue only when it is one (replay server):
"ICLR 2022" → @inproceedings with the conference's name, an unreadable one → kept and exported
as a note, a DOI alone → a valid entry with that DOI and no stray ``papershelf-type``."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from papershelf.storage.catalogue import Catalogue

ICLR = "International Conference on Learning Representations"


@pytest.fixture
def empty(run, default_db):
    assert run("init", "--empty").exit_code == 0
    return default_db


def stored(path, arxiv_id):
    cat, _ = Catalogue.open(path)
    try:
        return next(e for e in cat.entries() if e.arxiv_id == arxiv_id)
    finally:
        cat.close()


def synced(run, arxiv_server, **revision) -> dict:
    assert run("add", "1605.08386").exit_code == 0
    arxiv_server.revise("1605.08386", **revision)
    result = run("sync", "--json")
    assert result.exit_code == 0, result.stderr
    return {e["arxiv_id"]: e for e in json.loads(result.stdout)["entries"]}["1605.08386"]


def plain_bst(bib: str, tmp_path: Path) -> str:
    """bibtex with plain.bst over ``bib``: its log (the test fails on an error or warning)."""
    if not shutil.which("bibtex"):
        pytest.skip("bibtex is not installed (apt-get install texlive-binaries texlive-base)")
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "t.aux").write_text("\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n")
    proc = subprocess.run(["bibtex", "t"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    log = (tmp_path / "t.blg").read_text(encoding="utf-8", errors="replace")
    assert proc.returncode == 0, proc.stdout + log
    assert "Warning" not in log and "error" not in log.lower(), log
    return log


def test_iclr_2022_turns_the_preprint_into_inproceedings(run, empty, arxiv_server, tmp_path):
    report = synced(run, arxiv_server, journal_ref="ICLR 2022")
    assert report["status"] == "changed"
    assert [c["kind"] for c in report["changes"]] == ["published"]
    assert ICLR in report["changes"][0]["text"]
    entry = stored(empty, "1605.08386")
    assert (entry.type, entry.booktitle, entry.journal, entry.year) == ("inproceedings", ICLR, None, 2022)
    assert entry.journal_ref == "ICLR 2022"  # stored as arXiv wrote it, and shown
    shown = run("show", entry.citekey)
    assert "ICLR 2022" in shown.stdout and ICLR in shown.stdout
    bib = run("export", "bibtex", entry.citekey).stdout
    assert bib.startswith(f"@inproceedings{{{entry.citekey},")
    assert "booktitle = {International Conference on Learning Representations}" in bib
    assert "journal =" not in bib and "papershelf-type" not in bib
    assert "eprint = {1605.08386}" in bib  # still findable on arXiv
    plain_bst(bib, tmp_path)


def test_an_unreadable_journal_ref_is_kept_as_a_note_and_the_type_stays(run, empty, arxiv_server, tmp_path):
    ref = "NeurIPS 2020 Workshop on Deep Learning and Inverse Problems"
    report = synced(run, arxiv_server, journal_ref=ref)
    assert [c["kind"] for c in report["changes"]] == ["journal_ref"]
    assert ref in report["changes"][0]["text"] and "note" in report["changes"][0]["text"]
    entry = stored(empty, "1605.08386")
    assert (entry.type, entry.journal, entry.booktitle) == ("misc", None, None)
    assert entry.journal_ref == ref
    bib = run("export", "bibtex", entry.citekey).stdout
    assert bib.startswith("@misc{") and f"note = {{{ref}}}" in bib
    assert "journal =" not in bib and "booktitle" not in bib and "papershelf-type" not in bib
    plain_bst(bib, tmp_path)


def test_a_doi_only_answer_gives_a_valid_entry_without_papershelf_type(run, empty, arxiv_server, tmp_path):
    report = synced(run, arxiv_server, doi="10.1000/doi-only.42")
    assert [c["text"] for c in report["changes"]] == ["now published: doi:10.1000/doi-only.42"]
    entry = stored(empty, "1605.08386")
    assert entry.doi == "10.1000/doi-only.42" and entry.type == "misc"
    bib = run("export", "bibtex", entry.citekey).stdout
    assert bib.startswith("@misc{") and "papershelf-type" not in bib
    assert "doi = {10.1000/doi-only.42}" in bib and "eprint = {1605.08386}" in bib
    plain_bst(bib, tmp_path)
    biblatex = run("export", "bibtex", "--style", "biblatex", entry.citekey).stdout
    assert biblatex.startswith("@online{") and "entrysubtype" not in biblatex


def test_add_reads_the_venue_of_a_new_paper(run, empty, arxiv_server):
    arxiv_server.revise("1605.08386", journal_ref="Accepted at ICLR 2022 (oral)")
    assert run("add", "1605.08386").exit_code == 0
    entry = stored(empty, "1605.08386")
    assert (entry.type, entry.booktitle, entry.year) == ("inproceedings", ICLR, 2022)


def test_a_journal_citation_fills_journal_volume_and_pages(run, empty, arxiv_server):
    synced(run, arxiv_server, journal_ref="Phys. Rev. D 76, 013009 (2007)", doi="10.1103/PhysRevD.76.013009")
    entry = stored(empty, "1605.08386")
    assert (entry.type, entry.journal, entry.volume, entry.pages, entry.year) == (
        "article", "Phys. Rev. D", "76", "013009", 2007)
