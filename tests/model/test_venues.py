"""arXiv journal_ref strings read as venues (``model.venues``), from the shapes real answers use
(tests/data/arxiv, ../shared/data/arxiv-atom) and the conference patterns of ML papers."""

from __future__ import annotations

import pytest

from papershelf.model.venues import CONFERENCES, JOURNALS, parse_journal_ref

ICLR = "International Conference on Learning Representations"
NEURIPS = "Advances in Neural Information Processing Systems"
CVPR = "IEEE/CVF Conference on Computer Vision and Pattern Recognition"

CONFERENCE_REFS = [
    ("ICLR 2022", ICLR, 2022, None),
    ("ICLR2022", ICLR, 2022, None),
    ("iclr 2021", ICLR, 2021, None),
    ("NeurIPS 2020", NEURIPS, 2020, None),
    ("NIPS 2017", NEURIPS, 2017, None),
    ("NeurIPS'21", NEURIPS, 2021, None),
    ("AAAI-22", "AAAI Conference on Artificial Intelligence", 2022, None),
    ("Accepted at CVPR 2023 (oral)", CVPR, 2023, None),
    ("Accepted to ICCV 2023", "IEEE/CVF International Conference on Computer Vision", 2023, None),
    ("Published as a conference paper at ICLR 2021", ICLR, 2021, None),
    ("In Proceedings of ICML 2019", "International Conference on Machine Learning", 2019, None),
    ("To appear in ECCV 2022", "European Conference on Computer Vision", 2022, None),
    ("Advances in Neural Information Processing Systems 33 (NeurIPS 2020)", NEURIPS, 2020, None),
    ("The 36th AAAI Conference on Artificial Intelligence (AAAI 2022)",
     "AAAI Conference on Artificial Intelligence", 2022, None),
    ("CVPR 2022, pp. 10684-10695", CVPR, 2022, "10684--10695"),
    ("EMNLP 2021 (long paper)", "Conference on Empirical Methods in Natural Language Processing", 2021, None),
    ("ACL 2020", "Annual Meeting of the Association for Computational Linguistics", 2020, None),
    ("NAACL 2019", CONFERENCES["NAACL"], 2019, None),
    ("COLING 2020", "International Conference on Computational Linguistics", 2020, None),
    ("KDD 2019", CONFERENCES["KDD"], 2019, None),
    ("WWW 2021", "The Web Conference", 2021, None),
    ("SIGGRAPH 2023", CONFERENCES["SIGGRAPH"], 2023, None),
    ("SIGGRAPH Asia 2022", CONFERENCES["SIGGRAPH Asia"], 2022, None),
    ("IJCAI 2019", "International Joint Conference on Artificial Intelligence", 2019, None),
]


@pytest.mark.parametrize(("ref", "booktitle", "year", "pages"), CONFERENCE_REFS)
def test_known_conferences_become_inproceedings_with_the_full_name(ref, booktitle, year, pages):
    venue = parse_journal_ref(ref)
    assert venue is not None, ref
    assert (venue.type, venue.booktitle, venue.journal, venue.year, venue.pages) == (
        "inproceedings", booktitle, None, year, pages)


@pytest.mark.parametrize(("ref", "journal", "year"), [
    ("TPAMI 2023", JOURNALS["TPAMI"], 2023),
    ("JMLR 2021", "Journal of Machine Learning Research", 2021),
    ("TMLR 2023", "Transactions on Machine Learning Research", 2023),
])
def test_known_journals_by_acronym_become_articles(ref, journal, year):
    venue = parse_journal_ref(ref)
    assert venue is not None and (venue.type, venue.journal, venue.booktitle, venue.year) == (
        "article", journal, None, year)


