"""``merge KEEP OTHER`` (the diff first, asks, OTHER stays citable) and ``undo`` (the last
import, ``--update`` import or merge taken back; refuses when an entry changed since)."""

from __future__ import annotations

import json

import pytest

from papershelf.errors import ExitCode

A = "@article{B2006, title={Graph Search}, author={Bo, Al}, year={2006}, journal={AIJ}, doi={10.1/gs}}\n"
B = ("@article{B2006b, title={Graph search}, author={Bo, Al}, year={2006}, journal={AIJ}, doi={10.1/gs}, "
     "eprint={cs/0601001}, keywords={planning}}\n")


def import_each(run, tmp_path, texts: dict[str, str]) -> dict:
    """Import each text from its own file, one import each, into a new catalogue; the last
    import's --json report."""
    assert run("init", "--empty").exit_code == 0
    data: dict = {}
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
        result = run("import", "bibtex", "--json", str(tmp_path / name))
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
    return data


@pytest.fixture
def two(run, default_db, tmp_path):
    data = import_each(run, tmp_path, {"a.bib": A, "b.bib": B})
    assert data["added"] == ["B2006b"] and data["probable"][0]["existing"] == "B2006"
    assert "probable-duplicate" in [n["kind"] for n in data["notices"]]
    return tmp_path


def test_merge_refuses_without_a_terminal_and_shows_the_diff_first(run, two):
    result = run("merge", "B2006", "B2006b")
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert "eprint: cs/0601001 → (none)" in result.stderr and "title: Graph search → Graph Search" in result.stderr
    assert json.loads(run("show", "B2006b", "--json").stdout)["citekey"] == "B2006b"  # nothing changed


def test_merge_keeps_other_citable_printing_keeps_record(run, two):
    assert run("note", "B2006b", "read twice").exit_code == 0
    result = run("merge", "B2006", "B2006b", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["keep"] == "B2006" and data["aliases"] == ["B2006b"]
    assert data["tags"] == ["planning"] and data["notes"] is True  # OTHER's tags and notes go to KEEP
    keep = json.loads(run("show", "B2006", "--json").stdout)
    assert "planning" in keep["tags"] and "read twice" in keep["notes"]
    assert {"field": "eprint", "before": "cs/0601001", "after": None} in data["diff"]
    shown = json.loads(run("show", "B2006b", "--json").stdout)
    assert shown["citekey"] == "B2006" and shown["aliases"] == ["B2006b"] and shown["title"] == "Graph Search"
    aux = two / "thesis.aux"
    aux.write_text("\\citation{B2006b}\n")
    out = run("export", "bibtex", "--aux", str(aux)).stdout
    assert "@article{B2006b," in out and "Graph Search" in out and "eprint" not in out  # KEEP's record
    trash = json.loads(run("trash", "--json").stdout)
    assert [(t["citekey"], t["reason"]) for t in trash] == [("B2006b", "merged into B2006")]


def test_undo_of_a_merge_brings_other_back_with_its_key(run, two):
    assert run("merge", "B2006", "B2006b", "--yes").exit_code == 0
    dry = run("undo", "--dry-run", "--json")
    assert dry.exit_code == 0 and json.loads(dry.stdout)["unmerged"] == ["B2006b"]
    assert json.loads(run("show", "B2006b", "--json").stdout)["citekey"] == "B2006"  # dry run: unchanged
    result = run("undo")
    assert result.exit_code == 0, result.stderr
    assert "Undid 'merge B2006 B2006b'" in result.stderr and "B2006b" in result.stderr
    other = json.loads(run("show", "B2006b", "--json").stdout)
    keep = json.loads(run("show", "B2006", "--json").stdout)
    assert other["citekey"] == "B2006b" and other["title"] == "Graph search" and keep["aliases"] == []
    assert json.loads(run("trash", "--json").stdout) == []


def test_undo_of_an_import_trashes_what_it_added(run, two):
    result = run("undo", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["trashed"] == ["B2006b"]
    assert run("show", "B2006b").exit_code != 0
    assert [t["reason"] for t in json.loads(run("trash", "--json").stdout)] == ["undo of import bibtex b.bib"]
    again = run("undo", "--json")  # the one before: a.bib
    assert json.loads(again.stdout)["trashed"] == ["B2006"]
    nothing = run("undo")
    assert nothing.exit_code == 2 and "nothing to undo" in nothing.stderr


def test_undo_of_an_update_import_restores_the_fields_and_removes_the_alias(run, default_db, tmp_path):
    import_each(run, tmp_path, {"a.bib": A})
    (tmp_path / "c.bib").write_text(A.replace("B2006,", "Bo06,").replace("{AIJ}", "{Artif. Intell.}"))
    merged = json.loads(run("import", "bibtex", "--update", "--json", str(tmp_path / "c.bib")).stdout)
    assert merged["updated"] == ["B2006"] and merged["aliases"] == [{"alias": "Bo06", "cites": "B2006"}]
    assert json.loads(run("show", "B2006", "--json").stdout)["journal"] == "Artif. Intell."
    result = run("undo", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["restored"] == ["B2006"] and data["unaliased"] == [{"alias": "Bo06", "cited": "B2006"}]
    entry = json.loads(run("show", "B2006", "--json").stdout)
    assert entry["journal"] == "AIJ" and entry["aliases"] == []
    assert "journal = {AIJ}" in run("cite", "B2006").stdout
    assert run("show", "Bo06").exit_code != 0


def test_undo_refuses_when_an_entry_changed_since_unless_forced(run, two):
    assert run("tag", "B2006b", "mine").exit_code == 0
    result = run("undo")
    assert result.exit_code == int(ExitCode.CONFLICT) and "changed since" in result.stderr and "B2006b" in result.stderr
    assert "--force" in result.stderr
    assert run("show", "B2006b").exit_code == 0
    forced = run("undo", "--force", "--json")
    assert forced.exit_code == 0 and json.loads(forced.stdout)["changed_since"] == ["B2006b (edited since)"]
    assert run("show", "B2006b").exit_code != 0


def test_merge_of_an_entry_with_itself_is_refused(run, two):
    result = run("merge", "B2006", "B2006", "--yes")
    assert result.exit_code == 2 and "one entry" in result.stderr
