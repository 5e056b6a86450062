"""``papershelf add``, ``sync`` and ``arxiv search`` against the replay server (real arxiv +
requests path, pointed there by PAPERSHELF_ARXIV_URL)."""

from __future__ import annotations

import json

import pytest

from arxiv_server import synthetic_entry
from papershelf.storage.catalogue import Catalogue


@pytest.fixture
def empty(run, default_db):
    assert run("init", "--empty").exit_code == 0
    return default_db


def entries(path):
    cat, _ = Catalogue.open(path)
    try:
        return {e.arxiv_id: e for e in cat.entries()}
    finally:
        cat.close()


# --- add -------------------------------------------------------------------------------------

def test_add_three_ids_in_three_forms_with_one_request(run, empty, arxiv_server):
    result = run("add", "2302.05543", "https://arxiv.org/abs/2106.09685v2", "arXiv:2208.12242")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all(line.startswith("added") for line in lines)
    assert "zhang2023adding" in lines[0] and "Adding Conditional Control" in lines[0]
    assert len(arxiv_server.requests) == 1
    assert arxiv_server.requests[0]["id_list"] == "2302.05543,2106.09685,2208.12242"
    stored = entries(empty)
    assert stored["2106.09685"].title == "LoRA: Low-Rank Adaptation of Large Language Models"
    assert stored["2106.09685"].citekey == "hu2021lora"
    assert stored["2208.12242"].date == "2022-08-25" and stored["2208.12242"].type == "misc"


def test_add_reads_ids_from_a_file_and_from_stdin(run, empty, arxiv_server, tmp_path):
    listing = tmp_path / "ids.txt"
    listing.write_text("# to read\n1605.08386  arXiv:2104.12255v1\nhttps://arxiv.org/abs/math/0211159\n")
    assert run("add", "--file", str(listing)).exit_code == 0
    assert run("add", "-", input="astro-ph/0601001\n").exit_code == 0
    assert {"1605.08386", "2104.12255", "math/0211159", "astro-ph/0601001"} <= set(entries(empty))


def test_an_unreadable_id_is_reported_before_any_request(run, empty, arxiv_server):
    result = run("add", "2302.05543", "not-an-id", "2013.00001")
    assert result.exit_code == 2
    assert "'not-an-id'" in result.stderr and "'2013.00001'" in result.stderr
    assert arxiv_server.requests == [] and entries(empty) == {}


def test_adding_a_paper_already_there_changes_nothing(run, bundled, arxiv_server):
    before = entries(bundled)["2302.05543"]
    result = run("add", "2302.05543")
    assert result.exit_code == 0
    assert result.stdout.startswith("exists") and "--update" in result.stdout
    assert arxiv_server.requests == []  # not even asked
    assert entries(bundled)["2302.05543"] == before


def test_update_refreshes_but_keeps_key_tags_notes(run, bundled, arxiv_server):
    run("tag", "zhang2023adding", "controlnet-favourite")
    run("note", "zhang2023adding", "my note")
    arxiv_server.revise("2302.05543", version=3)
    result = run("add", "--update", "2302.05543")
    assert result.exit_code == 0, result.stderr
    entry = entries(bundled)["2302.05543"]
    assert entry.arxiv_version == 3 and entry.citekey == "zhang2023adding"
    assert "controlnet-favourite" in entry.tags and "my note" in entry.notes
    assert entry.type == "inproceedings"  # the venue from the reading list stays


def test_add_json_lists_each_paper(run, empty, arxiv_server):
    result = run("add", "--json", "1605.08386", "2104.12255")
    data = json.loads(result.stdout)
    assert [p["status"] for p in data["papers"]] == ["added", "added"]
    assert data["papers"][1]["title"] == "0" and data["requests"] == 1


def test_add_tags_the_new_papers(run, empty, arxiv_server):
    run("add", "--tag", "To Read", "1605.08386")
    assert "to-read" in entries(empty)["1605.08386"].tags


def test_a_paper_arxiv_does_not_know(run, empty, arxiv_server):
    result = run("add", "1605.99999")
    assert result.exit_code == 3
    assert "arXiv has no paper arXiv:1605.99999" in result.stderr and entries(empty) == {}


def test_some_bad_ids_store_the_good_ones_and_exit_partial(run, empty, arxiv_server):
    result = run("add", "1605.08386", "1605.99999", "2104.12255")
    assert result.exit_code == 5
    assert set(entries(empty)) == {"1605.08386", "2104.12255"}
    assert "arXiv:1605.99999: not found" in result.stderr
    assert "1 of 3 could not be added" in result.stderr


def test_an_id_arxiv_rejects_is_listed_and_the_rest_stored(run, empty, arxiv_server):
    arxiv_server.fail("400", ident="1605.08386")
    result = run("add", "1605.08386", "2104.12255")
    assert result.exit_code == 5
    assert "incorrect id format for 1605.08386" in result.stderr
    assert set(entries(empty)) == {"2104.12255"} and len(arxiv_server.requests) == 2


