"""import zotero: a consistent snapshot while Zotero holds the database, keys kept, types as
Better BibTeX maps them, collections as tags, notes as text, a second import that changes
nothing; the three real libraries in /work/shared are read in place (never copied here)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from zotero_fixture import Builder, build

from papershelf.formats.zotero.mapping import note_text
from papershelf.services.import_zotero import import_zotero
from papershelf.services.library import Library

SHARED = Path("/work/shared/data/zotero")

ITEMS = [
    {"type": "journalArticle", "key": "AAAA1111",
     "fields": {"title": "Kalman filtering", "date": "2021-03-00 2021-03", "publicationTitle": "IET Control",
                "volume": "4", "issue": "8", "pages": "1303-1318", "DOI": "10.1049/iet-cta.2009.0032",
                "citationKey": "simon:kalman-2021.a",
                "extra": "tex.howpublished: print\nOriginal note line"},
     "creators": [("author", "Simon", "Dan", 0), ("translator", "宋", "珣", 0)],
     "tags": ["Control Theory"], "collections": [["论文", "第二章"]],
     "notes": ["<h1>Summary</h1><p>First <b>point</b>.</p><ul><li>one</li><li>two</li></ul>"],
     "attachments": [(0, "storage:paper.pdf"), (2, "/nowhere/linked.pdf")]},
    {"type": "thesis", "key": "BBBB2222",
     "fields": {"title": "A master's work", "date": "2019-00-00 2019", "thesisType": "Master's thesis",
                "university": "ETH", "extra": "Citation Key: thesis.key-2019"},
     "creators": [("author", "World Health Organization", "", 1)]},
    {"type": "preprint", "key": "CCCC3333",
     "fields": {"title": "Denoising diffusion", "date": "2020-06-19 2020-06-19",
                "url": "https://arxiv.org/abs/2006.11239v2"},
     "creators": [("author", "Ho", "Jonathan", 0)]},
    {"type": "conferencePaper", "key": "DDDD4444", "trashed": True,
     "fields": {"title": "Gone to the trash", "date": "2018"}},
]


def _lib(tmp_path: Path) -> Library:
    from papershelf.services.library import open_library

    return open_library(tmp_path / "cat.sqlite", create=True)[0]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "Zotero"
    (d / "storage" / "A0000100").mkdir(parents=True)
    build(d / "zotero.sqlite", ITEMS)
    # the stored attachment of item 1 is item 5 (items 1-4 are notes and attachments of item 1)
    return d


def test_items_keys_types_tags_notes(tmp_path, data_dir):
    lib = _lib(tmp_path)
    report = import_zotero(lib, data_dir, autotag=False)
    assert report.items == 3 and len(report.imported.added) == 3  # the trashed one stays out
    art = lib.get("simon:kalman-2021.a")  # the native key, kept exactly
    assert (art.type, art.journal, art.year, art.date, art.number) == ("article", "IET Control", 2021, "2021-03", "8")
    assert art.extra["translator"] == "宋, 珣" and art.extra["howpublished"] == "print"
    assert art.extra["note"] == "Original note line"
    assert "论文/第二章" in art.tags and "control-theory" in art.tags
    assert art.notes == "Summary\n\nFirst point.\n\n- one\n- two"
    thesis = lib.get("thesis.key-2019")  # a Citation Key: line in extra
    assert thesis.type == "mastersthesis" and thesis.extra["school"] == "ETH"
    assert thesis.authors[0].family == "World Health Organization" and not thesis.authors[0].given
    pre = next(e for e in lib.list_entries() if e.title == "Denoising diffusion")
    assert pre.arxiv_id == "2006.11239"
    assert report.keys_kept == 2 and len(report.files_missing) == 2


def test_second_import_changes_nothing(tmp_path, data_dir):
    lib = _lib(tmp_path)
    import_zotero(lib, data_dir, autotag=False)
    before = [(e.citekey, e.revision) for e in lib.list_entries()]
    again = import_zotero(lib, data_dir, autotag=False)
    assert again.imported.added == [] and again.kept == [] and len(again.unchanged) == 3 and again.changes == 0
    assert [(e.citekey, e.revision) for e in lib.list_entries()] == before
    # a new item in Zotero is added, one gone is reported
    conn = sqlite3.connect(data_dir / "zotero.sqlite")
    conn.execute("DELETE FROM items WHERE key='CCCC3333'")
    conn.commit()
    conn.close()
    b = Builder.__new__(Builder)
    b.conn = sqlite3.connect(data_dir / "zotero.sqlite")
    b.next_item, b.collections = 100, {}
    b.item("book", "EEEE5555", {"title": "A new book", "date": "2001"})
    b.close()
    third = import_zotero(lib, data_dir, autotag=False)
    assert len(third.imported.added) == 1 and len(third.gone) == 1 and third.changes == 1
    gone = third.gone[0]
    assert third.remove_command == f"papershelf remove {gone}" and lib.get(gone)  # reported, not removed


def test_include_trash(tmp_path, data_dir):
    report = import_zotero(_lib(tmp_path), data_dir, include_trash=True, autotag=False, dry_run=True)
    assert report.items == 4


def test_old_schema_refused(tmp_path):
    from papershelf.errors import PapershelfError

    build(tmp_path / "zotero.sqlite", ITEMS[:1], userdata=99)
    with pytest.raises(PapershelfError, match="userdata schema 99"):
        import_zotero(_lib(tmp_path), tmp_path / "zotero.sqlite")


@pytest.mark.parametrize("userdata", [120, 123, 124, 125, 126, 129],
                         ids=["zotero6", "zotero7", "zotero7-late", "zotero8-9", "zotero10", "later"])
def test_schemas_6_to_10(tmp_path, userdata):
    build(tmp_path / "zotero.sqlite", ITEMS, userdata=userdata)
    if userdata > 125:  # a later Zotero adds tables and columns the reader does not know: they are ignored
        conn = sqlite3.connect(tmp_path / "zotero.sqlite")
        conn.execute("ALTER TABLE items ADD COLUMN futureFlag INT NOT NULL DEFAULT 0")
        conn.execute("ALTER TABLE itemAttachments ADD COLUMN lastRead INT")
        conn.execute("CREATE TABLE futureThings (thingID INTEGER PRIMARY KEY, itemID INT)")
        conn.commit()
        conn.close()
    lib = _lib(tmp_path)
    report = import_zotero(lib, tmp_path / "zotero.sqlite", autotag=False)
    assert report.userdata == userdata and len(report.imported.added) == 3 and report.keys_kept == 2
    assert lib.get("simon:kalman-2021.a").journal == "IET Control"
    assert import_zotero(lib, tmp_path / "zotero.sqlite", autotag=False).changes == 0


HOLDER = textwrap.dedent("""
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    conn.execute("BEGIN")
    v = conn.execute("INSERT INTO itemDataValues (value) VALUES ('Written while Zotero runs')").lastrowid
    conn.execute("INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (900, 7, 1, 'WALWAL00')")
    conn.execute("INSERT INTO itemData VALUES (900, 1, ?)", (v,))
    conn.execute("COMMIT")
    print("ready", flush=True)
    sys.stdin.readline()
