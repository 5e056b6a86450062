"""The schema is versioned and migrated, never silently recreated; newer catalogues are refused."""

import json
import sqlite3

import pytest

from papershelf.storage.db import applied_migrations
from papershelf.storage.migrations import MIGRATION_NAMES
from papershelf.storage.opening import open_db


def test_blank_file_gets_every_migration(tmp_path):
    conn, created = open_db(tmp_path / "new.db", create=True)
    assert created
    assert applied_migrations(conn) == list(MIGRATION_NAMES)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"entries", "people", "tags", "entry_tags", "dismissed_tags", "entries_fts"} <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.close()


def _previous_schema_with_rows(path):
    """A catalogue as the first schema (m001, no search index) left it, with an entry in it."""
    conn, _ = open_db(path, create=True, upto="m001_core")
    assert applied_migrations(conn) == ["m001_core"]
    conn.execute(
        "INSERT INTO entries(citekey, type, title, year, notes, added, updated) "
        "VALUES ('old2019entry', 'article', 'An Old Entry About Wavelets', 2019, '舊筆記 kept', "
        "'2019-01-01T00:00:00Z', '2019-01-01T00:00:00Z')")
    conn.execute("INSERT INTO people(entry_id, role, position, family, given) VALUES (1, 'author', 0, 'Old', 'Ada')")
    conn.close()


def test_previous_schema_is_migrated_with_its_rows(run, tmp_path):
    db = tmp_path / "old.db"
    _previous_schema_with_rows(db)
    result = run("--db", str(db), "search", "wavelets", "--json")
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)
    assert [h["citekey"] for h in hits] == ["old2019entry"]
    assert hits[0]["authors"] == ["Ada Old"]
    assert json.loads(run("--db", str(db), "search", "舊筆記", "--json").stdout)[0]["citekey"] == "old2019entry"
    backups = list(tmp_path.glob("old.*.before-m002_fts.bak.db"))
    assert len(backups) == 1, "a copy is kept before migrating"
    conn = sqlite3.connect(backups[0])
    assert [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")] == ["m001_core"]
    conn.close()


def test_catalogue_from_a_newer_papershelf_is_refused_and_untouched(run, tmp_path):
    db = tmp_path / "future.db"
    conn, _ = open_db(db, create=True)
    conn.execute("INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
                 "VALUES ('papershelf', 'm099_from_the_future', '2030-01-01')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = db.read_bytes()
    result = run("--db", str(db), "list")
    assert result.exit_code == 1
    assert "newer papershelf" in result.stderr and "left untouched" in result.stderr
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before
    write = run("--db", str(db), "tag", "x", "y")
    assert write.exit_code == 1
    assert db.read_bytes() == before


def test_migration_failure_rolls_back(tmp_path, monkeypatch):
    """A migration that fails leaves the catalogue as it was (and the migration pending)."""
    from papershelf.storage import migrations

    db = tmp_path / "half.db"
    _previous_schema_with_rows(db)

    def broken(database):
        database.execute("CREATE VIRTUAL TABLE entries_fts USING fts5(title)")
        raise RuntimeError("disk on fire")

    broken.__name__ = "m002_fts"
    monkeypatch.setattr(migrations, "MIGRATIONS", [migrations.m001_core, broken])
    with pytest.raises(RuntimeError, match="disk on fire"):
        open_db(db, create=False)
    conn = sqlite3.connect(db)
    assert [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")] == ["m001_core"]
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'entries_fts'").fetchone()[0] == 0
    assert conn.execute("SELECT title FROM entries").fetchone()[0] == "An Old Entry About Wavelets"
    conn.close()


def test_fts_stays_in_sync_with_every_write(catalogue):
    def fts_count():
        return catalogue.cat.conn.execute("SELECT count(*) FROM entries_fts").fetchone()[0]

    assert fts_count() == catalogue.count() == 26
    catalogue.remove(["hu2022lora"])
    assert fts_count() == 25
    assert "hu2022lora" not in [e.citekey for e in catalogue.search("lora")]
    catalogue.tag("ho2020denoising", ["zebra"])
    assert [e.citekey for e in catalogue.search("zebra")] == ["ho2020denoising"]
    catalogue.untag("ho2020denoising", ["zebra"])
    assert catalogue.search("zebra") == []


def test_old_style_arxiv_ids_become_canonical(tmp_path):
    """m003: ids stored as written by 0.1's .bib reader (math.DG/0211159) take arXiv's form,
    except where another row already holds that form (nothing is merged by a migration)."""
    db = tmp_path / "ids.db"
    conn, _ = open_db(db, create=True, upto="m002_fts")
    for n, ident in enumerate(["math.DG/0211159", "hep-th/9901001", "math.GT/0309136", "math/0309136"]):
        conn.execute("INSERT INTO entries(citekey, title, arxiv_id, added, updated) "
                     "VALUES (?, 't', ?, '2020-01-01', '2020-01-01')", (f"k{n}", ident))
    conn.close()
    conn, _ = open_db(db, create=False)
    ids = [r[0] for r in conn.execute("SELECT arxiv_id FROM entries ORDER BY id")]
    conn.close()
    assert ids == ["math/0211159", "hep-th/9901001", "math.GT/0309136", "math/0309136"]


def test_m007_rebuilds_the_search_index_with_names_and_ids(tmp_path):
    """A catalogue from before m007: its entries are found by acronym and identifier after the
    migration, without anything written to the entries."""
    from papershelf.storage.fts import reindex
    from papershelf.storage.opening import open_db

    path = tmp_path / "old.db"
    conn, _ = open_db(path, create=True, upto="m006_key_nocase_index")
    conn.execute("INSERT INTO entries(id, citekey, title, arxiv_id, added, updated) VALUES "
                 "(1, 'ho2020denoising', 'Denoising Diffusion Probabilistic Models', '2006.11239', 'x', 'x')")
    reindex(conn, [1])  # the index as that schema held it
    conn.commit()
    conn.close()
    conn, _ = open_db(path, create=False)
    for query in ('"ddpm"', '"2006 11239"', '"ho2020denoising"'):
        for table in ("entries_fts", "entries_exact"):
            found = conn.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", (query,)).fetchall()
            assert [tuple(r) for r in found] == [(1,)], (table, query)
    assert list(tmp_path.glob("old.*.before-m007_search_names.bak.db"))
    conn.close()
