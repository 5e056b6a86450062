"""``import markdown``: a reading list is read as its owner wrote it, nothing is dropped without
a word, and importing it again adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, TESTS

SEED_LIST = REPO / "data" / "reading-list.md"
MESSY = TESTS / "data" / "readinglists" / "messy.md"


@pytest.fixture
def empty(run, tmp_path) -> Path:
    db = tmp_path / "empty.db"
    assert run("--db", str(db), "init", "--empty").exit_code == 0
    return db


def _import(run, db: Path, path: Path, *more: str):
    result = run("--db", str(db), "import", "markdown", str(path), "--json", *more)
    assert result.stdout, result.stderr
    return result, json.loads(result.stdout)


def _entries(run, db: Path) -> list[dict]:
    keys = [e["citekey"] for e in json.loads(run("--db", str(db), "list", "--json").stdout)]
    return [json.loads(run("--db", str(db), "show", k, "--json").stdout) for k in keys]


def _bundled() -> list[dict]:
    return json.loads((REPO / "src" / "papershelf" / "data" / "catalogue.json").read_text(encoding="utf-8"))["entries"]


def _same_work(imported: list[dict], item: dict) -> dict:
    return next(e for e in imported if (item.get("arxiv_id") and e["arxiv_id"] == item["arxiv_id"])
                or e["url"] == item["url"])


def test_seed_list_offline_gives_placeholders_with_the_bundled_sections_notes_and_links(run, empty):
    result, report = _import(run, empty, SEED_LIST, "--offline")
    assert result.exit_code == 0
    imported = _entries(run, empty)
    for item in _bundled():  # every paper, book and the tutorial, where the bundled list has it
        entry = _same_work(imported, item)
        assert entry["section"] == item["section"], item["title"]
        assert entry["notes"] == item.get("notes"), item["title"]
        assert entry["links"] == item.get("links", []), item["title"]
    placeholders = [e for e in imported if e["needs_sync"]]
    assert len(placeholders) == 20 == report["placeholders"]  # 21 arXiv papers, one linked at PMLR
    lora = next(e for e in placeholders if e["arxiv_id"] == "2106.09685")
    assert lora["citekey"] == "arxiv2106.09685"
    assert lora["title"] == "LoRA: Low-Rank Adaptation of Large Language Models"  # the link text
    assert lora["url"] == "https://arxiv.org/abs/2106.09685"
    assert set(lora["tags"]) == {"lora", "peft", "fine-tuning", "llm"} == set(lora["rule_tags"])
    ddpm = next(e for e in placeholders if e["arxiv_id"] == "2006.11239")
    assert ddpm["title"] == "Denoising Diffusion Probabilistic Models"  # "(arXiv:…)" dropped
    books = [e for e in imported if e["type"] == "book"]
    assert [b["isbn"] for b in books] == ["9781098149239", "9781835086377", "9781394191772", "9781484299944"]
    pmlr = next(e for e in imported if "mlr.press" in (e["url"] or ""))
    assert (pmlr["type"], pmlr["volume"], pmlr["year"]) == ("inproceedings", "37", 2015)


def test_seed_list_keeps_the_web_pages_and_lists_what_it_could_not_read(run, empty):
    result, report = _import(run, empty, SEED_LIST, "--offline")
    online = {e["url"]: e for e in report["added"] if e["type"] == "online"}
    assert online["https://zh.wikipedia.org/wiki/DALL-E"]["title"] == "2021 DALL-E"
    assert online["https://stablediffusionweb.com/zh-tw"]["section"] == "Stable Diffusion 在線"
    assert online["https://github.com/cloneofsimo/lora"]["section"].endswith("LoRA(2021): Low-Rank Adaptation of Large Language Models")
    notes = next(e for e in _entries(run, empty) if e["url"] == "https://zh.wikipedia.org/wiki/DALL-E")["notes"]
    assert notes.splitlines()[0] == "- DALL-E 2(2022-04)"
    assert [p["line"] for p in report["problems"]] == [60, 65, 66]  # text with no link, under no entry
    assert "透過凍結原本的預訓練模型" in result.stderr and "line 60" in result.stderr


def test_importing_the_same_list_twice_adds_nothing(run, empty):
    _import(run, empty, SEED_LIST, "--offline")
    before = len(_entries(run, empty))
    result, again = _import(run, empty, SEED_LIST, "--offline")
    assert result.exit_code == 0
    assert again["added"] == [] and len(again["existing"]) == before
    assert len(_entries(run, empty)) == before


def test_importing_the_seed_list_into_the_bundled_catalogue_adds_only_the_web_pages(run, bundled):
    _, report = _import(run, bundled, SEED_LIST, "--offline")
    assert {e["type"] for e in report["added"]} == {"online"}
    assert len(report["existing"]) == 26


def test_a_dry_run_changes_nothing(run, empty):
    result, report = _import(run, empty, SEED_LIST, "--offline", "--dry-run")
    assert result.exit_code == 0 and report["dry_run"] and len(report["added"]) == 38
    assert _entries(run, empty) == []


def test_messy_list_broken_links_duplicates_odd_nesting_non_arxiv_urls_cjk_headings(run, empty):
    result, report = _import(run, empty, MESSY, "--offline")
    assert result.exit_code == 0
    by_line = {p["line"]: p["reason"] for p in report["problems"]}
    assert by_line == {
        3: "text outside any list item",
        11: "a second copy of line 6",
        12: "an arXiv link without a valid arXiv id",
        13: "a link with no address",
        14: "not a web address",
        30: "a second copy of line 25",
        31: "no link, and not under an entry",
    }
    entries = {e["arxiv_id"] or e["url"]: e for e in _entries(run, empty)}
    cm = entries["2303.01469"]  # "*" bullets, 4-space nesting, a version in the link
    assert cm["section"] == "蒸餾 (distillation)"
    assert cm["notes"] == "* one-step generation 一步生成\n    * 細節：consistency training"
    assert cm["links"] == [{"url": "https://github.com/openai/consistency_models", "label": "code"}]
    assert "distillation" in cm["tags"]
    assert entries["2202.00512"]["title"] == "Progressive Distillation"  # from a pdf link
    assert entries["2006.11239"]["title"] == "2006.11239"  # "arXiv:ID" in text: the id is the title
    oreilly = entries["https://www.oreilly.com/library/view/deep-learning/9781491924570/"]
    assert (oreilly["type"], oreilly["isbn"], oreilly["section"]) == ("book", "9781491924570", "書 Books")
    assert entries["https://www.amazon.com/dp/0262035618"]["isbn"] == "9780262035613"
    assert entries["https://www.manning.com/books/deep-learning-with-python"]["type"] == "book"
    attention = entries["1706.03762"]
    assert attention["section"] == "書 Books › Nested odd › Group A"
    tutorial = entries["https://example.com/tutorial"]
    assert (tutorial["type"], tutorial["section"]) == ("online", "書 Books › Nested odd › Group A")
    assert tutorial["notes"] == "- tab-indented https://example.org/tab"
    pmlr = entries["https://proceedings.mlr.press/v139/radford21a.html"]
    assert (pmlr["type"], pmlr["volume"], pmlr["year"], pmlr["section"]) == (
        "inproceedings", "139", 2021, "書 Books › Nested odd")
    assert pmlr["links"] == [{"url": "https://github.com/openai/CLIP", "label": "code"}]
    assert "openaccess.thecvf.com" in next(u for u in entries if "thecvf" in u)
    assert len(entries) == 10


def test_problems_go_to_stderr_and_json_stays_clean(run, empty):
    result = run("--db", str(empty), "import", "markdown", str(MESSY), "--offline")
    assert "line 12: an arXiv link without a valid arXiv id" in result.stderr
    assert "warning" not in result.stdout
    assert all(line.startswith("added\t") for line in result.stdout.splitlines())


def test_a_missing_file_is_a_not_found_error(run, empty, tmp_path):
    result = run("--db", str(empty), "import", "markdown", str(tmp_path / "nope.md"))
    assert result.exit_code == 3 and "no reading list at" in result.stderr


def test_export_by_section_reads_back_with_the_same_structure(run, bundled, empty, tmp_path):
    exported = tmp_path / "list.md"
    result = run("export", "markdown", "--group-by", "section", "-o", str(exported))
    assert result.exit_code == 0, result.stderr
    _, report = _import(run, empty, exported, "--offline")
    assert report["problems"] == []
    imported = _entries(run, empty)
    assert len(imported) == 26
    for item in _bundled():
        entry = _same_work(imported, item) if item.get("arxiv_id") or item["url"] in {e["url"] for e in imported} \
            else next(e for e in imported if e["title"] == item["title"])
        assert entry["section"] == item["section"], item["title"]
    # and exporting the re-imported catalogue gives the same headings in the same order
    again = tmp_path / "again.md"
    run("--db", str(empty), "export", "markdown", "--group-by", "section", "-o", str(again))
    headings = [line for line in exported.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert headings == [line for line in again.read_text(encoding="utf-8").splitlines() if line.startswith("#")]


def test_seed_list_with_arxiv_answering_gets_full_metadata(run, empty, arxiv_server):
    result, report = _import(run, empty, SEED_LIST, "--online")
    assert result.exit_code == 0, result.stderr
    # The replay server answers for 18 of the 20 papers, and like arXiv ("no such paper") for
    # 2412.01378 and 2402.17525, of which it holds no record: those stay placeholders, listed.
    unknown = {"2412.01378", "2402.17525"}
    assert report["fetched"] == 18 and report["placeholders"] == 2
    assert {p["text"].rsplit("/", 1)[-1] for p in report["problems"] if "arXiv has no paper" in p["reason"]} == unknown
    imported = _entries(run, empty)
    assert {e["arxiv_id"] for e in imported if e["needs_sync"]} == unknown
    bundled = {b["arxiv_id"]: b for b in _bundled() if b.get("arxiv_id")}
    for entry in imported:
        if entry["arxiv_id"] and entry["arxiv_id"] not in unknown:
            item = bundled[entry["arxiv_id"]]
            assert entry["title"] == item["title"]
            assert entry["authors"] and entry["abstract"]
            assert entry["section"] == item["section"] and entry["notes"] == item.get("notes")
    vit = next(e for e in imported if e["arxiv_id"] == "2010.11929")  # named, not linked, in the list
    assert vit["title"].startswith("An Image is Worth 16x16 Words")


def test_when_arxiv_cannot_be_reached_the_papers_wait_as_placeholders(run, empty, arxiv_refused):
    result, report = _import(run, empty, SEED_LIST)  # no --online/--offline: try, then fall back
    assert result.exit_code == 0
    assert report["placeholders"] == 20 and report["network_error"]
    assert "papershelf sync" in result.stderr
    result, _ = _import(run, empty, MESSY, "--online")  # asked for explicitly: exit 4, still stored
    assert result.exit_code == 4


# --- papershelf's own Markdown export, imported back (issue 17, item 7) ----------------------

_KEPT = ("citekey", "type", "title", "authors", "editors", "year", "date", "arxiv_id", "doi", "isbn",
         "url", "journal", "booktitle", "publisher", "volume", "number", "pages", "section", "notes",
         "links", "needs_sync", "tags")


def _kept(entries: list[dict]) -> dict[str, dict]:
    return {e["citekey"]: {k: e.get(k) for k in _KEPT} for e in entries}


@pytest.mark.parametrize("group_by", ["section", "tag", "none"])
def test_the_markdown_export_imports_back_with_the_same_keys_people_years_types_and_ids(
        run, bundled, empty, tmp_path, group_by):
    exported = tmp_path / "list.md"
    result = run("export", "markdown", "--group-by", group_by, "-o", str(exported))
    assert result.exit_code == 0, result.stderr
    result, report = _import(run, empty, exported, "--offline")
    assert result.exit_code == 0 and report["problems"] == []
    assert len(report["added"]) == 26 and report["placeholders"] == 0
    assert _kept(_entries(run, empty)) == _kept(_entries(run, bundled))
    result, again = _import(run, empty, exported, "--offline")  # importing it again adds nothing
    assert again["added"] == [] and len(again["existing"]) == 26


def test_a_list_imported_as_placeholders_round_trips_through_its_export(run, empty, tmp_path):
    _import(run, empty, SEED_LIST, "--offline")  # 38 entries: arXiv placeholders, books, web pages
    exported = tmp_path / "list.md"
    assert run("--db", str(empty), "export", "markdown", "-o", str(exported)).exit_code == 0
    other = tmp_path / "other.db"
    assert run("--db", str(other), "init", "--empty").exit_code == 0
    _, report = _import(run, other, exported, "--offline")
    assert report["problems"] == [] and len(report["added"]) == 38
    assert _kept(_entries(run, other)) == _kept(_entries(run, empty))


def test_the_record_stays_hidden_when_the_list_is_rendered_and_a_broken_one_is_reported(run, empty, tmp_path):
    from papershelf.formats.markdown import entry_markdown
    from papershelf.model.entry import Entry, Person

    text = entry_markdown(Entry("A --> B", type="book", citekey="k", year=2020, authors=[Person("Q", "R")]))
    assert text.count("-->") == 1 and text.splitlines()[-1].strip().startswith("<!-- papershelf {")
    broken = tmp_path / "broken.md"
    broken.write_text("- [**T**](https://example.org/t)\n  <!-- papershelf {\"key\": 3} -->\n", encoding="utf-8")
    _, report = _import(run, empty, broken, "--offline")
    assert report["problems"] == [{"line": 1, "text": "[**T**](https://example.org/t)",
                                   "reason": "a papershelf record that cannot be read"}]
    assert [e["url"] for e in report["added"]] == ["https://example.org/t"]  # read as any list item


def test_a_title_edited_in_the_exported_list_wins_over_its_record(run, bundled, empty, tmp_path):
    exported = tmp_path / "list.md"
    run("export", "markdown", "-o", str(exported))
    text = exported.read_text(encoding="utf-8")
    assert "[**Denoising Diffusion Probabilistic Models**]" in text
    exported.write_text(text.replace("[**Denoising Diffusion Probabilistic Models**]", "[**DDPM**]"),
                        encoding="utf-8")
    _import(run, empty, exported, "--offline")
    ddpm = json.loads(run("--db", str(empty), "show", "ho2020denoising", "--json").stdout)
    assert ddpm["title"] == "DDPM" and ddpm["year"] == 2020
