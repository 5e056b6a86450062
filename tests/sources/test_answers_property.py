"""Property: any answer shape a source can parse gives either valid records or one error line.

Every public lookup of every metadata client is called with its fetch replaced by an arbitrary
JSON value (hypothesis, biased towards the keys the parsers read and towards hostile texts and
numbers). The lookup must return None, a ``Work``, a list of them or a dict of them, each of
which validates again; or raise ``SourceUnavailable`` with a one-line message naming the service.
Nothing else may escape (no RecursionError, OverflowError, UnicodeEncodeError, TypeError…)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.errors import SourceUnavailable
from papershelf.model.entry import MAX_VALUE_CHARS
from papershelf.model.works import KINDS, Work
from papershelf.sources.metadata import Clients
from papershelf.sources.metadata.service import Answer, Service

KEYS = ["ArXiv", "DOI", "ISBN", "URL", "acronym", "attributes", "author", "authors", "authorships", "biblio",
        "canonicalVolumeLink", "container-title", "creators", "data", "date-parts", "display_name", "doi", "ee",
        "event", "externalIds", "family", "familyName", "first_page", "given", "givenName", "hit", "hits", "id",
        "id-type", "identifier", "industryIdentifiers", "info", "is_retracted", "issue", "issued", "items",
        "journal", "key", "landing_page_url", "last_page", "locations", "message", "message-type", "name",
        "number", "page", "pages", "paperId", "primary_location", "publicationDate", "publicationTypes",
        "publicationVenue", "publicationYear", "publication_year", "publish_date", "publishedDate", "publisher",
        "publishers", "relatedIdentifiers", "relation", "result", "results", "short-container-title", "source",
        "subtitle", "text", "title", "titles", "type", "type_crossref", "update-to", "updated-by", "url", "venue",
        "volume", "volumeInfo", "year", "ISBN:9780262033848", "status", "display_name", "host_organization_name"]
HOSTILE_TEXT = ["", " ", "\x00", "\x01\x1b[31m", "\ud800", "a\udfffb", "\u009b2J", "<i>x</i>", "&amp;", "2021",
                "-5", "1e309", "10.1/x", "10.5555/\x01", "javascript:alert(1)", "https://x.org/a b",
                "2106.09685", "journal-article", "proceedings-article", "book", "work", "ok", "doi",
                "9780262033848", "x" * 300]
HOSTILE_NUMBERS = [True, False, -5, 0, 1, 2021, 10**30, -(10**30), 2**63, 1e308, -0.0, 2020.5]

scalars = (st.none() | st.booleans() | st.sampled_from(HOSTILE_NUMBERS) | st.integers()
           | st.floats(allow_nan=False) | st.sampled_from(HOSTILE_TEXT) | st.text(max_size=20))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4),
                                                                 inner, max_size=6),
    max_leaves=40)

# every public lookup, with arguments that reach its parser
LOOKUPS = [("crossref", "work", ("10.5555/x",)), ("crossref", "search", ("a title",)),
           ("datacite", "work", ("10.5555/x",)), ("dblp", "search", ("a title",)),
           ("s2", "paper", ("ARXIV:2106.09685",)), ("s2", "match_title", ("a title",)),
           ("s2", "batch_arxiv", (["2106.09685"],)), ("openalex", "work_by_doi", ("10.5555/x",)),
           ("openalex", "search_title", ("a title",)), ("openlibrary", "isbn", ("9780262033848",)),
           ("googlebooks", "isbn", ("9780262033848",))]


def _valid(work: Work) -> None:
    assert isinstance(work, Work)
    dataclasses.replace(work)  # validates again
    assert work.title.strip() and len(work.title) <= MAX_VALUE_CHARS and work.kind in KINDS
    assert work.year is None or (type(work.year) is int and 1000 <= work.year <= 2999)
    json.dumps(dataclasses.asdict(work), ensure_ascii=False).encode("utf-8")  # storable text


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    with Clients(cache_folder=tmp_path_factory.mktemp("cache")) as c:
        yield c


@pytest.mark.parametrize("service, method, args", LOOKUPS, ids=[f"{s}.{m}" for s, m, _ in LOOKUPS])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=json_values, wrap=st.booleans())
def test_any_answer_is_valid_records_or_one_error_line(clients, monkeypatch, service, method, args, data, wrap):
    client = clients.get(service)
    if wrap and service == "crossref":
        data = {"status": "ok", "message-type": "work" if method == "work" else "work-list", "message": data}
    if wrap and service == "s2" and method == "batch_arxiv":
        data = [data]
    body = json.dumps(data).encode("utf-8", "surrogatepass")

    def fetch(self, url, *, body_=None, expect_json=True, **kwargs):
        return Answer(200, "application/json", body)

    monkeypatch.setattr(Service, "fetch", lambda self, url, body=None, expect_json=True: fetch(self, url))
    monkeypatch.setattr(client.cache, "get", lambda key: None)
    try:
        result = getattr(client, method)(*args)
    except SourceUnavailable as exc:
        assert "\n" not in exc.message and client.label in exc.message, exc.message
        return
    found = result.values() if isinstance(result, dict) else result if isinstance(result, list) else [result]
    for work in found:
        if work is not None:
            _valid(work)
