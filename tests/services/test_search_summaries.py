"""``search`` reads only what it shows (``Library.search_summaries``): the same hits, order, JSON
and extracts as whole entries give, without building one ``Entry``."""

from __future__ import annotations

import json

import pytest

from papershelf.storage import rows

QUERIES = ["lora", "diffusion", "DDPM", "author:ho", "蒸餾", "diffusion year:2020..2023 -video", "tag:distillation",
           "type:book", "2106.09685", "nothing-matches-this"]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("limit", [None, 3])
def test_summaries_are_what_whole_entries_would_show(catalogue, query, limit):
    catalogue.tag("ho2020denoising", ["Zeta-Tag", "alpha"])  # tags in name order, as load gives them
    whole = catalogue.search_hits(query, None, limit)
    light = catalogue.search_summaries(query, None, limit)
    assert [e.summary_dict() for e in light.entries] == [e.summary_dict() for e in whole.entries]
    assert [(e.id, e.editors) for e in light.entries] == [(e.id, e.editors) for e in whole.entries]
    assert {k: v.to_dict() for k, v in light.snippets.items()} == {k: v.to_dict() for k, v in whole.snippets.items()}


def test_the_search_command_builds_no_entry(bundled, run, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("search built a whole Entry")

    expected = run("search", "lora", "--json").stdout
    monkeypatch.setattr(rows, "entry_of", refuse)
    for args in (["search", "lora"], ["search", "lora", "--json"], ["search", "diffusion", "--limit", "2"]):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
    assert run("search", "lora", "--json").stdout == expected
    assert json.loads(expected)[0]["citekey"] == "hu2022lora"
