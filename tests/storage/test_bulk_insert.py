"""Storing many new entries at once: key lookups by index, and a bulk insert that stores exactly
what one insert per entry stored.

A citation key compares without case, so the lookups of ``key_taken`` and ``resolve`` need an
index in that collation (``m006``): with only the BINARY unique index, every lookup scanned the
table, and an import of n entries did n scans.
"""

from __future__ import annotations

import sqlite3

import pytest

from papershelf.errors import CiteKeyError, UsageError
from papershelf.model.entry import Entry, Person
from papershelf.storage.catalogue import Catalogue
from papershelf.storage.opening import open_db


def _plan(conn: sqlite3.Connection, sql: str, params: tuple) -> str:
    return " | ".join(str(r[-1]) for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


@pytest.mark.parametrize("sql, params", [
    ("SELECT id FROM entries WHERE citekey = ? COLLATE NOCASE", ("Ho2020Denoising",)),
    ("SELECT 1 FROM entries WHERE citekey = ? COLLATE NOCASE AND id IS NOT ?", ("HO2020", 3)),
])
def test_a_key_lookup_without_case_searches_the_index_not_the_table(tmp_path, sql, params):
    conn, _ = open_db(tmp_path / "c.db", create=True)
    plan = _plan(conn, sql, params)
    assert "entries_citekey_nocase" in plan and "SCAN" not in plan, plan
    conn.close()


def test_m006_indexes_the_keys_of_a_catalogue_made_before_it(tmp_path):
    path = tmp_path / "old.db"
    conn, _ = open_db(path, create=True, upto="m005_verbatim_source")
    conn.execute("INSERT INTO entries(citekey, title, added, updated) VALUES ('Ho2020', 't', 'x', 'x')")
    conn.close()
    conn, _ = open_db(path, create=False)
    assert conn.execute("SELECT id FROM entries WHERE citekey = 'ho2020' COLLATE NOCASE").fetchone()[0] == 1
    assert "entries_citekey_nocase" in _plan(conn, "SELECT id FROM entries WHERE citekey = ? COLLATE NOCASE",
                                             ("x",))
    conn.close()
    assert list(tmp_path.glob("old.*.before-m006_key_nocase_index.bak.db"))


def _entries(n: int) -> list[Entry]:
    out = []
    for i in range(n):
        e = Entry(title=f"Work number {i}", type="article", citekey=f"w{i}", year=2000 + i % 20,
                  abstract=f"abstract {i}", arxiv_id=f"2001.{i:05d}" if i % 3 == 0 else None,
                  authors=[Person(f"Fam{i}", "Ann"), Person("Shared", "Bo", "van")],
                  editors=[Person("Ed", "Itor")] if i % 5 == 0 else [],
                  tags=["mine", f"t{i % 4}", "ruled"] if i % 2 else ["mine"],
                  rule_tags=["ruled"] if i % 2 else [])
        e.bib_preambles = ["\\newcommand{\\x}{y}"]
        e.bib_strings = {"conf": "Conference"}
        out.append(e)
    return out


def test_a_bulk_insert_stores_every_row_and_link_in_order(tmp_path):
    cat, _ = Catalogue.open(tmp_path / "c.db", create=True)
    first = cat.insert_many(_entries(1))
    stored = cat.insert_many(_entries(2501)[1:])  # more than one statement's worth of rows
    assert [e.id for e in stored] == list(range(first[0].id + 1, first[0].id + 2501))
    back = {e.citekey: e for e in cat.entries()}
    assert len(back) == 2501
    for e in _entries(2501):
        b = back[e.citekey]
        assert (b.title, b.year, b.abstract, b.arxiv_id) == (e.title, e.year, e.abstract, e.arxiv_id)
        assert b.authors == e.authors and b.editors == e.editors
        assert sorted(b.tags) == sorted(set(e.tags)) and b.rule_tags == e.rule_tags
        assert b.bib_preambles == e.bib_preambles and b.bib_strings == e.bib_strings
    assert cat.conn.execute("SELECT count(*) FROM bib_blocks").fetchone()[0] == 2
    sources = dict(cat.conn.execute("SELECT t.name, group_concat(DISTINCT et.source) FROM entry_tags et "
                                    "JOIN tags t ON t.id = et.tag_id GROUP BY t.name"))
    assert sources["ruled"] == "rule" and sources["mine"] == "user"
    assert cat.search_ids('"number 2500"') == [back["w2500"].id]
    cat.close()


@pytest.mark.parametrize("clash, error, says", [
    ("citekey", CiteKeyError, "'w1'"),
    ("arxiv_id", UsageError, "arXiv:2001.00003"),
])
def test_a_bulk_insert_that_clashes_names_the_entry_and_stores_nothing(tmp_path, clash, error, says):
    cat, _ = Catalogue.open(tmp_path / "c.db", create=True)
    cat.insert_many(_entries(4)[1:2] if clash == "citekey" else _entries(4)[3:])
    before = cat.count(), cat.conn.execute("SELECT count(*) FROM people").fetchone()[0]
    batch = _entries(8)
    if clash == "arxiv_id":
        batch = [e for e in batch if e.citekey != "w3"]
        batch[-1].arxiv_id = "2001.00003"
    with pytest.raises(error, match=says):
        cat.insert_many(batch)
    assert (cat.count(), cat.conn.execute("SELECT count(*) FROM people").fetchone()[0]) == before
    cat.close()