JOURNAL_REFS = [  # real journal_ref values (recorded arXiv answers), and the examples
    ("Phys. Rev. D 76, 013009 (2007)", "Phys. Rev. D", "76", None, "013009", 2007),
    ("Nature 521, 436–444 (2015)", "Nature", "521", None, "436--444", 2015),
    ("Phys. Rev. B 85, 115117 (2012)", "Phys. Rev. B", "85", None, "115117", 2012),
    ("Phys. Rev. Lett. 106, 105303 (2011)", "Phys. Rev. Lett.", "106", None, "105303", 2011),
    ("Physical Review B 82, 060515(R) (2010)", "Physical Review B", "82", None, "060515", 2010),
    ("Annals of Physics 324, 523 (2009).", "Annals of Physics", "324", None, "523", 2009),
    ("Int. J. Mod. Phys. B, 26, 1244002 (2012)", "Int. J. Mod. Phys. B", "26", None, "1244002", 2012),
    ("Astrophys.J.517:565-586,1999", "Astrophys.J.", "517", None, "565--586", 1999),
    ("Phys.Lett.B573:94-100,2003", "Phys.Lett.B", "573", None, "94--100", 2003),
    ("Lect.Notes Phys.562:195-212,2001", "Lect.Notes Phys.", "562", None, "195--212", 2001),
    ("ActaAstron.56:1-50,2006", "ActaAstron.", "56", None, "1--50", 2006),
    ("Eur.Phys.J. C31 (2003) 17-29", "Eur.Phys.J. C", "31", None, "17--29", 2003),
    ("J. Algebraic Combin. 6 (1997), no. 3, 253--257", "J. Algebraic Combin.", "6", "3", "253--257", 1997),
    ("Software Testing, Verification and Reliability, 35(2):e1914, 2025",
     "Software Testing, Verification and Reliability", "35", "2", "e1914", 2025),
    ("Nature 521 (2015)", "Nature", "521", None, None, 2015),
]


@pytest.mark.parametrize(("ref", "journal", "volume", "number", "pages", "year"), JOURNAL_REFS)
def test_journal_citations_give_journal_volume_number_pages_and_year(ref, journal, volume, number, pages, year):
    venue = parse_journal_ref(ref)
    assert venue is not None, ref
    assert (venue.type, venue.journal, venue.volume, venue.number, venue.pages, venue.year) == (
        "article", journal, volume, number, pages, year)


@pytest.mark.parametrize("ref", [
    "", "   ", None,
    "NeurIPS 2020 Workshop on Deep Learning and Inverse Problems",
    "ICML 2021 Workshop on Uncertainty",
    "Submitted to ICLR 2022",
    "Under review at NeurIPS 2023",
    "Findings of EMNLP 2021",
    "ICLR 2022 Tiny Papers",
    "IEEE Transactions on Information Theory ( Volume: 65 , Issue: 4 , April 2019 )",
    "Journal of NeuroEngineering and Rehabilitation, 2017",
    "SBES 2025 39th Brazilian Symposium on Software Engineering",
    "2021 IEEE International Conference on Artificial Intelligence Testing (AITest)",
    "Proc. 2023 IEEE International Conference on Software Testing, Verification and Validation "
    "Workshops (ICSTW), pp. 66-69",
    "In Proc. ACM SIGSOFT International Symposium on Software Testing and Analysis (ISSTA 2020), "
    "pages 14-26. ACM, 2020",
    "Formal Methods and Testing, Springer-Verlag (Ed.) (2008) 209-239",
    "Proceedings of the 39th International Conference on Machine Learning, PMLR 162:1-10, 2022",
    "ICML 2019, PMLR 97",
    "10 pages, 4 figures",
    "Some Unknown Conf 2022",
    "XYZ 2022",
    "ICLR",
])
def test_anything_else_is_not_read_as_a_venue(ref):
    assert parse_journal_ref(ref) is None


def test_describe_names_the_venue():
    venue = parse_journal_ref("Nature 521, 436–444 (2015)")
    assert venue is not None and venue.describe() == "Nature, vol. 521, pp. 436--444, 2015"
