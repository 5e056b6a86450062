"""``papershelf add`` beyond arXiv, against the metadata replay server: DOIs, ISBNs, DBLP keys,
pasted BibTeX, records by hand and in $EDITOR; faults give one line and an exit code, and nothing
is written for what failed."""

from __future__ import annotations

import json
import sys

import pytest


def entries(run) -> list[dict]:
    result = run("list", "--json")
    found = json.loads(result.stdout)
    assert result.exit_code == (0 if found else 1), result.stderr  # nothing listed: exit 1, as grep
    return found


@pytest.fixture
def empty(run, default_db):
    assert run("init", "--empty").exit_code == 0
    return default_db


def test_add_a_journal_paper_by_doi(run, empty, metadata_server):
    result = run("add", "https://doi.org/10.1038/s42256-024-00832-8")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("added")
    assert "Augmenting large language models with chemistry tools [Crossref]" in result.stdout
    [e] = entries(run)
    shown = json.loads(run("show", e["citekey"], "--json").stdout)
    assert shown["type"] == "article" and shown["journal"] == "Nature Machine Intelligence"
    assert shown["doi"] == "10.1038/s42256-024-00832-8" and shown["pages"] == "525-535" and shown["year"] == 2024


def test_add_a_conference_paper_by_doi_then_again(run, empty, metadata_server):
    assert run("add", "doi:10.1109/iccv.2007.4408927").exit_code == 0
    [e] = entries(run)
    shown = json.loads(run("show", e["citekey"], "--json").stdout)
    assert shown["type"] == "inproceedings"
    assert shown["booktitle"] == "2007 IEEE 11th International Conference on Computer Vision"
    again = run("add", "10.1109/ICCV.2007.4408927")
    assert again.exit_code == 0 and again.stdout.startswith("exists")
    assert len(entries(run)) == 1


def test_add_a_book_by_isbn_with_hyphens(run, empty, metadata_server):
    result = run("add", "978-1-4842-9993-7", "--tag", "books")
    assert result.exit_code == 0, result.stderr
    [e] = entries(run)
    shown = json.loads(run("show", e["citekey"], "--json").stdout)
    assert shown["type"] == "book" and shown["publisher"] == "Apress" and shown["isbn"] == "9781484299937"
    assert "books" in shown["tags"] and len(shown["authors"]) == 4


def test_google_books_answers_when_open_library_does_not(run, empty, metadata_server):
    result = run("add", "1835086373", "--json")
    assert result.exit_code == 0, result.stderr
    [item] = json.loads(result.stdout)["entries"]
    assert item["source"] == "Google Books" and item["type"] == "book"


def test_a_wrong_isbn_check_digit_is_refused_before_any_request(run, empty, metadata_server):
    result = run("add", "978-1-4842-9993-8")
    assert result.exit_code == 2 and "check digit" in result.stderr
    assert metadata_server.requests == []


def test_add_by_dblp_key(run, empty, metadata_server):
    result = run("add", "https://dblp.org/rec/conf/iccv/ZhangRA23.html")
    assert result.exit_code == 0, result.stderr
    [e] = entries(run)
    assert e["doi"] == "10.1109/ICCV51070.2023.00355" and e["type"] == "inproceedings"


def test_openreview_links_are_not_supported_in_one_line(run, empty, metadata_server):
    result = run("add", "https://openreview.net/forum?id=nZeVKeeFYf9")
    assert result.exit_code == 2 and "not supported" in result.stderr
    assert "Traceback" not in result.stderr


def test_add_pasted_bibtex(run, empty, metadata_server):
    bib = "@book{lovelace1843notes,\n  author = {Ada Lovelace},\n  title = {Notes on the Analytical Engine},\n" \
          "  year = {1843},\n  publisher = {Taylor},\n}\n"
    result = run("add", "-", input=bib)
    assert result.exit_code == 0, result.stderr
    assert "lovelace1843notes" in result.stdout
    assert [e["citekey"] for e in entries(run)] == ["lovelace1843notes"]
    assert metadata_server.requests == []


def test_add_ids_from_stdin_still_works(run, empty, metadata_server):
    result = run("add", "-", input="10.1038/s42256-024-00832-8\n")
    assert result.exit_code == 0, result.stderr
    assert len(entries(run)) == 1


def test_add_by_hand(run, empty):
    result = run("add", "--type", "book", "--title", "Diffusions in Architecture", "--author", "Matias del Campo",
                 "--year", "2024", "--publisher", "Wiley")
    assert result.exit_code == 0, result.stderr
    [e] = entries(run)
    shown = json.loads(run("show", e["citekey"], "--json").stdout)
    assert shown["type"] == "book" and shown["author_parts"][0] == {"family": "Campo", "given": "Matias",
                                                                    "prefix": "del"}


