"""The change log (m012): SQLite's triggers record every change to an entry, whoever wrote it."""

import sqlite3
import subprocess

import pytest

from papershelf.model.entry import Entry, Person
from papershelf.storage import changes
from papershelf.storage.opening import open_db


def _entry(key: str, title: str) -> Entry:
    return Entry(citekey=key, type="article", title=title, year=2020,
                 authors=[Person(family="Ho", given="Jonathan")], tags=["diffusion"])


@pytest.fixture
def lib(library_of):
    return library_of([_entry("ho2020a", "First Paper"), _entry("ho2020b", "Second Paper")])


def _ids(lib, *keys):
    return {lib.cat.conn.execute("SELECT id FROM entries WHERE citekey = ?", (k,)).fetchone()[0] for k in keys}


def test_a_new_catalogue_has_a_random_id_and_an_empty_log(tmp_path):
    one, _ = open_db(tmp_path / "one.db", create=True)
    two, _ = open_db(tmp_path / "two.db", create=True)
    assert changes.catalogue_id(one) and changes.catalogue_id(one) != changes.catalogue_id(two)
    assert len(changes.catalogue_id(one)) == 32
    assert changes.current_seq(one) == 0
    pos = changes.position(one)
    assert pos is not None and changes.since(one, pos) == []
    one.close()
    two.close()


def test_papershelf_writes_are_logged_in_order(lib):
    start = changes.position(lib.cat.conn)
    a, = _ids(lib, "ho2020a")
    lib.tag("ho2020a", ["lora"])
    lib.set_notes("ho2020a", "a note")
    after = changes.since(lib.cat.conn, start)
    assert after and {c.entry_id for c in after} == {a}
    assert all(c.kind == "changed" for c in after)
    seqs = [c.seq for c in after]
    assert seqs == sorted(seqs) and seqs[-1] == changes.current_seq(lib.cat.conn)


def test_add_and_remove_are_logged(lib):
    start = changes.position(lib.cat.conn)
    lib.add([_entry("song2021c", "Third Paper")])
    new, = _ids(lib, "song2021c")
    kinds = {(c.entry_id, c.kind) for c in changes.since(lib.cat.conn, start)}
    assert (new, "added") in kinds
    mid = changes.position(lib.cat.conn)
    lib.remove(["song2021c"])
    assert [(c.entry_id, c.kind) for c in changes.since(lib.cat.conn, mid)] == [(new, "removed")], \
        "a removal logs only 'removed' (the cascade to its people and tags logs nothing more)"


def test_a_direct_sqlite3_edit_is_seen(lib):
    """Another program (the sqlite3 shell) edits the file: the log holds it all the same."""
    start = changes.position(lib.cat.conn)
    a, b = sorted(_ids(lib, "ho2020a", "ho2020b"))
    path = lib.path
    script = (f"UPDATE people SET family = 'Hoo' WHERE entry_id = {a};"
              f"UPDATE entries SET title = 'Edited' WHERE id = {b};")
    try:
        subprocess.run(["sqlite3", str(path), script], check=True, capture_output=True)
    except FileNotFoundError:
        other = sqlite3.connect(path)
        other.executescript(script)
        other.close()
    found = changes.since(lib.cat.conn, start)
    assert [(c.entry_id, c.kind) for c in found] == [(a, "changed"), (b, "changed")]


def test_renaming_a_tag_changes_every_entry_that_has_it(lib):
    start = changes.position(lib.cat.conn)
    lib.cat.conn.execute("UPDATE tags SET name = 'diffusion-models' WHERE name = 'diffusion'")
    assert changes.changed_ids(lib.cat.conn, start) == _ids(lib, "ho2020a", "ho2020b")


def test_a_rolled_back_write_leaves_no_change(lib):
    start = changes.position(lib.cat.conn)
    conn = lib.cat.conn
    conn.execute("BEGIN")
    conn.execute("UPDATE entries SET title = 'x'")
    conn.execute("ROLLBACK")
    assert changes.since(conn, start) == []
    assert changes.position(conn) == start


def test_another_history_or_a_pruned_position_cannot_be_followed(lib, tmp_path):
    conn = lib.cat.conn
    conn.execute("UPDATE entries SET title = 'one'")
    pos = changes.position(conn)
    assert changes.since(conn, pos) == []
    # another catalogue
    other, _ = open_db(tmp_path / "other.db", create=True)
    assert changes.since(other, pos) is None
    # the same catalogue, copied, then each copy changed on its own: the copy's row at that seq
    # carries another token, so a reader of the first cannot follow the copy past it
    copy = tmp_path / "copy.db"
    conn.execute("VACUUM INTO ?", (str(copy),))
    twin = sqlite3.connect(copy, isolation_level=None)
    assert changes.since(twin, pos) == []
    conn.execute("UPDATE entries SET title = 'two'")
    twin.execute("UPDATE entries SET title = 'three'")
    later = changes.position(conn)
    assert changes.since(twin, later) is None
    twin.close()
    other.close()


