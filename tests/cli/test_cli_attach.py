"""attach / detach / show / open with PDFs: real files (tests/data/pdf, PROVENANCE.md there)."""

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "pdf"
SHARED = Path("/work/shared/data/pdf")


def files_dir(db: Path) -> Path:
    return db.parent / f"{db.name}.files"


def test_attach_copies_under_a_stable_name_and_records_pages_and_sha(run, bundled, tmp_path):
    import hashlib

    src = DATA / "crazyones-pdfa.pdf"
    result = run("attach", "ho2020denoising", str(src))
    assert result.exit_code == 0, result.stderr
    assert "ho2020denoising: attached crazyones-pdfa.pdf (1 page, 16,368 bytes)" in result.stdout
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    stored = files_dir(bundled) / f"{sha}.pdf"
    assert stored.read_bytes() == src.read_bytes()
    shown = json.loads(run("show", "ho2020denoising", "--json").stdout)
    assert shown["files"][0]["sha256"] == sha and shown["files"][0]["pages"] == 1
    assert shown["files"][0]["path"] == str(stored)
    assert f"file: {stored}" in run("show", "ho2020denoising").stdout
    assert run("open", "ho2020denoising", "--print").stdout == f"{stored}\n"
    # the same bytes twice: refused, nothing written
    again = run("attach", "ho2020denoising", str(src))
    assert again.exit_code != 0 and "already attached" in again.stderr
    assert len(json.loads(run("show", "ho2020denoising", "--json").stdout)["files"]) == 1


def test_link_records_the_file_where_it_is(run, bundled):
    src = DATA / "crazyones-pdfa.pdf"
    assert run("attach", "ho2020denoising", str(src), "--link").exit_code == 0
    assert not files_dir(bundled).exists() or not any(files_dir(bundled).iterdir())
    assert run("open", "ho2020denoising", "--print").stdout == f"{src.resolve()}\n"
    assert run("detach", "ho2020denoising").exit_code == 0
    assert src.is_file()  # a linked file is the user's: never deleted


@pytest.mark.parametrize(("content", "why"), [
    (b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 12\n", "Git LFS pointer"),
    (b"<!DOCTYPE html><html><body>Access denied</body></html>", "HTML page"),
    (b"", "empty"),
    (b"PK\x03\x04zip", "not a PDF"),
])
def test_not_a_pdf_is_refused_with_one_line(run, bundled, tmp_path, content, why):
    bad = tmp_path / "paper.pdf"
    bad.write_bytes(content)
    result = run("attach", "ho2020denoising", str(DATA / "crazyones-pdfa.pdf"), str(bad))
    assert result.exit_code != 0
    assert result.stderr.startswith("error: ") and why in result.stderr
    assert "Traceback" not in result.stderr
    assert "files" not in json.loads(run("show", "ho2020denoising", "--json").stdout)  # all or none
    assert not files_dir(bundled).exists() or not any(files_dir(bundled).iterdir())


@pytest.mark.parametrize(("name", "note"), [
    ("encrypted-password.pdf", "encrypted, not indexed"),
    ("image-only-no-text.pdf", "no text layer"),
])
def test_bad_files_are_attached_and_said_so(run, bundled, name, note):
    result = run("attach", "ho2020denoising", str(DATA / name))
    assert result.exit_code == 0, result.stderr
    assert note in result.stderr


@pytest.mark.parametrize("name", ["broken-xref.pdf", "truncated-geotopo-first-900000-bytes.pdf"])
def test_unreadable_files_are_attached_with_a_line(run, bundled, name):
    if not (SHARED / name).is_file():
        pytest.skip("the shared PDFs are not here")
    result = run("attach", "ho2020denoising", str(SHARED / name))
    assert result.exit_code == 0, result.stderr
    assert "cannot be read" in result.stderr
    assert "Traceback" not in result.stderr


def test_detach_one_deletes_the_copy_and_remove_restore_keep_the_files(run, bundled):
    a, b = DATA / "crazyones-pdfa.pdf", DATA / "elegantpaper-cn.pdf"
    assert run("attach", "ho2020denoising", str(a), str(b)).exit_code == 0
    assert len(list(files_dir(bundled).iterdir())) == 2
    assert run("remove", "ho2020denoising", "-y").exit_code == 0
    assert len(list(files_dir(bundled).iterdir())) == 2  # in the trash with the entry
    assert run("restore", "ho2020denoising").exit_code == 0
    shown = json.loads(run("show", "ho2020denoising", "--json").stdout)
    assert [f["original"] for f in shown["files"]] == ["crazyones-pdfa.pdf", "elegantpaper-cn.pdf"]
    result = run("detach", "ho2020denoising", "crazyones-pdfa.pdf")
    assert result.exit_code == 0 and "detached crazyones-pdfa.pdf" in result.stdout
    assert [p.name for p in files_dir(bundled).iterdir()] == [Path(shown["files"][1]["path"]).name]
    missing = run("detach", "ho2020denoising", "nope.pdf")
    assert missing.exit_code != 0 and "no attached file" in missing.stderr


def test_open_without_a_pdf_is_the_page_as_before(run, bundled):
    assert run("open", "ho2020denoising", "--print").stdout == "https://arxiv.org/abs/2006.11239\n"


def test_list_has_pdf_and_no_pdf(run, bundled):
    assert run("attach", "ho2020denoising", str(DATA / "crazyones-pdfa.pdf")).exit_code == 0
    with_pdf = json.loads(run("list", "--has-pdf", "--json").stdout)
    assert [e["citekey"] for e in with_pdf] == ["ho2020denoising"]
    without = json.loads(run("list", "--no-pdf", "--json").stdout)
    every = json.loads(run("list", "--json").stdout)
    assert len(without) == len(every) - 1 and "ho2020denoising" not in {e["citekey"] for e in without}


def test_db_check_reports_missing_changed_and_unindexed_files_and_repair_reindexes(run, bundled, tmp_path):
    import shutil
    import sqlite3

    mine = tmp_path / "mine.pdf"
    shutil.copy(DATA / "crazyones-pdfa.pdf", mine)
    assert run("attach", "ho2020denoising", str(mine), "--link").exit_code == 0
    assert run("attach", "ho2020denoising", str(DATA / "elegantpaper-cn.pdf")).exit_code == 0
    assert run("db", "check").exit_code == 0
    conn = sqlite3.connect(bundled)
    with conn:
        conn.execute("DELETE FROM pdf_pages")  # the index lost (e.g. an older papershelf's copy)
    conn.close()
    mine.write_bytes(mine.read_bytes() + b"\n% annotated\n")  # the linked file changed: other bytes
    report = json.loads(run("db", "check", "--json").stdout)
    problems = " | ".join(f["problem"] for f in report["findings"])
    assert "changed since attached" in problems and "not in the full-text index" in problems
    fixed = run("db", "check", "--repair", "--json")
    assert fixed.exit_code == 0, fixed.stderr
    assert json.loads(fixed.stdout)["repaired"]["files_reindexed"] == 2
    assert hits_of(run, "fulltext:模板") == ["ho2020denoising"]
    mine.unlink()
    gone = run("db", "check", "--json")
    assert gone.exit_code != 0
    assert any("missing from disk" in f["problem"] for f in json.loads(gone.stdout)["findings"])


def hits_of(run, query):
    return [h["citekey"] for h in json.loads(run("search", query, "--json").stdout)]
