"""What a .bib file said comes back as written: the reader keeps each field verbatim, the writer
emits it for every field nobody changed, and generates (encoded for the style) only the rest."""

from __future__ import annotations

import dataclasses

import pytest

from papershelf.formats.bibtex.reader import read_string
from papershelf.formats.bibtex.writer import WriteReport, entry_to_bibtex, write_bibtex
from papershelf.model.entry import Entry, Person


def _fields(text: str) -> dict[str, dict[str, str]]:
    return {e.citekey: e.source_fields for e in read_string(text).entries}


def _again(text: str, style: str = "bibtex", **kw) -> str:
    return write_bibtex(read_string(text).entries, style, **kw)


CASES = {
    "math": r"The $O(n \log n)$ bound, $\sqrt{n}$, $L^2$ and $\mathcal{O}(1)$",
    "macros": r"The {\TeX}book, \LaTeX{} and \AmSTeX",
    "nested case protection": r"{{Si}} and {{B}} doping of {COVID-19} ({NeurIPS})",
    "url with percent": r"\url{https://example.org/a%20b}",
    "accents": r"Schr{\"o}dinger and Erd\H{o}s",
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("style", ["bibtex", "biblatex"])
def test_a_value_comes_back_exactly_as_written(name, style):
    value = CASES[name]
    text = f"@misc{{k, title = {{{value}}}, howpublished = {{{value}}}, year = 2020}}\n"
    out = _again(text, style)
    assert _fields(out)["k"]["title"] == value
    assert _fields(out)["k"]["howpublished"] == value
    assert f"title = {{{value}}}," in out


def test_names_with_particles_jr_corporate_and_cjk_come_back_as_written():
    authors = (r"van Beethoven, Ludwig and King, Jr., Martin Luther and {U.S. Department of Energy}"
               r" and {\relax Ch}ristensen, J. and 王小明 and Dezs\H o Nagy")
    out = _again(f"@book{{b, author = {{{authors}}}, title = {{T}}, publisher = {{P}}, year = 1999}}")
    assert _fields(out)["b"]["author"] == authors
    e = read_string(out).entries[0]
    assert e.authors[0] == Person("Beethoven", "Ludwig", "van")
    assert e.authors[1].suffix == "Jr." and e.authors[2].family == "U.S. Department of Energy"


def test_preamble_and_strings_are_written_first_and_noopsort_entries_keep_their_sort_key():
    text = ('@preamble{ "\\newcommand{\\noopsort}[1]{}" }\n@string{acm = "ACM Press"}\n'
            '@book{a, author = {A}, title = {{\\noopsort{1973a}}Vol 1}, publisher = acm # " NY", year = 1973}\n')
    out = _again(text)
    # the strings first: a preamble may use one
    assert out.startswith('@string{acm = "ACM Press"}\n@preamble{"\\newcommand{\\noopsort}[1]{}"}\n')
    assert _fields(out)["a"] == {"author": "A", "title": "{\\noopsort{1973a}}Vol 1",
                                 "publisher": "ACM Press NY", "year": "1973"}
    # the same preamble from two files is written once
    two = read_string(text).entries + read_string(text.replace("{a,", "{b,")).entries
    assert write_bibtex(two).count("@preamble") == 1


def test_an_entry_with_only_key_and_note_is_read_and_written_back():
    text = '@misc{misc-minimal, key = "Missing", note = "This is a minimal MISC entry"}'
    read = read_string(text)
    assert [e.citekey for e in read.entries] == ["misc-minimal"]
    out = write_bibtex(read.entries)
    assert _fields(out)["misc-minimal"] == {"key": "Missing", "note": "This is a minimal MISC entry"}
    assert read_string("@misc{empty,}").entries == []  # no field at all: nothing to cite


def test_type_key_unknown_fields_and_month_macro_come_back_and_nothing_is_added():
    text = ("@Conference{Key:1, author = {A. B}, title = {T}, booktitle = {B}, year = 1990, month = feb,"
            " mendeley-tags = {x}, _private = {y}}")
    out = _again(text)
    assert out.splitlines()[0] == "@conference{Key:1,"
    assert "  month = feb," in out
    assert set(_fields(out)["Key:1"]) == {"author", "title", "booktitle", "year", "month", "mendeley-tags",
                                          "_private"}


def test_crossref_children_keep_their_own_fields_only():
    text = ("@inproceedings{c, author = {A}, title = {Child}, crossref = {p}}\n"
            "@proceedings{p, title = {The Proceedings}, year = 2001, publisher = {P}}\n")
    entries = read_string(text).entries
    assert entries[0].booktitle == "The Proceedings" and entries[0].year == 2001  # decoded view inherits
    assert _fields(write_bibtex(entries))["c"] == {"author": "A", "title": "Child", "crossref": "p"}


def test_a_value_that_cannot_be_decoded_is_kept_and_searched_as_written():
    text = r"@misc{k, title = {Broken \macro{x} with $ math}, year = 2000}"
    entry = read_string(text).entries[0]
    assert "macro" in entry.title
    assert _fields(write_bibtex([entry]))["k"]["title"] == r"Broken \macro{x} with $ math"


def test_edited_fields_are_generated_for_the_style_and_the_rest_stays_verbatim():
    entry = read_string(r"@article{k, author = {M{\"u}ller, J.}, title = {On {\TeX}}, journal = {J},"
                        r" year = 2000, note = {$x^2$}}").entries[0]
    entry = dataclasses.replace(entry, title="Nguyễn’s method", edited=["title"],
                                source_fields={k: v for k, v in entry.source_fields.items() if k != "title"})
    bib = entry_to_bibtex(entry, "bibtex")
    assert "title = {Nguy{\\~{\\^{e}}}n" in bib and bib.isascii()
    assert "author = {M{\\\"u}ller, J.}" in bib and "note = {$x^2$}" in bib
    assert "title = {Nguyễn’s method}" in entry_to_bibtex(entry, "biblatex")


def test_control_characters_are_never_written_and_are_reported():
    entry = read_string("@misc{k, title = {A\x01B}, year = 2000}").entries[0]
    report = WriteReport()
    out = entry_to_bibtex(entry, report=report)
    assert "\x01" not in out and "title = {AB}" in out
    assert report.cleaned == {"k": ["title"]}
    made = Entry(title="Nul\x00here", citekey="m", year=2001)
    assert "\x00" not in write_bibtex([made])


def test_keywords_are_the_sources_unless_asked():
    entry = read_string("@misc{k, title = {T}, year = 2000, keywords = {Deep Learning; GANs}}").entries[0]
    entry.tags = [*entry.tags, "diffusion"]
    made = Entry(title="Made here", citekey="m", year=2021, tags=["lora"], rule_tags=["lora"])
    source = write_bibtex([entry, made])
    assert "keywords = {Deep Learning; GANs}" in source and "lora" not in source
    tags = write_bibtex([entry, made], keywords="tags")
    assert "keywords = {deep-learning, gans, diffusion}" in tags and "keywords = {lora}" in tags
    both = write_bibtex([entry, made], keywords="both")
    assert "keywords = {Deep Learning; GANs, diffusion}" in both and "keywords = {lora}" in both
    assert "keywords" not in write_bibtex([entry, made], keywords="both", minimal=True)


def test_an_eprint_shared_by_works_with_different_dois_is_one_entrys_arxiv_id(empty_library):
    """The reader reads what the file says; the door decides (one entry per arXiv id: the first
    keeps it, the other keeps its eprint field as written and is reported)."""
    from papershelf.services.import_bibtex import import_entries

    text = ("@article{a, title = {One}, year = 1999, doi = {10.1/a}, eprint = {1011.1669v3}, archivePrefix = {arXiv}}\n"
            "@article{b, title = {Two}, year = 2016, doi = {10.1/b}, eprint = {1011.1669v3}, archivePrefix = {arXiv}}\n")
    read = read_string(text)
    assert [e.arxiv_id for e in read.entries] == ["1011.1669", "1011.1669"]
    assert read.problems == []
    report = import_entries(empty_library, read.entries, autotag=False)
    assert report.added == ["a", "b"]
    assert [(p["key"], p["kind"]) for p in report.problems] == [("b", "shared-arxiv-id")]
    assert empty_library.get("a").arxiv_id == "1011.1669" and empty_library.get("b").arxiv_id is None
    assert "eprint = {1011.1669v3}" in write_bibtex([empty_library.get("b")])