@pytest.mark.parametrize("fault, words", [
    ("503", "HTTP 503"), ("429", "HTTP 429"), ("timeout", "did not answer"),
    ("truncated", "truncated XML"), ("html", "HTML page"), ("empty", "empty answer"),
])
def test_a_lasting_fault_writes_nothing_and_exits_4(run, empty, arxiv_server, fault, words):
    arxiv_server.fail(fault, times=3)
    result = run("add", "1605.08386", "2104.12255")
    assert result.exit_code == 4
    assert words in result.stderr and "Traceback" not in result.stderr
    assert entries(empty) == {} and len(arxiv_server.requests) == 3


def test_connection_refused_exits_4(run, empty, arxiv_refused):
    result = run("add", "1605.08386")
    assert result.exit_code == 4 and "connection refused" in result.stderr
    assert entries(empty) == {}


def test_a_fault_in_a_later_batch_keeps_the_earlier_ones(run, empty, arxiv_server):
    arxiv_server.synthetic = True
    arxiv_server.fail("", times=1).fail("503", times=3)
    ids = [f"2301.{n:05d}" for n in range(1, 151)]
    result = run("--quiet", "add", *ids)
    assert result.exit_code == 5
    assert len(entries(empty)) == 100 and len(arxiv_server.requests) == 4


# --- sync ------------------------------------------------------------------------------------

def test_sync_reports_versions_titles_authors_and_venues(run, empty, arxiv_server):
    run("add", "1605.08386", "2104.12255", "astro-ph/0601001")
    arxiv_server.requests.clear()
    arxiv_server.revise("1605.08386", version=3, add_author="Ada Lovelace")
    arxiv_server.revise("2104.12255", title="Zero", journal_ref="J. Testing 1 (2022)",
                        doi="10.1000/zero")
    result = run("sync")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "arXiv:1605.08386v3  v1 → v3" in out and "authors: + Ada Lovelace" in out
    assert "title: '0' → 'Zero'" in out
    assert "now published: J. Testing 1 (2022) / doi:10.1000/zero" in out
    assert "astro-ph/0601001" not in out  # unchanged entries are not listed
    assert "Checked 3 entries with 1 request: 2 changed, 1 unchanged." in result.stderr
    stored = entries(empty)
    assert stored["1605.08386"].arxiv_version == 3
    assert stored["2104.12255"].type == "article" and stored["2104.12255"].doi == "10.1000/zero"
    assert stored["2104.12255"].citekey == "nguyen20210"  # the key made from title "0" stays


def test_sync_that_would_give_an_entry_another_entrys_doi_is_a_conflict_naming_it(run, empty, arxiv_server,
                                                                                  tmp_path):
    """Identity is asked when a refresh changes an identifier (issue 18 part 2): the preprint
    is not given the DOI the published article holds as another entry; the rest is synced."""
    run("add", "1605.08386", "2104.12255")
    key = entries(empty)["2104.12255"].citekey
    bib = tmp_path / "published.bib"
    bib.write_text("@article{published, title={The Published Version}, journal={J. Testing}, year=2022,"
                   " doi={10.1000/zero}}\n", encoding="utf-8")
    assert run("import", "bibtex", str(bib)).exit_code == 0
    arxiv_server.revise("2104.12255", title="Zero", doi="10.1000/zero")
    arxiv_server.revise("1605.08386", version=3)
    one = run("sync", key)
    errors = [line for line in one.stderr.splitlines() if line.startswith("error:")]
    assert one.exit_code == 1 and len(errors) == 1 and "same work as published" in errors[0], one.stderr
    both = run("sync", "--json")
    assert both.exit_code == 5, both.stderr  # one synced, one refused: partial
    status = {e["arxiv_id"]: e["status"] for e in json.loads(both.stdout)["entries"]}
    assert status == {"2104.12255": "conflict", "1605.08386": "changed"}
    stored = entries(empty)
    assert stored["2104.12255"].doi is None and stored["1605.08386"].arxiv_version == 3


def test_sync_dry_run_writes_nothing(run, empty, arxiv_server):
    run("add", "1605.08386")
    before = entries(empty)
    arxiv_server.revise("1605.08386", version=2)
    result = run("sync", "--dry-run")
    assert "v1 → v2" in result.stdout and "dry run: nothing written" in result.stderr
    assert entries(empty) == before


def test_sync_of_the_bundled_catalogue_keeps_everything_the_user_made(run, bundled, arxiv_server):
    run("tag", "ho2020denoising", "classic")
    before = entries(bundled)
    result = run("sync", "--json")
    data = json.loads(result.stdout)
    # the replay server knows 19 of the 21 seed papers (PROVENANCE.md says why)
    assert result.exit_code == 5 and len(arxiv_server.requests) == 1
    missing = sorted(e["arxiv_id"] for e in data["entries"] if e["status"] == "not_found")
    assert missing == ["2402.17525", "2412.01378"]
    after = entries(bundled)
    for ident, old in before.items():
        new = after[ident]
        assert (new.citekey, new.tags, new.notes, new.section) == (old.citekey, old.tags, old.notes, old.section)
        assert (new.type, new.journal, new.year, new.doi) == (old.type, old.journal, old.year, old.doi)