""")


def test_snapshot_while_zotero_holds_the_database(tmp_path):
    d = tmp_path / "Zotero"
    d.mkdir()
    b = Builder(d / "zotero.sqlite", wal=True)
    b.item("journalArticle", "FIRST001", {"title": "Before"})
    b.close()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(d / "zotero.sqlite")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        assert (d / "zotero.sqlite-wal").stat().st_size > 0  # the write is still in the WAL
        with pytest.raises(sqlite3.OperationalError, match="locked"):  # what a direct reader gets
            sqlite3.connect(d / "zotero.sqlite", timeout=0).execute("SELECT count(*) FROM items").fetchone()
        live = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in d.iterdir()}
        report = import_zotero(_lib(tmp_path), d, dry_run=True)
        assert report.items == 2  # the write still in the WAL is seen
        assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in d.iterdir()} == live
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=30)


def test_note_text_lists_and_entities():
    assert note_text("<ol><li>a &amp; b</li><li>c</li></ol><p>x<br>y</p>") == "1. a & b\n2. c\n\nx\ny"


def test_cli_list_libraries_and_json(tmp_path, data_dir, run):
    b = Builder.__new__(Builder)
    b.conn = sqlite3.connect(data_dir / "zotero.sqlite")
    b.group(2, 4711, "Lab group")
    b.next_item, b.collections = 200, {}
    b.item("book", "GROUP001", {"title": "Group book"}, library=2)
    b.close()
    out = run("import", "zotero", str(data_dir), "--list-libraries")
    assert out.exit_code == 0 and "4711" not in out.stdout and "2\tgroup\tLab group" in out.stdout
    out = run("import", "zotero", str(data_dir), "--library", "Lab group", "--json", "--dry-run")
    assert out.exit_code == 0 and json.loads(out.stdout)["items"] == 1
    out = run("import", "zotero", str(tmp_path / "none"))
    assert out.exit_code != 0 and "error:" in out.stderr


# --- the real libraries, read in place --------------------------------------------------

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="the shared Zotero libraries are not here")


def _bbt_reference(dir_: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{dir_ / 'better-bibtex.sqlite'}?mode=ro", uri=True)
    row = conn.execute("SELECT data FROM \"better-bibtex\" WHERE name='better-bibtex.citekey'").fetchone()
    conn.close()
    return {r["itemKey"]: r["citekey"] for r in json.loads(row[0])["data"]}


@needs_shared
def test_zotero6_keys_equal_better_bibtex(tmp_path):
    d = SHARED / "zotero6-bbt-legacy"
    before = hashlib.sha256((d / "zotero.sqlite").read_bytes()).hexdigest()
    lib = _lib(tmp_path)
    report = import_zotero(lib, d, autotag=False)
    reference = _bbt_reference(d)
    by_origin = {link["url"].rsplit("/", 1)[1]: e.citekey for e in lib.list_entries() for link in e.links
                 if link["url"].startswith("zotero://")}
    checked = [k for k in reference if k in by_origin]
    assert len(checked) >= 40
    assert all(by_origin[k] == reference[k] for k in checked)
    assert report.items == 102 and any("/" in t for e in lib.list_entries() for t in e.tags)
    again = import_zotero(lib, d, autotag=False)
    assert again.imported.added == [] and again.changes == 0 and len(again.unchanged) == len(report.imported.added)
    assert hashlib.sha256((d / "zotero.sqlite").read_bytes()).hexdigest() == before


@needs_shared
def test_zotero7_cjk_collections(tmp_path):
    lib = _lib(tmp_path)
    report = import_zotero(lib, SHARED / "zotero7-cjk", autotag=False)
    assert report.items == 12 and len(report.files_missing) >= 12  # the PDFs are not in the repository
    tags = {t for e in lib.list_entries() for t in e.tags}
    assert any("/" in t and any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in tags)


@needs_shared
def test_zotero9_native_keys(tmp_path):
    lib = _lib(tmp_path)
    report = import_zotero(lib, SHARED / "zotero9-native-keys", autotag=False)
    assert report.items == 4 and report.keys_kept == 4
    for key in ("martinCleanCoderCode2011", "shiMDFformerMultiscaleDualModal2025",
                "munimEchoJEPALatentPredictive2026", "AddonItem"):
        assert lib.get(key)
    assert not any(e.citekey == "zotero-item-948" for e in lib.list_entries())  # in the trash


def _retitle(db: Path, key: str, title: str) -> None:
    conn = sqlite3.connect(db)
    vid = conn.execute("INSERT INTO itemDataValues (value) VALUES (?)", (title,)).lastrowid
    conn.execute("UPDATE itemData SET valueID=? WHERE fieldID=1 AND itemID=(SELECT itemID FROM items WHERE key=?)",
                 (vid, key))
    conn.commit()
    conn.close()


def _set_field(db: Path, key: str, field: str, value: str) -> None:
    from zotero_fixture import FIELDS

    conn = sqlite3.connect(db)
    vid = conn.execute("INSERT OR IGNORE INTO itemDataValues (value) VALUES (?)", (value,)).lastrowid
    vid = conn.execute("SELECT valueID FROM itemDataValues WHERE value=?", (value,)).fetchone()[0]
    conn.execute("INSERT OR REPLACE INTO itemData VALUES ((SELECT itemID FROM items WHERE key=?), ?, ?)",
                 (key, FIELDS.index(field) + 1, vid))
    conn.commit()
    conn.close()


def test_changed_in_zotero_updates_every_field_not_edited_here(tmp_path, data_dir):
    from papershelf.services.edit import set_fields

    lib = _lib(tmp_path)
    db = data_dir / "zotero.sqlite"
    import_zotero(lib, data_dir, autotag=False)
    _set_field(db, "AAAA1111", "title", "Kalman filtering, revised")
    again = import_zotero(lib, data_dir, autotag=False)
    assert again.refreshed == [{"key": "simon:kalman-2021.a", "fields": ["title"]}] and again.changes == 1
    assert lib.get("simon:kalman-2021.a").title == "Kalman filtering, revised"
    assert import_zotero(lib, data_dir, autotag=False).changes == 0  # and then nothing more
    assert lib.get("simon:kalman-2021.a").edited == []  # Zotero's value is no edit made here
    _set_field(db, "AAAA1111", "title", "Kalman filtering, second revision")  # Zotero's update is no edit here
    assert import_zotero(lib, data_dir, autotag=False).refreshed[0]["fields"] == ["title"]
    set_fields(lib, "simon:kalman-2021.a", ["title=My own title", "note=my note"])  # the user edits here
    lib.set_notes("simon:kalman-2021.a", "my own words", append=False)
    _set_field(db, "AAAA1111", "title", "Kalman filtering, third")
    _set_field(db, "AAAA1111", "volume", "5")
    _set_field(db, "AAAA1111", "extra", "tex.howpublished: print\nA new note line")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE itemNotes SET note='<p>Changed in Zotero</p>'")
    conn.commit()
    conn.close()
    third = import_zotero(lib, data_dir, autotag=False)
    assert third.refreshed == [{"key": "simon:kalman-2021.a", "fields": ["volume"]}]
    assert third.kept == [{"key": "simon:kalman-2021.a", "fields": ["title", "extra.note", "notes"]}]
    entry = lib.get("simon:kalman-2021.a")
    assert (entry.title, entry.volume, entry.extra["note"], entry.notes) == ("My own title", "5", "my note",
                                                                             "my own words")
    assert import_zotero(lib, data_dir, autotag=False).changes == 0


def test_an_update_that_would_make_two_entries_one_is_left_out(tmp_path, data_dir):
    lib = _lib(tmp_path)
    import_zotero(lib, data_dir, autotag=False)
    # in Zotero, the thesis takes the preprint's arXiv id (one entry per arXiv id)
    _set_field(data_dir / "zotero.sqlite", "BBBB2222", "url", "https://arxiv.org/abs/2006.11239")
    report = import_zotero(lib, data_dir, autotag=False)
    assert [c["key"] for c in report.conflicts] == ["thesis.key-2019"] and report.refreshed == []
    assert lib.get("thesis.key-2019").arxiv_id is None and "arXiv id 2006.11239" in report.conflicts[0]["why"]


def test_tags_and_collections_again(tmp_path, data_dir):
    lib = _lib(tmp_path)
    import_zotero(lib, data_dir, autotag=False)
    lib.untag("simon:kalman-2021.a", ["control-theory"])  # the user drops a Zotero tag here
    lib.tag("simon:kalman-2021.a", ["mine"])  # and adds one
    conn = sqlite3.connect(data_dir / "zotero.sqlite")
    conn.execute("INSERT INTO tags (name) VALUES ('Filtering')")
    conn.execute("INSERT INTO itemTags SELECT 1, tagID, 0 FROM tags WHERE name='Filtering'")
    conn.execute("INSERT INTO collections (collectionID, collectionName, libraryID, key) VALUES (50, '综述', 1, 'C50')")
    conn.execute("INSERT INTO collectionItems VALUES (50, 1, 0)")
    conn.execute("DELETE FROM collectionItems WHERE collectionID=(SELECT collectionID FROM collections "
                 "WHERE collectionName='第二章')")
    conn.commit()
    conn.close()
    report = import_zotero(lib, data_dir, autotag=False)
    assert report.tags_added == [{"key": "simon:kalman-2021.a", "tags": ["filtering", "综述"]}]
    assert report.tags_removed == [{"key": "simon:kalman-2021.a", "tags": ["论文/第二章"]}]
    tags = set(lib.get("simon:kalman-2021.a").tags)
    assert {"filtering", "综述", "mine"} <= tags and not tags & {"control-theory", "论文/第二章"}
    assert import_zotero(lib, data_dir, autotag=False).changes == 0


@pytest.mark.parametrize("name", ["better-bibtex.sqlite", "better-bibtex.sqlite.migrated"])
def test_better_bibtex_citationkey_table(tmp_path, data_dir, name):
    conn = sqlite3.connect(data_dir / name)  # Better BibTeX 7's table (Zotero 8 renames the file .migrated)
    conn.execute("CREATE TABLE citationkey (itemID INTEGER PRIMARY KEY, itemKey TEXT, libraryID INTEGER, "
                 "citationKey TEXT, pinned INTEGER)")
    conn.execute("INSERT INTO citationkey VALUES (3, 'CCCC3333', 1, 'ho2020:denoising-Diff.v2', 0)")
    conn.execute("INSERT INTO citationkey VALUES (1, 'AAAA1111', 1, 'bbt-loses-to-native', 1)")
    conn.commit()
    conn.close()
    lib = _lib(tmp_path)
    report = import_zotero(lib, data_dir, autotag=False)
    assert lib.get("ho2020:denoising-Diff.v2").title == "Denoising diffusion"
    assert lib.get("simon:kalman-2021.a")  # the native field first
    assert report.keys_from == {"citationKey": 1, "better-bibtex": 1, "extra": 1}


def test_a_database_written_during_the_copy_is_retried_then_refused(tmp_path, data_dir, monkeypatch):
    from papershelf.errors import PapershelfError
    from papershelf.formats.zotero import snapshot

    calls = []

    def moving(paths):
        calls.append(1)
        return [(len(calls), 0)] + [None] * (len(paths) - 1)  # a new stamp every time: Zotero keeps writing

    monkeypatch.setattr(snapshot, "_stamp", moving)
    with pytest.raises(PapershelfError, match="changed while it was being copied, twice"):
        import_zotero(_lib(tmp_path), data_dir, dry_run=True)
    assert len(calls) == 4  # two copies, each stamped before and after


def test_default_data_directory_is_found_and_named(tmp_path, monkeypatch, run):
    home = tmp_path / "home"
    build((home / "Zotero").mkdir(parents=True) or home / "Zotero" / "zotero.sqlite", ITEMS[:1])
    monkeypatch.setenv("HOME", str(home))
    out = run("import", "zotero", "--dry-run")
    assert out.exit_code == 0 and str(home / "Zotero" / "zotero.sqlite") in out.stderr


def test_extra_lines_as_better_bibtex_reads_them():
    from papershelf.formats.zotero.mapping import extra_lines

    assert extra_lines("Citation Key: a:b-c.d\narXiv: 2101.00001v3\ntex.note= {raw}\nbiblatex.pubstate: forthcoming\n"
                       "PMID: 123") == ("a:b-c.d", "2101.00001", {"note": "{raw}", "pubstate": "forthcoming"}, "PMID: 123")
    assert extra_lines("bibtex: old-pin")[0] == "old-pin"


def test_cli_second_import_says_zero_changes_and_how_to_remove_gone_items(tmp_path, data_dir, run):
    first = run("import", "zotero", str(data_dir), "--no-autotag", "--verbose")
    assert first.exit_code == 0 and "2 attached file(s) missing" in first.stderr
    assert "/nowhere/linked.pdf (not on disk)" in first.stderr
    again = run("import", "zotero", str(data_dir), "--no-autotag")
    assert again.exit_code == 0 and "0 change(s)" in again.stderr and "2 already imported, unchanged" in again.stderr  # the preprint: the bundled list has it
    conn = sqlite3.connect(data_dir / "zotero.sqlite")
    conn.execute("INSERT INTO deletedItems (itemID) SELECT itemID FROM items WHERE key='BBBB2222'")  # to the trash
    conn.commit()
    conn.close()
    third = run("import", "zotero", str(data_dir), "--no-autotag", "--json")
    assert third.exit_code == 0 and json.loads(third.stdout)["gone"] == ["thesis.key-2019"]
    assert "to remove them: papershelf remove thesis.key-2019" in third.stderr
    assert run("show", "thesis.key-2019").exit_code == 0  # reported, never removed


def test_an_entry_removed_here_is_not_imported_again(tmp_path, data_dir):
    lib = _lib(tmp_path)
    import_zotero(lib, data_dir, autotag=False)
    lib.remove(["thesis.key-2019"])
    again = import_zotero(lib, data_dir, autotag=False)
    assert again.imported.added == [] and again.changes == 0
    assert again.removed_here[0]["key"] == "thesis.key-2019" and "papershelf restore" in again.removed_here[0]["why"]
    lib.restore(["thesis.key-2019"])
    assert import_zotero(lib, data_dir, autotag=False).removed_here == []


def test_a_batch_the_door_refuses_is_written_item_by_item(tmp_path, data_dir, monkeypatch):
    """Two of Zotero's changes that collide only with each other: the door refuses the batch
    (``SameWorkError``, as Door.refresh does when it asks the identity rule); each is then
    written alone and the refused one reported."""
    from papershelf.errors import SameWorkError

    lib = _lib(tmp_path)
    import_zotero(lib, data_dir, autotag=False)
    _set_field(data_dir / "zotero.sqlite", "AAAA1111", "volume", "9")
    _set_field(data_dir / "zotero.sqlite", "BBBB2222", "volume", "2")
    real = lib.refresh

    def refusing(updates, completed=(), *, also=None):
        if len(updates) > 1 or updates[0][1].citekey == "thesis.key-2019":
            raise SameWorkError(f"{updates[0][1].citekey} would be another entry's work")
        return real(updates, completed, also=also)

    monkeypatch.setattr(lib, "refresh", refusing)
    report = import_zotero(lib, data_dir, autotag=False)
    assert report.refreshed == [{"key": "simon:kalman-2021.a", "fields": ["volume"]}]
    assert report.conflicts == [{"key": "thesis.key-2019", "why": "thesis.key-2019 would be another entry's work"}]
    assert lib.get("simon:kalman-2021.a").volume == "9" and lib.get("thesis.key-2019").volume is None
