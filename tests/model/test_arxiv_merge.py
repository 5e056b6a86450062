"""What refreshing an entry from arXiv changes (``arxiv_sync.merge``): pure, no network."""

from __future__ import annotations

from papershelf.model.arxiv_merge import as_new_entry, merge
from papershelf.model.entry import Entry, Person


def preprint(**kw) -> Entry:
    base = dict(title="Heat-bath random walks with Markov bases", type="misc", citekey="stanley2016heat",
                authors=[Person("Stanley", "Caprice"), Person("Windisch", "Tobias")], year=2016,
                date="2016-05-26", arxiv_id="1605.08386", arxiv_version=1, primary_class="math.CO",
                categories=["math.CO", "math.ST"], abstract="Graphs on lattice points.",
                url="https://arxiv.org/abs/1605.08386", tags=["mixing"], notes="read twice",
                section="random walks", id=7)
    base.update(kw)
    return Entry(**base)


def test_nothing_new_means_no_change_and_no_write():
    m = merge(preprint(), preprint(tags=[], notes=None, section=None, citekey=""))
    assert m.fields == [] and m.changes == []


def test_a_new_version_title_and_author_are_reported_and_written():
    fresh = preprint(arxiv_version=3, title="Heat-bath walks", authors=[
        Person("Stanley", "Caprice"), Person("Windisch", "Tobias"), Person("Lovelace", "Ada")])
    m = merge(preprint(), fresh)
    texts = [c.describe() for c in m.changes]
    assert "v1 → v3" in texts
    assert "title: 'Heat-bath random walks with Markov bases' → 'Heat-bath walks'" in texts
    assert "authors: + Ada Lovelace" in texts
    assert {"arxiv_version", "title", "authors"} <= set(m.fields)


def test_the_users_key_tags_notes_and_section_are_never_touched():
    fresh = preprint(citekey="", tags=[], notes=None, section=None, arxiv_version=2, title="New")
    m = merge(preprint(), fresh)
    assert not {"citekey", "tags", "notes", "section"} & set(m.fields)
    assert (m.entry.citekey, m.entry.tags, m.entry.notes, m.entry.section) == (
        "stanley2016heat", ["mixing"], "read twice", "random walks")


def test_a_journal_ref_makes_a_preprint_a_published_article_keeping_the_eprint():
    fresh = preprint(journal_ref="Phys. Rev. B 85, 115117 (2012)", doi="10.1103/PhysRevB.85.115117")
    m = merge(preprint(), fresh)
    assert [c.describe() for c in m.changes] == [
        "now published: Phys. Rev. B 85, 115117 (2012) / doi:10.1103/PhysRevB.85.115117 → @article: Phys. Rev. B"]
    assert (m.entry.type, m.entry.journal, m.entry.volume, m.entry.pages, m.entry.year) == (
        "article", "Phys. Rev. B", "85", "115117", 2012)
    assert m.entry.journal_ref == "Phys. Rev. B 85, 115117 (2012)"  # kept as arXiv wrote it
    assert m.entry.arxiv_id == "1605.08386" and m.entry.has_venue and not m.entry.is_preprint
    assert {"type", "journal", "volume", "pages", "year", "journal_ref", "doi"} == set(m.fields)


def test_a_doi_alone_is_reported_but_names_no_venue_and_arxivs_own_doi_is_nothing():
    m = merge(preprint(), preprint(doi="10.1145/3721479"))
    assert m.entry.type == "misc" and m.entry.doi == "10.1145/3721479" and m.fields == ["doi"]
    assert [c.describe() for c in m.changes] == ["now published: doi:10.1145/3721479"]
    m = merge(preprint(), preprint(doi="10.48550/arXiv.1605.08386"))
    assert m.entry.type == "misc" and m.entry.doi is None and m.changes == []


def test_a_published_entry_keeps_its_venue_year_and_doi():
    old = preprint(type="inproceedings", booktitle="NeurIPS", year=2020, date="2020-06-19",
                   doi="10.5555/neurips")
    fresh = preprint(year=2019, date="2019-12-01", doi="10.9999/other", journal_ref="NeurIPS 2020")
    m = merge(old, fresh)
    assert m.entry.type == "inproceedings" and m.entry.booktitle == "NeurIPS"
    assert m.entry.year == 2020 and m.entry.doi == "10.5555/neurips"
    assert m.entry.journal_ref == "NeurIPS 2020"  # recorded, as arXiv says it


def test_a_placeholder_is_completed_and_keeps_its_key():
    old = Entry(title="", citekey="arxiv1605.08386", arxiv_id="1605.08386", needs_sync=True,
                tags=["to-read"], id=3)
    m = merge(old, preprint(citekey="", tags=[], notes=None, section=None))
    assert m.entry.needs_sync is False and "needs_sync" in m.fields
    assert m.entry.title == "Heat-bath random walks with Markov bases" and m.entry.year == 2016
    assert m.entry.citekey == "arxiv1605.08386" and m.entry.tags == ["to-read"]
    assert [c.kind for c in m.changes] == ["completed"]


def test_a_title_that_is_literally_zero_is_kept():
    m = merge(preprint(), preprint(title="0"))
    assert m.entry.title == "0"


def test_a_new_paper_with_a_venue_is_added_as_published():
    entry = as_new_entry(preprint(journal_ref="ActaAstron.56:1-50,2006", tags=[]), tags=["astro"])
    assert (entry.type, entry.journal, entry.volume, entry.pages, entry.year) == (
        "article", "ActaAstron.", "56", "1--50", 2006)
    assert entry.tags == ["astro"]
