"""``papershelf check`` from the command line: findings on stdout with what to do, exit 1 on a
problem, 0 when clean, --json for CI, and one clear line for bad input."""

from __future__ import annotations

import json


def test_bundled_catalogue_lists_its_problems_and_exits_1(run, bundled):
    result = run("check")
    assert result.exit_code == 1
    assert "fields     campo2024diffusions" in result.stdout
    assert "→ `papershelf set campo2024diffusions publisher=…`" in result.stdout
    assert result.stderr.startswith("error: 1 problem in 26 entries checked")
    assert "Traceback" not in result.stderr


def test_clean_selection_exits_0(run, bundled):
    result = run("check", "zhang2023adding", "hu2022lora")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout == "" and "No problems in 2 entries checked" in result.stderr


def test_json_for_ci(run, bundled, tmp_path):
    aux = tmp_path / "thesis.aux"
    aux.write_text("\\citation{zhang2023adding}\n\\abx@aux@cite{0}{nosuchpaper}\n", encoding="utf-8")
    result = run("check", "--aux", str(aux), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["checked"] == 2 and data["problems"] == 1
    assert data["findings"] == [{"kind": "missing", "key": "nosuchpaper", "message": "cited but not in the catalogue",
                                 "todo": data["findings"][0]["todo"]}]


def test_missing_aux_file_is_one_line_and_exit_3(run, bundled, tmp_path):
    result = run("check", "--aux", str(tmp_path / "nope.aux"))
    assert result.exit_code == 3
    assert result.stderr.startswith("error: no such file") and "Traceback" not in result.stderr


def test_bad_stale_days_is_a_usage_error(run, bundled):
    assert run("check", "--stale-days", "0").exit_code == 2


def test_online_flags_a_doi_of_another_paper(run, bundled, metadata_server):
    assert run("set", "zhang2023adding", "doi=10.1038/s42256-024-00832-8").exit_code == 0
    result = run("check", "zhang2023adding", "--online")
    assert result.exit_code == 1
    assert "mismatch   zhang2023adding" in result.stdout
    assert "resolves to a different paper" in result.stdout


def test_online_on_the_bundled_catalogue_verifies_every_identifier(run, bundled, metadata_server):
    # every DOI and arXiv id of the bundled catalogue resolves to its paper in the replay data:
    # the only problem left is the offline one
    result = run("check", "--online", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [(f["kind"], f["key"]) for f in data["findings"]] == [("fields", "campo2024diffusions")]
    assert data["requests"]["datacite"] == 21 and data["unverified"] == {}
