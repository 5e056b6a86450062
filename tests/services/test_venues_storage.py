"""The venue evidence table (m009_venue_evidence, storage/venue_evidence.py): a catalogue from
before it gains the table with its entries untouched; records are kept per run, the newest one
read back, and removed with their entry."""

from __future__ import annotations

import sqlite3

from papershelf.storage.opening import open_db
from papershelf.storage.venue_evidence import VenueRecord, latest, record


def test_m009_adds_the_table_to_an_older_catalogue_with_rows(tmp_path):
    path = tmp_path / "old.db"
    conn, _ = open_db(path, create=True, upto="m008_trash")
    conn.execute("INSERT INTO entries(id, citekey, title, arxiv_id, added, updated) VALUES "
                 "(1, 'zhang2023adding', 'Adding Conditional Control', '2302.05543', 'x', 'x')")
    conn.commit()
    conn.close()
    conn, _ = open_db(path, create=False)
    assert [r[0] for r in conn.execute("SELECT citekey FROM entries")] == ["zhang2023adding"]
    assert latest(conn, [1]) == {}
    conn.close()
    assert len(list(tmp_path.glob("old.*.before-m009_venue_evidence.bak.db"))) == 1


def test_records_are_kept_per_run_and_the_newest_is_read(tmp_path):
    conn, _ = open_db(tmp_path / "c.db", create=True)
    conn.execute("INSERT INTO entries(id, citekey, title, added, updated) VALUES (7, 'k', 't', 'x', 'x')")
    record(conn, [VenueRecord(7, "2026-01-01T00:00:00Z", "none")])
    record(conn, [VenueRecord(7, "2026-06-01T00:00:00Z", "published", True, "ICCV", "10.1/x", ["dblp", "s2"],
                              {"checks": [{"source": "dblp", "title_score": 1.0}]})])
    newest = latest(conn, [7])[7]
    assert (newest.status, newest.applied, newest.sources, newest.venue) == ("published", True, ["dblp", "s2"], "ICCV")
    assert newest.evidence["checks"][0]["source"] == "dblp"
    assert conn.execute("SELECT count(*) FROM venue_evidence").fetchone()[0] == 2
    conn.execute("DELETE FROM entries WHERE id = 7")
    assert conn.execute("SELECT count(*) FROM venue_evidence").fetchone()[0] == 0  # ON DELETE CASCADE
    conn.close()


def test_a_catalogue_without_the_table_reads_as_no_evidence(tmp_path):
    conn = sqlite3.connect(tmp_path / "bare.db")
    assert latest(conn, [1, 2]) == {}
    conn.close()
