"""Huge searches end at once with exit 2 and one line; the largest allowed one still runs."""

from __future__ import annotations


def test_ten_thousand_tag_terms_are_a_usage_error_not_an_sqlite_error(run, bundled):
    result = run("search", " ".join(f"tag:t{i}" for i in range(10_000)))
    assert result.exit_code == 2
    assert "too" in result.stderr and "Expression tree" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_many_prefix_terms_are_refused(run, bundled):
    for query in (" ".join(["h*"] * 30_000), " ".join(["ho*"] * 11), "h*"):
        result = run("search", query)
        assert result.exit_code == 2 and "unexpected" not in result.stderr


def test_many_tag_options_are_refused_for_list_search_and_export(run, bundled):
    tags = [arg for i in range(150) for arg in ("--tag", f"t{i}")]
    for command in (["list"], ["search", "lora"], ["export", "bibtex"]):
        result = run(*command, *tags)
        assert result.exit_code == 2, command
        assert "too many tag and type filters" in result.stderr


def test_the_largest_allowed_queries_run(run, bundled):
    result = run("search", " ".join(["ho*"] * 10 + ["diffusion"] * 90), "--json")
    assert result.exit_code == 0, result.stderr
    assert "ho2020denoising" in result.stdout
    result = run("search", " ".join(f"tag:t{i}" for i in range(100)), "--json")
    assert result.exit_code == 1 and result.stdout.strip() == "[]"  # nothing found, as grep
