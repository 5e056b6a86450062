"""The door's lookups are indexed (issue 20 part 1): identity candidates come from the identity
index (``storage.identity_rows``, m014) and keys from the NOCASE indexes, so an add reads a few
rows whatever the catalogue's size; and an add decided and written in chunks reports exactly
what one decided whole does (in-file duplicates across chunks included)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from papershelf.formats.bibtex.reader import read_string
from papershelf.model.entry import Entry, Person
from papershelf.services import door
from papershelf.services.import_bibtex import import_entries
from papershelf.services.library import AddPolicy, open_library
from papershelf.storage import identity_rows

_SCAN = re.compile(r"^SCAN (entries|e|aliases|identity_keys|people|p)\b")


def _plan(conn, sql: str, params) -> list[str]:
    return [r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]


def _paper(i: int) -> Entry:
    return Entry(title=f"On the theory of widget number {i}", type="article", year=1990 + i % 30,
                 authors=[Person(f"Author{i % 97}", "A.")], doi=f"10.1000/w{i}", citekey="")


def test_every_door_lookup_seeks_an_index(library_of):
    lib = library_of([_paper(i) for i in range(20)])
    conn = lib.cat.conn
    queries = [
        (identity_rows.LOOKUP_SQL, ("doi", "10.1000/w3")),
        (identity_rows.MANY_SQL.format("?, ?"), ("doi", "10.1000/w3", "10.1000/w4")),
        (identity_rows._RECORD_SQL + " WHERE e.id IN (?, ?)", (1, 2)),
        ("SELECT lower(alias), entry_id FROM aliases WHERE alias IN (?, ?)", ("a", "b")),
        ("SELECT lower(citekey), id FROM entries WHERE citekey COLLATE NOCASE IN (?, ?)", ("a", "b")),
        ("SELECT 1 FROM entries WHERE citekey = ? COLLATE NOCASE AND id IS NOT ? UNION ALL "
         "SELECT 1 FROM aliases WHERE alias = ? AND entry_id IS NOT ? LIMIT 1", ("a", None, "a", None)),
        ("SELECT id FROM entries WHERE arxiv_id = ?", ("2006.11239",)),
        ("SELECT coalesce(max(id), 0) FROM entries", ()),
        ("DELETE FROM identity_keys WHERE entry_id IN (?, ?)", (1, 2)),
    ]
    for sql, params in queries:
        plan = _plan(conn, sql, params)
        assert not [p for p in plan if _SCAN.match(p)], (sql, plan)


def test_the_identity_index_follows_every_write(library_of):
    lib = library_of([_paper(i) for i in range(5)])
    conn = lib.cat.conn
    key = lib.cat.keys_of([1])[1]
    assert identity_rows.candidates(conn, "doi", "10.1000/w0") == [1]
    lib.cat.update_metadata(1, Entry(title="x", doi="10.1000/changed"), ["doi"])
    assert identity_rows.candidates(conn, "doi", "10.1000/w0") == []
    assert identity_rows.candidates(conn, "doi", "10.1000/changed") == [1]
    lib.cat.remove([key])
    assert identity_rows.candidates(conn, "doi", "10.1000/changed") == []
    # what the index holds is what a rebuild from the tables gives
    held = sorted(map(tuple, conn.execute("SELECT slot, value, entry_id FROM identity_keys")))
    identity_rows.rebuild(conn)
    assert sorted(map(tuple, conn.execute("SELECT slot, value, entry_id FROM identity_keys"))) == held


def _steps_of_one_add(lib) -> int:
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    lib.cat.conn.set_progress_handler(count, 10)
    try:
        lib.add([Entry(title="A paper added by hand", type="misc", year=2026, authors=[Person("Zyx", "Q.")],
                       doi="10.1000/new")], AddPolicy(autotag=False))
    finally:
        lib.cat.conn.set_progress_handler(None, 0)
    return steps


def test_an_add_reads_as_much_into_a_large_catalogue_as_into_a_small_one(tmp_path):
    """SQLite's VM steps of one add (with a DOI, a title and year, an author: every lookup)
    into 200 and into 3,000 entries: nearly the same (a pass over the entries would be 15×)."""
    steps = []
    for n in (200, 3000):
        lib, _ = open_library(tmp_path / f"c{n}.db", create=True)
        try:
            lib.add([_paper(i) for i in range(n)], AddPolicy(autotag=False))
            steps.append(_steps_of_one_add(lib))
        finally:
            lib.close()
    assert steps[1] < 1.5 * steps[0], steps


BIB = """
@article{a1, title = {Alpha}, author = {Ng, A.}, year = {2001}, doi = {10.1/a}}
@article{b1, title = {Beta}, author = {Ng, B.}, year = {2002}, eprint = {2101.00001}, archivePrefix = {arXiv}}
@article{c1, title = {Gamma}, author = {Ng, C.}, year = {2003}}
@article{a2, title = {Alpha, revised}, author = {Ng, A.}, year = {2001}, doi = {10.1/a}}
@article{a1, title = {Alpha}, author = {Ng, A.}, year = {2001}, doi = {10.1/a}}
@misc{b2, title = {Beta again}, author = {Ng, B.}, year = {2002}, eprint = {2101.00001}, archivePrefix = {arXiv}}
@article{c2, title = {Gamma}, author = {Ng, C.}, year = {2003}}
@article{c1, title = {Gamma other}, author = {Ng, C.}, year = {2004}}
@misc{d1, title = {Delta}, year = {2005}, url = {https://example.org/delta}}
@misc{d2, title = {Delta}, year = {2005}, url = {https://example.org/delta/}}
"""


@pytest.mark.parametrize("update", [False, True])
def test_chunks_report_what_one_whole_batch_does(tmp_path, monkeypatch, update):
    """In-file duplicates are found across chunk boundaries: a chunk of 3 records reports
    what a chunk of 1,000 does, and stores the same entries."""
    out = []
    for chunk in (1000, 3):
        monkeypatch.setattr(door, "CHUNK", chunk)
        lib, _ = open_library(tmp_path / f"c{chunk}.db", create=True)
        try:
            lib.add([_paper(1)], AddPolicy(autotag=False))
            report = import_entries(lib, read_string(BIB).entries, update=update, autotag=False)
            again = lib.add([_paper(i) for i in (5, 6, 5, 7, 6, 1, 8, 5)], AddPolicy(autotag=False))
            stored = sorted((e.citekey, e.title, e.arxiv_id, e.doi) for e in lib.cat.entries())
            out.append(({k: v for k, v in report.to_dict().items() if k != "operation"}, stored,
                        [(d.entry.doi, d.existing_key, d.existing_id, d.why) for d in again.duplicates]))
        finally:
            lib.close()
    assert out[0] == out[1]
    assert len(out[0][0]["probable"]) == 3 and len(out[0][2]) == 4


def test_m014_fills_the_index_of_a_catalogue_made_before_it(tmp_path):
    """A catalogue older than m014 gets every entry's identity rows when it is opened, and an
    add into it then finds a duplicate through them."""
    path = tmp_path / "old.db"
    lib, _ = open_library(path, create=True)
    lib.add([_paper(i) for i in range(30)], AddPolicy(autotag=False))
    expected = sorted(map(tuple, lib.cat.conn.execute("SELECT slot, value, entry_id FROM identity_keys")))
    with lib.cat.transaction():  # as m013 left it
        lib.cat.conn.execute("DROP TABLE identity_keys")
        lib.cat.conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm014_identity_keys'")
    lib.close()
    lib, _ = open_library(path)
    try:
        got = sorted(map(tuple, lib.cat.conn.execute("SELECT slot, value, entry_id FROM identity_keys")))
        assert got == expected and len(got) == 30 * 2  # a DOI and a title+year each
        again = lib.add([_paper(7)], AddPolicy(autotag=False))
        assert not again.added and again.duplicates[0].why == "DOI 10.1000/w7"
    finally:
        lib.close()


class _Draining:
    """A list handed out once, front to back, letting go of each item as it is taken (the
    door keeps one chunk of entries, and so, then, does the import)."""

    def __init__(self, items: list[Entry]):
        self.items = items[::-1]
        items.clear()

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Entry]:
        while self.items:
            yield self.items.pop()


def test_an_import_lets_go_of_each_chunk_once_written(tmp_path, monkeypatch):
    """With ``AddPolicy.report`` and a list handed out once (as ``import bibtex``'s reader hands out its entries), the
    entries of a chunk already written are no longer held by anyone."""
    import gc

    monkeypatch.setattr(door, "CHUNK", 2)
    papers = [_paper(i) for i in range(8)]
    titles = [e.title for e in papers]
    alive: list[list[bool]] = []
    keys: list[str] = []

    def report(result) -> None:
        keys.extend(e.citekey for e in result.added)
        gc.collect()
        held = {o.title for o in gc.get_objects() if isinstance(o, Entry)}
        alive.append([t in held for t in titles])

    lib, _ = open_library(tmp_path / "c.db", create=True)
    try:
        lib.add(_Draining(papers), AddPolicy(autotag=False, report=report))
    finally:
        lib.close()
    assert len(keys) == 8
    assert alive[2][:4] == [False] * 4  # the first two chunks, once the third is written
    assert alive[2][4:6] == [True, True]  # the chunk being reported is still there


def test_an_imports_progress_knows_its_total(tmp_path, monkeypatch):
    """The entries are handed out once, but a progress bar still learns how many there are."""
    from papershelf.services.import_bibtex import import_files

    monkeypatch.setattr(door, "CHUNK", 3)
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    told: list[tuple[str, int, int | None]] = []
    lib, _ = open_library(tmp_path / "c.db", create=True)
    try:
        report = import_files(lib, [bib], autotag=False, progress=lambda *a: told.append(a))
    finally:
        lib.close()
    assert ("checking", 0, 8) in told and told[-1] == ("writing", 8, 8)
    assert len(report.added) == 8


def test_identity_rows_made_from_inserted_entries_are_those_read_back(tmp_path):
    """An insert makes its identity rows from the entries it stored (not read back): over a
    real bibliography (DOIs, arXiv ids, ISBNs, URLs, titles, series, notes, shared eprints)
    they are exactly what a rebuild from the tables gives."""
    from pathlib import Path

    from papershelf.services.import_bibtex import import_files

    corpus = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "bib"
    files = sorted(corpus.rglob("*.bib"))[:40]
    lib, _ = open_library(tmp_path / "c.db", create=True)
    try:
        import_files(lib, files, read_ahead=False)
        conn = lib.cat.conn
        held = sorted(map(tuple, conn.execute("SELECT slot, value, entry_id FROM identity_keys")))
        assert len(held) > 200
        identity_rows.rebuild(conn)
        assert sorted(map(tuple, conn.execute("SELECT slot, value, entry_id FROM identity_keys"))) == held
    finally:
        lib.close()


def test_a_chunk_asks_for_its_candidates_at_once_and_finds_what_one_by_one_finds(tmp_path, monkeypatch):
    """The door asks storage for the identity candidates (and keys) of a chunk of records in a
    few statements; its decisions are those of asking record by record."""
    from papershelf.storage.catalogue import Catalogue

    asked: list[str] = []
    real_one, real_many = identity_rows.candidates, Catalogue.identity_candidates_many
    one_by_one = False

    def one(conn, slot, value):
        asked.append(slot)
        return real_one(conn, slot, value)

    def many(self, slots):
        return {s: self.identity_candidates(*s) for s in slots} if one_by_one else real_many(self, slots)

    monkeypatch.setattr(identity_rows, "candidates", one)
    monkeypatch.setattr(Catalogue, "identity_candidates_many", many)

    def run(path):
        lib, _ = open_library(path, create=True)
        try:
            import_entries(lib, [_paper(i) for i in range(30)])
            again = [_paper(i) for i in range(20, 50)]  # 10 duplicates (same DOI), 20 new
            again += [Entry(title=f"On the theory of widget number {i}", type="article", year=1990 + i % 30,
                            citekey="") for i in range(5)]  # probable: no author to compare
            report = import_entries(lib, again).to_dict()
            rows = sorted(map(tuple, lib.cat.conn.execute("SELECT slot, value, entry_id FROM identity_keys")))
            return report, rows
        finally:
            lib.close()

    at_once = run(tmp_path / "a.db")
    assert asked == []  # every lookup of the imports came from their chunks' questions
    one_by_one = True
    by_one = run(tmp_path / "b.db")
    assert asked  # (the other way did ask one by one)
    assert at_once == by_one
    assert len(at_once[0]["duplicates"]) >= 10 and at_once[0]["probable"]