def test_the_log_is_bounded(lib, monkeypatch):
    conn = lib.cat.conn
    start = changes.position(conn)
    a, = _ids(lib, "ho2020a")
    conn.execute("BEGIN")
    conn.executemany("UPDATE entries SET revision = revision + 1 WHERE id = ?", [(a,)] * (changes.KEEP + 2500))
    conn.execute("COMMIT")
    (count,) = conn.execute("SELECT count(*) FROM changes").fetchone()
    assert changes.KEEP <= count < changes.KEEP + 1000
    assert changes.since(conn, start) is None, "a reader behind the pruned point must start again"
    recent = changes.position(conn)
    conn.execute("UPDATE entries SET revision = revision + 1 WHERE id = ?", (a,))
    assert [c.entry_id for c in changes.since(conn, recent)] == [a]


def _triggers(conn):
    return [tuple(r) for r in conn.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")]


@pytest.mark.parametrize("count", [30, 120])  # row by row; in bulk (``changes.logged_in_bulk``)
def test_an_import_logs_one_added_row_an_entry_and_a_later_child_change_is_still_seen(lib, count):
    start = changes.position(lib.cat.conn)
    triggers = _triggers(lib.cat.conn)
    many = [Entry(citekey=f"k{i}", type="article", title=f"Paper number {i}", year=2021,
                  authors=[Person(family="Ho", given="J"), Person(family="Song", given="Y")],
                  tags=["diffusion", "lora"], bib_strings={"jmlr": "J. Mach. Learn. Res."})
            for i in range(count)]
    lib.add(many)
    new = _ids(lib, *(e.citekey for e in many))
    logged = changes.since(lib.cat.conn, start)
    assert [(c.entry_id, c.kind) for c in logged] == [(i, "added") for i in sorted(new)], \
        "people, tags and @string links stored with a new entry log nothing more than its 'added'"
    assert _triggers(lib.cat.conn) == triggers  # every trigger as it was, for the next writer
    assert lib.cat.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    marks = ",".join("?" * len(new))
    assert lib.cat.conn.execute(f"SELECT count(*) FROM people WHERE entry_id IN ({marks})",
                                sorted(new)).fetchone()[0] == 2 * count
    mid = changes.position(lib.cat.conn)
    lib.tag("k3", ["ddpm"])  # a child row of an entry that exists: logged
    assert {(c.entry_id, c.kind) for c in changes.since(lib.cat.conn, mid)} == {(*_ids(lib, "k3"), "changed")}
    mid = changes.position(lib.cat.conn)
    lib.cat.conn.execute("INSERT INTO people(entry_id, role, position, family) "
                         "VALUES (?, 'author', 9, 'Ermon')", (*_ids(lib, "k4"),))  # as sqlite3 would
    assert [(c.entry_id, c.kind) for c in changes.since(lib.cat.conn, mid)] == [(*_ids(lib, "k4"), "changed")]


def test_a_bulk_insert_that_fails_leaves_the_triggers_and_the_log_as_they_were(lib, tmp_path):
    """A clash inside a bulk insert: the entries go in one by one instead (naming the one at
    fault), every trigger is back, and nothing is logged; a reader on another connection never
    sees the triggers missing, even in the middle of a bulk insert."""
    from papershelf.errors import CiteKeyError
    from papershelf.storage import entry_writes

    conn = lib.cat.conn
    triggers = _triggers(conn)
    start = changes.position(conn)
    many = [_entry(f"n{i}", f"New paper {i}") for i in range(60)] + [_entry("ho2020a", "Clash")]
    with pytest.raises(CiteKeyError, match="ho2020a"):
        lib.cat.insert_many(many)
    assert _triggers(conn) == triggers
    assert changes.since(conn, start) == []
    seen = []
    original = entry_writes.EntryWrites._insert_chunks

    def look_from_elsewhere(self, entries, next_id, blocks):
        other = sqlite3.connect(lib.cat.path)
        try:
            seen.append(_triggers(other))
        finally:
            other.close()
        return original(self, entries, next_id, blocks)

    entry_writes.EntryWrites._insert_chunks = look_from_elsewhere
    try:
        lib.cat.insert_many([_entry(f"m{i}", f"More {i}") for i in range(60)])
    finally:
        entry_writes.EntryWrites._insert_chunks = original
    assert seen == [triggers] and _triggers(conn) == triggers
    assert len(changes.since(conn, start)) == 60


def test_a_bulk_insert_that_raises_puts_the_triggers_back_even_for_a_caller_that_goes_on(lib):
    conn = lib.cat.conn
    triggers = _triggers(conn)
    with pytest.raises(RuntimeError, match="stopped"), changes.logged_in_bulk(conn, 10**6):
        assert _triggers(conn) != triggers  # (the four insert triggers are gone meanwhile)
        raise RuntimeError("stopped")
    assert _triggers(conn) == triggers
