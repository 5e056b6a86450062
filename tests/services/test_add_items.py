"""``services.add.add_items``: any mix of references and BibTeX, routed as ``add`` routes them,
through the door; a dry run writes nothing."""

import pytest

from papershelf.errors import UsageError
from papershelf.services.add import add_items

BIB = "@article{lovelace1843notes, title = {Notes on the Analytical Engine}, author = {Lovelace, Ada}, year = {1843}}"


def test_bibtex_dry_run_reports_and_writes_nothing(empty_library):
    report = add_items(empty_library, bibtex=BIB, tags=["History"], dry_run=True)
    assert report.dry_run
    assert [(r["status"], r["key"]) for r in report.rows()] == [("added", "lovelace1843notes")]
    assert empty_library.count() == 0
    add_items(empty_library, bibtex=BIB, tags=["History"])
    assert empty_library.get("lovelace1843notes").tags == ["history"]
    again = add_items(empty_library, bibtex=BIB)
    assert again.rows()[0]["status"] == "exists"


def test_mixed_arxiv_and_doi(empty_library, arxiv_server, metadata_server):
    report = add_items(empty_library, ["2302.05543", "doi:10.1109/iccv.2007.4408927"], dry_run=True)
    assert [r["status"] for r in report.rows()] == ["added", "added"]
    assert report.rows()[0]["ref"] == "arXiv:2302.05543"
    assert empty_library.count() == 0
    report = add_items(empty_library, ["2302.05543", "doi:10.1109/iccv.2007.4408927"])
    assert empty_library.count() == 2
    assert {r["key"] for r in report.rows()} == {e.citekey for e in empty_library.entries()}


def test_unreadable_items_are_refused_before_any_request(empty_library):
    with pytest.raises(UsageError, match="not an arXiv id, DOI, ISBN or DBLP key: 'hello'"):
        add_items(empty_library, ["hello", "2302.05543"])
    with pytest.raises(UsageError, match="nothing to add"):
        add_items(empty_library, [" "])
