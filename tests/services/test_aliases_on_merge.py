"""Merged-away keys keep citing (``Library.add``): a duplicate merged with ``update``, or a
second key a .bib gives one work, becomes an alias of the entry; a probable duplicate (same
title and year, no author to compare) is reported and both are kept; an arXiv paper matched to
an imported entry fills in its arXiv fields."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from papershelf.errors import NotFoundError
from papershelf.model.entry import Entry, Person
from papershelf.services import export
from papershelf.services.completion import complete_keys
from papershelf.services.import_bibtex import import_entries, import_files
from papershelf.services.library import AddPolicy

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "bib"
XAMPL = SHARED / "live-clones-pybtex" / "xampl.bib"
BIBER_EXAMPLES = SHARED / "plk-biber" / "examples.bib"


def paper(key: str, **kw) -> Entry:
    base = dict(title="Denoising Diffusion Probabilistic Models", type="inproceedings", citekey=key,
                authors=[Person("Ho", "Jonathan"), Person("Jain", "Ajay")], year=2020,
                booktitle="NeurIPS", doi="10.5555/ddpm")
    base.update(kw)
    return Entry(**base)


def test_update_keeps_the_merged_away_key_as_an_alias(empty_library):
    lib = empty_library
    lib.add([paper("ho2020")], AddPolicy(source_keys=True))
    result = lib.add([paper("Ho_DDPM_2020", pages="6840--6851")], AddPolicy(on_duplicate="update", source_keys=True))
    assert result.aliased == [("Ho_DDPM_2020", "ho2020")]
    entry = lib.get("Ho_DDPM_2020")
    assert entry.citekey == "ho2020" and entry.aliases == ["Ho_DDPM_2020"]
    assert entry.pages == "6840--6851"  # and the merge happened
    assert [e.citekey for e in result.updated] == ["ho2020"] and result.updated[0].aliases == ["Ho_DDPM_2020"]
    assert "Ho_DDPM_2020" in complete_keys(lib.path, "Ho_")


def test_a_duplicate_that_prints_the_same_keeps_its_key_citing(empty_library):
    lib = empty_library
    lib.add([paper("ho2020")], AddPolicy(source_keys=True))
    result = lib.add([paper("Ho_DDPM_2020")], AddPolicy(source_keys=True))
    assert result.aliased == [("Ho_DDPM_2020", "ho2020")] and [d.existing_key for d in result.duplicates] == ["ho2020"]
    assert lib.get("Ho_DDPM_2020").citekey == "ho2020" and lib.count() == 1


def test_a_key_prints_what_was_written_under_it(empty_library, tmp_path):
    """The same DOI, but the record shows an eprint and other title casing: not merged (the
    thesis citing B2006b would print B2006's text), reported with the diff."""
    bib = tmp_path / "t.bib"
    bib.write_text("@article{B2006, title={Graph Search}, author={Bo, Al}, year={2006}, journal={AIJ}, doi={10.1/gs}}\n")
    import_files(empty_library, [bib])
    bib.write_text("@article{B2006b, title={Graph search}, author={Bo, Al}, year={2006}, journal={AIJ}, "
                   "doi={10.1/gs}, eprint={cs/0601001}}\n")
    report = import_files(empty_library, [bib])
    assert report.added == ["B2006b"] and report.aliases == [] and empty_library.count() == 2
    [probable] = report.to_dict()["probable"]
    assert probable["key"] == "B2006b" and probable["existing"] == "B2006" and "DOI 10.1/gs" in probable["same"]
    assert {"field": "title", "this": "Graph search", "other": "Graph Search"} in probable["diff"]
    assert {"field": "eprint", "this": "cs/0601001", "other": None} in probable["diff"]
    assert "eprint = {cs/0601001}" in export.bibtex([empty_library.get("B2006b")], "bibtex")[0]


def test_the_same_key_or_a_key_in_use_is_never_an_alias(empty_library):
    lib = empty_library
    lib.add([paper("ho2020"), Entry(title="Other", citekey="taken2020", year=2020)], AddPolicy(source_keys=True))
    result = lib.add([paper("HO2020"), paper("taken2020")], AddPolicy(on_duplicate="update", source_keys=True))
    assert result.aliased == []  # HO2020 is ho2020 to BibTeX; taken2020 cites another work
    assert lib.get("ho2020").aliases == [] and lib.get("taken2020").title == "Other"


def test_two_keys_in_one_file_are_two_entries(empty_library):
    lib = empty_library
    result = lib.add([paper("ho2020"), paper("ho2020ddpm")], AddPolicy(source_keys=True))
    assert [e.citekey for e in result.added] == ["ho2020", "ho2020ddpm"] and result.aliased == []
    assert [(d.entry.citekey, d.existing_key) for d in result.probable] == [("ho2020ddpm", "ho2020")]
    assert "another key in the same import" in result.probable[0].why


def test_a_re_import_adds_nothing_and_no_alias(empty_library, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{a1, title={Same Work}, author={Doe, Jane}, year={2020}, journal={J}}\n"
                   "@article{a2, title={Same Work}, author={Doe, Jane}, year={2020}, journal={J}}\n"
                   "@misc{k, key={Anon}, note={A note only}}\n@misc{k2, key={Anon}, note={A note only}}\n"
                   "@misc{a~b, title={Three}, year=2022}\n")
    first = import_files(empty_library, [bib])
    assert first.added == ["a1", "a2", "k", "k2", "ab"] and first.aliases == []
    assert [k for k, _, _ in first.probable] == ["a2"]
    again = import_files(empty_library, [bib])
    assert again.added == [] and again.aliases == [] and again.renamed == [] and empty_library.count() == 5
    assert again.to_dict()["aliases"] == [] and again.probable == []
    assert {why for _, _, why in again.duplicates} == {"the same record (key and fields)"}


ONE_WORK = "@article{k, title={One Work}, author={Doe, Jane}, year={2020}, journal={J}}\n"


def import_twice(lib, tmp_path, second: str, **kw):
    """Import ``ONE_WORK``, then ``second`` from the same file name; the second report."""
    bib = tmp_path / "refs.bib"
    bib.write_text(ONE_WORK)
    import_files(lib, [bib])
    bib.write_text(second)
    return import_files(lib, [bib], **kw)


def test_a_key_catalogued_for_another_record_is_renamed_loudly(empty_library, tmp_path):
    report = import_twice(empty_library, tmp_path,
                          "@article{k, title={Another Work}, author={Roe, Rich}, year={2011}, journal={K}}\n")
    assert report.added == ["ka"] and [(o, n) for o, n, _ in report.renamed] == [("k", "ka")]
    assert report.to_dict()["renamed"][0]["kind"] == "key-renamed"


def test_an_edited_record_under_its_key_is_reported_and_update_takes_it(empty_library, tmp_path):
    edited = ONE_WORK.replace("journal={J}", "journal={J}, pages={1--2}")
    report = import_twice(empty_library, tmp_path, edited)
    assert report.added == [] and [d["key"] for d in report.to_dict()["differs"]] == ["k"]
    assert empty_library.get("k").pages is None
    (tmp_path / "refs.bib").write_text(edited)
    report = import_files(empty_library, [tmp_path / "refs.bib"], update=True)
    assert report.updated == ["k"] and empty_library.get("k").pages == "1--2" and empty_library.count() == 1


def test_dry_run_reports_aliases_and_writes_none(empty_library):
    lib = empty_library
    lib.add([paper("ho2020")], AddPolicy(source_keys=True))
    result = lib.add([paper("other")], AddPolicy(on_duplicate="update", source_keys=True, dry_run=True))
    assert result.aliased == [("other", "ho2020")] and lib.get("ho2020").aliases == []


def test_a_probable_duplicate_is_reported_not_merged(empty_library):
    lib = empty_library
    lib.add([Entry(title="Annual Report", citekey="report2020", year=2020, type="misc")], AddPolicy(source_keys=True))
    result = lib.add([Entry(title="Annual report", citekey="acme2020", year=2020, type="techreport",
                            authors=[Person("Acme Corporation")])], AddPolicy(source_keys=True))
    assert [e.citekey for e in result.added] == ["acme2020"] and result.duplicates == []
    assert [(d.entry.citekey, d.existing_key) for d in result.probable] == [("acme2020", "report2020")]
    report = import_entries(lib, [Entry(title="Annual REPORT", citekey="r3", year=2020)])
    assert report.to_dict()["probable"] == [
        {"key": "r3", "existing": "report2020", "same": "title and year (no author to compare)",
         "diff": [{"field": "title", "this": "Annual REPORT", "other": "Annual Report"}]}]


def test_distinct_works_sharing_an_eprint_stay_distinct(empty_library):
    # koma_1999 / choi_2016 in the Zotero export: one bogus eprint, two DOIs
    a = Entry(title="A", citekey="koma_1999", year=1999, doi="10.1/koma", arxiv_id="1705.01234")
    b = Entry(title="B", citekey="choi_2016", year=2016, doi="10.1/choi", arxiv_id="1705.01234")
    result = empty_library.add([a, b], AddPolicy(source_keys=True))
    assert [e.citekey for e in result.added] == ["koma_1999", "choi_2016"] and result.aliased == []
    assert result.shared_ids == [("choi_2016", "koma_1999", "1705.01234")]  # one id per entry: reported
    assert empty_library.get("choi_2016").arxiv_id is None
    assert empty_library.get("choi_2016").extra.get("eprint") == "1705.01234"  # still exported
    assert empty_library.get("1705.01234").citekey == "koma_1999"


@pytest.mark.skipif(not XAMPL.exists(), reason="../shared data not present")
def test_every_cited_xampl_key_resolves_after_import(empty_library, tmp_path):
    import_files(empty_library, [XAMPL])
    aux = tmp_path / "thesis.aux"
    keys = ["article-minimal", "article-full", "article-crossref", "book-full", "inbook-crossref",
            "inproceedings-full", "techreport-full", "phdthesis-full", "mastersthesis-full"]
    aux.write_text("".join(f"\\citation{{{k}}}\n" for k in keys))
    selection = export.select(empty_library, aux=aux)
    assert selection.missing == []
    assert empty_library.get("article-full").citekey == "article-full"  # its own entry: two keys, two entries
    text, _ = export.bibtex(selection.entries, "bibtex", cited=selection.cited)
    for key in keys:  # bibtex finds an entry for every cited key
        assert f"{{{key}," in text


@pytest.mark.skipif(not BIBER_EXAMPLES.exists(), reason="../shared data not present")
def test_no_key_of_biblatex_examples_is_lost(empty_library):
    from papershelf.formats.bibtex.reader import read_file

    read = read_file(BIBER_EXAMPLES)
    import_files(empty_library, [BIBER_EXAMPLES])
    cited = [e.citekey for e in read.entries if e.citekey]
    missing = []
    for key in cited:
        try:
            empty_library.get(key)
        except NotFoundError:
            missing.append(key)
    assert missing == []


def test_an_arxiv_paper_matched_to_an_imported_entry_fills_its_arxiv_fields(empty_library):
    from papershelf.services.arxiv import Report, store

    lib = empty_library
    lib.add([paper("Ho2020", title="Denoising diffusion probabilistic models (NeurIPS version)",
                   doi="10.5555/ddpm")], AddPolicy(source_keys=True))
    fresh = Entry(title="Denoising Diffusion Probabilistic Models", type="misc", doi="10.5555/ddpm",
                  authors=[Person("Ho", "Jonathan")], year=2020, date="2020-06-19", arxiv_id="2006.11239",
                  arxiv_version=2, primary_class="cs.LG", categories=["cs.LG", "stat.ML"],
                  abstract="We present high quality image synthesis results.")
    report = Report()
    store(lib, ["2006.11239"], {"2006.11239": fresh}, {}, report)
    [outcome] = report.outcomes
    assert outcome.status == "merged" and "Ho2020" in outcome.message
    entry = lib.get("2006.11239")
    assert entry.citekey == "Ho2020" and entry.arxiv_id == "2006.11239" and entry.arxiv_version == 2
    assert entry.title == "Denoising diffusion probabilistic models (NeurIPS version)"  # the user's stays
    assert entry.booktitle == "NeurIPS" and entry.abstract and entry.primary_class == "cs.LG"
    assert report.written == 1
    again = Report()
    store(lib, ["2006.11239"], {"2006.11239": fresh}, lib.find_arxiv(["2006.11239"]), again)
    assert [o.status for o in again.outcomes] == ["exists"]


def test_re_importing_a_file_adds_nothing_cjk_and_author_less_entries_included(empty_library, tmp_path):
    bib = tmp_path / "cjk.bib"
    bib.write_text("@article{wang2023kuosan, title={擴散模型綜述}, author={王, 小明 and 李, 華}, year={2023},"
                   " journal={計算機學報}}\n@misc{zhang2022, title={一種新的方法}, year={2022}}\n", encoding="utf-8")
    first = import_files(empty_library, [bib])
    assert first.added == ["wang2023kuosan", "zhang2022"] and first.probable == []
    again = import_files(empty_library, [bib])
    assert again.added == [] and empty_library.count() == 2
    assert [(k, e) for k, e, _ in again.duplicates] == [("wang2023kuosan", "wang2023kuosan"), ("zhang2022", "zhang2022")]
    assert again.probable == [] and again.renamed == []


_LARGE = (os.environ.get("PAPERSHELF_TEST_LARGE") or os.environ.get("CI") or "").lower() not in ("", "0", "false", "no")
REAL = [SHARED / "live-clones-pybtex" / "xampl.bib", BIBER_EXAMPLES,
        SHARED / "FlamingTempura-bibtex-tidy" / "better-bibtex" / "web_page_and_other_mendeley_idiocy.bib",
        SHARED / "live-clones-pybtex" / "tugboat.bib",  # 2,720 entries
        SHARED / "FlamingTempura-bibtex-tidy" / "better-bibtex" / "Unabbreviate_on_import_1436-3.bib"]  # 7,166


@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_every_key_of_a_real_file_keeps_its_own_entry_and_a_re_import_adds_nothing(empty_library, path):
    """Distinct keys are never merged: an import keeps as many entries as the file has, each
    under its key; a second import of the same file adds nothing."""
    from papershelf.formats.bibtex.reader import read_file

    if not path.exists():
        pytest.skip("../shared data not present")
    if path.stat().st_size > 400_000 and not _LARGE:
        pytest.skip("over 400 kB: runs in CI or with PAPERSHELF_TEST_LARGE=1")
    read = read_file(path)
    first = import_files(empty_library, [path], autotag=False)
    assert empty_library.count() == len(read.entries) and first.aliases == []
    stored = {e.citekey for e in empty_library.entries()}
    assert [new for old, new, _ in first.renamed if old == new] == []
    assert all(e.citekey in stored or e.citekey in {o for o, _, _ in first.renamed} for e in read.entries)
    again = import_files(empty_library, [path], autotag=False)
    assert again.added == [] and again.renamed == [] and again.probable == []
    assert empty_library.count() == len(read.entries)
