"""Reading an import ahead in a second process (``services.read_ahead``): the same catalogue and
the same report as reading in the import's own process, and a clean end however it ends."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from papershelf.errors import PapershelfError, UsageError
from papershelf.formats.bibtex.reader import Bibliography
from papershelf.services import read_ahead
from papershelf.services.import_bibtex import import_files
from papershelf.services.library import open_library

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="reading ahead forks")

BIB = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "bib"
# crossref and xdata parents across files, @string macros from an earlier file, problems of
# many kinds (duplicate keys, undefined macros, unbalanced braces), UTF-8 and LaTeX accents
FILES = ["plk-biber/xdata.bib", "live-clones-pybtex/xampl.bib", "JabRef-jabref/crossref.bib",
         "sciunto-org-python-bibtexparser/v1-tests-data/crossref_missing_entries.bib",
         "sciunto-org-python-bibtexparser/v1-tests-data/crossref_cascading_cycle.bib",
         "sciunto-org-python-bibtexparser/v1-tests-data/string.bib", "plk-biber/related.bib",
         "JabRef-jabref/jabref-authors.bib", "live-clones-pybtex/tugboat.bib"]


def _dump(lib) -> dict:
    """Everything an import stores, without the clock's times."""
    conn = lib.cat.conn
    cols = [r[1] for r in conn.execute("PRAGMA table_info(entries)") if r[1] not in ("added", "updated")]
    return {
        "entries": [tuple(r) for r in conn.execute(f"SELECT {', '.join(cols)} FROM entries ORDER BY id")],
        "people": [tuple(r) for r in conn.execute("SELECT * FROM people ORDER BY entry_id, role, position")],
        "tags": [tuple(r) for r in conn.execute(
            "SELECT et.entry_id, t.name, et.source FROM entry_tags et JOIN tags t ON t.id = et.tag_id "
            "ORDER BY 1, 2")],
        "aliases": [tuple(r) for r in conn.execute("SELECT * FROM aliases ORDER BY alias")],
        "blocks": [tuple(r) for r in conn.execute(
            "SELECT l.entry_id, b.kind, b.name, b.value FROM entry_bib_blocks l "
            "JOIN bib_blocks b ON b.id = l.block_id ORDER BY 1, 2, 3")],
        "identity": [tuple(r) for r in conn.execute("SELECT * FROM identity_keys ORDER BY 1, 2, 3")],
    }


def _import(tmp_path: Path, name: str, files: list[Path], ahead: bool, **kw) -> tuple[dict, dict]:
    lib, _ = open_library(tmp_path / f"{name}.db", create=True)
    try:
        report = import_files(lib, files, read_ahead=ahead, **kw)
        return report.to_dict(), _dump(lib)
    finally:
        lib.close()


# who matches the topic rules: the child always (0), the door always (never behind enough)
@pytest.mark.parametrize("behind", [0, 10**9])
@pytest.mark.parametrize("update", [False, True])
def test_a_bibliography_read_ahead_is_imported_exactly_as_one_read_here(tmp_path, isolated_home, monkeypatch,
                                                                         update, behind):
    monkeypatch.setattr(read_ahead, "DOOR_BEHIND", behind)
    files = [BIB / f for f in FILES]
    files.append(tmp_path / "missing.bib")  # refused, the rest imported
    undecodable = tmp_path / "latin1.bib"
    undecodable.write_bytes("@misc{x, title={Caf\u00e9}}\n".encode("latin-1"))
    files.append(undecodable)
    here = _import(tmp_path, "here", files, False, update=update)
    ahead = _import(tmp_path, "ahead", files, True, update=update)
    assert json.dumps(ahead[0], sort_keys=True) == json.dumps(here[0], sort_keys=True)
    assert ahead[1] == here[1]
    assert len(here[0]["added"]) > 50 and here[1]["tags"] and here[1]["blocks"]
    assert {r["file"] for r in here[0]["refused"]} == {str(files[-2]), str(undecodable)}
    kinds = {p["kind"] for p in here[0]["problems"]}
    assert {"dangling-crossref", "crossref-cycle"} <= kinds


