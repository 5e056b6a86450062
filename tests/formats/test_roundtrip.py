"""import(export(catalogue)) keeps every field a .bib carries; export(import(file)) is stable."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.formats.bibtex.reader import read_string
from papershelf.formats.bibtex.writer import CATALOGUE_ONLY_EXTRA, write_bibtex
from papershelf.services.import_bibtex import import_entries
from papershelf.services.library import Library
from papershelf.storage.catalogue import Catalogue

DATA = Path(__file__).resolve().parents[1] / "data" / "bib"
# Catalogue-only data, not part of a .bib file (see papershelf.formats.bibtex.writer).
NOT_IN_BIB = {"section", "links", "categories", "arxiv_version", "arxiv_comment", "rule_tags",
              "added", "updated", "needs_sync", "id",
              # what a .bib file said: the provenance of an imported entry, not its data
              "source_type", "source_fields", "source_raw", "edited", "bib_preambles", "bib_strings"}


def _comparable(entry, style):
    d = entry.to_dict()
    for name in NOT_IN_BIB:
        d.pop(name, None)
    # Only the date of the cited version is written (Entry.publication_date): the arXiv v1
    # date of a paper published later in a venue is not.
    d["date"] = entry.publication_date
    # Other names of the work (``aliases``) are catalogue-only in an entry papershelf made: for
    # search, never exported (CATALOGUE_ONLY_EXTRA); a .bib file's own is kept verbatim.
    d["extra"] = {k: v for k, v in d["extra"].items() if k not in CATALOGUE_ONLY_EXTRA}
    if style == "bibtex" and d.get("date") and len(d["date"]) > 7:
        d["date"] = d["date"][:7]  # bibtex carries year and month; biblatex the whole date
    if d.get("journal_ref") and not (d.get("journal") or d.get("booktitle")):
        d["extra"] = {**d["extra"], "note": d.pop("journal_ref")}  # documented: as a note
    d.pop("journal_ref", None)
    return d


@pytest.mark.parametrize("style", ["bibtex", "biblatex"])
def test_import_of_the_export_keeps_every_field(catalogue, style, tmp_path):
    originals = sorted(catalogue.entries(), key=lambda e: e.citekey)
    for e in originals:
        e.tags = sorted(e.tags)
    text = write_bibtex(originals, style, keywords="tags")  # tags travel only when asked
    result = read_string(text)
    assert not result.problems
    back = {e.citekey: e for e in result.entries}
    assert set(back) == {e.citekey for e in originals}
    for e in originals:
        b = back[e.citekey]
        b.tags = sorted(b.tags)
        assert _comparable(b, style) == _comparable(e, style), e.citekey


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.bib")
                                        if "gbk" not in p.name and "encoding3" not in p.name))
def test_export_of_an_imported_file_is_stable_on_a_second_pass(name, tmp_path):
    from papershelf.formats.bibtex.reader import read_file

    for style in ("bibtex", "biblatex"):
        first = sorted(read_file(DATA / name).entries, key=lambda e: e.citekey)
        text1 = write_bibtex(first, style)
        text2 = write_bibtex(sorted(read_string(text1).entries, key=lambda e: e.citekey), style)
        assert text2 == write_bibtex(sorted(read_string(text2).entries, key=lambda e: e.citekey),
                                     style)
        if style == "bibtex":
            assert text1 == text2, name


def test_importing_the_same_file_twice_reports_duplicates_and_update_merges(tmp_path):
    cat, _ = Catalogue.open(tmp_path / "c.db", create=True)
    text = ("@article{a, title={Denoising Diffusion}, author={Ho, Jonathan}, year=2020, "
            "journal={J}, doi={10.1/X}}\n@misc{b, title={Other}, eprint={2106.09685}, "
            "archivePrefix={arXiv}, year=2021}")
    first = import_entries(Library(cat), read_string(text).entries)
    assert first.added == ["a", "b"]
    again = import_entries(Library(cat), read_string(text.replace("{J}", "{Journal}")).entries)
    assert again.added == [] and [d[2] for d in again.duplicates] == [
        "its key, and DOI 10.1/X", "the same record (key and fields)"]
    assert [(k, e) for k, e, _, _ in again.differs] == [("a", "a")] and cat.get("a").journal == "J"
    merged = import_entries(Library(cat), read_string(text.replace("{J}", "{Journal}")).entries, update=True)
    assert merged.updated == ["a"] and cat.get("a").journal == "Journal"  # b: the same record, nothing to do
    assert cat.count() == 2
    cat.close()


def test_a_key_taken_by_another_entry_is_renamed_and_reported(tmp_path):
    cat, _ = Catalogue.open(tmp_path / "c.db", create=True)
    import_entries(Library(cat), read_string("@misc{k, title={One}, year=2020}").entries)
    report = import_entries(Library(cat), read_string("@misc{K, title={Two}, year=2021}\n"
                                             "@misc{a~b, title={Three}, year=2022}").entries)
    assert report.renamed == [("K", "Ka", "key already used by another entry"),
                              ("a~b", "ab", "not a key BibTeX can cite")]
    cat.close()
