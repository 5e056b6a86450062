"""Attached files follow their entries through the trash: kept while the entry is in it, back with
`restore`, deleted from disk when the trash is purged of it (`trash --empty`, the age purge,
`remove` with no trash) — only papershelf's stored copies, never a `--link`ed file; `db check`
reports stray stored files and `--repair` moves orphans aside and finishes interrupted purges."""

import json
import os
import sqlite3
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "pdf"
A, B = DATA / "crazyones-pdfa.pdf", DATA / "elegantpaper-cn.pdf"


def files_dir(db: Path) -> Path:
    return db.parent / f"{db.name}.files"


def stored(db: Path) -> list[str]:
    folder = files_dir(db)
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.exists() else []


def path_of(run, key: str) -> Path:
    return Path(json.loads(run("show", key, "--json").stdout)["files"][0]["path"])


def test_restore_brings_the_files_back_and_emptying_the_trash_deletes_the_copies_only(run, bundled, tmp_path):
    linked = tmp_path / "mine.pdf"
    linked.write_bytes(B.read_bytes())
    assert run("attach", "ho2020denoising", str(A)).exit_code == 0
    assert run("attach", "hu2022lora", str(linked), "--link").exit_code == 0
    copy = path_of(run, "ho2020denoising")
    assert run("remove", "ho2020denoising", "hu2022lora", "-y").exit_code == 0
    assert copy.is_file() and linked.is_file()  # in the trash with their entries
    assert run("restore", "ho2020denoising").exit_code == 0
    assert path_of(run, "ho2020denoising") == copy and copy.is_file()
    assert run("search", "pdf:crazy", "--json").exit_code == 0  # its pages came back too
    assert run("remove", "ho2020denoising", "-y").exit_code == 0
    result = run("trash", "--empty", "--yes")
    assert result.exit_code == 0, result.stderr
    assert not copy.exists() and stored(bundled) == []
    assert linked.read_bytes() == B.read_bytes()  # the user's own file is never deleted
    check = run("db", "check")
    assert check.exit_code == 0, check.stdout


def test_a_stored_file_another_entry_holds_stays(run, bundled):
    assert run("attach", "ho2020denoising", str(A)).exit_code == 0
    assert run("attach", "hu2022lora", str(A)).exit_code == 0  # the same bytes: one stored file
    copy = path_of(run, "hu2022lora")
    assert run("remove", "ho2020denoising", "-y").exit_code == 0
    assert run("trash", "--empty", "--yes").exit_code == 0
    assert copy.is_file() and path_of(run, "hu2022lora") == copy


def test_the_age_purge_and_remove_without_trash_delete_the_copies(run, bundled, monkeypatch):
    assert run("attach", "ho2020denoising", str(A)).exit_code == 0
    assert run("attach", "hu2022lora", str(B)).exit_code == 0
    old, other = path_of(run, "ho2020denoising"), path_of(run, "hu2022lora")
    assert run("remove", "ho2020denoising", "-y").exit_code == 0
    with sqlite3.connect(bundled) as conn:  # removed long ago
        conn.execute("UPDATE trash SET removed = '2000-01-01T00:00:00Z'")
    conn.close()
    assert old.is_file()
    assert run("remove", "rombach2022high", "-y").exit_code == 0  # purges what is older than 30 days
    assert not old.exists() and other.is_file()
    monkeypatch.setenv("PAPERSHELF_TRASH_DAYS", "0")
    assert run("remove", "hu2022lora", "-y").exit_code == 0  # deleted for good
    assert not other.exists() and stored(bundled) == []


def test_a_failed_purge_keeps_the_files(catalogue):
    from papershelf.services.attachments import releasing_files
    from papershelf.storage import trash

    catalogue.attach("ho2020denoising", [A])
    copy = catalogue.file_path(catalogue.files_of("ho2020denoising")[0])
    catalogue.remove(["ho2020denoising"])
    with pytest.raises(RuntimeError), releasing_files(catalogue.cat):
        trash.purge(catalogue.cat.conn)
        raise RuntimeError("the disk is full")
    assert copy.is_file() and [t.citekey for t in catalogue.trash()] == ["ho2020denoising"]
    assert not any(p.name.endswith(".purging") for p in copy.parent.iterdir())


def test_db_check_reports_stray_files_and_repair_moves_orphans_aside(run, bundled):
    assert run("attach", "ho2020denoising", str(A)).exit_code == 0
    copy = path_of(run, "ho2020denoising")
    folder = files_dir(bundled)
    orphan = folder / ("0" * 64 + ".pdf")
    orphan.write_bytes(B.read_bytes())
    os.replace(copy, folder / f".{copy.name}.purging")  # a purge killed before its commit
    old_tmp = folder / f".{'1' * 64}.pdf.999.tmp"
    old_tmp.write_bytes(b"%PDF-1.4 half")
    os.utime(old_tmp, (0, 0))
    check = run("db", "check")
    assert check.exit_code == 1
    assert "1 stored file(s) no entry nor trashed entry names (orphans" in check.stdout
    assert "2 file(s) left by an interrupted purge or copy" in check.stdout
    assert "missing" not in check.stdout  # the .purging file is the stored one, put back by --repair
    fixed = run("db", "check", "--repair", "--json")
    assert fixed.exit_code == 0, fixed.stdout
    assert json.loads(fixed.stdout)["repaired"]["stray_files"] == 3
    assert copy.read_bytes() == A.read_bytes() and not old_tmp.exists()
    assert (folder / "orphaned" / orphan.name).read_bytes() == B.read_bytes()  # moved, never deleted
    assert run("db", "check").exit_code == 0


def test_merge_gives_the_kept_entry_the_other_ones_files_so_a_purge_keeps_them(run, bundled, tmp_path):
    bib = tmp_path / "copy.bib"
    bib.write_text("@misc{copyofho, title={A copy of the DDPM paper}, year={2020}}\n")
    assert run("import", "bibtex", str(bib)).exit_code == 0
    assert run("attach", "copyofho", str(A)).exit_code == 0
    copy = path_of(run, "copyofho")
    assert run("merge", "ho2020denoising", "copyofho", "--yes").exit_code == 0
    assert path_of(run, "ho2020denoising") == copy
    assert run("trash", "--empty", "-y").exit_code == 0
    assert copy.is_file() and path_of(run, "ho2020denoising") == copy