def test_tags_the_reading_process_matched_are_the_ones_stored(tmp_path, isolated_home, monkeypatch):
    """The comparison above can fail: a child that matched the rules wrongly is caught."""
    monkeypatch.setattr(read_ahead, "DOOR_BEHIND", 0)
    monkeypatch.setattr(read_ahead, "_match_as_the_door_will", lambda topics, entry: ["wrong-topic"])
    files = [BIB / f for f in FILES[:3]]
    here = _import(tmp_path, "here", files, False)
    ahead = _import(tmp_path, "ahead", files, True)
    assert ahead[1]["tags"] != here[1]["tags"]
    assert "wrong-topic" in {name for _, name, source in ahead[1]["tags"] if source == "rule"}


def test_a_parent_only_the_catalogue_holds_is_found_by_the_reading_process(tmp_path, isolated_home):
    parent = tmp_path / "parent.bib"
    parent.write_text("@proceedings{conf2020, title={Proceedings of Conf}, year=2020}\n", encoding="utf-8")
    child = tmp_path / "child.bib"
    child.write_text("@inproceedings{paper2020, author={Ho, J.}, title={A Paper}, crossref={conf2020}}\n"
                     "@inproceedings{lost2020, author={Ho, J.}, title={Lost}, crossref={nowhere}}\n",
                     encoding="utf-8")
    lib, _ = open_library(tmp_path / "c.db", create=True)
    try:
        import_files(lib, [parent], read_ahead=False)
        report = import_files(lib, [child], read_ahead=True)
    finally:
        lib.close()
    dangling = [p["key"] for p in report.problems if p["kind"] == "dangling-crossref"]
    assert dangling == ["lost2020"]  # conf2020 is catalogued: not reported
    assert sorted(report.added) == ["lost2020", "paper2020"]


def test_an_error_in_the_reading_process_is_the_import_error_and_nothing_is_written(
        tmp_path, isolated_home, monkeypatch):
    def refuse(self, path, *, encoding=None):
        raise UsageError(f"{path.name}: refused for the test", hint="a hint")

    monkeypatch.setattr(Bibliography, "reading_file", refuse)  # the forked child has it too
    lib, _ = open_library(tmp_path / "c.db", create=True)
    try:
        with pytest.raises(UsageError, match="refused for the test") as raised:
            import_files(lib, [BIB / FILES[1]], read_ahead=True)
        assert raised.value.hint == "a hint"
        assert lib.cat.conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 0
    finally:
        lib.close()
    _no_child_left()


def test_a_reading_process_killed_midway_stops_the_import_with_one_line_and_writes_nothing(
        tmp_path, isolated_home, monkeypatch):
    seen = []

    def match_then_die(topics, entry):
        seen.append(entry)
        if len(seen) == 150:  # after a first message went out
            os.kill(os.getpid(), signal.SIGKILL)
        return topics.match(entry)

    monkeypatch.setattr(read_ahead, "_match_as_the_door_will", match_then_die)
    monkeypatch.setattr(read_ahead, "DOOR_BEHIND", 0)  # the child matches every entry
    lib, _ = open_library(tmp_path / "c.db", create=True)
    try:
        with pytest.raises(PapershelfError, match="reading process was killed by SIGKILL"):
            import_files(lib, [BIB / f for f in FILES], read_ahead=True)
        assert lib.cat.conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 0
    finally:
        lib.close()
    _no_child_left()


def test_a_door_that_stops_midway_stops_the_reading_process(tmp_path, isolated_home, monkeypatch):
    from papershelf.services.door_writes import ChunkWriter

    many = tmp_path / "many.bib"
    many.write_text("".join(f"@misc{{k{i}, title={{Paper {i} on diffusion}}, year=2020}}\n"
                            for i in range(5000)), encoding="utf-8")
    written = []

    def write_once(self, result):
        if written:
            raise UsageError("the door stops here")
        written.append(len(self.new))
        return original(self, result)

    original = ChunkWriter.write
    monkeypatch.setattr(ChunkWriter, "write", write_once)
    lib, _ = open_library(tmp_path / "c.db", create=True)
    try:
        with pytest.raises(UsageError, match="the door stops here"):
            import_files(lib, [many], read_ahead=True)
        assert written == [1000]  # one chunk written, then the one transaction rolled back
        assert lib.cat.conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 0
    finally:
        lib.close()
    _no_child_left()


