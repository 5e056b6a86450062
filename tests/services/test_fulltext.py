"""The full-text index of attached PDFs: per page, CJK at any length, following removes,
restores and detaches (real PDFs from tests/data/pdf, see PROVENANCE.md there)."""

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "pdf"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "pdf"  # beside the checkout


def hits(run, query, *extra):
    result = run("search", query, "--json", *extra)
    found = json.loads(result.stdout)
    assert result.exit_code == (0 if found else 1), result.stderr  # nothing found: exit 1, as grep
    return found


@pytest.fixture
def cn(run, bundled):
    assert run("attach", "ho2020denoising", str(DATA / "elegantpaper-cn.pdf")).exit_code == 0
    return "ho2020denoising"


@pytest.mark.parametrize("query", ["模", "模板", "工作论文", "一个优美的", "ElegantPaper"])
def test_chinese_of_any_length_finds_the_page(run, cn, query):
    found = hits(run, f"fulltext:{query}")
    assert [h["citekey"] for h in found] == [cn]
    assert found[0]["page"] >= 1
    assert query in found[0]["snippet"]["text"].replace(" ", "") or query.lower() in found[0]["snippet"]["text"].lower()


def test_the_page_number_is_the_page_holding_the_words(run, bundled):
    if not (SHARED / "geotopo-thesis-de.pdf").is_file():
        pytest.skip("the shared PDFs are not here")
    assert run("attach", "ho2020denoising", str(SHARED / "geotopo-thesis-de.pdf")).exit_code == 0
    found = hits(run, "pdf:Mannigfaltigkeit Rand Atlas")
    assert found[0]["citekey"] == "ho2020denoising"
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(SHARED / "geotopo-thesis-de.pdf"))
    text = doc[found[0]["page"] - 1].get_textpage().get_text_range()
    assert "Mannigfaltigkeit" in text and "Atlas" in text


def test_plain_search_ranks_pdf_hits_below_metadata_hits(run, cn):
    found = hits(run, "diffusion")
    assert all("page" not in h for h in found)  # the Chinese template says nothing of diffusion
    both = hits(run, "模板")
    assert [h["citekey"] for h in both][-1] == cn and both[-1]["snippet"]["field"].startswith("page ")


def test_remove_restore_detach_follow_the_index(run, cn):
    assert hits(run, "fulltext:模板")
    assert run("remove", cn, "-y").exit_code == 0
    assert hits(run, "fulltext:模板") == []
    assert run("restore", cn).exit_code == 0
    assert [h["citekey"] for h in hits(run, "fulltext:模板")] == [cn]  # without reading the PDF again
    assert run("detach", cn).exit_code == 0
    assert hits(run, "fulltext:模板") == []


def test_filters_apply_to_pdf_hits(run, cn):
    assert hits(run, "fulltext:模板", "--year", "2020")
    assert hits(run, "fulltext:模板", "--year", "2021..") == []


def test_an_empty_fulltext_query_is_a_usage_error(run, cn):
    result = run("search", "fulltext:")
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
