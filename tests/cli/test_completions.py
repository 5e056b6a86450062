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
    from papershelf.storage.opening import open_db

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


@pytest.mark.parametrize(("words", "expected"), [
    ("papershelf list --sort y", ["year"]),
    ("papershelf list --sort ", ["added", "year", "title", "key", "author"]),
    ("papershelf list --type inpro", ["inproceedings"]),
    ("papershelf export markdown --group-by t", ["tag", "type"]),
    ("papershelf export bibtex --style bib", ["bibtex", "biblatex"]),
    ("papershelf cite --style biblat", ["biblatex"]),
])
def test_options_with_fixed_values_complete_their_values(bundled, words, expected):
    result = _complete_bash(words)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected


def test_the_completed_values_are_the_ones_the_commands_accept():
    from papershelf.cli._params import GROUPINGS, SORTS, STYLES
    from papershelf.formats.markdown import GROUPS
    from papershelf.storage.catalogue import SORTS as STORED_SORTS

    assert set(SORTS) == set(STORED_SORTS)
    assert set(GROUPINGS) == set(GROUPS)
    assert set(STYLES) == {"bibtex", "biblatex"}


def test_keys_with_colons_complete_in_bash(tmp_path):
    db = tmp_path / "colon.db"
    bib = tmp_path / "colon.bib"
    bib.write_text("@article{smith:2020ab, title={A}, author={Smith, J}, year={2020}}\n"
                   "@article{smith:2021cd, title={B}, author={Smith, K}, year={2021}}\n")
    for args in (["init", "--empty"], ["import", "bibtex", str(bib)]):
        assert subprocess.run([installed_script(), "--db", str(db), *args], capture_output=True,
                              timeout=60).returncode == 0
    env = {"PAPERSHELF_DB": str(db)}
    # bash splits `smith:20` at the colon (COMP_WORDBREAKS) and replaces only the last piece
    assert _complete_bash("papershelf show smith", env).stdout.split() == ["smith:2020ab", "smith:2021cd"]
    assert _complete_bash("papershelf show smith : 2020", env).stdout.split() == ["2020ab"]
    assert _complete_bash("papershelf show smith :", env).stdout.split() == [":2020ab", ":2021cd"]


def test_db_after_the_command_is_the_catalogue_completed_from(bundled, tmp_path):
    other = tmp_path / "other.db"
    subprocess.run([installed_script(), "--db", str(other), "init", "--empty"], capture_output=True, timeout=60)
    assert _complete_bash("papershelf show ho").stdout.split() == ["ho2020denoising"]
    assert _complete_bash(f"papershelf show --db {other} ho").stdout.split() == []