def test_the_door_takes_entries_before_the_reading_process_has_read_the_whole_file(
        tmp_path, isolated_home, monkeypatch):
    """The child sends each piece's entries as it parses it: here it waits, once every piece
    is read, until the door has reported progress on entries whose total was still unknown."""
    from papershelf.formats.bibtex import reader

    many = tmp_path / "many.bib"
    many.write_text("".join(f"@misc{{k{i}, title={{Paper {i} on diffusion}}, year=2020}}\n"
                            for i in range(3000)), encoding="utf-8")
    flag = tmp_path / "door-started"
    monkeypatch.setattr(reader, "_PIECE_CHARS", 2000)  # ~40 entries a piece (the child has it too)
    original = Bibliography.entries

    def entries_once_the_door_started(self, known=None):
        for _ in range(3000):  # at most 30 s: without streaming the door starts only after this
            if flag.exists():
                break
            time.sleep(0.01)
        return original(self, known)

    monkeypatch.setattr(Bibliography, "entries", entries_once_the_door_started)
    totals = []

    def progress(stage, done, total):
        if stage == "checking":
            totals.append(total)
            flag.touch()

    lib, _ = open_library(tmp_path / "c.db", create=True)
    try:
        report = import_files(lib, [many], read_ahead=True, progress=progress)
    finally:
        lib.close()
    assert len(report.added) == 3000
    assert totals[0] is None and totals[-1] == 3000  # unknown while the file was still being read
    _no_child_left()


def test_a_bug_in_the_reading_process_is_reported_with_its_traceback(tmp_path, isolated_home, monkeypatch):
    def broken(topics, entry):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(read_ahead, "_match_as_the_door_will", broken)
    monkeypatch.setattr(read_ahead, "DOOR_BEHIND", 0)
    lib, _ = open_library(tmp_path / "c.db", create=True)
    try:
        with pytest.raises(RuntimeError, match=r"(?s)reading process failed.*ZeroDivisionError: a bug"):
            import_files(lib, [BIB / FILES[1]], read_ahead=True)
    finally:
        lib.close()
    _no_child_left()


@pytest.mark.parametrize(("setting", "size", "ahead"), [
    ("always", 10, True), ("never", read_ahead.AHEAD_BYTES, False),
    ("auto", 10, False), ("auto", read_ahead.AHEAD_BYTES, True)])
def test_the_setting_and_the_size_choose(tmp_path, isolated_home, monkeypatch, setting, size, ahead):
    monkeypatch.setenv("PAPERSHELF_READ_AHEAD", setting)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    big = tmp_path / "a.bib"
    big.write_bytes(b" " * size)
    assert read_ahead._worth_it([big, tmp_path / "missing.bib"]) is ahead
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert read_ahead._worth_it([big]) is (setting == "always")


def _no_child_left() -> None:
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child this process forked was reaped


def test_an_import_leaves_the_garbage_collector_as_it_found_it(tmp_path, monkeypatch):
    """The import sets what was alive before it aside from the collector's passes
    (``gc.freeze``) and gives it back, even when it fails; a caller's own freeze is kept."""
    import gc

    from papershelf.services.import_bibtex import import_files

    bib = tmp_path / "a.bib"
    bib.write_text("@article{a, title={A}, year={2020}}\n", encoding="utf-8")
    lib, _ = open_library(tmp_path / "c.db", create=True)
    try:
        assert gc.get_freeze_count() == 0
        import_files(lib, [bib], read_ahead=False)
        assert gc.get_freeze_count() == 0
        from papershelf.services import import_bibtex

        def fails(*args, **kwargs):
            assert gc.get_freeze_count() > 0  # frozen while the import runs
            raise PapershelfError("stopped")

        with monkeypatch.context() as patch:
            patch.setattr(import_bibtex, "import_entries", fails)
            with pytest.raises(PapershelfError, match="stopped"):
                import_files(lib, [bib], read_ahead=False)
        assert gc.get_freeze_count() == 0
        gc.freeze()
        try:
            import_files(lib, [bib], read_ahead=False)
            assert gc.get_freeze_count() > 0  # not thawed: the caller froze it
        finally:
            gc.unfreeze()
    finally:
        lib.close()
