"""Legal input never fails the whole command: any number of works sharing a key, deep reading
lists, looping .aux files, and concurrent imports of one file."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time

import pytest

from papershelf.errors import UsageError
from papershelf.formats.latex_aux import MAX_AUX_DEPTH, MAX_AUX_FILES, cited_keys
from papershelf.formats.readinglist import reader
from papershelf.model.citekeys import nth_suffix, suffixes, unique_key
from papershelf.model.entry import Entry, Person
from papershelf.services.library import AddPolicy


def test_suffixes_never_run_out():
    first = list(itertools.islice(suffixes(), 26 + 26 * 26 + 2))
    assert first[:2] == ["a", "b"] and first[25:27] == ["z", "aa"]
    assert first[26 + 676 - 1:] == ["zz", "aaa", "aab"]
    assert len(set(first)) == len(first)
    assert [nth_suffix(i) for i in range(20_000)] == list(itertools.islice(suffixes(), 20_000))


def test_unique_key_gives_the_first_free_suffix_to_a_pile_of_works():
    taken: set[str] = set()
    for _ in range(1000):
        taken.add(unique_key("doe2020", lambda k: k in taken))
    assert taken == {"doe2020", *("doe2020" + s for s in itertools.islice(suffixes(), 999))}
    # a gap among a .. z is filled first
    assert unique_key("x", lambda k: k in {"x", "xa", "xc"}) == "xb"


def test_five_thousand_works_sharing_one_key_are_all_added(empty_library):
    works = [Entry(f"Study {i}", type="article", authors=[Person("Smith", "Ann")], year=2020,
                   citekey="smith2020study", journal=f"Journal {i}", pages=str(i + 1))
             for i in range(5000)]
    started = time.perf_counter()
    result = empty_library.add(works, AddPolicy(source_keys=True, autotag=False))
    print(f"5000 entries sharing one key: {time.perf_counter() - started:.2f} s")
    assert len(result.added) == 5000 and not result.duplicates
    keys = [e.citekey for e in result.added]
    assert len(set(k.lower() for k in keys)) == 5000
    assert keys[0] == "smith2020study" and "smith2020studyaaa" in keys
    assert empty_library.count() == 5000


def test_a_reading_list_nested_three_thousand_deep_is_read():
    # every 100th level is a paper, the levels between are labels: sections of sections
    text = "# List\n\n## Papers\n\n" + "".join(
        "  " * i + (f"- [paper {i}](https://arxiv.org/abs/2006.{i:05d})\n" if i % 100 == 99 else f"- level {i}\n")
        for i in range(3000))
    found = reader.read(text)
    assert len(found.entries) == 30 and not found.problems
    assert found.entries[0].section == "Papers › " + " › ".join(f"level {i}" for i in range(99))
    assert found.entries[-1].section.count(" › ") == 2999  # "Papers" and the 2,999 bullets above it


def test_an_aux_cycle_ends_and_a_deep_chain_is_read_without_recursion(tmp_path):
    (tmp_path / "a.aux").write_text("\\citation{x}\\@input{b.aux}\\citation{z}")
    (tmp_path / "b.aux").write_text("\\citation{y}\\@input{a.aux}")
    assert cited_keys(tmp_path / "a.aux") == ["x", "y", "z"]
    depth = 1500  # a chain deeper than Python's recursion limit: refused past MAX_AUX_DEPTH levels
    for i in range(depth):
        (tmp_path / f"c{i}.aux").write_text(f"\\citation{{k{i}}}\\@input{{c{i + 1}.aux}}")
    with pytest.raises(UsageError, match=f"{MAX_AUX_DEPTH} levels"):
        cited_keys(tmp_path / "c0.aux")
    start = depth - MAX_AUX_DEPTH
    assert cited_keys(tmp_path / f"c{start}.aux")[:2] == [f"k{start}", f"k{start + 1}"]
    wide = tmp_path / "wide"  # more files than MAX_AUX_FILES, each one level down
    wide.mkdir()
    for i in range(MAX_AUX_FILES + 5):
        (wide / f"w{i}.aux").write_text(f"\\citation{{w{i}}}\n")
    (wide / "main.aux").write_text("".join(f"\\@input{{w{i}.aux}}\n" for i in range(MAX_AUX_FILES + 5)))
    with pytest.raises(UsageError, match=str(MAX_AUX_FILES)):
        cited_keys(wide / "main.aux")


def test_three_concurrent_imports_of_one_file_add_once_and_report_duplicates(run, tmp_path):
    db = tmp_path / "shared.db"
    assert run("--db", str(db), "init", "--empty").exit_code == 0
    bib = tmp_path / "many.bib"
    bib.write_text("".join(f"@article{{k{i},\n  author = {{Writer{i}, Ann}},\n  title = {{Finding {i}}},\n"
                           f"  journal = {{J}},\n  year = {{2020}}\n}}\n\n" for i in range(300)))
    procs = [subprocess.Popen([sys.executable, "-m", "papershelf", "--db", str(db), "import", "bibtex",
                               str(bib), "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outs]
    import json

    reports = [json.loads(out) for out, _ in outs]
    assert sorted(len(r["added"]) for r in reports) == [0, 0, 300]
    assert sorted(len(r["duplicates"]) for r in reports) == [0, 300, 300]
    assert len(json.loads(run("--db", str(db), "list", "--json").stdout)) == 300
