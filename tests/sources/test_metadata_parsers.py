"""The metadata parsers on the real recorded answers (tests/data/metadata-apis/, see PROVENANCE.md):
each service's shape, and the traps a venue resolver must not fall into."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papershelf.model.works import Work, clean_title, to_entry
from papershelf.sources.metadata import books, crossref, datacite, dblp, openalex, s2

DATA = Path(__file__).resolve().parents[1] / "data" / "metadata-apis"


def load(rel: str):
    return json.loads((DATA / rel).read_text(encoding="utf-8"))


def test_crossref_journal_article():
    w = crossref.parse_work_answer(load("crossref/paper-qa__crossref_works__10.1038_s42256-024-00832-8.status200.json"))
    assert w is not None and w.source == "crossref" and w.kind == "journal"
    assert w.title == "Augmenting large language models with chemistry tools"
    assert (w.venue, w.volume, w.number, w.pages, w.year) == ("Nature Machine Intelligence", "6", "5", "525-535", 2024)
    assert w.authors[1] == "Sam Cox" and w.family_names[1] == "Cox"
    assert not w.retracted


def test_crossref_conference_paper_has_its_proceedings_and_event_acronym():
    w = crossref.parse_work_answer(load("crossref/commonmeta__crossref_works__10.1145_3448016.3452841.status200.json"))
    assert w is not None and w.kind == "conference"
    assert w.venue == "Proceedings of the 2021 International Conference on Management of Data"
    assert w.venue_short == "SIGMOD/PODS '21" and w.pages == "1386-1399"
    assert to_entry(w).type == "inproceedings" and to_entry(w).booktitle == w.venue


def test_crossref_lower_cased_doi_and_escaped_slashes_are_read():
    raw = (DATA / "crossref/paper-qa__crossref_works-query-title__attention-is-all-you-need__near-miss.status200.json")
    works = crossref.parse_work_list(json.loads(raw.read_text()))
    assert [w.doi for w in works] == ["10.18653/v1/n18-2074"]  # lower case, as Crossref sends it
    assert works[0].title == "Self-Attention with Relative Position Representations"


def test_crossref_preprint_names_its_published_version():
    w = crossref.parse_work_answer(
        load("crossref/paper-qa__crossref_works__10.1101_2024.04.01.587366__is-preprint-of.status200.json"))
    assert w is not None and w.kind == "preprint"
    assert ("is-preprint-of", "10.1016/j.xgen.2025.100814") in w.updates


def test_crossref_retraction_notices_mark_a_work_retracted():
    data = load("crossref/paper-qa__crossref_works__10.1016_j.xgen.2025.100814.status200.json")
    data["message"]["updated-by"] = [{"updated": {"date-parts": [[2026, 1, 2]]}, "DOI": "10.1016/j.xgen.2026.000001",
                                      "type": "retraction", "source": "retraction-watch", "label": "Retraction"}]
    w = crossref.parse_work_answer(data)
    assert w is not None and w.retracted and ("retraction", "10.1016/j.xgen.2026.000001") in w.updates


def test_crossref_empty_work_list():
    assert crossref.parse_work_list(load("crossref/paper-qa__crossref_works-query-title__no-match.status200.json")) == []


def test_dblp_hit_drops_the_trailing_full_stop_and_disambiguation_numbers():
    [w] = dblp.parse_search(load("dblp/zotero-validate__dblp_publ-search__attention-is-all-you-need__near-miss.json"))
    assert w.title == "Attentional Transfer is All You Need: Technology-aware Layout Pattern Generation"
    assert w.authors[0] == "Xiaopeng Zhang" and w.kind == "conference" and w.year == 2021
    assert w.source_id == "conf/dac/ZhangYY21" and w.doi == "10.1109/DAC18074.2021.9586227"


def test_dblp_corr_informal_publication_is_a_preprint_not_a_venue():
    info = {"authors": {"author": {"@pid": "1", "text": "Jakub Lála"}},  # one author: an object, not a list
            "title": "PaperQA: Retrieval-Augmented Generative Agent for Scientific Research.", "venue": "CoRR",
            "volume": "abs/2312.07559", "year": "2023", "type": "Informal and Other Publications",
            "key": "journals/corr/abs-2312-07559", "ee": "https://doi.org/10.48550/arXiv.2312.07559"}
    w = dblp.parse_hit(info)
    assert w.kind == "preprint" and w.arxiv_id == "2312.07559" and w.volume is None
    assert w.authors == ("Jakub Lála",)


def test_dblp_record_xml():
    w = dblp.parse_record((DATA / "dblp/written__dblp_rec__conf_iccv_ZhangRA23.status200.xml").read_bytes())
    assert w is not None and w.kind == "conference" and w.venue == "ICCV"
    assert w.doi == "10.1109/ICCV51070.2023.00355" and w.authors == ("Lvmin Zhang", "Anyi Rao", "Maneesh Agrawala")


def test_dblp_record_with_entities_is_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><dblp><article key="x"><title>&a;</title></article></dblp>'
    assert dblp.parse_record(bomb) is None


@pytest.mark.parametrize("text, key", [
    ("conf/iccv/ZhangRA23", "conf/iccv/ZhangRA23"), ("dblp:journals/corr/abs-2312-07559", "journals/corr/abs-2312-07559"),
    ("https://dblp.org/rec/conf/iccv/ZhangRA23.html", "conf/iccv/ZhangRA23"),
    ("https://dblp.org/rec/conf/iccv/ZhangRA23", "conf/iccv/ZhangRA23"), ("not/a key", None), ("2006.11239", None)])
def test_dblp_keys_as_people_paste_them(text, key):
    assert dblp.key_of(text) == key


def test_s2_venue_and_journal_disagreeing_takes_the_journal_not_the_preprint_server():
    w = s2.parse_paper(load("semantic-scholar/paper-qa__s2_paper__DOI_10.1016_j.xgen.2025.100814.status200.json"))
    assert w.venue == "Cell Genomics" and w.kind == "journal"


def test_s2_abbreviated_venue_is_the_short_name():
    w = s2.parse_paper(load("semantic-scholar/paper-qa__s2_paper__DOI_10.1038_s42256-024-00832-8.status200.json"))
    assert (w.venue, w.venue_short, w.arxiv_id, w.pages) == (
        "Nature Machine Intelligence", "Nat. Mac. Intell.", "2304.05376", "525-535")


def test_s2_arxiv_as_a_journal_is_a_preprint():
    w = s2.parse_paper(load("semantic-scholar/paper-qa__s2_paper__DOI_10.48550_arxiv.2312.07559.status200.json"))
    assert w.kind == "preprint" and w.volume is None and w.arxiv_id == "2312.07559"


def test_s2_conference_paper_whose_journal_has_only_pages():
    data = load("semantic-scholar/paper-qa__s2_search-match__attention-is-all-you-need.status200.json")
    w = s2.parse_paper(data["data"][0])
    assert (w.kind, w.venue, w.pages, w.doi) == ("conference", "Neural Information Processing Systems", "5998-6008", None)


def test_s2_batch_answer_keeps_nulls_in_place():
    data = load("semantic-scholar/semanticscholar-py__s2_paper-batch__first-id-unknown.status200.json")
    assert data[0] is None and all(isinstance(p, dict) for p in data[1:])
    assert s2.parse_paper(data[1]).title.startswith("How Much Should We Trust")


def test_openalex_both_schema_generations():
    old = openalex.parse_results(load(
        "openalex/paper-qa__openalex_works-filter-title-search__augmenting-llms-chemistry-tools.status200.json"))
    kinds = {w.doi: w.kind for w in old}
    assert kinds["10.1038/s42256-024-00832-8"] == "journal" and kinds["10.48550/arxiv.2304.05376"] == "preprint"
    assert next(w for w in old if w.kind == "preprint").arxiv_id == "2304.05376"
    new = openalex.parse_work(load("openalex/commonmeta__openalex_works__doi_10.1145_3448016.3452841.status200.json"))
    assert new.kind == "conference" and new.venue  # source null: the raw source name is the venue
    lncs = openalex.parse_work(load("openalex/commonmeta__openalex_works__doi_10.1007_978-3-642-33191-6_49.status200.json"))
    assert lncs.kind == "conference" and lncs.venue == "Lecture notes in computer science"


def test_datacite_arxiv_doi_is_a_preprint_with_its_id():
    w = datacite.parse_doi(load("datacite/written__datacite_dois__10.48550_arxiv.2006.11239.status200.json"))
    assert w is not None and w.kind == "preprint" and w.arxiv_id == "2006.11239"
    assert w.authors == ("Jonathan Ho", "Ajay Jain", "Pieter Abbeel") and w.year == 2020


def test_books_open_library_and_google_books():
    ol = books.parse_openlibrary(load("openlibrary/written__openlibrary_api-books__isbn_9781484299937.status200.json"),
                                 "9781484299937")
    assert ol is not None and ol.kind == "book" and ol.publisher == "Apress" and ol.year == 2023
    assert ol.title.startswith("Applied Generative AI for Beginners: Practical Knowledge")
    assert books.parse_openlibrary({}, "9781484299937") is None
    gb = books.parse_googlebooks(load("googlebooks/written__googlebooks_volumes__isbn_9781835086377.status200.json"),
                                 "9781835086377")
    assert gb is not None and gb.authors == ("Andrew Zhu (Shudong Zhu)",)


def test_titles_lose_dblp_dot_markup_and_entities_but_keep_abbreviations():
    assert clean_title("Deep Learning.") == "Deep Learning"
    assert clean_title("Proof of <i>P</i> &amp; Q in the U.S.") == "Proof of P & Q in the U.S."


def test_to_entry_types():
    book = Work("openlibrary", "x", "A Book", ("Ada Lovelace",), ("Lovelace",), 2024, "book", publisher="P")
    assert to_entry(book).type == "book" and to_entry(book).authors[0].family == "Lovelace"
    thesis = Work("dblp", "phd/x", "T", ("A B",), ("B",), 2020, "thesis", publisher="MIT")
    e = to_entry(thesis)
    assert e.type == "phdthesis" and e.extra["school"] == "MIT" and e.publisher is None
    pre = Work("s2", "x", "P", ("A B",), ("B",), 2023, "preprint", venue="arXiv.org", arxiv_id="2312.07559")
    assert to_entry(pre).type == "misc" and not to_entry(pre).has_venue
