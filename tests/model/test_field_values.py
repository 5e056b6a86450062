"""The one check of typed values (year, month, DOI, ISBN, arXiv id, URL), used by ``set`` and
``edit``: what real .bib files hold passes, what no such field can hold is refused in one line."""

from __future__ import annotations

import pytest

from papershelf.model.field_values import FieldValueError, check_values, parse_month


@pytest.mark.parametrize("name, value", [
    ("year", "2020"), ("year", "{2020}"), ("year", "1995--1996"), ("year", "2001a"), ("year", "2020/21"),
    ("year", "forthcoming"), ("year", "n.d."), ("year", "In press"), ("year", "850"),
    ("month", "mar"), ("month", "March"), ("month", "Mar."), ("month", "3"), ("month", "12"),
    ("month", "mar~15"), ("month", "{sep}"),
    ("doi", "10.1000/xyz123"), ("doi", "doi:10.1145/3292500.3330701"), ("doi", "https://doi.org/10.1002/(SICI)1097-4571"),
    ("isbn", "978-3-16-148410-0"), ("isbn", "0-306-40615-2"), ("isbn", "080442957X"),
    ("isbn", "978-3-16-148410-0, 0-306-40615-2 (pbk.)"),
    ("eprint", "2106.09685"), ("eprint", "arXiv:2106.09685v2"), ("eprint", "hep-th/9901001"),
    ("url", "https://arxiv.org/abs/2106.09685"), ("url", "http://example.org/a?b=c#d"), ("url", "ftp://x.org/f"),
])
def test_values_real_files_hold_pass(name, value):
    check_values({name: value}, [name])


@pytest.mark.parametrize("name, value, says", [
    ("year", "abcd", "year must be a year such as 2020"),
    ("year", "20201", "year must be a year"),
    ("year", "2020 maybe", "year must be a year"),
    ("month", "13", "month must be a month"),
    ("month", "smarch", "month must be a month"),
    ("month", "mar~45", "month must be a month"),
    ("doi", "not-a-doi", "doi must be a DOI"),
    ("doi", "10.1000/a\x01b", "doi must be a DOI"),
    ("isbn", "978-3-16-148410-1", "check digit"),
    ("isbn", "12345", "isbn must be an ISBN"),
    ("eprint", "2106.9", "eprint must be an arXiv id"),
    ("url", "www.example.org", "url must be a web address"),
    ("url", "https://exa mple.org", "url must be a web address"),
])
def test_values_no_such_field_can_hold_are_refused_in_one_line(name, value, says):
    with pytest.raises(FieldValueError) as err:
        check_values({name: value}, [name])
    message = str(err.value)
    assert says in message and "\n" not in message and message.endswith(f", not {value!r}")


def test_an_eprint_of_another_archive_and_untouched_fields_are_not_checked():
    check_values({"eprint": "12345678", "eprinttype": "pubmed"}, ["eprint"])
    check_values({"eprint": "1234/5678", "archiveprefix": "HAL"}, ["eprint"])
    check_values({"year": "abcd", "title": "x"}, ["title"])  # only what the user changed


def test_parse_month():
    assert [parse_month(m) for m in ("3", "mar", "March", "Mar.", "dec", "13", "ma", "x")] == [
        3, 3, 3, 3, 12, None, None, None]
