"""A search is bounded: too many terms or characters is a QuerySyntaxError (exit 2), never a
minutes-long scan or SQLite's "Expression tree is too large"."""

from __future__ import annotations

import pytest

from papershelf.errors import ExitCode, QuerySyntaxError
from papershelf.model.query import (
    MAX_PREFIXES,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    MIN_PREFIX_CHARS,
    Filters,
    parse_query,
)


def test_up_to_the_bound_is_a_query_one_more_is_refused():
    assert parse_query(" ".join(["hi"] * MAX_TERMS)).fts.count('"hi"') == MAX_TERMS
    with pytest.raises(QuerySyntaxError, match=f"at most {MAX_TERMS}"):
        parse_query(" ".join(["hi"] * (MAX_TERMS + 1)))


def test_prefix_terms_are_few_and_not_too_short():
    assert parse_query(" ".join(["ho*"] * MAX_PREFIXES) + " diffusion").fts.count("*") == MAX_PREFIXES
    for query in [" ".join(["ho*"] * (MAX_PREFIXES + 1)), " ".join(f'title:"a ho"* x{i}' for i in range(11))]:
        with pytest.raises(QuerySyntaxError, match=f"at most {MAX_PREFIXES}"):
            parse_query(query)
    assert MIN_PREFIX_CHARS == 2
    for query in ("h*", '"low r"*', "author:h*"):
        with pytest.raises(QuerySyntaxError, match="too short"):
            parse_query(query)
    assert parse_query("蒸*").fts == '"蒸"*'  # one CJK character is a whole word


def test_operators_and_parentheses_do_not_count_filters_do():
    parse_query(" OR ".join(f"w{i}" for i in range(MAX_TERMS)))
    with pytest.raises(QuerySyntaxError):
        parse_query(" ".join(f"tag:t{i}" for i in range(MAX_TERMS + 1)))


def test_a_query_too_long_is_refused_before_it_is_read():
    with pytest.raises(QuerySyntaxError, match=f"at most {MAX_QUERY_CHARS}"):
        parse_query('"' + "x" * MAX_QUERY_CHARS + '"')


def test_tag_and_type_filters_are_bounded_however_they_arrive():
    Filters(tags=[f"t{i}" for i in range(MAX_TERMS)])
    with pytest.raises(QuerySyntaxError) as err:
        Filters(tags=[f"t{i}" for i in range(MAX_TERMS + 1)])
    assert err.value.exit_code == ExitCode.USAGE
    half = Filters(tags=[f"t{i}" for i in range(60)])
    with pytest.raises(QuerySyntaxError):
        half.merge(Filters(types=[f"y{i}" for i in range(60)]))
