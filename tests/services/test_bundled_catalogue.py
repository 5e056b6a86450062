"""The bundled catalogue: exactly the seed's 26 items, verified facts only, the user's notes kept."""

import json
from pathlib import Path

import pytest

from papershelf.model.entry import Person

REFERENCE = json.loads((Path(__file__).resolve().parents[1] / "data/seed/reference-metadata.json").read_text("utf-8"))
READING_LIST = (Path(__file__).resolve().parents[2] / "data/reading-list.md").read_text("utf-8")


def _by_reference(entries):
    out = {}
    for ref in REFERENCE:
        match = [e for e in entries if (ref["arxiv_id"] and e.arxiv_id == ref["arxiv_id"])
                 or (not ref["arxiv_id"] and e.url == ref["seed_url"])]
        assert len(match) == 1, ref["title"]
        out[ref["title"]] = (ref, match[0])
    return out


def test_holds_exactly_the_26_seed_items(catalogue):
    entries = catalogue.entries()
    assert len(entries) == 26
    pairs = _by_reference(entries)
    assert len(pairs) == 26
    kinds = sorted(e.type for e in entries)
    assert kinds.count("book") == 4


def test_authors_equal_the_reference_metadata(catalogue):
    for ref, entry in _by_reference(catalogue.entries()).values():
        # a name credited with an alternative ("Andrew Zhu (Shudong Zhu)") is cited by the
        # first, the other kept beside it (nameaddon), never glued into the family name
        credited = [n.split(" (")[0] for n in ref["authors"]]
        also = [n.split(" (", 1)[1].rstrip(")") for n in ref["authors"] if " (" in n]
        assert entry.author_names == credited, ref["title"]
        assert entry.extra.get("nameaddon") == ("; ".join(also) or None), ref["title"]


def test_an_alternative_name_is_not_part_of_the_family_name(catalogue):
    from papershelf.services.export import bibtex

    [book] = [e for e in catalogue.entries() if e.title.startswith("Using Stable Diffusion with Python")]
    assert book.authors == [Person("Zhu", "Andrew")] and book.citekey == "zhu2024stable"
    text, _ = bibtex([book], "biblatex")
    assert "author = {Zhu, Andrew}," in text and "nameaddon = {Shudong Zhu}," in text


def test_author_parts_are_kept_apart(catalogue):
    ddpm = catalogue.get("ho2020denoising")
    assert ddpm.authors[0] == Person("Ho", "Jonathan")
    tabular = catalogue.get("arXiv:2502.17119")
    assert Person("Stein", "Niki", "van") in tabular.authors


def test_only_verified_facts_are_shipped(catalogue):
    for ref, entry in _by_reference(catalogue.entries()).values():
        unverified = set(ref["unverified"])
        if "doi" in unverified:
            assert entry.doi is None, f"{ref['title']}: unverified DOI shipped"
        else:
            assert entry.doi == ref["doi"], ref["title"]
        if ref["kind"] == "book":
            assert entry.isbn == (None if "isbn13" in unverified else ref["isbn13"])
            assert entry.publisher == (None if "publisher" in unverified else ref["publisher"])
        assert entry.abstract == ref.get("abstract"), ref["title"]
        if ref["arxiv_id"] and "primary_category" in unverified:
            assert entry.primary_class is None


def test_the_users_chinese_notes_are_kept_exactly(catalogue):
    survey = catalogue.get("arXiv:2502.08364")
    assert survey.section == "review"
    lines = READING_LIST.splitlines()
    start = next(i for i, line in enumerate(lines) if "2502.08364" in line)
    expected = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        expected.append(line[2:])
    assert survey.notes == "\n".join(expected)
    assert "蒸餾技術旨在創建更小尺寸" in survey.notes


def test_sections_and_links_come_from_the_reading_list(catalogue):
    assert catalogue.get("hu2022lora").section.startswith("歷史發展 › LLM再學習")
    ddpm = catalogue.get("ho2020denoising")
    assert ddpm.section == "歷史發展"
    assert {"url": "https://github.com/hojonathanho/diffusion", "label": "code"} in ddpm.links
    books = [e for e in catalogue.entries() if e.type == "book"]
    assert {b.section for b in books} == {"BOOKS"}


@pytest.mark.parametrize("key,arxiv_id", [
    ("ho2020denoising", "2006.11239"),
    ("hu2022lora", "2106.09685"),
    ("zhang2023adding", "2302.05543"),
    ("radford2021learning", "2103.00020"),
    ("dosovitskiy2021image", "2010.11929"),
])
def test_google_scholar_style_keys(catalogue, key, arxiv_id):
    assert catalogue.get(key).arxiv_id == arxiv_id


def test_snapshot_is_what_the_builder_makes(tmp_path):
    """The bundled catalogue.json is generated: rebuilding it from the reference changes nothing."""
    import importlib.util
    import shutil

    repo = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("build_catalogue", repo / "data/build_catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shutil.copy(repo / "data/reading-list.md", tmp_path / "reading-list.md")
    module.HERE = tmp_path
    module.OUT = tmp_path / "catalogue.json"
    import sys
    argv = sys.argv
    sys.argv = ["build", str(Path(__file__).resolve().parents[1] / "data/seed/reference-metadata.json")]
    try:
        module.main()
    finally:
        sys.argv = argv
    assert (tmp_path / "catalogue.json").read_text("utf-8") == (repo / "src/papershelf/data/catalogue.json").read_text("utf-8")
