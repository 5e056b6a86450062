"""import zotero attaches the files Zotero has: stored ones (``storage:NAME``) copied in,
linked ones (absolute, or ``attachments:REL`` under the base directory from ``--base-dir`` or
the profile's prefs.js) linked where they are, full text indexed; a file that is not a PDF is
skipped with its reason, a missing one reported, neither fatal; a second import attaches nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from zotero_fixture import build

from papershelf.services.import_zotero import import_zotero


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    from conftest import need_tool

    need_tool("pdflatex")
    d = tmp_path_factory.mktemp("pdf")
    (d / "doc.tex").write_text("\\documentclass{article}\\begin{document}\nZotero carried the quokkafile "
                               "experiment.\n\\end{document}\n", encoding="utf-8")
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], cwd=d,
                   capture_output=True, check=True, timeout=300)
    return d / "doc.pdf"


def _library(tmp_path: Path, pdf: Path) -> tuple[Path, Path]:
    """A data directory whose item AAAA1111 has a stored PDF, a stored web page, a stored file
    gone from disk, a linked PDF by its absolute path and one under the base directory."""
    data, base, elsewhere = tmp_path / "Zotero", tmp_path / "Papers", tmp_path / "elsewhere"
    for d in (data / "storage" / "A0000100", data / "storage" / "A0000101", base / "sub", elsewhere):
        d.mkdir(parents=True)
    shutil.copyfile(pdf, data / "storage" / "A0000100" / "paper.pdf")
    (data / "storage" / "A0000101" / "snapshot.html").write_text("<html><body>a saved page</body></html>")
    (elsewhere / "linked.pdf").write_bytes(pdf.read_bytes() + b"\n% another copy\n")
    (base / "sub" / "rel.pdf").write_bytes(pdf.read_bytes() + b"\n% a third copy\n")
    build(data / "zotero.sqlite", [
        {"type": "journalArticle", "key": "AAAA1111", "fields": {"title": "Files from Zotero", "date": "2020"},
         "attachments": [(0, "storage:paper.pdf"), (1, "storage:snapshot.html"), (0, "storage:gone.pdf"),
                         (2, str(elsewhere / "linked.pdf")), (2, "attachments:sub/rel.pdf")]},
        {"type": "book", "key": "BBBB2222", "fields": {"title": "No files", "date": "2001"},
         "attachments": [(2, "attachments:sub/missing.pdf")]},
    ])
    return data, base


def test_stored_and_linked_files_attached_and_indexed(tmp_path, pdf, run, default_db):
    from papershelf.services.library import open_library

    data, base = _library(tmp_path, pdf)
    out = run("import", "zotero", str(data), "--base-dir", str(base), "--json", "--no-autotag")
    assert out.exit_code == 0, out.stderr
    report = json.loads(out.stdout)
    attached = {(Path(r["file"]).name, r["mode"]) for r in report["files_attached"]}
    assert attached == {("paper.pdf", "stored"), ("linked.pdf", "linked"), ("rel.pdf", "linked")}
    assert [(Path(r["file"]).name, "HTML" in r["why"]) for r in report["files_skipped"]] == [("snapshot.html", True)]
    assert sorted(Path(r["file"]).name for r in report["files_missing"]) == ["gone.pdf", "missing.pdf"]
    with open_library(default_db)[0] as lib:
        key = next(e.citekey for e in lib.list_entries() if e.title == "Files from Zotero")
        files = lib.files_of(key)
        assert sorted((f.original, f.linked) for f in files) == [("linked.pdf", True), ("paper.pdf", False),
                                                                 ("rel.pdf", True)]
        stored = next(f for f in files if not f.linked)
        assert lib.file_path(stored).is_file() and lib.file_path(stored).parent != data / "storage" / "A0000100"
    hits = json.loads(run("search", "fulltext:quokkafile", "--json").stdout)
    assert {h["citekey"] for h in hits} == {key}
    again = json.loads(run("import", "zotero", str(data), "--base-dir", str(base), "--json").stdout)
    assert again["files_attached"] == [] and again["files_known"] == 3 and again["changes"] == 0
    with (tmp_path / "elsewhere" / "linked.pdf").open("ab") as fh:  # the linked file edited where it is
        fh.write(b"% annotated\n")
    third = json.loads(run("import", "zotero", str(data), "--base-dir", str(base), "--json").stdout)
    assert third["files_known"] == 3 and third["changes"] == 0  # the same file, not a second one


def test_base_directory_from_the_profile_and_no_files(tmp_path, pdf, monkeypatch):
    from papershelf.services.library import open_library

    data, base = _library(tmp_path, pdf)
    home = tmp_path / "home"
    profile = home / ".zotero" / "zotero" / "abcd1234.default"
    profile.mkdir(parents=True)
    (profile / "prefs.js").write_text(
        f'user_pref("extensions.zotero.baseAttachmentPath", "{base}");\n'
        f'user_pref("extensions.zotero.dataDir", "{data}");\n', encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    lib = open_library(tmp_path / "cat.sqlite", create=True)[0]
    none = import_zotero(lib, data, files=False, dry_run=True)
    assert none.files_attached == none.files_missing == none.files_skipped == []
    report = import_zotero(lib, data, dry_run=True)
    assert report.base_dir == str(base)
    assert {Path(r["file"]).name for r in report.files_attached} == {"paper.pdf", "linked.pdf", "rel.pdf"}
    assert lib.count() == 0  # a dry run attaches nothing


def test_without_a_base_directory_the_relative_files_are_reported(tmp_path, pdf, monkeypatch):
    from papershelf.services.library import open_library

    data, _ = _library(tmp_path, pdf)
    monkeypatch.setenv("HOME", str(tmp_path / "nohome"))
    report = import_zotero(open_library(tmp_path / "cat.sqlite", create=True)[0], data)
    missing = {r["file"]: r["why"] for r in report.files_missing}
    assert "--base-dir" in missing["attachments:sub/rel.pdf"] and len(report.files_attached) == 2
