"""The cache of rendered entries (``services.export_cache``): an export that reads texts back
gives exactly the bytes and the report of an export that renders everything, after any change
to the catalogue; a broken cache never breaks an export."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from entry_factory import generated
from papershelf.formats.bibtex import writer
from papershelf.services import export, export_cache, export_file
from papershelf.storage import render_cache
from papershelf.storage.render_cache import RenderCache


def _fill(lib, n: int) -> None:
    lib.cat.insert_many(generated(n, 0))
    for i in (0, 3):
        lib.cat.add_alias(lib.cat.resolve(generated(1, i)[0].citekey), f"old{i}")


def _export(lib, cache, style="bibtex", **kw):
    report = export.new_report()
    text = "".join(export.bibtex_chunks(lib, export.select_ids(lib).ids, style, report=report,
                                        cache=cache, **kw))
    return text, report


def _uncached(lib, style="bibtex", **kw):
    return _export(lib, RenderCache(None, 0), style, **kw)


def _cache(tmp_path) -> RenderCache:
    return RenderCache(tmp_path / "cache", 7)


def _renders(monkeypatch) -> list[str]:
    """The citekeys the writer renders from now on (whole entries, or .bib entries from their rows)."""
    seen: list[str] = []
    real, from_rows = writer.entry_to_bibtex, writer.verbatim_to_bibtex

    def counting(entry, *args, **kw):
        seen.append(entry.citekey)
        return real(entry, *args, **kw)

    def counting_rows(key, *args, **kw):
        seen.append(key)
        return from_rows(key, *args, **kw)

    monkeypatch.setattr(writer, "entry_to_bibtex", counting)
    monkeypatch.setattr(writer, "verbatim_to_bibtex", counting_rows)
    return seen


OPTIONS = [dict(style="bibtex"), dict(style="biblatex"), dict(style="bibtex", minimal=True),
           dict(style="bibtex", keywords="tags"), dict(style="biblatex", keywords="both"),
           dict(style="bibtex", cited=["old0", "old3", "nokey"]), dict(style="biblatex", cited=["old0"])]


@pytest.mark.parametrize("options", OPTIONS)
def test_a_repeated_export_reads_the_texts_back_byte_for_byte(empty_library, tmp_path, monkeypatch, options):
    _fill(empty_library, 60)
    expected = _uncached(empty_library, **options)
    assert _export(empty_library, _cache(tmp_path), **options) == expected  # cold: renders, keeps
    renders = _renders(monkeypatch)
    assert _export(empty_library, _cache(tmp_path), **options) == expected  # warm
    copies = {"old0", "old3"} if options.get("cited") and options["style"] == "bibtex" else set()
    assert set(renders) <= {generated(1, 0)[0].citekey, generated(1, 3)[0].citekey} | copies
    assert len(renders) == 2 * len(copies)  # only the entries written again under a cited alias


def test_every_kind_of_change_is_seen(empty_library, tmp_path, monkeypatch):
    lib = empty_library
    _fill(lib, 30)
    for style in ("bibtex", "biblatex"):
        _export(lib, _cache(tmp_path), style, keywords="both")
    keys = [e.citekey for e in generated(6, 0)]
    changed = lib.cat.get_id(lib.cat.resolve(keys[1]))
    changed.title = "A New Title"
    lib.cat.update_metadata(changed.id, changed, ["title"])
    lib.cat.tag(keys[2], ["fresh-tag"])
    lib.cat.rekey(keys[3], "renamed2026")
    lib.cat.add_alias(lib.cat.resolve(keys[4]), "old4")
    lib.cat.set_notes(keys[5], "a note written later")
    renders = _renders(monkeypatch)
    for style in ("bibtex", "biblatex"):
        renders.clear()
        text, report = _export(lib, _cache(tmp_path), style, keywords="both")
        rendered = sorted(set(renders))
        assert (text, report) == _uncached(lib, style, keywords="both")
        assert "A New Title" in text and "fresh-tag" in text and "renamed2026," in text
        assert "a note written later" in text
        assert "old4" in text  # ids: biber cites it, bibtex skips it, a re-import reads it
        assert rendered == sorted([keys[1], keys[2], "renamed2026", keys[4], keys[5]])


def test_a_restored_older_catalogue_never_gets_newer_texts(empty_library, tmp_path):
    lib = empty_library
    _fill(lib, 20)
    older = tmp_path / "older.db"
    lib.cat.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(lib.path, older)
    key = generated(1, 2)[0].citekey
    lib.cat.tag(key, ["only-in-the-newer"])
    assert "only-in-the-newer" in _export(lib, _cache(tmp_path), keywords="tags")[0]
    lib.close()
    shutil.copyfile(older, lib.path)  # the older file in the catalogue's place: another inode
    from papershelf.services.library import open_library

    restored, _ = open_library(lib.path)
    try:
        text = _export(restored, _cache(tmp_path), keywords="tags")
        assert text == _uncached(restored, keywords="tags")
        assert "only-in-the-newer" not in text[0]
    finally:
        restored.close()


def test_a_new_version_renders_again(empty_library, tmp_path, monkeypatch):
    _fill(empty_library, 10)
    _export(empty_library, _cache(tmp_path))
    monkeypatch.setattr("papershelf.__version__", "99.0")
    renders = _renders(monkeypatch)
    _export(empty_library, _cache(tmp_path))
    assert len(renders) == 10


def test_a_damaged_cache_file_is_replaced_and_the_export_is_unchanged(empty_library, tmp_path):
    _fill(empty_library, 10)
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / render_cache.FILE_NAME).write_bytes(b"this is not a database" * 100)
    expected = _uncached(empty_library)
    cache = RenderCache(folder, 7)
    assert cache.enabled
    assert _export(empty_library, cache) == expected
    assert sqlite3.connect(folder / render_cache.FILE_NAME).execute("SELECT count(*) FROM texts").fetchone()[0] == 10


def test_an_unusable_cache_falls_back_to_rendering(empty_library, tmp_path):
    _fill(empty_library, 10)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    cache = RenderCache(blocker, 7)
    assert not cache.enabled
    assert _export(empty_library, cache) == _uncached(empty_library)


def test_a_cache_that_fails_midway_turns_itself_off(empty_library, tmp_path):
    _fill(empty_library, 10)
    cache = _cache(tmp_path)
    cache._db.execute("DROP TABLE texts")  # every read and write now fails
    assert _export(empty_library, cache) == _uncached(empty_library)
    assert not cache.enabled


def test_zero_days_turns_the_cache_off(empty_library, tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERSHELF_CACHE_DAYS", "0")
    _fill(empty_library, 5)
    report = export.new_report()
    "".join(export.bibtex_chunks(empty_library, export.select_ids(empty_library).ids, report=report))
    from papershelf.paths import cache_dir

    assert not (cache_dir() / render_cache.FILE_NAME).exists()
    monkeypatch.setenv("PAPERSHELF_CACHE_DAYS", "soon")
    with pytest.raises(export.UsageError, match="PAPERSHELF_CACHE_DAYS"):
        export_cache.cache_days()


def test_the_cache_is_bounded_and_forgets_old_texts(empty_library, tmp_path, monkeypatch):
    monkeypatch.setattr(render_cache, "MAX_ROWS", 15)
    _fill(empty_library, 10)
    now = [1_000_000.0]
    for style in ("bibtex", "biblatex"):
        _export(empty_library, RenderCache(tmp_path / "cache", 7, clock=lambda: now[0]), style)
    db = sqlite3.connect(tmp_path / "cache" / render_cache.FILE_NAME)
    assert db.execute("SELECT count(*) FROM texts").fetchone()[0] <= 15 + 10
    now[0] += 8 * render_cache.DAY
    _export(empty_library, RenderCache(tmp_path / "cache", 7, clock=lambda: now[0]), "bibtex",
            minimal=True)
    assert db.execute("SELECT count(*) FROM texts WHERE stored < ?", (now[0],)).fetchone()[0] == 0


def test_the_cli_export_is_the_same_with_and_without_the_cache(bundled, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from papershelf.cli import app

    runner = CliRunner()
    args = ["--db", str(bundled), "export", "bibtex", "--keywords", "both"]
    first = runner.invoke(app, args)
    second = runner.invoke(app, args)
    monkeypatch.setenv("PAPERSHELF_CACHE_DAYS", "0")
    uncached = runner.invoke(app, args)
    assert first.exit_code == second.exit_code == uncached.exit_code == 0
    assert first.stdout == second.stdout == uncached.stdout
    assert first.stderr == second.stderr == uncached.stderr


def _cite_all(path, lib) -> None:
    path.write_text("".join(f"\\citation{{{key}}}\n" for key in lib.cat.keys_of(export.select_ids(lib).ids).values()))


@pytest.mark.parametrize("days", ["7", "0"])
def test_the_watch_renders_only_what_changed_with_or_without_the_cache_file(empty_library, tmp_path,
                                                                             monkeypatch, days):
    from papershelf.paths import cache_dir
    from papershelf.services.export_watch import BibWatch

    monkeypatch.setenv("PAPERSHELF_CACHE_DAYS", days)
    _fill(empty_library, 12)
    aux, out = tmp_path / "thesis.aux", tmp_path / "refs.bib"
    _cite_all(aux, empty_library)
    if days == "7":  # an export first: the watch finds every text it needs already rendered
        "".join(export.bibtex_chunks(empty_library, export.select_ids(empty_library).ids))
    state = BibWatch(empty_library, aux, out)
    assert state.poll().wrote
    assert state.renders == (0 if days == "7" else 12)
    assert (cache_dir() / render_cache.FILE_NAME).exists() == (days == "7")
    before = state.renders
    empty_library.cat.tag(generated(1, 4)[0].citekey, ["now-tagged"])
    state.sync()  # (the text is the same: tags are written with --keywords tags or both)
    assert state.renders == before + 1  # only the entry that changed was rendered again
    expected = export_file.HEADERS["bibtex"] + _uncached(empty_library, cited=export.select_ids(empty_library, aux=aux).cited)[0]
    assert out.read_text("utf-8") == expected


def test_an_entry_that_takes_a_removed_ones_id_is_never_served_its_text(run, bundled, tmp_path, monkeypatch):
    """remove, then import the same key with other content within the same second: the new entry
    may get the removed one's id at the same revision; the export must show the new content."""
    from papershelf.storage import entry_state, entry_writes, journal

    for module in (entry_state, entry_writes, journal):  # all in one second
        monkeypatch.setattr(module, "now", lambda: "2026-12-02T12:00:00Z")
    old = tmp_path / "old.bib"
    new = tmp_path / "new.bib"
    old.write_text("@misc{zz2024same, title={The Old Title}, author={Zed, Z.}, year={2024}}\n")
    new.write_text("@misc{zz2024same, title={A Completely New Title}, author={Zed, Z.}, year={2024}}\n")
    assert run("import", "bibtex", str(old)).exit_code == 0
    assert "The Old Title" in run("export", "bibtex").stdout  # kept in the cache
    assert run("remove", "zz2024same", "--yes").exit_code == 0
    assert run("import", "bibtex", str(new)).exit_code == 0
    out = run("export", "bibtex").stdout
    assert "A Completely New Title" in out and "The Old Title" not in out
