"""Shell completion: the shipped scripts match the app, and TAB completes keys and tags safely."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import installed_script

COMPLETIONS = Path(__file__).resolve().parents[2] / "completions"
SCRIPTS = {"bash": "papershelf.bash", "zsh": "_papershelf", "fish": "papershelf.fish"}


def _papershelf(env_extra: dict, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra}
    return subprocess.run([sys.executable, "-m", "papershelf", *args], env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("shell", sorted(SCRIPTS))
def test_shipped_scripts_are_current(shell):
    result = _papershelf({"_PAPERSHELF_COMPLETE": f"source_{shell}"})
    shipped = (COMPLETIONS / SCRIPTS[shell]).read_text()
    # python -m papershelf and the console script print the same script.
    assert result.stdout == shipped, f"completions/{SCRIPTS[shell]} is stale: run completions/regenerate.sh"


def _complete_bash(words: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    parts = words.split(" ")
    return subprocess.run(
        [installed_script()], capture_output=True, text=True, timeout=60,
        env={**os.environ, **(env_extra or {}), "_PAPERSHELF_COMPLETE": "complete_bash",
             "COMP_WORDS": words, "COMP_CWORD": str(len(parts) - 1)})


def test_citekeys_complete_from_the_catalogue(bundled):
    result = _complete_bash("papershelf show ho")
    assert result.returncode == 0
    assert result.stdout.split() == ["ho2020denoising"]


def test_tags_complete_from_the_catalogue(run, bundled):
    run("tag", "ho2020denoising", "favourite")
    result = _complete_bash("papershelf list --tag fav")
    assert "favourite" in result.stdout.split()


def test_completion_on_a_broken_catalogue_prints_no_traceback(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    result = _complete_bash(f"papershelf --db {junk} show ho")
    assert result.returncode == 0
    assert "Traceback" not in result.stdout + result.stderr
    result = _complete_bash("papershelf show ho", {"PAPERSHELF_DB": str(tmp_path / "missing.db")})
    assert result.stdout.strip() == "" and not (tmp_path / "missing.db").exists()


def test_completion_reads_an_old_catalogue_without_touching_it(tmp_path):
    """A TAB opens the catalogue read-only: no migration, no backup, no WAL switch, no write;
    the file (and its folder) stay byte for byte as they were."""
    from papershelf.storage.db import open_db

    db = tmp_path / "old.db"
    conn, _ = open_db(db, create=True, upto="m001_core")
    conn.execute("INSERT INTO entries(citekey, title, added, updated) VALUES ('old2019entry', 'Old', 'x', 'x')")
    conn.execute("PRAGMA journal_mode = DELETE")  # as an old papershelf or another tool may leave it
    conn.close()
    before = db.read_bytes()
    files = sorted(p.name for p in tmp_path.iterdir())
    result = _complete_bash(f"papershelf --db {db} show old")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["old2019entry"]
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == files
