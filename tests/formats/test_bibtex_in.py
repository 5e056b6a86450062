"""Reading .bib files as people really write them: macros, crossrefs, encodings, broken blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.formats.bibtex.reader import BibEncodingError, ReadResult, decode_bytes, read_file, read_string
from papershelf.model.entry import ENTRY_TYPES
from papershelf.model.identifiers import canonical_arxiv
from papershelf.model.tags import tag_form

DATA = Path(__file__).resolve().parents[1] / "data" / "bib"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "bib"


def test_string_macros_concatenation_and_month_macros_are_resolved():
    r = read_string('@string{conf = "Proc. of "}\n@string{cc = conf # "CC"}\n'
                    '@inproceedings{k, title = {T}, booktitle = cc # { 2020}, author = {A, B},'
                    ' year = 2020, month = jan # "~5"}')
    (e,) = r.entries
    assert e.booktitle == "Proc. of CC 2020"
    assert e.date == "2020-01-05" and "month" not in e.extra


def test_case_insensitive_macros_from_a_peer_file():
    (e,) = read_file(DATA / "bibtexparser_features2.bib").entries
    assert e.booktitle == "My International Conference"
    assert e.title == "Cool Stuff"


def test_crossref_children_inherit_missing_fields_and_the_parent_title_as_booktitle():
    entries = {e.citekey: e for e in read_file(DATA / "bibtexparser_crossref_entries.bib").entries}
    assert entries["cr1"].booktitle == "Graphs of the Continent"
    assert entries["cr1"].year == 1974 and entries["cr1"].title == "Great and Good Graphs"


def test_crossref_cycles_are_reported_not_followed_forever():
    r = read_file(DATA / "bibtexparser_crossref_cascading_cycle.bib")
    assert len(r.entries) == 2
    assert any("cycle" in p.message for p in r.problems)


def test_latex_is_decoded_to_unicode_and_names_are_split():
    r = read_string(r'@article{k, author = {Sch{\"o}lkopf, Bernhard and van der Aalst, Wil '
                    r'and {U.S. Department of Energy} and others}, title = {{LoRA} \& {\"U}ber 5\%},'
                    r' journal = {J}, year = {2020}}')
    (e,) = r.entries
    assert e.title == "LoRA & Über 5%"
    assert [(p.family, p.given, p.prefix) for p in e.authors[:3]] == [
        ("Schölkopf", "Bernhard", ""), ("Aalst", "Wil", "van der"), ("U.S. Department of Energy", "", "")]
    assert e.authors[3].family == "others"


def test_a_second_block_with_a_key_already_used_is_reported_and_left_out_as_bibtex_does():
    r = read_file(DATA / "biber_full-bbl.bib")
    keys = [e.citekey for e in r.entries]
    assert len(keys) == len({k.lower() for k in keys}) and "F1" in keys
    assert r.renamed == {}
    assert any("used twice" in p.message and p.key == "F1" for p in r.problems)
    first = read_string("@misc{k, title = {First}}\n@misc{K, title = {Second}}\n")
    assert [e.title for e in first.entries] == ["First"]


def test_malformed_blocks_are_reported_with_their_line_and_the_rest_imports():
    text = "@article{good1, title={A}, year=2020}\n@article{, title = {no key\n\n" \
           "@article{good2, title={B}, year=2021}\n"
    r = read_string(text)
    assert {e.citekey for e in r.entries} >= {"good1", "good2"}
    r = read_file(DATA / "pubs_incollections.bib")
    assert r.problems and r.problems[0].line == 1


@pytest.mark.parametrize("name, needle", [
    ("bibtexparser_article_start_with_bom.bib", None),
    ("jabref_tiny-LE-withBOM.bib", None),
    ("jabref_encoding-utf-16BE-with-header.bib", None),
    ("jabref_encoding-windows-1252-with-header.bib", "25° C"),
])
def test_other_encodings_are_read(name, needle):
    r = read_file(DATA / name)
    assert not any("cannot read" in p.message for p in r.problems)
    if needle:  # its one entry has nothing but an abstract, so check the text itself
        text, enc = decode_bytes((DATA / name).read_bytes())
        assert needle in text and enc == "windows-1252"


def test_utf8_bom_does_not_end_up_in_the_first_key():
    (e,) = read_file(DATA / "bibtexparser_article_start_with_bom.bib").entries
    assert not e.citekey.startswith("\ufeff")


@pytest.mark.parametrize("name", ["biber_encoding3.bib", "bibtexparser_main_gbk_test.bib"])
def test_undeclared_non_utf8_files_are_refused_clearly(name):
    with pytest.raises(BibEncodingError) as err:
        read_file(DATA / name)
    assert "not UTF-8" in err.value.message and "line" in err.value.message
    assert "--encoding" in err.value.hint


def test_a_named_encoding_reads_a_latin1_file():
    r = read_file(DATA / "biber_encoding3.bib", encoding="latin-1")
    assert any("ö" in (e.title + " ".join(p.name for p in e.authors)) for e in r.entries)


def test_utf16_without_bom_is_recognised():
    text, enc = decode_bytes("@misc{k, title={T}}".encode("utf-16-le"))
    assert text.startswith("@misc") and enc == "utf-16-le"


def test_arxiv_eprints_and_google_scholar_preprints_become_arxiv_ids():
    r = read_string("@misc{a, title={T}, eprint={2006.11239v2}, archivePrefix={arXiv}, "
                    "primaryClass={cs.LG}, year=2020}\n"
                    "@article{b, title={T}, journal={arXiv preprint arXiv:2106.09685}, year=2021}")
    a, b = r.entries
    assert (a.arxiv_id, a.arxiv_version, a.primary_class) == ("2006.11239", 2, "cs.LG")
    assert (b.arxiv_id, b.type, b.journal) == ("2106.09685", "misc", None)


def test_unknown_fields_are_kept_verbatim_in_extra():
    (e,) = read_string("@book{k, title={T}, author={A, B}, year=1999, publisher={P}, "
                       "series={S}, address={Lille}, owner={me}}").entries
    assert e.extra == {"address": "Lille", "owner": "me", "series": "S"}


# Files in a legacy encoding that declare none (or declare UTF-8): refused, and told to name it.
DATA_REFUSED = ["biber_encoding3.bib", "bibtexparser_main_gbk_test.bib"]
SHARED_REFUSED = ["encoding-windows-1252-but-utf-8-declared--decoding-fails.bib", "encoding1.bib",
                  "encoding3.bib", "gbk_test.bib"]
# Entries read from the folders when these floors were set (224 from 23 files of tests/data/bib,
# 12 424 from 135 files of ../shared/data/bib): fewer means the reader lost some.
DATA_ENTRIES_FLOOR = 224
SHARED_ENTRIES_FLOOR = 12_424
# The one entry written without a key (``@article{,``): read, its key left for the import to give.
SHARED_KEYLESS = [("encoding-utf-16BE-with-header.bib", "Ü ist ein Umlaut"),
                  ("encoding-windows-1252-with-header.bib", "")]  # an abstract alone: citable, imported


def _read_all(files: list[Path]) -> tuple[dict[Path, ReadResult], dict[str, BibEncodingError]]:
    """Every file read, or refused for its encoding; any other exception fails, naming its file."""
    read: dict[Path, ReadResult] = {}
    refused: dict[str, BibEncodingError] = {}
    crashed: dict[str, str] = {}
    for path in files:
        try:
            read[path] = read_file(path)
        except BibEncodingError as exc:
            refused[path.name] = exc
        except Exception as exc:  # the point of the sweep: nothing else may escape the reader
            crashed[str(path)] = f"{type(exc).__name__}: {exc}"
    assert crashed == {}
    for exc in refused.values():
        assert "not UTF-8" in exc.message and "line" in exc.message
        assert exc.hint and "--encoding" in exc.hint
    return read, refused


def _check_entries(read: dict[Path, ReadResult]) -> list[tuple[str, str]]:
    """What every read entry must be; returns the (file, title) of the entries without a key."""
    keyless = []
    for path, result in read.items():
        keys = [e.citekey.lower() for e in result.entries if e.citekey]
        assert len(keys) == len(set(keys)), f"{path}: a key used twice was read twice"
        for e in result.entries:
            where = f"{path.name}: {e.citekey!r}"
            assert e.type in ENTRY_TYPES, where
            assert e.citekey == e.citekey.strip(), where
            if not e.citekey:
                keyless.append((path.name, e.title))
            assert e.source_fields or e.edited, where  # an entry with any field is citable (key + note)
            assert e.arxiv_id is None or canonical_arxiv(e.arxiv_id) == e.arxiv_id, where
            assert all(t == tag_form(t) and t for t in e.tags), where
    return keyless


def test_every_copied_peer_file_reads_or_is_refused_clearly():
    read, refused = _read_all(sorted(DATA.glob("*.bib")))
    assert sorted(refused) == DATA_REFUSED
    assert _check_entries(read) == [("jabref_encoding-utf-16BE-with-header.bib", "Ü ist ein Umlaut"),
                                    ("jabref_encoding-windows-1252-with-header.bib", "")]  # abstract only
    assert sum(len(r.entries) for r in read.values()) >= DATA_ENTRIES_FLOOR


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/bib is not beside the checkout")
def test_every_shared_peer_file_is_read_or_refused_for_its_encoding():
    files = sorted(SHARED.rglob("*.bib"))
    assert len(files) >= 130
    read, refused = _read_all(files)
    # only the files in an undeclared legacy encoding are refused (they name --encoding)
    assert sorted(refused) == SHARED_REFUSED
    assert _check_entries(read) == SHARED_KEYLESS
    assert sum(len(r.entries) for r in read.values()) >= SHARED_ENTRIES_FLOOR
