"""The reading-list reader as a package: its public names, and the identifiers it reads from links."""

from __future__ import annotations

from papershelf.formats import readinglist
from papershelf.formats.readinglist import Link, Problem, classify, isbn_in_url


def test_the_package_keeps_the_public_api():
    parsed = readinglist.read("## Diffusion\n- [DDPM](https://arxiv.org/abs/2006.11239v2)\n- stray text\n")
    (e,) = parsed.entries
    assert (e.arxiv_id, e.url, e.section, e.needs_sync) == (
        "2006.11239", "https://arxiv.org/abs/2006.11239", "Diffusion", True)
    assert parsed.line_of(e) == 2
    assert parsed.problems == [Problem(3, "stray text", "no link, and not under an entry")]
    bullets, problems = readinglist.parse("- a\n  - b\n")
    assert [b.body for b in bullets] == ["a", "b"] and bullets[1].parent is bullets[0] and not problems


def test_an_old_style_arxiv_link_is_stored_canonical_and_a_second_spelling_is_a_copy():
    parsed = readinglist.read("- [Ricci flow](https://arxiv.org/abs/math.DG/0211159)\n"
                              "- arXiv:math/0211159v2 the same paper\n")
    (e,) = parsed.entries
    assert (e.arxiv_id, e.url, e.title) == ("math/0211159", "https://arxiv.org/abs/math/0211159", "Ricci flow")
    assert [p.reason for p in parsed.problems] == ["a second copy of line 1"]


def test_isbns_in_links_are_checked_and_given_as_isbn13():
    assert isbn_in_url("https://www.amazon.com/dp/0262035618/ref=x") == "9780262035613"
    assert isbn_in_url("https://example.com/isbn/978-0-262-03561-3") == "9780262035613"
    assert isbn_in_url("https://example.com/isbn/9780262035614") is None  # wrong check digit


def test_doi_links_name_a_doi_and_two_spellings_of_one_doi_are_one_work():
    work = classify(Link("", "https://doi.org/10.1038/nature14539"))
    assert (work.kind, work.fields) == ("doi", {"doi": "10.1038/nature14539"})
    parsed = readinglist.read("- [A](https://doi.org/10.1038/nature14539)\n"
                              "- [B](https://dx.doi.org/10.1038/NATURE14539)\n")
    assert [e.doi for e in parsed.entries] == ["10.1038/nature14539"]
    assert [p.reason for p in parsed.problems] == ["a second copy of line 1"]
