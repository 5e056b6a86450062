"""Every field sync writes is in its report; journal_refs become venues only when readable;
``fill`` merges arXiv's identity into a work catalogued from elsewhere (``model.arxiv_merge``)."""

from __future__ import annotations

from papershelf.model.arxiv_merge import as_new_entry, fill, merge
from papershelf.model.entry import Entry, Person


def preprint(**kw) -> Entry:
    base = dict(title="Heat-bath random walks", type="misc", citekey="stanley2016heat",
                authors=[Person("Stanley", "Caprice")], year=2016, date="2016-05-26",
                arxiv_id="1605.08386", arxiv_version=1, primary_class="math.CO", categories=["math.CO"],
                abstract="Graphs.", url="https://arxiv.org/abs/1605.08386", id=7)
    base.update(kw)
    return Entry(**base)


def reported(m) -> set[str]:
    """Every field name a change names (``other`` lists labels)."""
    out = set()
    for c in m.changes:
        out |= set(c.new) if c.kind == "other" else {c.kind}
    return out


def test_a_field_filled_in_silently_before_is_now_reported():
    m = merge(preprint(url=None, year=None), preprint())
    assert set(m.fields) == {"url", "year"}
    assert reported(m) == {"url", "year"}


def test_iclr_2022_makes_an_inproceedings_with_the_venue_year():
    m = merge(preprint(year=2021, date="2021-06-01"), preprint(journal_ref="ICLR 2022", year=2021, date="2021-06-01"))
    e = m.entry
    assert (e.type, e.booktitle, e.journal, e.year) == (
        "inproceedings", "International Conference on Learning Representations", None, 2022)
    assert set(m.fields) == {"journal_ref", "type", "booktitle", "year"}
    assert [c.kind for c in m.changes] == ["published"]


def test_an_unreadable_journal_ref_is_kept_and_reported_and_the_type_stays():
    m = merge(preprint(), preprint(journal_ref="NeurIPS 2020 Workshop on Inverse Problems"))
    assert m.entry.type == "misc" and not m.entry.has_venue and m.fields == ["journal_ref"]
    assert [c.describe() for c in m.changes] == [
        "journal ref: NeurIPS 2020 Workshop on Inverse Problems (not read as a venue: kept, exported as a note)"]


def test_an_unreadable_journal_ref_with_a_doi_reports_both():
    m = merge(preprint(), preprint(journal_ref="Some Proceedings", doi="10.1000/x"))
    assert [c.kind for c in m.changes] == ["published", "journal_ref"]
    assert m.entry.type == "misc" and m.entry.doi == "10.1000/x"


def test_a_new_paper_with_an_unreadable_journal_ref_or_only_a_doi_stays_a_preprint():
    for fresh in (preprint(journal_ref="Submitted to ICLR 2022"), preprint(doi="10.1000/x")):
        entry = as_new_entry(fresh)
        assert entry.type == "misc" and not entry.has_venue and entry.is_preprint


def test_fill_adds_only_what_the_catalogued_entry_lacks():
    old = Entry(title="Heat-bath random walks (journal version)", type="article", citekey="Stanley16",
                journal="J. Stat.", authors=[Person("Stanley", "C.")], year=2016, doi="10.1/hb", id=3)
    m = fill(old, preprint(doi="10.1/hb", journal_ref="J. Stat. 1, 2 (2016)"))
    assert set(m.fields) == {"arxiv_id", "arxiv_version", "primary_class", "categories", "abstract",
                             "date", "journal_ref"}
    e = m.entry
    assert (e.title, e.citekey, e.journal, e.authors) == (old.title, "Stanley16", "J. Stat.", old.authors)
    assert e.arxiv_id == "1605.08386" and [c.kind for c in m.changes] == ["other"]


def test_fill_keeps_a_year_the_v1_date_would_contradict():
    old = Entry(title="T", type="article", citekey="k", year=2018, doi="10.1/hb", id=3)
    assert "date" not in fill(old, preprint()).fields
