"""Recoverable by design: backups written whole or not at all, pruned to a limit; `db check`
finds a damaged index and orphans, `--repair` mends them without losing an entry; `db restore`
never lets a stale WAL touch the restored file."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from papershelf.storage import backups, db, opening


def _count(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    finally:
        conn.close()


def _raw(path):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    return conn


def test_check_is_clean_on_a_fresh_catalogue(run, bundled):
    result = run("db", "check", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["clean"] and data["entries"] == 26 and data["findings"] == []


def test_check_finds_a_damaged_index_and_orphans_and_repair_mends_them(run, bundled):
    conn = _raw(bundled)
    conn.execute("DELETE FROM entries_fts WHERE rowid IN (1, 2)")
    conn.execute("INSERT INTO entries_fts(rowid, title) VALUES (9999, 'stray')")
    conn.execute("INSERT INTO people(entry_id, role, position, family) VALUES (8888, 'author', 0, 'Ghost')")
    conn.execute("INSERT INTO tags(name) VALUES ('nobody-has-me')")
    conn.execute("INSERT INTO aliases(alias, entry_id) VALUES ('ghost2020', 8888)")
    conn.close()
    checked = run("db", "check", "--json")
    assert checked.exit_code == 1
    problems = {(f["check"], f["problem"]) for f in json.loads(checked.stdout)["findings"]}
    assert ("fts", "2 entries have no row in the search index") in problems
    assert ("fts", "1 search-index rows belong to no entry") in problems
    assert ("orphans", "1 rows of people belong to no entry") in problems
    assert ("orphans", "1 rows of aliases belong to no entry") in problems
    assert ("orphans", "1 tags are on no entry") in problems
    assert any(f[0] == "foreign_keys" for f in problems)
    text = run("db", "check")
    assert text.exit_code == 1 and "problem: [fts]" in text.stdout and "--repair" in text.stderr

    repaired = run("db", "check", "--repair", "--json")
    assert repaired.exit_code == 0, repaired.stderr
    data = json.loads(repaired.stdout)
    assert data["clean"] and data["entries"] == 26
    assert data["repaired"]["orphans_deleted"] == {"people": 1, "aliases": 1, "tags": 1}
    backup = data["backup"]
    assert "before-repair" in backup and _count(backup) == 26  # the copy was taken first
    assert run("db", "check").exit_code == 0
    # the entries whose index rows were deleted are found again
    assert json.loads(run("search", "denoising", "--json").stdout)


def test_repair_refuses_damage_it_cannot_mend_and_check_reports_it(run, tmp_path):
    path = tmp_path / "broken.db"
    assert run("--db", str(path), "init").exit_code == 0
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page, min(len(data), 6 * page)):  # scribble over a few b-tree pages
        data[offset] = 0x5A
    path.write_bytes(bytes(data))
    checked = run("--db", str(path), "db", "check")
    assert checked.exit_code == 1
    assert "Traceback" not in checked.stderr and "bug" not in checked.stderr
    assert "[integrity]" in checked.stdout or "damaged" in checked.stderr
    repaired = run("--db", str(path), "db", "check", "--repair")
    assert repaired.exit_code == 1 and "bug" not in repaired.stderr


def test_a_backup_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    conn, _ = opening.open_db(tmp_path / "c.db", create=True)
    real_connect = sqlite3.connect

    def failing_check(target, *args, **kwargs):  # the copy cannot be verified: a full disk, say
        if ".part" in str(target):
            raise sqlite3.OperationalError("database or disk is full")
        return real_connect(target, *args, **kwargs)

    monkeypatch.setattr(db.sqlite3, "connect", failing_check)
    with pytest.raises(sqlite3.OperationalError):
        backups.backup(conn, tmp_path / "c.db", "before-test")
    monkeypatch.undo()
    conn.close()
    assert sorted(p.name for p in tmp_path.iterdir() if "bak" in p.name or "part" in p.name) == []


def test_automatic_backups_are_pruned_to_the_limit_and_listed(run, bundled, monkeypatch):
    monkeypatch.setenv("PAPERSHELF_BACKUPS", "3")
    manual = run("db", "backup")
    assert manual.exit_code == 0
    for key in ("hu2022lora", "ho2020denoising", "zhang2023adding", "rombach2022high", "radford2021learning"):
        assert run("remove", key, "--yes").exit_code == 0, key
    listed = json.loads(run("db", "backups", "--json").stdout)
    automatic = [b for b in listed if b["automatic"]]
    assert len(automatic) == 3 and all(b["label"].startswith("before-remove") for b in automatic)
    assert [b["label"] for b in listed if not b["automatic"]] == ["manual"]  # never pruned
    # newest first, and the newest holds everything but the last removal
    assert _count(automatic[0]["path"]) == 26 - 4
    plain = run("db", "backups")
    assert plain.exit_code == 0 and "before-remove" in plain.stdout


def test_import_update_takes_a_backup_first(run, bundled, tmp_path):
    bib = tmp_path / "u.bib"
    bib.write_text("@article{hu2022lora, title={LoRA: Low-Rank Adaptation of Large Language Models},"
                   " author={Hu, Edward J.}, year={2022}, eprint={2106.09685}, archiveprefix={arXiv},"
                   " journal={A Journal}}\n")
    assert run("import", "bibtex", str(bib), "--update").exit_code == 0
    labels = [b["label"] for b in json.loads(run("db", "backups", "--json").stdout)]
    assert labels == ["before-update"]


def test_bad_backup_limit_is_a_usage_error(run, bundled):
    result = run("remove", "hu2022lora", "--yes", env={"PAPERSHELF_BACKUPS": "lots"})
    assert result.exit_code == 2 and "PAPERSHELF_BACKUPS" in result.stderr
    assert run("show", "hu2022lora").exit_code == 0  # nothing was removed


_WRITER = textwrap.dedent("""
    import os, sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")  # committed frames stay in the -wal
    for i in range(40):
        conn.execute("INSERT INTO tags(name) VALUES (?)", (f"from-the-killed-process-{i}",))
    conn.execute("BEGIN IMMEDIATE")  # and one transaction still open when it dies
    conn.execute("UPDATE entries SET title = 'half-written' WHERE id = 1")
    print("ready", flush=True)
    sys.stdin.readline()
