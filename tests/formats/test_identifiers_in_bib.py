"""The .bib reader stores identifiers in the one form the catalogue compares: arXiv ids canonical
(``math.DG/0211159`` → ``math/0211159``), DOIs without their resolver, keywords as tags."""

from __future__ import annotations

from papershelf.formats.bibtex.reader import read_string
from papershelf.formats.bibtex.writer import write_bibtex


def _one(text: str):
    (entry,) = read_string(text).entries
    return entry


def test_an_old_style_eprint_with_its_subject_class_is_read_as_the_canonical_id():
    e = _one("@misc{perelman, title = {The entropy formula for the Ricci flow}, author = {Perelman, G.},"
             " eprint = {math.DG/0211159}, archivePrefix = {arXiv}, primaryClass = {math.DG}, year = 2002}")
    assert (e.arxiv_id, e.arxiv_version, e.primary_class) == ("math/0211159", None, "math.DG")
    assert "eprint" not in e.extra and "archiveprefix" not in e.extra


def test_every_spelling_of_one_old_style_paper_gives_the_same_id():
    text = "\n".join([
        "@misc{a, title = {T}, year = 2002, eprint = {math.DG/0211159v1}, archivePrefix = {arXiv}}",
        "@online{b, title = {T}, year = 2002, eprint = {math/0211159}, eprinttype = {arxiv}}",
        "@misc{c, title = {T}, year = 2002, eprint = {arXiv:math.dg/0211159}}",
        "@article{d, title = {T}, year = 2002, journal = {arXiv preprint math.DG/0211159}}",
    ])
    entries = read_string(text).entries
    assert [e.arxiv_id for e in entries] == ["math/0211159"] * 4
    assert entries[0].arxiv_version == 1
    assert [e.type for e in entries] == ["misc"] * 4  # @online and the Scholar @article are preprints
    assert entries[3].journal is None


def test_the_abs_page_and_the_exporters_howpublished_of_an_old_style_id_are_recognised():
    e = _one("@misc{k, title = {T}, year = 2002, eprint = {math.DG/0211159}, archivePrefix = {arXiv},"
             " url = {http://arxiv.org/abs/math.DG/0211159},"
             " howpublished = {arXiv preprint arXiv:math.DG/0211159}}")
    assert e.url == "https://arxiv.org/abs/math/0211159"
    assert "howpublished" not in e.extra


def test_a_published_paper_keeps_its_own_url_and_a_versioned_howpublished():
    e = _one("@article{k, title = {T}, year = 2003, journal = {J}, eprint = {math.DG/0211159},"
             " archivePrefix = {arXiv}, url = {http://arxiv.org/abs/math.DG/0211159},"
             " howpublished = {arXiv:math.DG/0211159v2}}")
    assert e.arxiv_id == "math/0211159"
    assert e.url == "http://arxiv.org/abs/math.DG/0211159"
    assert e.extra["howpublished"] == "arXiv:math.DG/0211159v2"


def test_an_eprint_of_another_archive_is_no_arxiv_id():
    e = _one("@misc{k, title = {T}, year = 2020, eprint = {2006.11239}, archivePrefix = {HAL}}")
    assert e.arxiv_id is None
    assert e.extra["eprint"] == "2006.11239"


def test_an_old_style_preprint_reads_back_from_its_export_unchanged():
    e = _one("@misc{k, title = {T}, author = {Perelman, G.}, year = 2002, eprint = {math.DG/0211159},"
             " archivePrefix = {arXiv}}")
    for style in ("bibtex", "biblatex"):
        again = _one(write_bibtex([e], style))
        # written as the file wrote it (no url added): read back, the same preprint
        assert (again.arxiv_id, again.type, again.url) == ("math/0211159", "misc", None)
        assert again.extra == {}, style


def test_dois_lose_their_resolver_and_prefix_and_what_is_no_doi_is_kept_as_written():
    text = "\n".join(f"@misc{{k{i}, title = {{T}}, year = 2020, doi = {{{doi}}}}}" for i, doi in enumerate([
        "10.1145/3292500.3330701", "doi:10.1145/3292500.3330701", "https://doi.org/10.1145/3292500.3330701",
        "http://dx.doi.org/10.1145/3292500.3330701", "j.desal.2005.02.017"]))
    assert [e.doi for e in read_string(text).entries] == ["10.1145/3292500.3330701"] * 4 + ["j.desal.2005.02.017"]


def test_keywords_become_tags_in_their_normal_form_once_each():
    e = _one("@misc{k, title = {T}, year = 2020, keywords = {Fine Tuning; LoRA, , fine  tuning,diffusion}}")
    assert e.tags == ["fine-tuning", "lora", "diffusion"]
