"""The private parts of the ``arxiv`` package that ``papershelf.sources.arxiv._compat`` relies on.

When one of these fails, an ``arxiv`` release has moved an internal: adapt ``_compat.py`` (and
only it) to the new release, or pin ``arxiv`` below it in pyproject.toml. Nothing here touches
the network.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import arxiv
import pytest

from papershelf.sources.arxiv import _compat

RECORDED = Path(__file__).resolve().parents[1] / "data" / "arxiv" / "recorded"
WHERE = f"arxiv {arxiv.__version__} ({Path(arxiv.__file__).parent})"
FIX = "adapt src/papershelf/sources/arxiv/_compat.py to it, or pin arxiv below this release"


def params(func) -> list[str]:
    return list(inspect.signature(func).parameters)


def changed(what: str) -> str:
    return f"{WHERE} changed {what}: {FIX}"


# --- the internals, one by one ---------------------------------------------------------------

def test_the_feed_parser_is_there():
    feed_module = getattr(arxiv, "_feed", None)
    assert feed_module is not None, changed("its Atom parser: there is no arxiv._feed")
    assert callable(getattr(feed_module, "parse", None)), changed("arxiv._feed: it has no parse()")
    assert params(feed_module.parse) == ["content"], changed(
        f"arxiv._feed.parse{inspect.signature(feed_module.parse)}, was parse(content)")


def test_the_client_fetches_pages_through_parse_feed():
    hook = getattr(arxiv.Client, "_parse_feed", None)
    assert hook is not None, changed("arxiv.Client: it has no _parse_feed, the fetching step papershelf replaces")
    assert params(hook)[:3] == ["self", "url", "first_page"], changed(
        f"arxiv.Client._parse_feed{inspect.signature(hook)}, was (self, url, first_page=True, _try_index=0)")


def test_the_client_builds_page_urls_with_format_url():
    build = getattr(arxiv.Client, "_format_url", None)
    assert build is not None, changed("arxiv.Client: it has no _format_url")
    assert params(build) == ["self", "search", "start", "page_size"], changed(
        f"arxiv.Client._format_url{inspect.signature(build)}, was (self, search, start, page_size)")


def test_the_public_names_papershelf_uses_are_there():
    missing = [name for name in ("Client", "Search", "Result", "SortCriterion", "__version__")
               if not hasattr(arxiv, name)]
    assert not missing, changed(f"its public API: {', '.join(missing)} gone")
    for name in ("Relevance", "SubmittedDate", "LastUpdatedDate"):
        assert hasattr(arxiv.SortCriterion, name), changed(f"arxiv.SortCriterion: no {name}")
    init = params(arxiv.Client.__init__)
    assert {"page_size", "delay_seconds", "num_retries"} <= set(init), changed(
        f"arxiv.Client{inspect.signature(arxiv.Client.__init__)}")
    client = arxiv.Client()
    assert isinstance(client.query_url_format, str) and "{}" in client.query_url_format, changed(
        "arxiv.Client.query_url_format (the endpoint format, with {} for the query)")


# --- through the compat layer ----------------------------------------------------------------

def test_a_recorded_answer_parses_into_results():
    body = (RECORDED / "id_1605.08386_s0_m100_199195aa31ad.status200.xml").read_bytes()
    feed = _compat.parse_feed(body)
    assert not feed.malformed and feed.error is None, changed(f"arxiv._feed.parse: {feed.error}")
    assert feed.header.total_results == 1, changed("ParsedFeed.header.total_results")
    assert len(feed.results) == 1, changed("ParsedFeed.results")
    result = feed.results[0]
    assert isinstance(result, arxiv.Result), changed(f"ParsedFeed.results hold {type(result)}, not arxiv.Result")
    assert result.entry_id == "http://arxiv.org/abs/1605.08386v1"
    assert result.title == "Heat-bath random walks with Markov bases"
    assert [a.name for a in result.authors] == ["Caprice Stanley", "Tobias Windisch"]
    assert (result.primary_category, result.categories) == ("math.CO", ["math.CO", "math.ST"])
    assert result.published.year == 2016 and result.comment == "20 pages, 3 figures"


def test_a_recorded_answer_in_the_old_format_parses_too():
    feed = _compat.parse_feed((RECORDED / "id_list=1111.2011v2.xml").read_bytes())
    assert [r.entry_id for r in feed.results] == ["http://arxiv.org/abs/1111.2011v2"]
    assert feed.results[0].doi == "10.1103/PhysRevB.85.115117"
    assert feed.results[0].journal_ref == "Phys. Rev. B 85, 115117 (2012)"


def test_an_unreadable_answer_is_reported_as_malformed():
    feed = _compat.parse_feed(b"")
    assert feed.malformed and feed.error is not None and feed.results == [], changed(
        "how arxiv._feed.parse reports an unreadable document (ParsedFeed.malformed, .error)")


def test_page_url_asks_for_one_page():
    client = _compat.PagingClient()
    client.query_url_format = "http://127.0.0.1:9/api/query?{}"
    url = client.page_url(arxiv.Search(id_list=["1605.08386", "math/0211159"], max_results=2), 0, 2)
    parts = urlsplit(url)
    assert parts.netloc == "127.0.0.1:9" and parts.path == "/api/query", changed(
        f"how arxiv.Client._format_url uses query_url_format: {url}")
    query = parse_qs(parts.query)
    assert query["id_list"] == ["1605.08386,math/0211159"], changed(f"arxiv.Client._format_url: {url}")
    assert (query["start"], query["max_results"]) == (["0"], ["2"]), changed(f"arxiv.Client._format_url: {url}")


def test_results_pages_through_fetch_page():
    """``Client.results`` (public) must reach papershelf's fetching step for every page."""
    pages = {
        "0": (RECORDED / "q_testing_s0_m10_bc5a6c384fe9.status200.xml").read_bytes(),
        "10": (RECORDED / "q_testing_s10_m10_34e56e15aaac.status200.xml").read_bytes(),
    }
    calls: list[tuple[str, str, bool]] = []

    class Recorded(_compat.PagingClient):
        def fetch_page(self, url, first_page):
            query = parse_qs(urlsplit(url).query)
            calls.append((query["start"][0], query["max_results"][0], first_page))
            return _compat.parse_feed(pages[query["start"][0]])

    client = Recorded(page_size=10, delay_seconds=0, num_retries=0)
    # Anything that bypassed fetch_page would be refused here rather than reach arXiv.
    client.query_url_format = "http://127.0.0.1:9/api/query?{}"
    try:
        results = list(client.results(arxiv.Search(query="all:testing", max_results=20)))
    except Exception as exc:  # a bypass: the package's own fetching ran
        pytest.fail(changed(f"arxiv.Client.results: it no longer fetches through _parse_feed ({exc!r})"))
    assert calls == [("0", "10", True), ("10", "10", False)], changed(
        f"how arxiv.Client.results calls _parse_feed: {calls}")
    assert len(results) == 20 and len({r.entry_id for r in results}) == 20


def test_fetch_page_must_be_defined():
    with pytest.raises(NotImplementedError):
        _compat.PagingClient().fetch_page("http://127.0.0.1:9/", True)
