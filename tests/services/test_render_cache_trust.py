"""The render cache never serves wrong text (issue 19): it follows the catalogue's change log
(``storage.changes``), keyed by the catalogue's random id, so a catalogue copied over another in
place, a direct sqlite3 edit, a catalogue replaced by a rename under ``--watch``, and a cache file
that is a link to the catalogue are all handled."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest

from papershelf.model.entry import Entry, Person
from papershelf.services import export
from papershelf.services.export_watch import BibWatch
from papershelf.services.library import open_library
from papershelf.storage import render_cache
from papershelf.storage.render_cache import CacheRefused, RenderCache


def _entry(key: str, title: str) -> Entry:
    return Entry(citekey=key, type="article", title=title, year=2020, journal="J. Tests",
                 authors=[Person(family="Ho", given="Jonathan")])


def _export(lib, cache) -> str:
    return "".join(export.bibtex_chunks(lib, export.select_ids(lib).ids, report=export.new_report(), cache=cache))


def _uncached(lib) -> str:
    return _export(lib, RenderCache(None, 0))


def _cache(tmp_path) -> RenderCache:
    return RenderCache(tmp_path / "cache", 7)


def _settle(lib) -> None:
    lib.cat.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_another_catalogue_copied_over_in_place_is_never_served_the_first_ones_texts(library_of, tmp_path):
    """`cp other.db catalogue.db` keeps the inode, and can happen within the same second: the
    same ids, revisions and times, other titles. The catalogue id tells them apart."""
    first = library_of([_entry("ho2020a", "The First Catalogue's Title")], "first.db")
    second = library_of([_entry("ho2020a", "The Second Catalogue's Title")], "second.db")
    assert "First" in _export(first, _cache(tmp_path))
    _settle(first)
    _settle(second)
    path, inode = first.path, os.stat(first.path).st_ino
    first.close()
    second.close()
    with open(second.path, "rb") as src, open(path, "r+b") as dst:  # as cp does: same inode
        dst.truncate(0)
        shutil.copyfileobj(src, dst)
    assert os.stat(path).st_ino == inode
    again, _ = open_library(path)
    try:
        text = _export(again, _cache(tmp_path))
        assert "Second" in text and "First" not in text
        assert text == _uncached(again)
    finally:
        again.close()


def test_a_copy_of_the_same_catalogue_changed_on_its_own_is_rendered_afresh(library_of, tmp_path):
    """Two copies of one catalogue share its id; each changed on its own, the change log's
    tokens tell their histories apart."""
    lib = library_of([_entry("ho2020a", "Common Title"), _entry("ho2020b", "Other Title")])
    _settle(lib)
    twin_path = tmp_path / "twin.db"
    shutil.copyfile(lib.path, twin_path)
    twin, _ = open_library(twin_path)
    try:
        lib.cat.conn.execute("UPDATE entries SET title = 'Changed Here' WHERE citekey = 'ho2020a'")
        twin.cat.conn.execute("UPDATE entries SET title = 'Changed There' WHERE citekey = 'ho2020b'")
        assert "Changed Here" in _export(lib, _cache(tmp_path))
        text = _export(twin, _cache(tmp_path))
        assert text == _uncached(twin) and "Changed Here" not in text
        assert _export(lib, _cache(tmp_path)) == _uncached(lib)
    finally:
        twin.close()


def test_a_direct_sqlite3_edit_is_seen_by_the_next_export(library_of, tmp_path, monkeypatch):
    lib = library_of([_entry("ho2020a", "Before The Edit"), _entry("ho2020b", "Untouched")])
    assert "Before The Edit" in _export(lib, _cache(tmp_path))
    other = sqlite3.connect(lib.path)  # another program, not papershelf: no revision bumped
    other.execute("UPDATE entries SET title = 'After The Edit' WHERE citekey = 'ho2020a'")
    other.execute("UPDATE people SET family = 'Hoo' WHERE entry_id = "
                  "(SELECT id FROM entries WHERE citekey = 'ho2020b')")
    other.commit()
    other.close()
    text = _export(lib, _cache(tmp_path))
    assert "After The Edit" in text and "Hoo" in text
    assert text == _uncached(lib)


def test_an_export_that_finds_every_text_does_not_write_the_cache(library_of, tmp_path):
    lib = library_of([_entry("ho2020a", "A Title")])
    _export(lib, _cache(tmp_path))
    cache_file = tmp_path / "cache" / render_cache.FILE_NAME
    before = cache_file.stat().st_mtime_ns, cache_file.read_bytes()
    _export(lib, _cache(tmp_path))
    assert (cache_file.stat().st_mtime_ns, cache_file.read_bytes()) == before


def test_a_cache_behind_the_pruned_log_starts_again(library_of, tmp_path, monkeypatch):
    lib = library_of([_entry("ho2020a", "A Title"), _entry("ho2020b", "B Title")])
    _export(lib, _cache(tmp_path))
    conn = lib.cat.conn
    conn.execute("UPDATE entries SET title = 'Pruned Away' WHERE citekey = 'ho2020a'")
    conn.execute("DELETE FROM changes")  # as if the log had been pruned past the cache's point
    conn.execute("UPDATE entries SET revision = revision WHERE citekey = 'ho2020b'")
    text = _export(lib, _cache(tmp_path))
    assert "Pruned Away" in text and text == _uncached(lib)


def test_two_exports_at_once_never_leave_an_old_text(library_of, tmp_path):
    """An export that started before a change keeps nothing once another export has followed
    the log past it (its texts may predate the change)."""
    lib = library_of([_entry("ho2020a", "Old Title")])
    slow, fast = _cache(tmp_path), _cache(tmp_path)
    at = slow.follow(lib.cat.conn)
    old_text = _uncached(lib)
    lib.cat.conn.execute("UPDATE entries SET title = 'New Title'")
    _export(lib, fast)  # follows the log past the change, keeps the new text
    entry_id = lib.cat.conn.execute("SELECT id FROM entries").fetchone()[0]
    slow.put(at, b"scope", [(entry_id, old_text, "")])  # refused: the point moved
    assert "New Title" in _export(lib, _cache(tmp_path))
    (count,) = sqlite3.connect(tmp_path / "cache" / render_cache.FILE_NAME).execute(
        "SELECT count(*) FROM texts WHERE scope = ?", (b"scope",)).fetchone()
    assert count == 0


@pytest.mark.parametrize("how", ["symlink", "catalogue"])
def test_a_cache_file_that_is_a_link_or_a_catalogue_is_refused_and_left_alone(library_of, tmp_path, how):
    lib = library_of([_entry("ho2020a", "A Title")])
    _settle(lib)
    folder = tmp_path / "cache"
    folder.mkdir()
    if how == "symlink":
        (folder / render_cache.FILE_NAME).symlink_to(lib.path)
    else:
        shutil.copyfile(lib.path, folder / render_cache.FILE_NAME)
    target = lib.path if how == "symlink" else folder / render_cache.FILE_NAME
    before = sorted(r[0] for r in sqlite3.connect(target).execute("SELECT name FROM sqlite_master"))
    with pytest.raises(CacheRefused, match=r"render cache .* (symbolic link|papershelf catalogue)"):
        RenderCache(folder, 7)
    after = sorted(r[0] for r in sqlite3.connect(target).execute("SELECT name FROM sqlite_master"))
    assert after == before and "texts" not in after


def test_the_cli_refuses_a_linked_cache_in_one_line(run, bundled, isolated_home):
    from papershelf.paths import cache_dir

    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / render_cache.FILE_NAME).symlink_to(bundled)
    result = run("export", "bibtex")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the render cache") and "symbolic link" in lines[0]
    tables = {r[0] for r in sqlite3.connect(bundled).execute("SELECT name FROM sqlite_master")}
    assert not tables & {"texts", "history", "rendered"}


def test_the_watch_follows_a_catalogue_replaced_by_a_rename(library_of, tmp_path):
    """Sync tools replace a file by writing a new one and renaming it over the old: the watch
    must read the new file, not the old inode its connection still holds."""
    lib = library_of([_entry("ho2020a", "Title Before The Sync")])
    newer = library_of([_entry("ho2020a", "Title After The Sync")], "newer.db")
    _settle(newer)
    newer.close()
    aux, out = tmp_path / "thesis.aux", tmp_path / "refs.bib"
    aux.write_text("\\citation{ho2020a}\n")
    state = BibWatch(lib, aux, out)
    assert state.poll().wrote and "Before" in out.read_text()
    assert state.poll() is None
    lib.close()  # (the CLI closes it: the watch opens the catalogue for each poll)
    os.replace(newer.path, lib.path)
    event = state.poll()
    assert event is not None and event.wrote and event.changed == ["ho2020a"]
    assert "After The Sync" in out.read_text() and "Before" not in out.read_text()


def test_the_watch_sees_a_direct_sqlite3_edit(library_of, tmp_path):
    lib = library_of([_entry("ho2020a", "Title One"), _entry("ho2020b", "Title Two")])
    aux, out = tmp_path / "thesis.aux", tmp_path / "refs.bib"
    aux.write_text("\\citation{ho2020a}\\citation{ho2020b}\n")
    state = BibWatch(lib, aux, out)
    state.poll()
    renders = state.renders
    other = sqlite3.connect(lib.path)
    other.execute("UPDATE entries SET title = 'Edited By Hand' WHERE citekey = 'ho2020b'")
    other.commit()
    other.close()
    event = state.poll()
    assert event is not None and event.changed == ["ho2020b"]
    assert state.renders == renders + 1 and "Edited By Hand" in out.read_text()


def test_db_check_reports_cache_tables_written_into_the_catalogue_and_repair_drops_them(run, bundled):
    """What an older papershelf left behind when rendered.db was a link to the catalogue."""
    conn = sqlite3.connect(bundled)
    conn.execute("CREATE TABLE rendered (scope BLOB, entry_id INTEGER, stamp BLOB, text TEXT, report TEXT, "
                 "stored REAL, PRIMARY KEY (scope, entry_id))")
    conn.commit()
    conn.close()
    result = run("db", "check")
    assert result.exit_code != 0 and "render cache" in result.stdout + result.stderr
    assert run("db", "check", "--repair").exit_code == 0
    assert run("db", "check").exit_code == 0
    tables = {r[0] for r in sqlite3.connect(bundled).execute("SELECT name FROM sqlite_master")}
    assert "rendered" not in tables


def test_db_check_reports_a_dropped_change_log_trigger(run, bundled):
    conn = sqlite3.connect(bundled)
    conn.execute("DROP TRIGGER people_update")
    conn.commit()
    conn.close()
    result = run("db", "check")
    assert result.exit_code != 0 and "change-log triggers missing: people_update" in result.stdout + result.stderr
