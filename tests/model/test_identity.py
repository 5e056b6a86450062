"""The one identity rule (``model.identity.same_work``), as a table: each row is a pair of
records and whether they are one work, probably one work (reported, never merged), or two.
Distinct works must never be merged."""

from __future__ import annotations

import pytest

from papershelf.model.entry import Entry, Person
from papershelf.model.identity import IdentityIndex, Keys, normal_title, same_work, work_kind

HO = [Person("Ho", "Jonathan")]
WANG = [Person("王", "小明")]


def e(title: str = "", **kw) -> Entry:
    return Entry(title=title, **kw)


SAME = [
    ("old-style arXiv id with and without its subject class",
     e("The entropy formula", arxiv_id="math.DG/0211159"), e("", arxiv_id="math/0211159")),
    ("an arXiv id with a version and one without",
     e("A", arxiv_id="2006.11239v2"), e("B", arxiv_id="2006.11239")),
    ("arXiv's own DOI is the arXiv id",
     e("DDPM", doi="10.48550/arXiv.2006.11239"), e("Denoising", arxiv_id="2006.11239")),
    ("one DOI written two ways",
     e("X", doi="https://doi.org/10.1109/ICCV51070.2023.00355"), e("X", doi="10.1109/iccv51070.2023.00355")),
    ("a preprint retitled on publication keeps its DOI",
     e("Old preprint title", type="misc", doi="10.1/abc"), e("New journal title", type="article", doi="10.1/abc")),
    ("ISBN-10 and ISBN-13 of one book",
     e("Deep Learning", type="book", isbn="0-306-40615-2"), e("Deep Learning", type="book", isbn="978-0-306-40615-7")),
    ("the same web page",
     e("PEFT", type="online", url="https://github.com/huggingface/peft"),
     e("PEFT", type="online", url="http://github.com/huggingface/peft/")),
    ("a reading-list link whose title is its own address",
     e("Recent Advances in Pre-trained Language Models", url="https://d2.github.io/AACL2022-Tutorial/plms.pdf"),
     e("d2.github.io/AACL2022-Tutorial/", url="https://d2.github.io/AACL2022-Tutorial/plms.pdf")),
]

FOCS = dict(title="Fast Algorithms for Sorting", year=1995, authors=HO)

# Not proof: reported as probable duplicates (with the reason and a field diff), both kept.
PROBABLE = [
    ("title, year and first author (case, accents and braces ignored)",
     e("{D}enoising Diffusion Probabilistic Models", year=2020, authors=HO),
     e("Denoising diffusion probabilistic models.", year=2020, authors=[Person("Hö", "J.")])),
    ("a CJK title, year and first author",
     e("擴散模型綜述", year=2023, authors=WANG), e("擴散模型綜述", year=2023, authors=WANG)),
    ("print and ebook ISBNs, same title, year and author",
     e("Hands-On AI", type="book", isbn="9781098149246", year=2024, authors=HO),
     e("Hands-On AI", type="book", isbn="9781098149239", year=2024, authors=HO)),
    ("the same title and year, no author on one side",
     e("Annual Report", year=2020, type="misc"), e("Annual report", year=2020, authors=HO)),
    ("the same title and year without authors",
     e("Introduction", year=2020), e("Introduction", year=2020)),
    ("two conference papers, same title, year and first author (two keys in one file)",
     e(type="inproceedings", booktitle="FOCS", **FOCS), e(type="inproceedings", booktitle="FOCS", pages="1--9", **FOCS)),
    ("a preprint and its journal version by title only",
     e(type="misc", **FOCS), e(type="article", journal="JACM", **FOCS)),
]

