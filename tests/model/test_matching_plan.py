"""What an accepted venue changes on a preprint (model/venue_plan.py): the published type and
venue fields, the key and eprint kept, and never a field the user edited."""

from __future__ import annotations

from papershelf.model.entry import Entry, Person
from papershelf.model.matching import Reference
from papershelf.model.venue_decision import decide
from papershelf.model.venue_plan import awaiting_venue, plan_venue
from papershelf.model.works import Work

ICCV = Work(source="dblp", source_id="conf/iccv/ZhangRA23", title="Adding Conditional Control", kind="conference",
            venue="IEEE/CVF International Conference on Computer Vision", year=2023, pages="3813-3824",
            doi="10.1109/ICCV51070.2023.00355")
TPAMI = Work(source="crossref", source_id="10.1109/TPAMI.2023.3261988", title="Diffusion Models in Vision",
             kind="journal", venue="IEEE Transactions on Pattern Analysis and Machine Intelligence", year=2023,
             volume="45", number="9", pages="10850-10869", doi="10.1109/TPAMI.2023.3261988")


def preprint(**kw) -> Entry:
    fields = {"title": "Adding Conditional Control", "type": "misc", "citekey": "zhang2023adding", "year": 2023,
              "arxiv_id": "2302.05543", "arxiv_version": 2, "authors": [Person("Zhang", "Lvmin")]}
    fields.update(kw)
    return Entry(**fields)


def test_conference_venue_makes_an_inproceedings_keeping_key_and_eprint():
    plan = plan_venue(preprint(), ICCV)
    e = plan.entry
    assert (e.type, e.booktitle, e.pages, e.doi) == ("inproceedings", ICCV.venue, "3813--3824", ICCV.doi)
    assert (e.citekey, e.arxiv_id, e.arxiv_version) == ("zhang2023adding", "2302.05543", 2)
    assert set(plan.fields) == {"type", "booktitle", "pages", "doi"} and not plan.refused


def test_journal_venue_makes_an_article_and_the_year_follows_the_venue():
    plan = plan_venue(preprint(year=2022), TPAMI)
    e = plan.entry
    assert (e.type, e.journal, e.volume, e.number, e.year) == ("article", TPAMI.venue, "45", "9", 2023)


def test_an_arxiv_article_without_a_journal_awaits_its_venue():
    entry = preprint(type="article", doi="10.48550/arXiv.2302.05543")
    assert awaiting_venue(entry)
    plan = plan_venue(entry, ICCV)
    assert plan.entry.doi == ICCV.doi  # arXiv's own DOI gives way to the publisher's


def test_user_edited_fields_are_kept_and_an_edited_venue_refuses_the_plan():
    plan = plan_venue(preprint(pages="1--9", edited=["pages", "year"], year=2022), ICCV)
    assert plan.entry.pages == "1--9" and plan.entry.year == 2022 and set(plan.kept) == {"pages", "year"}
    refused = plan_venue(preprint(edited=["booktitle"]), ICCV)
    assert refused.fields == [] and "you edited its booktitle" in refused.refused
    assert plan_venue(preprint(edited=["@type"]), ICCV).refused


def test_entries_with_a_venue_or_without_arxiv_are_not_touched():
    assert plan_venue(preprint(booktitle="NeurIPS Workshop"), ICCV).refused.startswith("already names a venue")
    assert not awaiting_venue(preprint(arxiv_id=None))
    assert plan_venue(preprint(type="book"), ICCV).refused


def test_an_abbreviated_journal_gets_its_full_name():
    ref = Reference("Survey of Video Diffusion Models", ("Wang",), 2025)
    dblp = Work(source="dblp", source_id="journals/tmlr/WangLP25", title="Survey of Video Diffusion Models",
                authors=("Yimu Wang",), kind="journal", venue="Trans. Mach. Learn. Res.", year=2025)
    decision = decide(ref, [dblp])
    assert decision.venue is not None and decision.venue.venue == "Transactions on Machine Learning Research"
