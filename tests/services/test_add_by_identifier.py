"""``services.add``: what a typed item is, which service answers for it, and that every record
enters through the one door (identity and keys decided there)."""

from __future__ import annotations

import pytest

from papershelf.errors import UsageError
from papershelf.services.add import Ref, add_bibtex, add_manual, add_references, classify, lookup


@pytest.mark.parametrize("text, kind, value", [
    ("10.1109/ICCV51070.2023.00355", "doi", "10.1109/ICCV51070.2023.00355"),
    ("doi:10.1038/s42256-024-00832-8", "doi", "10.1038/s42256-024-00832-8"),
    ("https://doi.org/10.1145/3448016.3452841", "doi", "10.1145/3448016.3452841"),
    ("978-1-4842-9993-7", "isbn", "9781484299937"),
    ("ISBN 1835086373", "isbn", "9781835086377"),
    ("conf/iccv/ZhangRA23", "dblp", "conf/iccv/ZhangRA23"),
    ("https://aclanthology.org/2022.aacl-tutorials.2/", "acl", "2022.aacl-tutorials.2"),
    ("https://aclanthology.org/N18-2074.pdf", "acl", "N18-2074"),
])
def test_classify(text, kind, value):
    assert classify(text) == Ref(text, kind, value)


@pytest.mark.parametrize("text", ["https://proceedings.mlr.press/v37/sohl-dickstein15.html",
                                  "https://openreview.net/forum?id=abc", "978-1-4842-9993-8"])
def test_unsupported_links_and_bad_isbns_are_usage_errors(text):
    with pytest.raises(UsageError):
        classify(text)


def test_not_an_identifier_is_none():
    assert classify("lovelace1843notes") is None


@pytest.fixture
def clients(metadata_server, tmp_path):
    from papershelf.sources.metadata import Clients

    with Clients(cache_folder=tmp_path / "cache") as c:
        yield c


def test_a_doi_crossref_does_not_know_is_asked_of_datacite(clients, metadata_server):
    work = lookup(Ref("x", "doi", "10.48550/arXiv.2006.11239"), clients)
    assert work is not None and work.source == "datacite" and work.arxiv_id == "2006.11239"
    assert [s.service for s in metadata_server.requests] == ["crossref", "datacite"]


def test_datacite_answers_when_crossref_is_down(clients, metadata_server):
    metadata_server.fail("crossref", "503", times=3)
    assert lookup(Ref("x", "doi", "10.48550/arXiv.2006.11239"), clients).source == "datacite"


def test_an_acl_anthology_link_is_looked_up_by_its_doi(clients, metadata_server):
    metadata_server.route("crossref", "/works/10.18653/v1/N18-2074",
                          file="crossref/paper-qa__crossref_works-query-title__attention-is-all-you-need"
                               "__near-miss.status200.json")
    lookup(classify("https://aclanthology.org/N18-2074.pdf"), clients)
    assert metadata_server.requests[0].path.lower() == "/works/10.18653/v1/n18-2074"


def test_records_enter_through_the_door_and_duplicates_are_reported(empty_library, clients):
    refs = [classify("10.1038/s42256-024-00832-8"), classify("https://doi.org/10.1038/S42256-024-00832-8"),
            classify("978-1-4842-9993-7")]
    report = add_references(empty_library, refs, clients, tags=["to-read"])
    assert [o.status for o in report.outcomes] == ["added", "exists", "added"]
    assert report.outcomes[1].entry.citekey == report.outcomes[0].entry.citekey
    assert all("to-read" in o.entry.tags for o in report.outcomes)
    assert report.requests == {"crossref": 1, "openlibrary": 1}


def test_a_failed_lookup_writes_nothing_for_it(empty_library, clients, metadata_server):
    metadata_server.fail("openlibrary", "500", times=3)
    metadata_server.fail("googlebooks", "500", times=3)
    report = add_references(empty_library, [classify("10.1038/s42256-024-00832-8"), classify("978-1-4842-9993-7")],
                            clients)
    assert [o.status for o in report.outcomes] == ["added", "failed"]
    assert "Open Library" in report.outcomes[1].message
    assert len(empty_library.entries()) == 1


def test_pasted_bibtex_keeps_its_keys_and_reports_a_duplicate(empty_library):
    bib = ("@article{a2020, author = {Ada Lovelace}, title = {On Engines}, journal = {J}, year = {2020}, doi = {10.1/x}}\n"
           "@article{b2020, author = {Ada Lovelace}, title = {On Engines}, journal = {J}, year = {2020}, doi = {10.1/X}}\n")
    report = add_bibtex(empty_library, bib)  # two keys in one text: two entries, the second reported
    assert [(o.entry.citekey, o.status) for o in report.outcomes] == [("a2020", "added"), ("b2020", "added")]
    assert "may be the same work as a2020 (DOI 10.1/X" in report.outcomes[1].message
    again = add_bibtex(empty_library, bib)
    assert [(o.entry.citekey, o.status) for o in again.outcomes] == [("a2020", "exists"), ("b2020", "exists")]


def test_text_without_entries_is_a_usage_error(empty_library):
    with pytest.raises(UsageError, match="no BibTeX entry"):
        add_bibtex(empty_library, "just some words")


def test_manual_record(empty_library):
    report = add_manual(empty_library, type_="article", title="  A   Title ", authors=["Ada Lovelace"], year=2024,
                        venue="Journal of Engines")
    [o] = report.outcomes
    assert o.status == "added" and o.entry.title == "A Title" and o.entry.journal == "Journal of Engines"
