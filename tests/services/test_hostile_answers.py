"""A metadata answer is data to validate, not to trust: hostile answers from the replay server
(``add`` by DOI, ISBN and DBLP key) either give a valid record (cleaned: no control characters,
no impossible year) or one error line naming the source with exit 4; nothing half-valid is
stored, and no answer reaches "unexpected …" or a traceback."""

from __future__ import annotations

import json

import pytest

DOI = "10.5555/hostile.1"
ISBN = "9780262033848"
DBLP_KEY = "conf/x/Hostile23"


def _crossref(message: object) -> str:
    return json.dumps({"status": "ok", "message-type": "work", "message": message})


def _work(**fields: object) -> dict:
    base = {"DOI": DOI, "type": "journal-article", "title": ["A hostile paper"],
            "author": [{"given": "Ada", "family": "Lovelace"}], "issued": {"date-parts": [[2021]]},
            "container-title": ["Journal of Tests"]}
    base.update(fields)
    return base


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# name -> (service, body, expected exit, what the stored entry must satisfy, or the words of the error)
REFUSED = {
    "crossref-nested-100k": ("crossref", '{"status": "ok", "message-type": "work", "message": '
                             + _nested(100_000) + "}", "Crossref"),
    "crossref-nested-in-title": ("crossref", _crossref(_work(title=json.loads(_nested(200)))), "Crossref"),
    "crossref-lone-surrogate": ("crossref", _crossref(_work(title=["Bad \\ud800 title"])).replace("\\\\ud800", "\\ud800"),
                                "Crossref"),
    "crossref-doi-control": ("crossref", _crossref(_work(DOI=DOI + "\u0001\u001b[31m")), "Crossref"),
    "crossref-all-null": ("crossref", _crossref({k: None for k in _work()}), "Crossref"),
    "crossref-wrong-types": ("crossref", _crossref({"title": 12, "author": "me", "DOI": [1], "issued": "x",
                                                    "type": {"a": 1}}), "Crossref"),
    "crossref-empty-message": ("crossref", _crossref({}), None),
    "crossref-title-over-cap": ("crossref", _crossref(_work(title=["t" * (1024 * 1024 + 10)])), "Crossref"),
    "crossref-too-many-authors": ("crossref", _crossref(_work(author=[{"family": f"a{i}"} for i in range(20_001)])),
                                  "Crossref"),
    "crossref-author-array-too-long": ("crossref", _crossref(_work(author=[0] * 100_001)), "Crossref"),
    "crossref-authors-over-cap": ("crossref", _crossref(_work(author=[{"family": "x" * 60_000}] * 20)),
                                  "Crossref"),
    "crossref-javascript-url": ("crossref", _crossref(_work(URL="javascript:alert(1)")), "Crossref"),
}


@pytest.fixture
def shelf(run, default_db, metadata_server):
    assert run("init", "--empty").exit_code == 0
    return run


def _entries(run) -> list[dict]:
    return json.loads(run("list", "--json").stdout)


def _one_error(result) -> str:
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_crossref_answer_that_does_not_validate_is_one_error_naming_it(shelf, metadata_server, case):
    service, body, words = REFUSED[case]
    metadata_server.route(service, f"/works/{DOI}", body=body, status=200)
    result = shelf("add", DOI)
    line = _one_error(result)
    assert _entries(shelf) == []
    if words is None:  # no record at all: not found
        assert result.exit_code in (3, 4), result.stderr
    else:
        assert result.exit_code == 4, result.stderr
        assert words in line, line
    assert "\x1b" not in result.stderr and "\x01" not in result.stderr


# name -> (message fields, what the stored entry must show)
CLEANED = {
    "year-10e30": ({"issued": {"date-parts": [[10**30]]}}, {"year": None}),
    "year-negative": ({"issued": {"date-parts": [[-5]]}}, {"year": None}),
    "year-true": ({"issued": {"date-parts": [[True]]}}, {"year": None}),
    "year-float": ({"issued": {"date-parts": [[2020.5]]}}, {"year": None}),
    "year-string": ({"issued": {"date-parts": [["2020"]]}}, {"year": 2020}),
    "year-huge-string": ({"issued": {"date-parts": [["9" * 5000]]}}, {"year": None}),
    "title-controls": ({"title": ["A\u0000 hos\u0007tile\u001b[2J \u009bpaper"]}, {"title": "A hostile[2J paper"}),
    "title-markup": ({"title": ["<i>A</i> &amp; B"]}, {"title": "A & B"}),
    "author-controls": ({"author": [{"given": "A\u0008da", "family": "Love\u007flace"}]}, {}),
    "volume-int": ({"volume": 7, "issue": ["x"], "page": {"a": 1}}, {}),
    "subtitle-only-wrong": ({"subtitle": 5}, {}),
}


@pytest.mark.parametrize("case", sorted(CLEANED))
def test_a_crossref_answer_with_junk_fields_is_cleaned_not_stored_raw(shelf, metadata_server, case):
    fields, expected = CLEANED[case]
    metadata_server.route("crossref", f"/works/{DOI}", body=_crossref(_work(**fields)), status=200)
    result = shelf("add", DOI)
    assert result.exit_code == 0, result.stderr
    [entry] = _entries(shelf)
    shown = json.loads(shelf("show", entry["citekey"], "--json").stdout)
    for key, value in expected.items():
        assert shown[key] == value, (key, shown[key])
    text = json.dumps(shown, ensure_ascii=False)
    assert not any(ch in text for ch in "\x00\x07\x08\x1b\x7f\x9b")


BOOK_ANSWERS = {
    "openlibrary-nested": ("openlibrary", '{"ISBN:' + ISBN + '": ' + _nested(50_000) + "}"),
    "openlibrary-title-nested": ("openlibrary", json.dumps({f"ISBN:{ISBN}": {"title": json.loads(_nested(300))}})),
    "openlibrary-surrogate": ("openlibrary", json.dumps({f"ISBN:{ISBN}": {"title": "X"}}).replace('"X"', '"\\udfff"')),
    "googlebooks-nested": ("googlebooks", '{"items": ' + _nested(50_000) + "}"),
}


@pytest.mark.parametrize("case", sorted(BOOK_ANSWERS))
def test_a_hostile_book_answer_is_one_error_or_not_found(shelf, metadata_server, case):
    service, body = BOOK_ANSWERS[case]
    path = "/api/books" if service == "openlibrary" else "/volumes"
    metadata_server.route(service, path, body=body, status=200)
    result = shelf("add", ISBN)
    _one_error(result)
    assert result.exit_code in (3, 4), result.stderr
    assert _entries(shelf) == []


@pytest.mark.parametrize("body, ctype", [
    ("<html><head><title>Error</title></head><body><h1>500 Internal error</h1></body></html>", "text/html"),
    ("<?xml version='1.0'?><dblp><article key='x'><title></title></article></dblp>", "application/xml"),
    ("<?xml version='1.0'?><dblp><article key='x'><title>\u00a0</title><year>-5</year></article></dblp>",
     "application/xml"),
    ("not xml at all", "text/plain"),
])
def test_dblps_error_page_is_not_an_empty_entry(shelf, metadata_server, body, ctype):
    metadata_server.route("dblp", f"/rec/{DBLP_KEY}.xml", body=body, status=200, headers={"Content-Type": ctype})
    result = shelf("add", DBLP_KEY)
    line = _one_error(result)
    assert result.exit_code == 4 and "DBLP" in line, result.stderr
    assert _entries(shelf) == []
