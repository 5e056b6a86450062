"""A reader of the pipe that goes away (``papershelf export bibtex | head``) ends the run
quietly with exit 0, as git does: no traceback, no "closed database", whichever command writes
and whether our writes or Rich's notice it. Real processes and real pipes."""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import installed_script
from entry_factory import generated


@pytest.fixture
def big_catalogue(library_of, tmp_path):
    """A catalogue whose exports are far larger than a pipe's buffer (64 KiB)."""
    lib = library_of(generated(1500), name="big.db")
    lib.close()
    return tmp_path / "big.db"


def _head(args: list[str], db, lines: int = 1) -> tuple[int, str]:
    """Run papershelf with stdout into a pipe, read ``lines`` lines, close the pipe."""
    env = {**os.environ, "COLUMNS": "80"}
    proc = subprocess.Popen([installed_script(), "--db", str(db), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    for _ in range(lines):
        proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    return proc.wait(timeout=120), err


@pytest.mark.parametrize("args", [
    ["export", "bibtex"],
    ["export", "bibtex", "--style", "biblatex"],
    ["export", "csl-json"],
    ["export", "markdown"],
    ["list"],
    ["search", "diffusion"],
    ["stats"],
    ["env"],
    ["list", "--help"],
])
def test_a_closed_pipe_ends_quietly_with_exit_0(big_catalogue, args):
    code, err = _head(args, big_catalogue)
    assert "Traceback" not in err and "closed database" not in err and "Error" not in err, err
    assert code == 0, err


def test_an_error_is_still_an_error_into_a_pipe(big_catalogue):
    code, err = _head(["show", "no-such-key"], big_catalogue)
    assert code == 3 and err.startswith("error: no entry")


# ── Into a pipe, `show`, `config` and `env` print plain lines, never a table wrapped at 80.

LONG = "A very long title " * 12


def test_show_into_a_pipe_is_label_value_lines(run, bundled):
    assert run("set", "hu2022lora", f"title={LONG.strip()}", "note=first line").exit_code == 0
    result = run("show", "hu2022lora", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "key: hu2022lora"
    assert f"title: {LONG.strip()}" in lines  # one line, however long
    assert any(line.startswith("doi: ") or line.startswith("arXiv: ") for line in lines)
    assert all(not line.startswith(" ") or line.startswith("  ") for line in lines)
    assert "│" not in result.stdout and "\x1b" not in result.stdout


def test_config_into_a_pipe_is_tab_separated_lines(run, isolated_home):
    cfg = isolated_home / "xdg_config_home" / "papershelf" / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    folder = isolated_home / ("deep-" * 20)
    folder.mkdir()
    long_path = str(folder / "catalogue.db")
    cfg.write_text(f'[catalogue]\npath = "{long_path}"\nbackups = 3\n', encoding="utf-8")
    result = run("config", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    rows = {line.split("\t")[0]: line.split("\t") for line in result.stdout.splitlines()}
    assert rows["catalogue.path"] == ["catalogue.path", long_path, f"file ({cfg}:2)"]
    assert rows["catalogue.backups"][1:] == ["3", f"file ({cfg}:3)"]
    assert rows["import.autotag"][1:] == ["true", "default"]
    assert all(len(row) == 3 for row in rows.values())


def test_env_into_a_pipe_is_one_line_per_variable(run, tmp_path):
    long_db = tmp_path / ("x" * 120 + ".db")
    result = run("env", env={"COLUMNS": "80", "PAPERSHELF_DB": str(long_db)})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"db: {long_db}"
    assert any(line.startswith(f"PAPERSHELF_DB={long_db}\tthe catalogue file") for line in lines)
    assert "PAPERSHELF_BACKUPS=(unset)\tautomatic backups kept beside each catalogue, newest first " \
           "(default 10; setting catalogue.backups)" in lines


# ── Started with a standard stream closed (`>&-`, `2>&-`): one line and exit 1, or the results
#    without the notices; never a traceback (Python gives papershelf None for a closed stream).

def _closed(args: list[str], db, fd: int) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([installed_script(), "--db", str(db), *args], capture_output=True,
                          preexec_fn=lambda: os.close(fd), timeout=120)


@pytest.mark.parametrize("args", [["search", "diffusion"], ["--help"], ["list", "--limit", "1"]])
def test_a_closed_standard_output_is_one_line_and_exit_1(big_catalogue, args):
    result = _closed(args, big_catalogue, 1)
    assert result.returncode == 1
    assert result.stderr.decode() == "error: standard output is closed; nothing was done\n"


def test_a_closed_standard_error_still_prints_the_results(big_catalogue):
    result = _closed(["search", "diffusion"], big_catalogue, 2)
    assert result.returncode == 0
    assert result.stdout.decode().count("\n") > 1