def test_sync_completes_placeholders_and_keeps_their_key(run, empty, arxiv_server):
    from papershelf.model.entry import Entry

    cat, _ = Catalogue.open(empty)
    from papershelf.services.library import Library

    Library(cat).add([Entry(title="", arxiv_id="2006.11239", needs_sync=True, tags=["from-list"])])
    cat.close()
    result = run("sync")
    assert result.exit_code == 0, result.stderr
    assert "filled in from arXiv: Denoising Diffusion Probabilistic Models" in result.stdout
    entry = entries(empty)["2006.11239"]
    assert entry.needs_sync is False and entry.citekey == "arxiv2006.11239"
    assert entry.author_names == ["Jonathan Ho", "Ajay Jain", "Pieter Abbeel"]
    assert "from-list" in entry.tags and "from-list" not in entry.rule_tags  # the user's tag stays
    assert entry.rule_tags == ["diffusion"]  # and the abstract now earns its topic


def test_added_papers_get_their_topic_tags(run, empty, arxiv_server):
    assert run("add", "2302.05543", "2106.09685").exit_code == 0
    got = entries(empty)
    assert {"controlnet", "diffusion"} <= set(got["2302.05543"].rule_tags)
    assert {"lora", "peft"} <= set(got["2106.09685"].rule_tags)


def test_sync_of_named_entries_only(run, bundled, arxiv_server):
    result = run("sync", "ho2020denoising")
    assert result.exit_code == 0
    assert arxiv_server.requests[0]["id_list"] == "2006.11239"


def test_sync_refuses_an_entry_without_arxiv_id(run, bundled, arxiv_server):
    cat, _ = Catalogue.open(bundled)
    book = next(e for e in cat.entries() if not e.arxiv_id)
    cat.close()
    result = run("sync", book.citekey)
    assert result.exit_code == 2 and "no arXiv id" in result.stderr
    assert arxiv_server.requests == []


def test_ctrl_c_during_sync_keeps_whole_batches_only(run, empty, arxiv_server, monkeypatch):
    arxiv_server.synthetic = True
    ids = [f"2301.{n:05d}" for n in range(1, 201)]
    run("--quiet", "add", *ids)
    for ident in ids:  # arXiv now has a v2 of every paper
        arxiv_server.set_entry(ident, synthetic_entry(ident).replace(b"v1<", b"v2<"))
    calls = {"n": 0}
    real = Catalogue.update_metadata

    def interrupted(self, *args, **kw):
        calls["n"] += 1
        if calls["n"] == 150:  # in the middle of the second batch
            raise KeyboardInterrupt
        return real(self, *args, **kw)

    monkeypatch.setattr(Catalogue, "update_metadata", interrupted)
    result = run("sync")
    assert result.exit_code == 130
    assert "100 entries were updated before the interruption" in result.stderr
    monkeypatch.setattr(Catalogue, "update_metadata", real)
    versions = [entries(empty)[i].arxiv_version for i in ids]
    assert versions == [2] * 100 + [1] * 100


# --- arxiv search ----------------------------------------------------------------------------

def test_search_shows_a_numbered_table(run, empty, arxiv_server):
    result = run("arxiv", "search", "all:testing", "--max", "5")
    assert result.exit_code == 0, result.stderr
    assert "Testing Deep Learning Models" in result.stdout
    assert arxiv_server.requests[0]["search_query"] == "all:testing"
    assert arxiv_server.requests[0]["max_results"] == "5"


def test_search_add_chosen_numbers(run, empty, arxiv_server):
    result = run("arxiv", "search", "all:testing", "--max", "10", "--add", "1,3-4", "--json")
    data = json.loads(result.stdout)
    chosen = [r["arxiv_id"] for r in data if r["citekey"]]
    assert len(chosen) == 3 and chosen == [data[i]["arxiv_id"] for i in (0, 2, 3)]
    assert set(entries(empty)) == set(chosen) and len(arxiv_server.requests) == 1


def test_search_add_all_skips_papers_already_there(run, empty, arxiv_server):
    run("arxiv", "search", "au:del_maestro", "--max", "10", "--add", "1")
    result = run("arxiv", "search", "au:del_maestro", "--max", "10", "--add", "all")
    assert result.exit_code == 0
    assert len(entries(empty)) == 10 and "exists" in result.stderr


def test_search_bad_selection_is_refused_before_asking(run, empty, arxiv_server):
    result = run("arxiv", "search", "all:testing", "--add", "first")
    assert result.exit_code == 2 and arxiv_server.requests == []


def test_search_rejected_by_arxiv_is_a_usage_error(run, empty, arxiv_server):
    arxiv_server.fail("400")
    result = run("arxiv", "search", "ti:(unbalanced")
    assert result.exit_code == 2 and "arXiv cannot run the query" in result.stderr


def test_search_empty_page_mid_paging_is_reported(run, empty, arxiv_server):
    arxiv_server.fail("", times=1).fail("no_entries", times=3)
    result = run("arxiv", "search", "all:testing", "--max", "150")
    assert result.exit_code == 4 and "empty page in the middle" in result.stderr
