"""Global options (--db, -q/--quiet, --debug) work before or after the command name."""

from __future__ import annotations

import json

import pytest


def _keys(result) -> list[str]:
    found = [e["citekey"] for e in json.loads(result.stdout)]
    assert result.exit_code == (0 if found else 1), result.stderr  # nothing found: 1, as grep
    return found


def test_init_with_db_after_the_command(run, tmp_path):
    thesis = tmp_path / "thesis.db"
    result = run("init", "--db", str(thesis), "--empty")
    assert result.exit_code == 0, result.stderr
    assert thesis.exists()
    assert _keys(run("list", "--json", "--db", str(thesis))) == []


@pytest.mark.parametrize("where", ["before", "after"])
def test_db_before_or_after_picks_the_same_catalogue(run, bundled, tmp_path, where):
    other = tmp_path / "other.db"
    assert run("--db", str(other), "init", "--empty").exit_code == 0
    args = ["search", "lora", "--json"]
    line = ["--db", str(other), *args] if where == "before" else [*args, "--db", str(other)]
    assert _keys(run(*line)) == []  # the empty catalogue, not the bundled default
    assert "hu2022lora" in _keys(run(*args))


def test_db_after_the_command_wins_over_the_one_before_and_the_environment(run, bundled, tmp_path):
    empty = tmp_path / "empty.db"
    assert run("init", "--empty", "--db", str(empty)).exit_code == 0
    assert _keys(run("--db", str(bundled), "list", "--json", "--db", str(empty))) == []
    assert _keys(run("list", "--json", "--db", str(empty), env={"PAPERSHELF_DB": str(bundled)})) == []


@pytest.mark.parametrize("line", [["-q", "list", "--json"], ["list", "-q", "--json"],
                                  ["list", "--json", "--quiet"]])
def test_quiet_before_or_after_silences_notices(run, default_db, line):
    result = run(*line)  # the first run creates the default catalogue: a notice, unless quiet
    assert result.exit_code == 0
    assert result.stderr == ""
    assert len(json.loads(result.stdout)) > 0


def test_quiet_in_a_subcommand_group(run, bundled, tmp_path):
    out = tmp_path / "refs.bib"
    loud = run("export", "bibtex", "-o", str(out), "--force")
    assert "Wrote" in loud.stderr
    result = run("export", "bibtex", "-o", str(out), "--force", "-q")
    assert result.exit_code == 0, result.stderr
    assert "Wrote" not in result.stderr and out.read_text().count("@") >= 20  # warnings stay


def test_debug_after_the_command_shows_the_traceback_of_a_bug(run, bundled, monkeypatch):
    from papershelf.services.library import Library

    def broken(self, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(Library, "stats", broken)
    plain = run("stats", "--json")
    assert plain.exit_code == 1 and "unexpected RuntimeError: boom" in plain.stderr
    with pytest.raises(RuntimeError, match="boom"):
        run("stats", "--json", "--debug")


def test_global_options_are_listed_in_each_commands_help(run):
    result = run("show", "--help")
    assert result.exit_code == 0
    assert "--db" in result.stdout and "--quiet" in result.stdout and "Global options" in result.stdout


def test_unknown_command_suggests_from_the_lazy_registry(run):
    result = run("serach", "lora")
    assert result.exit_code == 2
    assert "search" in result.stderr
