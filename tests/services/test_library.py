"""The one door (``services.library.Library.add``): every way in decides identity, keys and
topic tags there, and nowhere else."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import papershelf
from papershelf.formats.bibtex.reader import read_string
from papershelf.model.entry import Entry, Person
from papershelf.services.import_bibtex import import_entries
from papershelf.services.library import AddPolicy

SRC = Path(papershelf.__file__).resolve().parent

PERELMAN_BIB = """@article{perelman2002entropy,
  title = {The entropy formula for the {Ricci} flow and its geometric applications},
  author = {Perelman, Grisha},
  year = {2002},
  eprint = {math.DG/0211159},
  archivePrefix = {arXiv},
}
"""


def test_only_the_library_writes_new_entries():
    """No importer inserts rows itself: ``insert_many`` is called from the door only."""
    callers = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "insert_many":
                callers.append(path.relative_to(SRC).as_posix())
    assert callers == ["services/door_writes.py"]  # the door's writer (``Door.add``)


def test_an_old_style_id_from_a_bib_file_and_from_arxiv_is_one_row(run, tmp_path, arxiv_server):
    """A .bib holding math.DG/0211159, then `add math/0211159`: one entry, not two."""
    assert run("init", "--empty").exit_code == 0
    bib = tmp_path / "perelman.bib"
    bib.write_text(PERELMAN_BIB, encoding="utf-8")
    assert run("import", "bibtex", str(bib)).exit_code == 0
    result = run("add", "math/0211159")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("exists") and "perelman2002entropy" in result.stdout
    listed = json.loads(run("list", "--json").stdout)
    assert [(e["citekey"], e["arxiv_id"]) for e in listed] == [("perelman2002entropy", "math/0211159")]
    assert arxiv_server.requests == []  # known already: arXiv was not even asked


def test_papers_sharing_a_bogus_eprint_but_not_their_doi_both_enter(empty_library):
    text = ("@article{koma_1999, title={Koma}, doi={10.1/koma}, eprint={1234.5678}, archivePrefix={arXiv}}\n"
            "@article{choi_2016, title={Choi}, doi={10.1/choi}, eprint={1234.5678}, archivePrefix={arXiv}}\n")
    report = import_entries(empty_library, read_string(text).entries)
    assert report.duplicates == []
    assert sorted(report.added) == ["choi_2016", "koma_1999"]
    assert empty_library.count() == 2


def test_chapters_sharing_the_book_doi_are_different_works(empty_library):
    text = ("@incollection{ch1, title={Kernels}, booktitle={ML}, doi={10.1007/978-3-030-1}, pages={1--20}}\n"
            "@incollection{ch2, title={Trees}, booktitle={ML}, doi={10.1007/978-3-030-1}, pages={21--40}}\n"
            "@book{ml, title={ML}, doi={10.1007/978-3-030-1}, publisher={Springer}, year=2020}\n")
    report = import_entries(empty_library, read_string(text).entries)
    assert sorted(report.added) == ["ch1", "ch2", "ml"] and report.duplicates == []


def test_a_cjk_titled_entry_is_recognised_on_reimport(empty_library):
    text = "@article{wang2023, title={擴散模型綜述}, author={王, 小明}, year={2023}, journal={計算機學報}}\n"
    first = import_entries(empty_library, read_string(text).entries)
    same = import_entries(empty_library, read_string(text).entries)
    other_key = import_entries(empty_library, read_string(text.replace("wang2023", "wang2023b")).entries)
    assert first.added == ["wang2023"] and same.added == [] and [d[:2] for d in same.duplicates] == [
        ("wang2023", "wang2023")]
    # title, year and first author are not proof: another key is its own entry, reported
    assert other_key.added == ["wang2023b"] and [p[:2] for p in other_key.probable] == [("wang2023b", "wang2023")]


def test_duplicates_within_one_batch_are_reported_not_added(empty_library):
    twins = [Entry("A Paper", authors=[Person("Ho")], year=2020, doi="10.1/x"),
             Entry("A Paper (again)", doi="10.1/X")]
    result = empty_library.add(twins)
    assert [e.citekey for e in result.added] == ["ho2020paper"]
    assert [(d.existing_key, d.existing_id, d.why) for d in result.duplicates] == [("ho2020paper", None, "DOI 10.1/X")]


def test_update_merges_fields_and_keeps_key_notes_and_tags(empty_library):
    empty_library.add([Entry("Old Title", doi="10.1/m", year=2020, notes="mine", tags=["keep"])])
    result = empty_library.add([Entry("New Title", doi="10.1/m", journal="J")], AddPolicy(on_duplicate="update"))
    (updated,) = result.updated
    assert (updated.citekey, updated.title, updated.journal, updated.notes) == ("old2020title", "New Title", "J", "mine")
    assert "keep" in updated.tags


def test_new_entries_get_topic_tags_unless_the_policy_says_no(library_of):
    lora = Entry("LoRA: Low-Rank Adaptation of Large Language Models", authors=[Person("Hu")], year=2021)
    tagged = library_of([lora], "tagged.db").get("hu2021lora")
    assert "lora" in tagged.tags and "lora" in tagged.rule_tags
    plain = Entry("LoRA: Low-Rank Adaptation of Large Language Models", authors=[Person("Hu")], year=2021)
    lib = library_of([], "plain.db")
    lib.add([plain], AddPolicy(autotag=False, tags=("to-read",)))
    assert lib.get("hu2021lora").tags == ["to-read"]


def test_a_dry_run_decides_everything_and_writes_nothing(empty_library):
    result = empty_library.add([Entry("Denoising", authors=[Person("Ho")], year=2020)], AddPolicy(dry_run=True))
    assert [e.citekey for e in result.added] == ["ho2020denoising"]
    assert empty_library.count() == 0


def test_the_door_is_an_object_the_library_holds(empty_library):
    """``Library`` hands the door's calls to ``lib.door`` (issue 18 part 2), not a base class."""
    from papershelf.services.door import Door
    from papershelf.services.library import Library

    assert not issubclass(Library, Door) and isinstance(empty_library.door, Door)
    assert empty_library.door.cat is empty_library.cat
    assert empty_library.add([Entry(title="A work", year=2020, type="misc")]).added[0].citekey