@pytest.mark.parametrize("args, needle", [
    (["--type", "book", "--author", "A B"], "--title"),
    (["--type", "book", "--title", "T"], "--author"),
    (["--type", "novel", "--title", "T", "--author", "A B"], "unknown entry type"),
    (["--title", "T"], "give --type"),
    (["--type", "book", "--title", "T", "--author", "A B", "10.1/x"], "no ids"),
    (["not-an-id"], "not an arXiv id, DOI, ISBN or DBLP key"),
])
def test_bad_manual_records_and_unreadable_items_are_usage_errors(run, empty, args, needle):
    result = run("add", *args)
    assert result.exit_code == 2 and needle in result.stderr
    assert entries(run) == []


def test_add_edit_opens_a_template_in_the_editor(run, empty, tmp_path, monkeypatch):
    script = tmp_path / "fill.py"
    script.write_text("import sys, re\np = sys.argv[1]\nt = open(p).read()\n"
                      "t = t.replace('title     = {}', 'title     = {Hands-On Generative AI}')\n"
                      "t = t.replace('author    = {}', 'author    = {Omar Sanseviero}')\n"
                      "t = t.replace('year      = {}', 'year      = {2024}')\n"
                      "open(p, 'w').write(t)\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    result = run("add", "--edit")
    assert result.exit_code == 0, result.stderr
    [e] = entries(run)
    assert e["title"] == "Hands-On Generative AI" and e["type"] == "book"


def test_add_edit_left_unchanged_adds_nothing(run, empty, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", "true")
    result = run("add", "--edit")
    assert result.exit_code == 1 and "nothing added" in result.stderr
    assert entries(run) == []


def test_429_then_ok_adds(run, empty, metadata_server):
    metadata_server.fail("crossref", "429", retry_after=0)
    assert run("add", "10.1038/s42256-024-00832-8").exit_code == 0
    assert len(entries(run)) == 1


def test_a_service_down_is_one_line_exit_4_and_nothing_written(run, empty, metadata_server):
    metadata_server.fail("crossref", "500", times=3)
    metadata_server.fail("datacite", "500", times=3)
    result = run("add", "10.1038/s42256-024-00832-8")
    assert result.exit_code == 4
    assert "Traceback" not in result.stderr and "Crossref is unavailable (HTTP 500)" in result.stderr
    assert entries(run) == []


def test_nothing_listening_is_exit_4(run, empty, metadata_refused):
    result = run("add", "978-1-4842-9993-7")
    assert result.exit_code == 4 and "cannot reach Open Library" in result.stderr
    assert entries(run) == []


def test_not_found_is_exit_3(run, empty, metadata_server):
    result = run("add", "10.1371/notarealdoi")
    assert result.exit_code == 3 and "no record of DOI 10.1371/notarealdoi" in result.stderr


def test_some_found_some_not_is_partial_exit_5_and_the_found_ones_stay(run, empty, metadata_server):
    result = run("add", "10.1038/s42256-024-00832-8", "10.1371/notarealdoi")
    assert result.exit_code == 5
    assert len(entries(run)) == 1


def test_arxiv_ids_and_dois_in_one_run(run, empty, metadata_server, arxiv_server):
    result = run("add", "2106.09685", "10.1038/s42256-024-00832-8", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["arxiv"]["papers"][0]["status"] == "added" and doc["entries"][0]["status"] == "added"
    assert len(entries(run)) == 2


def test_a_retracted_work_is_added_with_a_warning(run, empty, metadata_server):
    from metadata_server import DATA

    data = json.loads((DATA / "crossref/paper-qa__crossref_works__10.1016_j.xgen.2025.100814.status200.json").read_text())
    data["message"]["updated-by"] = [{"updated": {"date-parts": [[2026, 1, 2]]}, "DOI": "10.1016/j.xgen.2026.000001",
                                      "type": "retraction", "source": "retraction-watch", "label": "Retraction"}]
    metadata_server.route("crossref", "/works/10.1016/j.xgen.2025.100814", body=json.dumps(data))
    result = run("add", "10.1016/j.xgen.2025.100814")
    assert result.exit_code == 0, result.stderr
    assert "Crossref marks this work as retracted (notice: doi:10.1016/j.xgen.2026.000001)" in result.stderr


def test_a_book_record_links_no_catalogue_page(run, empty, metadata_server):
    run("add", "9781484299937")
    [e] = entries(run)
    assert json.loads(run("show", e["citekey"], "--json").stdout)["url"] is None