DIFFERENT = [
    ("a technical report and the paper (same title, year, first author)",
     e(type="techreport", extra={"institution": "MIT"}, **FOCS), e(type="inproceedings", booktitle="FOCS", **FOCS)),
    ("an MSc thesis and the paper",
     e(type="mastersthesis", **FOCS), e(type="inproceedings", booktitle="ICAPS", **FOCS)),
    ("a PhD thesis and the paper",
     e(type="phdthesis", **FOCS), e(type="article", journal="JAIR", **FOCS)),
    ("a proceedings volume and the book of the same proceedings",
     e("Proceedings of KR", type="proceedings", year=1998, editors=HO, isbn="9780306406157"),
     e("Proceedings of KR", type="book", year=1998, editors=HO, isbn="9780306406157")),
    ("a book and a paper",
     e(type="book", **FOCS), e(type="article", journal="JACM", **FOCS)),
    ("a workshop version and the conference version",
     e(type="inproceedings", booktitle="ICML Workshop on Sorting", **FOCS),
     e(type="inproceedings", booktitle="ICML", **FOCS)),
    ("a workshop version and the conference version sharing an arXiv id",
     e(type="inproceedings", booktitle="NeurIPS Workshop", arxiv_id="2101.00001", **FOCS),
     e(type="inproceedings", booktitle="NeurIPS", arxiv_id="2101.00001", **FOCS)),
    ("an erratum and the paper it corrects",
     e(type="article", journal="JACM", extra={"note": "Erratum"}, **FOCS), e(type="article", journal="JACM", **FOCS)),
    ("a corrigendum sharing the paper's DOI",
     e("Corrigendum to Fast Algorithms for Sorting", type="article", doi="10.1/x"),
     e("Fast Algorithms for Sorting", type="article", doi="10.1/x")),
    ("a technical report sharing the paper's DOI",
     e(type="techreport", doi="10.1/focs", **FOCS), e(type="inproceedings", doi="10.1/focs", **FOCS)),

    ("a shared (bogus) eprint but different DOIs",
     e("Koma", arxiv_id="1234.5678", doi="10.1/koma"), e("Choi", arxiv_id="1234.5678", doi="10.1/choi")),
    ("different arXiv ids, same title, year and author",
     e("Survey", year=2023, authors=HO, arxiv_id="2301.00001"), e("Survey", year=2023, authors=HO, arxiv_id="2301.00002")),
    ("chapters sharing the book's DOI, with their own titles and pages",
     e("Chapter One", type="incollection", doi="10.1007/978-3-030", pages="1--20"),
     e("Chapter Two", type="incollection", doi="10.1007/978-3-030", pages="21--40")),
    ("an article and a chapter sharing a book DOI, with their own titles",
     e("Schwarzer", type="article", doi="10.1007/978-0-387-1"), e("Reed", type="incollection", doi="10.1007/978-0-387-1")),
    ("two articles with their own titles under one (book) DOI, one without pages",
     e("Schwarzer", type="article", doi="10.1007/b1", pages="5--9"), e("Reed", type="article", doi="10.1007/b1")),
    ("a chapter and its book sharing an ISBN",
     e("On Kernels", type="incollection", isbn="9780306406157"), e("Machine Learning", type="book", isbn="9780306406157")),
    ("the same title and year by other first authors",
     e("Editorial", year=1981, authors=HO), e("Editorial", year=1981, authors=WANG)),
    ("the same title, year and author in other issues (a recurring column)",
     e("Editorial", year=1981, authors=HO, volume="3"), e("Editorial", year=1981, authors=HO, volume="4")),
    ("the same title in another year",
     e("Attention", year=2017, authors=HO), e("Attention", year=2018, authors=HO)),
    ("one proceedings page for two papers",
     e("Paper A", url="https://proceedings.mlr.press/v139/"), e("Paper B", url="https://proceedings.mlr.press/v139/")),
    ("CJK titles that differ",
     e("擴散模型綜述", year=2023, authors=WANG), e("蒸餾模型綜述", year=2023, authors=WANG)),
    ("nothing in common", e("A", year=2020), e("B", year=2020)),
]


@pytest.mark.parametrize("why,a,b", SAME, ids=[row[0] for row in SAME])
def test_one_work(why, a, b):
    assert same_work(a, b), why
    assert same_work(b, a), "the rule is symmetric"


@pytest.mark.parametrize("why,a,b", PROBABLE, ids=[row[0] for row in PROBABLE])
def test_probably_one_work_is_reported_not_merged(why, a, b):
    for x, y in ((a, b), (b, a)):
        verdict = same_work(x, y)
        assert not verdict and verdict.probable, why


def test_kinds_of_no_particular_kind_go_with_any():
    assert same_work(e("A", type="misc", arxiv_id="2101.00001"), e("A", type="techreport", arxiv_id="2101.00001"))
    assert work_kind("phdthesis") == work_kind("mastersthesis") == "thesis"
    assert work_kind("online") == "" and work_kind("conference") == "paper"


@pytest.mark.parametrize("why,a,b", DIFFERENT, ids=[row[0] for row in DIFFERENT])
def test_two_works(why, a, b):
    for x, y in ((a, b), (b, a)):
        verdict = same_work(x, y)
        assert not verdict, f"{why}: merged because {verdict.why}"
        assert not verdict.probable, f"{why}: reported as probable because {verdict.why}"


def test_the_verdict_names_the_identifier_as_the_record_writes_it():
    record = e("X", doi="10.1/ABC")
    verdict = same_work(record, e("X", doi="10.1/abc"))
    assert verdict.describe(record) == "DOI 10.1/ABC"


def test_the_index_finds_what_the_rule_finds_and_nothing_else():
    stored = [e("Denoising Diffusion Probabilistic Models", year=2020, authors=HO, arxiv_id="2006.11239"),
              e("Chapter One", type="incollection", doi="10.1/book", pages="1--9")]
    index = IdentityIndex.of((entry, n) for n, entry in enumerate(stored))
    assert index.find_entry(e("", arxiv_id="arXiv:2006.11239v3"))[0] == 0
    assert index.find_entry(e("Denoising diffusion probabilistic models", year=2020, authors=HO)) is None
    [(payload, verdict)] = index.probable(Keys.of(e("Denoising diffusion probabilistic models", year=2020, authors=HO)))
    assert payload == 0 and verdict.why == "title, year and first author"
    assert index.find_entry(e("Chapter Two", type="incollection", doi="10.1/book", pages="10--19")) is None
    assert index.find_entry(e("Something else", year=2020)) is None


def test_normal_titles_keep_cjk_and_drop_markup():
    assert normal_title("{BERT}: Pre-training of Deep {T}ransformers") == "bert pre training of deep transformers"
    assert normal_title("擴散模型：綜述") == "擴散模型 綜述"
    assert normal_title("Müller’s Café") == "muller s cafe"
