"""The BibTeX/biblatex writer: what a thesis writer pastes must cite correctly and diff well."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.formats.bibtex.fields import name_field, title_field
from papershelf.formats.bibtex.reader import read_string
from papershelf.formats.bibtex.writer import (
    WriteReport,
    entry_to_bibtex,
    write_bibtex,
)
from papershelf.model.entry import Entry, Person

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SEED_KEYS = ["ho2020denoising", "zhang2023adding", "kulkarni2023applied", "chiang2022recent"]


@pytest.mark.parametrize("style", ["bibtex", "biblatex"])
def test_cite_output_of_seed_entries_matches_the_golden_files(run, bundled, style):
    result = run("cite", *SEED_KEYS, "--style", style)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (GOLDEN / f"seed.{style}.bib").read_text(encoding="utf-8")


def test_reexport_of_an_unchanged_catalogue_is_byte_identical(run, bundled, tmp_path):
    first, second = tmp_path / "a.bib", tmp_path / "b.bib"
    assert run("export", "bibtex", "-o", str(first)).exit_code == 0
    assert run("export", "bibtex", "-o", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert b"\r\n" not in first.read_bytes()


def test_capitals_that_must_stay_are_protected_word_by_word():
    assert title_field("LoRA: Low-Rank Adaptation of Large Language Models", ascii=True) == \
        "{LoRA}: Low-Rank Adaptation of Large Language Models"
    assert title_field("CLIP and ControlNet meet a Gaussian in 3D", ascii=True) == \
        "{CLIP} and {ControlNet} meet a {Gaussian} in {3D}"
    plain = title_field("Denoising Diffusion Probabilistic Models", ascii=True)
    assert "{" not in plain


def test_special_characters_are_escaped_and_braces_stay_balanced():
    text = title_field("Cats & Dogs: 50% of $5 #1 a_b {x} ~y^z \\", ascii=True)
    assert text == (r"Cats \& Dogs: 50\% of \$5 \#1 a\_b \textbraceleft{}x\textbraceright{} "
                    r"\textasciitilde{}y\textasciicircum{}z \textbackslash{}")
    assert text.count("{") == text.count("}")


def test_non_ascii_is_latex_for_bibtex_and_utf8_for_biblatex():
    e = Entry(title="Über Bäume", type="misc", citekey="k", year=2020,
              authors=[Person("Bäck", "Thomas"), Person("Jégou", "Hervé")])
    bib = entry_to_bibtex(e, "bibtex")
    assert r"B{\"a}ck, Thomas and J{\'e}gou, Herv{\'e}" in bib
    assert r"{\"U}ber B{\"a}ume" in bib
    blx = entry_to_bibtex(e, "biblatex")
    assert "Bäck, Thomas and Jégou, Hervé" in blx and "Über Bäume" in blx


def test_cjk_stays_utf8_even_in_the_bibtex_style():
    e = Entry(title="擴散模型", type="misc", citekey="k", year=2024, authors=[Person("王", "小明")],
              notes="- 蒸餾")
    bib = entry_to_bibtex(e, "bibtex")
    assert "擴散模型" in bib and "{王小明}" in bib and "- 蒸餾" in bib  # one braced name: read family first


def test_names_are_family_given_with_particles_suffixes_and_corporate_names():
    assert name_field(Person("Stein", "Niki", "van"), ascii=True) == "van Stein, Niki"
    assert name_field(Person("King", "Martin Luther", suffix="Jr."), ascii=True) == \
        "King, Jr., Martin Luther"
    assert name_field(Person("U.S. Department of Energy"), ascii=True) == "{U.S. Department of Energy}"
    assert name_field(Person("others"), ascii=True) == "others"
    assert name_field(Person("Barnes and Noble", "Ann"), ascii=True) == "{Barnes and Noble}, Ann"


def test_months_are_macros_and_only_when_the_date_is_in_the_publication_year():
    e = Entry(title="T", type="misc", citekey="k", year=2022, date="2022-06-17",
              authors=[Person("A", "B")])
    assert "  month = jun,\n" in entry_to_bibtex(e)
    e.date = "2021-06-17"  # the arXiv v1 of a paper published in 2022
    assert "month" not in entry_to_bibtex(e)
    assert "date = {2022}" in entry_to_bibtex(e, "biblatex")


def test_preprint_is_misc_with_eprint_for_bibtex_and_online_for_biblatex():
    e = Entry(title="A Survey", type="misc", citekey="k", year=2025, arxiv_id="2501.10548",
              primary_class="cs.IR", authors=[Person("Wei", "Ting-Ruen")])
    bib = entry_to_bibtex(e)
    assert bib.startswith("@misc{k,")
    for line in ("eprint = {2501.10548}", "archivePrefix = {arXiv}", "primaryClass = {cs.IR}",
                 "url = {https://arxiv.org/abs/2501.10548}"):
        assert line in bib
    blx = entry_to_bibtex(e, "biblatex")
    assert blx.startswith("@online{k,")
    assert "eprinttype = {arXiv}" in blx and "eprintclass = {cs.IR}" in blx


def test_published_paper_keeps_its_eprint():
    e = Entry(title="T", type="article", citekey="k", year=2023, journal="J", volume="45",
              number="9", pages="1--2", doi="10.1/x", arxiv_id="2209.04747",
              authors=[Person("A", "B")])
    bib = entry_to_bibtex(e)
    assert bib.startswith("@article{k,") and "eprint = {2209.04747}" in bib
    assert "journaltitle = {J}" in entry_to_bibtex(e, "biblatex")


def test_journal_ref_without_a_venue_becomes_a_note_not_a_journal():
    e = Entry(title="T", type="misc", citekey="k", year=2023, arxiv_id="2302.05543",
              journal_ref="ICCV 2023", authors=[Person("A", "B")])
    bib = entry_to_bibtex(e)
    assert "note = {ICCV 2023}" in bib and "journal" not in bib and "booktitle" not in bib


def test_book_without_publisher_is_written_so_plain_bst_does_not_warn_and_says_so():
    e = Entry(title="T", type="book", citekey="k", year=2024, isbn="9781394191772",
              authors=[Person("Campo", "Matias", "del")])
    report = WriteReport()
    bib = entry_to_bibtex(e, report=report)
    # @manual: plain prints it as a book (title in italics) without a warning; pandoc reads a book
    assert bib.startswith("@manual{k,") and "papershelf-type = {book}" in bib
    assert report.degraded == {"k": "book"}
    assert read_string(bib).entries[0].type == "book"
    assert entry_to_bibtex(e, "biblatex").startswith("@book{k,")  # publisher is optional there


def test_output_order_is_the_order_given_and_fields_have_a_fixed_order():
    a = Entry(title="T", type="misc", citekey="b", year=2020, authors=[Person("A", "B")],
              extra={"zzz": "1", "address": "Lille"})
    b = Entry(title="T", type="misc", citekey="a", year=2020, authors=[Person("A", "B")])
    text = write_bibtex([a, b])
    assert text.index("@misc{b,") < text.index("@misc{a,")
    lines = [ln.split("=")[0].strip() for ln in text.split("\n\n")[0].splitlines()[1:-1]]
    assert lines == ["author", "title", "address", "year", "zzz"]


# The writer's fast paths (text that needs no encoding is written as it is; names are rendered
# once per style) must give the bytes the general path gives.
_FAST_TEXT = st.text(alphabet=st.one_of(st.characters(min_codepoint=0x20, max_codepoint=0x7E),
                                        st.sampled_from("äéñøłễ王\u0308–")), max_size=60)


@settings(max_examples=300, deadline=None)
@given(_FAST_TEXT, st.booleans())
def test_text_the_fast_path_skips_is_what_encoding_would_write(text, ascii):
    from papershelf.formats.bibtex.latex import escape, needs_encoding

    general = escape(text)
    if ascii and not general.isascii():
        general = "non-ascii"  # encoded as LaTeX: never skipped
    assert needs_encoding(text, ascii=ascii) == (general != text)


@settings(max_examples=300, deadline=None)
@given(_FAST_TEXT, st.booleans())
def test_titles_are_protected_word_by_word_on_both_paths(title, ascii):
    import re

    from papershelf.formats.bibtex.fields import _needs_protection
    from papershelf.formats.bibtex.latex import encode

    out, pos = [], 0
    for m in re.finditer(r"[^\W_]+", title):  # the general path, piece by piece
        out.append(encode(title[pos:m.start()], ascii=ascii))
        enc = encode(m.group(), ascii=ascii)
        out.append(f"{{{enc}}}" if _needs_protection(m.group()) else enc)
        pos = m.end()
    out.append(encode(title[pos:], ascii=ascii))
    assert title_field(title, ascii=ascii) == "".join(out)


def test_a_name_rendered_for_one_style_is_not_reused_for_the_other():
    person = Person("Müller", "Jürgen")
    assert name_field(person, ascii=True) == 'M{\\"u}ller, J{\\"u}rgen'
    assert name_field(person, ascii=False) == "Müller, Jürgen"
    assert name_field(Person("Müller", "Jürgen"), ascii=True) == 'M{\\"u}ller, J{\\"u}rgen'
