"""list, search, show on the bundled catalogue."""

import json


def test_first_run_creates_the_default_catalogue_once(run, default_db):
    first = run("list", "--json")
    assert first.exit_code == 0
    assert "Created your catalogue" in first.stderr
    assert len(json.loads(first.stdout)) == 26  # stdout is pure JSON even on the creating run
    second = run("list", "--json")
    assert "Created" not in second.stderr
    assert default_db.exists()


def test_search_lora_finds_the_lora_paper(run, bundled):
    result = run("search", "lora", "--json")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert hits[0]["citekey"] == "hu2022lora"
    assert hits[0]["arxiv_id"] == "2106.09685"


def test_search_table_for_people(run, bundled):
    result = run("search", "lora")
    assert result.exit_code == 0
    assert "hu2022lora" in result.stdout
    assert "LoRA" in result.stdout


def test_list_with_nothing_found_exits_1_as_grep_does(run, bundled):
    result = run("list", "--tag", "no-such-tag")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("No entries tagged 'no-such-tag'")
    as_json = run("list", "--year", "1800", "--json")
    assert (as_json.exit_code, as_json.stdout.strip()) == (1, "[]")
    assert run("list", "--tag", "diffusion").exit_code == 0
    quiet = run("list", "--tag", "no-such-tag", "-q")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (1, "", "")
