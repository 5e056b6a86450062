"""Matching you can trust (model/matching.py): a record is the paper only when title, authors
and year agree, a venue only when it is a main venue, and the records of several sources are
weighed. The near misses are the best hits real services answered (see
../shared/data/metadata-apis/PROVENANCE.md): they must never be accepted."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.model.matching import Reference, judge, normalise_title, title_score
from papershelf.model.venue_decision import decide, describe, judge_venue, not_a_venue, same_venue
from papershelf.model.works import Work

ATTENTION = Reference("Attention is All you Need",
                      ("Vaswani", "Shazeer", "Parmar", "Uszkoreit", "Jones", "Gomez", "Kaiser", "Polosukhin"),
                      2017, "1706.03762")
CONTROLNET = Reference("Adding Conditional Control to Text-to-Image Diffusion Models",
                       ("Zhang", "Rao", "Agrawala"), 2023, "2302.05543")
CN_AUTHORS = ("Lvmin Zhang", "Anyi Rao", "Maneesh Agrawala")


def work(source="dblp", source_id="conf/iccv/ZhangRA23", title=CONTROLNET.title, authors=CN_AUTHORS,
         year=2023, kind="conference", venue="ICCV", **kw) -> Work:
    return Work(source=source, source_id=source_id, title=title, authors=authors, year=year, kind=kind,
                venue=venue, **kw)


# --- normalising titles ------------------------------------------------------------------------

def test_normalise_title_folds_latex_html_unicode_case_and_punctuation():
    assert normalise_title(r"{S}ch{\"o}n: \emph{Attention} is All &amp; <i>you</i> Need.") == \
        "schon attention is all you need"
    assert normalise_title("Schön—Attention") == normalise_title(r"Sch\"{o}n -- attention")
    assert normalise_title("ﬁne-tuning") == "fine tuning"  # compatibility ligature
    assert normalise_title("") == "" and normalise_title(None) == ""


def test_cjk_titles_keep_their_characters():
    assert normalise_title("扩散模型：综述") == "扩散模型 综述"
    assert title_score("扩散模型综述", "图神经网络综述") < 0.95


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_normalising_is_idempotent_and_bounded(text):
    once = normalise_title(text)
    assert normalise_title(once) == once
    assert len(once) <= 2 * 2000 + 10


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll", "Zs", "Po"]), min_size=1, max_size=80))
@settings(max_examples=200, deadline=None)
def test_a_title_matches_itself_in_any_case_and_spacing(text):
    if not normalise_title(text):
        return
    assert title_score(text, "  " + text.upper() + " ") == 1.0 or text.upper().lower() != text.lower()


# --- the recorded near misses -------------------------------------------------------------------

def test_dblp_best_hit_for_attention_is_a_different_paper():
    # dblp/zotero-validate__dblp_publ-search__attention-is-all-you-need__near-miss.json, hit 0
    hit = work(source_id="conf/dac/ZhangYY21", title="Attentional Transfer is All You Need: Technology-aware "
               "Layout Pattern Generation", authors=("Xiaopeng Zhang 0009", "Haoyu Yang", "Evangeline F. Y. Young"),
               year=2021, venue="DAC", pages="169-174", doi="10.1109/DAC18074.2021.9586227")
    check = judge_venue(ATTENTION, hit)
    assert not check.accepted
    assert any("title differs" in r for r in check.reasons)
    assert decide(ATTENTION, [hit]).status == "none"


def test_crossref_best_hit_sharing_two_authors_is_still_refused():
    # crossref/paper-qa__crossref_works-query-title__attention-is-all-you-need__near-miss: item 0 is a
    # NAACL 2018 paper by Shaw, Uszkoreit and Vaswani: authors overlap, the title does not.
    hit = work(source="crossref", source_id="10.18653/v1/n18-2074",
               title="Self-Attention with Relative Position Representations",
               authors=("Peter Shaw", "Jakob Uszkoreit", "Ashish Vaswani"), year=2018,
               venue="Proceedings of the 2018 Conference of the North American Chapter of the Association for "
                     "Computational Linguistics: Human Language Technologies, Volume 2 (Short Papers)",
               doi="10.18653/v1/n18-2074")
    check = judge_venue(ATTENTION, hit)
    assert check.shared_authors == 2 and not check.accepted


def test_crossref_best_hit_for_an_arxiv_only_paper_is_refused():
    # crossref/paper-qa__crossref_works-query-title__paperqa__near-miss: a JAMIA Open paper
    paperqa = Reference("PaperQA: Retrieval-Augmented Generative Agent for Scientific Research",
                        ("Lála", "O'Donoghue", "Shtedritski", "Cox", "Rodriques", "White"), 2023, "2312.07559")
    hit = work(source="crossref", source_id="10.1093/jamiaopen/ooae021", kind="journal",
               title="Retrieval augmented scientific claim verification",
               authors=("Hao Liu", "Ali Soroush", "Jordan G Nestor", "Elizabeth Park"), year=2024,
               venue="JAMIA Open", doi="10.1093/jamiaopen/ooae021")
    check = judge_venue(paperqa, hit)
    assert {"authors differ (0 shared)"} <= set(check.reasons)
    assert any("title differs" in r for r in check.reasons)


def test_a_retitled_publication_is_not_taken_on_the_title_alone():
    # crossref/…augmenting-llms-chemistry-tools: the journal version dropped "ChemCrow:" from the title
    chemcrow = Reference("ChemCrow: Augmenting large-language models with chemistry tools",
                         ("Bran", "Cox", "Schilter", "Baldassari", "White", "Schwaller"), 2023, "2304.05376")
    hit = work(source="crossref", source_id="10.1038/s42256-024-00832-8", kind="journal",
               title="Augmenting large language models with chemistry tools",
               authors=("Andres M. Bran", "Sam Cox", "Oliver Schilter", "Carlo Baldassari", "Andrew D. White",
                        "Philippe Schwaller"), year=2024, venue="Nature Machine Intelligence")
    assert 0.85 < title_score(chemcrow.title, hit.title) < 0.95
    assert not judge_venue(chemcrow, hit).accepted


# --- what is not a venue ------------------------------------------------------------------------

def test_corr_and_preprint_servers_are_not_venues():
    corr = work(source_id="journals/corr/abs-2302-05543", kind="journal", venue="CoRR", volume="abs/2302.05543")
    assert "CoRR" in (not_a_venue(corr) or "")
    s2_arxiv = work(source="s2", source_id="7e55", kind="journal", venue="arXiv.org", venue_short="ArXiv")
    assert "preprint server" in (not_a_venue(s2_arxiv) or "")
    openalex = work(source="openalex", source_id="W1", kind="journal", venue="arXiv (Cornell University)")
    assert not_a_venue(openalex)
    medrxiv = work(source="s2", source_id="x", kind="journal", venue="medRxiv")
    assert not_a_venue(medrxiv)
    arxiv_doi = work(source="crossref", source_id="10.48550/arXiv.2302.05543", venue="ICCV",
                     doi="10.48550/arXiv.2302.05543")
    assert not_a_venue(arxiv_doi)


def test_s2_venue_and_journal_disagreeing_is_not_a_venue():
    # semantic-scholar/paper-qa__s2_paper__DOI_10.1016_j.xgen…: venue "bioRxiv", journal "Cell Genomics"
    trap = work(source="s2", source_id="x", kind="journal", venue="Cell Genomics", venue_short="bioRxiv")
    assert "both a preprint server and a venue" in (not_a_venue(trap) or "")


def test_workshop_thesis_erratum_are_not_the_main_venue():
    assert not_a_venue(work(venue="CVPR Workshops"))
    assert not_a_venue(work(kind="workshop"))
    assert not_a_venue(work(kind="thesis", venue="Stanford University"))
    assert not_a_venue(work(kind="erratum", venue="IEEE TPAMI"))
    assert not_a_venue(work(title="Correction to: " + CONTROLNET.title, kind="journal", venue="Nature"))
    assert not_a_venue(work(retracted=True))
    assert not_a_venue(work()) is None


def test_year_before_the_preprint_is_refused():
    assert "before the preprint" in " ".join(judge_venue(CONTROLNET, work(year=2022)).reasons)
    assert judge_venue(CONTROLNET, work(year=2024)).accepted
    assert judge(CONTROLNET, work(year=2021), year_rule="close").reasons


def test_authors_must_overlap_on_family_names():
    assert judge_venue(CONTROLNET, work(authors=("Ada Lovelace", "Alan Turing"))).reasons
    # DBLP's homonym numbers and accents do not matter
    assert judge_venue(CONTROLNET, work(authors=("Lvmin Zhang 0001", "Anyí Ráo"))).accepted


# --- several sources ----------------------------------------------------------------------------

def test_two_agreeing_sources_are_named_and_their_fields_merged():
    dblp = work(pages="3813-3824", doi="10.1109/ICCV51070.2023.00355")
    s2 = work(source="s2", source_id="abc", venue="IEEE International Conference on Computer Vision",
              arxiv_id="2302.05543")
    corr = work(source_id="journals/corr/abs-2302-05543", kind="preprint", venue="CoRR")
    decision = decide(CONTROLNET, [dblp, s2, corr])
    assert decision.status == "published"
    assert decision.sources == ["dblp", "s2"]
    assert decision.venue is not None
    assert decision.venue.venue == "IEEE/CVF International Conference on Computer Vision"
    assert decision.venue.doi == "10.1109/ICCV51070.2023.00355"
    assert describe(decision) == ("published: ICCV 2023, pp. 3813–3824, doi 10.1109/ICCV51070.2023.00355 "
                                  "(DBLP + Semantic Scholar agree)")
    evidence = decision.evidence("2026-12-02T15:00:00Z")
    assert evidence["sources"] == ["dblp", "s2"] and evidence["time"] == "2026-12-02T15:00:00Z"
    assert [c["accepted"] for c in evidence["checks"]] == [True, True, False]


def test_two_sources_beat_one_and_one_against_one_is_a_conflict():
    iccv_dblp = work()
    iccv_s2 = work(source="s2", source_id="abc", venue="IEEE International Conference on Computer Vision")
    cvpr = work(source="crossref", source_id="10.1/x", venue="IEEE/CVF Conference on Computer Vision and "
                "Pattern Recognition (CVPR)", doi="10.1/x")
    assert decide(CONTROLNET, [iccv_dblp, iccv_s2, cvpr]).sources == ["dblp", "s2"]
    conflict = decide(CONTROLNET, [iccv_dblp, cvpr])
    assert conflict.status == "conflict" and conflict.venue is None
    assert "sources disagree" in describe(conflict)


def test_venue_names_agree_by_acronym_abbreviation_or_doi():
    assert same_venue(work(venue="Trans. Mach. Learn. Res.", year=2025),
                      work(source="s2", source_id="x", venue="Transactions on Machine Learning Research"))
    assert same_venue(work(venue="IEEE Trans. Pattern Anal. Mach. Intell.", kind="journal"),
                      work(source="crossref", source_id="y", kind="journal",
                           venue="IEEE Transactions on Pattern Analysis and Machine Intelligence"))
    assert same_venue(work(venue="NeurIPS", year=2020),
                      work(source="s2", source_id="z", venue="Neural Information Processing Systems"))
    assert not same_venue(work(venue="ICCV"), work(source="s2", source_id="z", venue="CVPR"))
    assert not same_venue(work(venue="ICCV", doi="10.1/a"), work(source="crossref", source_id="b", venue="ICCV",
                                                               doi="10.1/b"))
    assert not same_venue(work(venue="ICML", year=2015), work(source="crossref", source_id="c", venue="ICML",
                                                             year=2021))


def test_no_records_means_no_published_version():
    decision = decide(CONTROLNET, [])
    assert decision.status == "none" and describe(decision) == "no published version found"


def test_s2_record_whose_venue_is_a_preprint_server_but_journal_is_not_is_refused():
    # tests/data/metadata-apis/semantic-scholar/paper-qa__s2_paper__DOI_10.1016_j.xgen…: S2's venue
    # "bioRxiv", journal.name "Cell Genomics": the record does not say which one the paper is
    import json
    from pathlib import Path

    from papershelf.sources.metadata.s2 import parse_paper

    data = json.loads((Path(__file__).parents[1] / "data" / "metadata-apis" / "semantic-scholar" /
                       "paper-qa__s2_paper__DOI_10.1016_j.xgen.2025.100814.status200.json").read_text())
    work = parse_paper(data)
    assert work.venue == "Cell Genomics"
    why = not_a_venue(work)
    assert why is not None and "both a preprint server and a venue" in why