""")


def _kill_a_writer(path):
    """A process writing the catalogue in WAL mode, SIGKILLed: its -wal stays behind."""
    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    child.send_signal(signal.SIGKILL)
    child.wait()
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    return wal


def test_restore_over_a_stale_wal_gives_back_every_entry_of_the_backup(run, bundled, tmp_path):
    backup = tmp_path / "saved.db"
    assert run("db", "backup", str(backup)).exit_code == 0
    expected = sorted(json.loads(run("list", "--json").stdout), key=lambda e: e["citekey"])
    for key in ("hu2022lora", "ho2020denoising"):
        assert run("remove", key, "--yes").exit_code == 0
    _kill_a_writer(bundled)

    result = run("db", "restore", str(backup), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["entries"] == 26 and report["check"]["clean"]
    got = sorted(json.loads(run("list", "--json").stdout), key=lambda e: e["citekey"])
    assert got == expected
    assert run("db", "check").exit_code == 0
    # the catalogue it replaced is kept, with what the killed process committed
    kept = report["replaced_kept_at"]
    assert os.path.exists(kept) and _count(kept) == 24
    conn = sqlite3.connect(kept)
    assert conn.execute("SELECT count(*) FROM tags WHERE name LIKE 'from-the-killed%'").fetchone()[0] == 40
    conn.close()


def test_restore_over_a_damaged_catalogue_with_a_stale_wal(run, bundled, tmp_path):
    backup = tmp_path / "saved.db"
    assert run("db", "backup", str(backup)).exit_code == 0
    _kill_a_writer(bundled)
    bundled.write_bytes(b"garbage" * 1000)  # the catalogue itself is ruined; its -wal is stale
    result = run("db", "restore", str(backup), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["entries"] == 26
    assert run("db", "check").exit_code == 0
    assert len(json.loads(run("list", "--json").stdout)) == 26


def test_restore_refuses_a_bad_backup_and_changes_nothing(run, bundled, tmp_path):
    before = json.loads(run("list", "--json").stdout)
    junk = tmp_path / "junk.db"
    junk.write_text("not a catalogue")
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE mine (x)")
    conn.commit()
    conn.close()
    for bad in (junk, foreign, tmp_path / "missing.db"):
        result = run("db", "restore", str(bad))
        assert result.exit_code in (1, 3), (bad, result.stderr)
        assert "bug" not in result.stderr
        assert "nothing was restored" in result.stderr or "no backup" in result.stderr
    assert json.loads(run("list", "--json").stdout) == before
    assert not [p for p in bundled.parent.iterdir() if "replaced" in p.name or ".part" in p.name]


def test_restore_is_refused_while_another_process_has_the_catalogue_open(run, bundled, tmp_path):
    backup = tmp_path / "saved.db"
    assert run("db", "backup", str(backup)).exit_code == 0
    holder = sqlite3.connect(bundled, isolation_level=None)
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM entries").fetchone()
    try:
        result = run("db", "restore", str(backup), env={"PAPERSHELF_BUSY_TIMEOUT": "0.2"})
    finally:
        holder.close()
    assert result.exit_code == 7, result.stderr
    assert "open in another papershelf process" in result.stderr
    assert not [p for p in bundled.parent.iterdir() if "replaced" in p.name]


def test_an_interrupted_migration_backup_leaves_no_table_less_copy(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    conn, _ = opening.open_db(path, create=True, upto="m001_core")
    conn.close()
    before = path.read_bytes()
    real_connect = sqlite3.connect

    def interrupted(target, *args, **kwargs):  # Ctrl-C while the copy is being checked
        if ".part" in str(target):
            raise KeyboardInterrupt
        return real_connect(target, *args, **kwargs)

    monkeypatch.setattr(db.sqlite3, "connect", interrupted)
    with pytest.raises(KeyboardInterrupt):
        opening.open_db(path, create=False)
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir() if "bak" in p.name or "part" in p.name] == []
    conn, _ = opening.open_db(path, create=False)  # and the next open migrates, with a whole copy
    from papershelf.storage.migrations import MIGRATION_NAMES

    assert db.applied_migrations(conn) == list(MIGRATION_NAMES)
    conn.close()
    (copy,) = [p for p in tmp_path.iterdir() if p.name.endswith(".before-m002_fts.bak.db")]
    assert db.applied_migrations(sqlite3.connect(copy)) == ["m001_core"]
    assert len(before) > 0


@pytest.mark.parametrize(("code", "text", "exit_code", "needle"), [
    (5, "database is locked", 7, "locked by another papershelf process; try again"),
    (6, "database table is locked", 7, "locked by another papershelf process"),
    (8, "attempt to write a readonly database", 1, "cannot change"),
    (13, "database or disk is full", 1, "no space left"),
    (11, "database disk image is malformed", 1, "is damaged"),
    (26, "file is not a database", 1, "is damaged"),
    (10 | (3 << 8), "disk I/O error", 1, "I/O error"),
    (14, "unable to open database file", 1, "cannot open"),
])
def test_each_sqlite_failure_of_the_file_has_its_own_line(tmp_path, code, text, exit_code, needle):
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorcode = code
    err = db.storage_error(exc, tmp_path / "c.db")
    assert err is not None and int(err.exit_code) == exit_code and needle in err.message
    assert "bug" not in err.message and "init" not in (err.hint or "")


def test_a_failure_that_is_not_about_the_file_stays_a_bug(tmp_path):
    exc = sqlite3.OperationalError("no such column: nonsense")
    exc.sqlite_errorcode = 1
    assert db.storage_error(exc, tmp_path / "c.db") is None
