"""The exporters link an arXiv paper by the one abs-page URL papershelf writes (canonical id)."""

from __future__ import annotations

from papershelf.formats.bibtex.writer import write_bibtex
from papershelf.formats.csljson import entry_csl
from papershelf.formats.markdown import link_of
from papershelf.model.entry import Entry, Person


def _preprint(arxiv_id: str) -> Entry:
    return Entry("T", type="misc", citekey="k", authors=[Person("Perelman", "G.")], year=2002,
                 arxiv_id=arxiv_id)


def test_markdown_csl_and_bibtex_link_the_canonical_abs_page():
    for ident in ("math.DG/0211159", "math/0211159"):
        e = _preprint(ident)
        assert link_of(e) == "https://arxiv.org/abs/math/0211159"
        assert entry_csl(e)["URL"] == "https://arxiv.org/abs/math/0211159"
        assert "url = {https://arxiv.org/abs/math/0211159}" in write_bibtex([e])


def test_an_entry_url_wins_over_the_abs_page_in_csl():
    e = _preprint("2006.11239")
    e.url = "https://example.org/paper"
    assert entry_csl(e)["URL"] == "https://example.org/paper"
    assert link_of(e) == "https://arxiv.org/abs/2006.11239"  # the Markdown list links arXiv first
