"""CSL-JSON for pandoc and Zotero: types, names, dates as CSL expects them."""

from __future__ import annotations

import json

from papershelf.formats.csljson import entry_csl, write_csljson
from papershelf.model.entry import Entry, Person


def test_published_paper_preprint_and_book_get_csl_types():
    assert entry_csl(Entry(title="T", type="inproceedings", booktitle="B"))["type"] == "paper-conference"
    assert entry_csl(Entry(title="T", type="article", journal="J"))["type"] == "article-journal"
    pre = entry_csl(Entry(title="T", type="misc", arxiv_id="2006.11239"))
    assert (pre["type"], pre["number"], pre["publisher"]) == ("article", "arXiv:2006.11239", "arXiv")
    assert pre["URL"] == "https://arxiv.org/abs/2006.11239"
    assert entry_csl(Entry(title="T", type="book", isbn="978"))["ISBN"] == "978"


def test_names_keep_particles_and_corporate_names_are_literal():
    item = entry_csl(Entry(title="T", authors=[Person("Stein", "Niki", "van"),
                                               Person("U.S. Department of Energy"), Person("others")]))
    assert item["author"] == [{"family": "Stein", "given": "Niki", "non-dropping-particle": "van"},
                              {"literal": "U.S. Department of Energy"}]


def test_dates_and_pages_are_in_csl_form():
    item = entry_csl(Entry(title="T", year=2020, date="2020-06-19", pages="6840--6851"))
    assert item["issued"] == {"date-parts": [[2020, 6, 19]]} and item["page"] == "6840-6851"
    later = entry_csl(Entry(title="T", year=2022, date="2021-06-17"))
    assert later["issued"] == {"date-parts": [[2022]]}  # publication year, not the arXiv v1 date


def test_output_is_valid_json_with_unicode_intact():
    text = write_csljson([Entry(title="擴散 Bäck", citekey="k")])
    assert json.loads(text)[0] == {"id": "k", "type": "document", "title": "擴散 Bäck"}
    assert "擴散" in text
