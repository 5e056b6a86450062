"""The operations journal (``storage.journal``, m010): one operation per import, written in
its transaction, bounded to the last ``KEEP``; ``undo`` takes the last one back."""

from __future__ import annotations

from papershelf.model.entry import Entry, Person
from papershelf.services.import_bibtex import import_entries
from papershelf.storage import journal


def record(key: str, n: int) -> Entry:
    return Entry(title=f"Work {n}", citekey=key, year=2000 + n % 20, authors=[Person("Doe")], type="article")


def test_every_import_is_one_operation_and_the_journal_stays_bounded(empty_library):
    lib = empty_library
    for n in range(journal.KEEP + 5):
        report = import_entries(lib, [record(f"k{n}", n)], journal=f"import {n}")
        assert report.operation is not None
    ops = lib.cat.conn.execute("SELECT count(*), min(summary) FROM journal").fetchone()
    assert ops[0] == journal.KEEP
    assert lib.cat.conn.execute("SELECT count(*) FROM journal_items").fetchone()[0] == journal.KEEP
    last = journal.last(lib.cat.conn)
    assert last is not None and last.summary == f"import {journal.KEEP + 4}"
    assert [(i.action, i.citekey) for i in last.items] == [("added", f"k{journal.KEEP + 4}")]


def test_a_dry_run_or_a_failed_import_records_nothing(empty_library):
    lib = empty_library
    report = import_entries(lib, [record("k", 1)], dry_run=True)
    assert report.operation is None and journal.last(lib.cat.conn) is None


def test_undo_walks_back_one_import_at_a_time(empty_library):
    lib = empty_library
    import_entries(lib, [record("a", 1)], journal="first")
    import_entries(lib, [record("b", 2), record("c", 3)], journal="second")
    undone = lib.undo()
    assert undone.summary == "second" and undone.trashed == ["b", "c"] and lib.count() == 1
    assert [t.reason for t in lib.trash()] == ["undo of second", "undo of second"]
    assert lib.undo().trashed == ["a"] and lib.count() == 0


def test_undo_takes_back_imports_and_a_merge_in_turn_each_leaving_the_revisions_it_found(empty_library):
    from papershelf.formats.bibtex.reader import read_string

    lib = empty_library
    a = "@article{B2006, title={Graph Search}, author={Bo, Al}, year={2006}, journal={AIJ}, doi={10.1/gs}}\n"
    steps = [a, a.replace("B2006,", "Bo06,"), a.replace("B2006,", "B2006b,").replace("}}", "}, eprint={cs/0601001}}")]
    for n, text in enumerate(steps):
        import_entries(lib, read_string(text).entries, journal=f"import {n}")
    assert lib.get("Bo06").citekey == "B2006" and lib.count() == 2  # an alias: it prints the same
    lib.merge(lib.merge_plan("B2006", "B2006b"))
    merged_at = lib.get("B2006").revision
    assert lib.get("B2006b").citekey == "B2006"
    assert lib.undo().unmerged == ["B2006b"] and lib.get("B2006b").citekey == "B2006b"
    assert lib.get("B2006").revision > merged_at  # its fields of before, under a revision never given
    assert lib.undo().trashed == ["B2006b"]
    assert lib.undo().unaliased == [("Bo06", "B2006")] and lib.get("B2006").aliases == []
    assert lib.undo().trashed == ["B2006"] and lib.count() == 0
