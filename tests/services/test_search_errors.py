"""Whatever SQLite refuses in a search is the query's fault: a QuerySyntaxError (exit 2)."""

from __future__ import annotations

import pytest

from papershelf.errors import ExitCode, QuerySyntaxError


@pytest.mark.parametrize("fts", ['"lora" AND', "NEAR(", "a:b:c", '"unclosed'], ids=["and", "near", "columns", "quote"])
def test_an_fts_error_is_a_query_syntax_error_with_one_line(catalogue, fts):
    with pytest.raises(QuerySyntaxError) as err:
        catalogue.cat.search_ids(fts)
    assert err.value.exit_code == ExitCode.USAGE
    assert "\n" not in err.value.message and err.value.message.startswith("cannot search for that")
