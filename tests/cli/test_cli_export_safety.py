"""`export … -o FILE` never loses a file: not the catalogue, not a file papershelf did not write
(unless --force), never half-written; modes and symlinks survive a replacement."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

FORMATS = ["bibtex", "markdown", "csl-json"]


def _db(run) -> str:
    result = run("db", "path")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_export_never_writes_onto_the_catalogue_or_its_side_files(run, bundled):
    before = Path(bundled).read_bytes()
    for fmt in FORMATS:
        for suffix in ("", "-wal", "-shm", "-journal"):
            result = run("export", fmt, "-o", _db(run) + suffix, "--force")
            assert result.exit_code == 2, (fmt, suffix)
            assert "catalogue" in result.stderr and "Traceback" not in result.stderr
    assert Path(bundled).read_bytes() == before
    assert len(json.loads(run("list", "--json").stdout)) == 26


def test_export_refuses_a_hard_link_or_symlink_to_the_catalogue(run, bundled, tmp_path):
    os.link(bundled, tmp_path / "hard.db")
    (tmp_path / "soft.bib").symlink_to(bundled)
    for name in ("hard.db", "soft.bib"):
        result = run("export", "bibtex", "-o", str(tmp_path / name), "--force")
        assert result.exit_code == 2, name
    assert len(json.loads(run("list", "--json").stdout)) == 26


def test_export_refuses_another_sqlite_database_even_with_force(run, bundled, tmp_path):
    other = tmp_path / "other.db"
    assert run("--db", str(other), "init", "--empty").exit_code == 0
    before = other.read_bytes()
    assert run("export", "bibtex", "-o", str(other), "--force").exit_code == 2
    assert other.read_bytes() == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_existing_file_papershelf_did_not_write_needs_force(run, bundled, tmp_path, fmt):
    mine = tmp_path / "mine.txt"
    mine.write_text("my own work\n")
    result = run("export", fmt, "-o", str(mine))
    assert result.exit_code == 1
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert mine.read_text() == "my own work\n"
    assert run("export", fmt, "-o", str(mine), "--force").exit_code == 0
    assert "my own work" not in mine.read_text()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_papershelf_wrote_is_replaced_without_force(run, bundled, tmp_path, fmt):
    out = tmp_path / "refs.out"
    assert run("export", fmt, "-o", str(out)).exit_code == 0
    first = out.read_bytes()
    assert b"hu2022lora" in first or b"LoRA" in first
    assert run("remove", "hu2022lora", "--yes").exit_code == 0
    result = run("export", fmt, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes() != first and b"Low-Rank Adaptation" not in out.read_bytes()
    # and the same catalogue gives the same bytes
    assert run("export", fmt, "-o", str(out)).exit_code == 0
    again = out.read_bytes()
    assert run("export", fmt, "-o", str(out)).exit_code == 0
    assert out.read_bytes() == again


def test_bib_and_markdown_start_with_the_header_json_stays_plain_json(run, bundled, tmp_path):
    for fmt, name, start in [("bibtex", "a.bib", b"% Written by papershelf export"),
                             ("markdown", "a.md", b"<!-- Written by papershelf export")]:
        assert run("export", fmt, "-o", str(tmp_path / name)).exit_code == 0
        assert (tmp_path / name).read_bytes().startswith(start)
    assert run("export", "csl-json", "-o", str(tmp_path / "a.json")).exit_code == 0
    assert len(json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))) == 26
    # stdout is what it always was: the header marks only files papershelf may replace
    assert run("export", "bibtex").stdout.startswith("@")


def test_a_csl_json_file_edited_by_hand_is_not_replaced_without_force(run, bundled, tmp_path):
    out = tmp_path / "refs.json"
    assert run("export", "csl-json", "-o", str(out)).exit_code == 0
    out.write_text(out.read_text(encoding="utf-8").replace("Denoising", "Hand-edited"), encoding="utf-8")
    result = run("export", "csl-json", "-o", str(out))
    assert result.exit_code == 1 and "--force" in result.stderr
    assert "Hand-edited" in out.read_text(encoding="utf-8")


def test_a_replaced_file_keeps_its_mode_a_new_one_gets_the_umask_default(run, bundled, tmp_path):
    out = tmp_path / "shared.bib"
    assert run("export", "bibtex", "-o", str(out)).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    out.chmod(0o640)
    assert run("export", "bibtex", "-o", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_a_symlink_is_written_through(run, bundled, tmp_path):
    real = tmp_path / "real" / "refs.bib"
    real.parent.mkdir()
    assert run("export", "bibtex", "-o", str(real)).exit_code == 0
    link = tmp_path / "link.bib"
    link.symlink_to(real)
    assert "{hu2022lora," in real.read_text(encoding="utf-8")
    assert run("remove", "hu2022lora", "--yes").exit_code == 0
    assert run("export", "bibtex", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "{hu2022lora," not in real.read_text(encoding="utf-8")


def test_no_temporary_file_is_left_behind_and_a_missing_directory_is_one_line(run, bundled, tmp_path):
    assert run("export", "bibtex", "-o", str(tmp_path / "refs.bib")).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
    result = run("export", "bibtex", "-o", str(tmp_path / "nope" / "refs.bib"))
    assert result.exit_code == 3 and "no such directory" in result.stderr


def test_the_written_bib_with_its_header_is_read_by_bibtex_and_biber(run, bundled, tmp_path):
    if not shutil.which("bibtex") or not shutil.which("biber"):
        pytest.skip("bibtex and biber are not installed")
    assert run("export", "bibtex", "-o", str(tmp_path / "refs.bib")).exit_code == 0
    (tmp_path / "t.aux").write_text("\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n")
    proc = subprocess.run(["bibtex", "t"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout
    assert (tmp_path / "t.bbl").read_text(encoding="utf-8", errors="replace").count("\\bibitem") == 26
    assert run("export", "bibtex", "--style", "biblatex", "-o", str(tmp_path / "bl.bib")).exit_code == 0
    proc = subprocess.run(["biber", "--tool", "--validate-datamodel", "--output-file", str(tmp_path / "o.bib"),
                           "bl.bib"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ERROR" not in proc.stdout + proc.stderr
