"""remove is undoable: the trash keeps the whole record, restore brings it back unchanged,
keys are never changed behind the user's back, and the trash empties itself after a while."""

import json
import sqlite3

BIB = r"""@string{neurips = "Advances in Neural Information Processing Systems"}
@preamble{"\newcommand{\noop}[1]{}"}
@inproceedings{knuth84tex,
  author    = {Donald E. Knuth},
  title     = {The {\TeX}book Revisited},
  booktitle = neurips,
  year      = 1984,
  note      = {as written},
}
"""


def show(run, key):
    result = run("show", key, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def trash(run):
    result = run("trash", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_remove_then_restore_gives_back_the_entry_unchanged(run, catalogue):
    entry = catalogue.get("ho2020denoising")
    catalogue.cat.add_alias(entry.id, "ddpm")
    run("tag", "ho2020denoising", "classic")
    run("untag", "ho2020denoising", "diffusion")  # a dismissed rule tag stays dismissed
    run("note", "ho2020denoising", "我的筆記 and mine")
    before = show(run, "ho2020denoising")
    listed_before = run("list").stdout

    result = run("remove", "ho2020denoising", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "Moved 1 entry to the trash: ho2020denoising" in result.stderr
    assert run("show", "ho2020denoising").exit_code == 3
    assert run("show", "ddpm").exit_code == 3
    assert [t["citekey"] for t in trash(run)] == ["ho2020denoising"]

    result = run("restore", "ho2020denoising")
    assert result.exit_code == 0, result.stderr
    assert show(run, "ho2020denoising") == before  # fields, tags, notes, aliases, revision, dates
    assert run("list").stdout == listed_before  # back in its place in the reading-list order
    assert trash(run) == []
    assert json.loads(run("search", "我的筆記", "--json").stdout)[0]["citekey"] == "ho2020denoising"
    run("autotag", "ho2020denoising")
    assert "diffusion" not in show(run, "ho2020denoising")["tags"]
    check = run("db", "check")
    assert check.exit_code == 0, check.stdout + check.stderr


def test_the_verbatim_bib_source_survives_the_trash(run, bundled, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB)
    assert run("import", "bibtex", str(bib)).exit_code == 0
    exported = run("export", "bibtex", "knuth84tex").stdout
    assert run("remove", "knuth84tex", "--yes").exit_code == 0
    assert run("restore", "knuth84tex").exit_code == 0
    assert run("export", "bibtex", "knuth84tex").stdout == exported
    assert '@string{neurips = "Advances' in exported and "@preamble{" in exported
    assert "title = {The {\\TeX}book Revisited}" in exported


def test_a_key_taken_meanwhile_is_not_restored_and_nothing_changes(run, catalogue):
    run("remove", "hu2022lora", "--yes")
    run("rekey", "ho2020denoising", "hu2022lora")  # the key is free: another entry may take it
    result = run("restore", "hu2022lora")
    assert result.exit_code == 1
    assert "cannot restore 'hu2022lora': its key now cites the entry 'hu2022lora'" in result.stderr
    assert "rekey" in result.stderr
    assert [t["citekey"] for t in trash(run)] == ["hu2022lora"]  # still there, unchanged
    assert show(run, "hu2022lora")["title"] == "Denoising Diffusion Probabilistic Models"
    run("rekey", "hu2022lora", "ho2020denoising")
    assert run("restore", "hu2022lora").exit_code == 0
    assert show(run, "hu2022lora")["title"].startswith("LoRA")


def test_restore_is_all_or_nothing_and_names_the_closest_trashed_key(run, bundled):
    run("remove", "hu2022lora", "ho2020denoising", "--yes")
    result = run("restore", "hu2022lora", "ho2020denosing")
    assert result.exit_code == 3
    assert result.stderr == "error: no entry 'ho2020denosing' in the trash (did you mean ho2020denoising?)\n"
    assert run("show", "hu2022lora").exit_code == 3
    assert len(trash(run)) == 2


def test_a_key_removed_twice_restores_the_latest(run, catalogue):
    from papershelf.model.entry import Entry

    run("remove", "hu2022lora", "--yes")
    other = catalogue.add([Entry("A Different Paper", year=2001)]).added[0]
    catalogue.rekey(other.citekey, "hu2022lora")
    run("remove", "hu2022lora", "--yes")
    assert [t["citekey"] for t in trash(run)] == ["hu2022lora", "hu2022lora"]
    assert run("restore", "hu2022lora").exit_code == 0
    assert show(run, "hu2022lora")["title"] == "A Different Paper"
    assert [t["title"] for t in trash(run)] == ["LoRA: Low-Rank Adaptation of Large Language Models"]


def test_the_trash_listing_in_a_pipe_and_as_json(run, bundled):
    assert "The trash is empty" in run("trash").stderr
    run("remove", "hu2022lora", "--yes")
    line = run("trash").stdout.splitlines()
    assert len(line) == 1 and line[0].split("\t")[0] == "hu2022lora"
    (item,) = trash(run)
    assert set(item) == {"citekey", "title", "year", "removed", "reason", "expires"}
    assert item["expires"][:4] >= item["removed"][:4] and item["expires"] > item["removed"]
    check = run("db", "check", "--json")  # a full trash is a whole catalogue
    assert check.exit_code == 0 and json.loads(check.stdout)["clean"], check.stdout


def test_empty_asks_then_deletes_for_good_with_a_backup(run, bundled, default_db):
    run("remove", "hu2022lora", "--yes")
    refused = run("trash", "--empty")
    assert refused.exit_code == 2 and len(trash(run)) == 1
    result = run("trash", "--empty", "--yes")
    assert result.exit_code == 0
    assert "Deleted 1 entry from the trash for good" in result.stderr
    assert trash(run) == []
    assert run("restore", "hu2022lora").exit_code == 3
    assert list(default_db.parent.glob("catalogue.*.before-empty-trash.bak.db"))
    assert "already empty" in run("trash", "--empty", "--yes").stderr


def test_entries_older_than_the_retention_are_purged_by_a_later_remove(run, bundled, default_db, monkeypatch):
    run("remove", "hu2022lora", "--yes")
    conn = sqlite3.connect(default_db)
    conn.execute("UPDATE trash SET removed = '2000-01-01T00:00:00Z'")
    conn.commit()
    conn.close()
    assert [t["citekey"] for t in trash(run)] == ["hu2022lora"]  # listing never writes
    monkeypatch.setenv("PAPERSHELF_TRASH_DAYS", "7")
    run("remove", "ho2020denoising", "--yes")
    assert [t["citekey"] for t in trash(run)] == ["ho2020denoising"]


def test_no_trash_when_the_retention_is_zero_and_bad_values_are_refused(run, bundled, monkeypatch):
    monkeypatch.setenv("PAPERSHELF_TRASH_DAYS", "0")
    result = run("remove", "hu2022lora", "--yes")
    assert "Removed 1 entry for good" in result.stderr
    assert trash(run) == []
    monkeypatch.setenv("PAPERSHELF_TRASH_DAYS", "a month")
    bad = run("remove", "ho2020denoising", "--yes")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: PAPERSHELF_TRASH_DAYS: trash.days must be a whole number of days from 0 ")
    monkeypatch.delenv("PAPERSHELF_TRASH_DAYS")
    assert show(run, "ho2020denoising")


def test_a_catalogue_of_the_previous_schema_gets_a_trash(run, tmp_path):
    from papershelf.storage.db import applied_migrations
    from papershelf.storage.migrations import MIGRATION_NAMES
    from papershelf.storage.opening import open_db

    db = tmp_path / "old.db"
    before = MIGRATION_NAMES[MIGRATION_NAMES.index("m008_trash") - 1]
    conn, _ = open_db(db, create=True, upto=before)
    conn.execute("INSERT INTO entries(citekey, title, year, added, updated) "
                 "VALUES ('old2019entry', 'Old', 2019, '2019-01-01T00:00:00Z', '2019-01-01T00:00:00Z')")
    conn.close()
    assert run("--db", str(db), "remove", "old2019entry", "--yes").exit_code == 0
    assert [t["citekey"] for t in json.loads(run("--db", str(db), "trash", "--json").stdout)] == ["old2019entry"]
    assert run("--db", str(db), "restore", "old2019entry").exit_code == 0
    conn, _ = open_db(db, create=False)
    assert "m008_trash" in applied_migrations(conn)
    conn.close()
    assert list(tmp_path.glob(f"old.*.before-{MIGRATION_NAMES[MIGRATION_NAMES.index(before) + 1]}.bak.db"))


def test_a_trashed_key_says_where_it_is(run, bundled):
    run("remove", "hu2022lora", "--yes")
    result = run("show", "hu2022lora")
    assert result.exit_code == 3
    assert result.stderr == ("error: no entry 'hu2022lora': it is in the trash\n"
                             "hint: `papershelf restore hu2022lora` brings it back\n")


def test_a_work_added_again_meanwhile_is_not_restored_twice(run, bundled, tmp_path):
    """The identity rule of `add` holds for `restore` too: the same work (here the same DOI,
    under another key) imported after the remove keeps the trashed entry in the trash."""
    bib = tmp_path / "again.bib"
    bib.write_text("@book{again2000, title={Some Book}, author={Writer, Ann}, year={2000}, "
                   "publisher={P}, doi={10.1234/same.work}}\n", encoding="utf-8")
    assert run("import", "bibtex", str(bib)).exit_code == 0
    assert run("remove", "again2000", "--yes").exit_code == 0
    bib.write_text("@book{other2000, title={Some Book}, author={Writer, Ann}, year={2000}, "
                   "publisher={P}, doi={10.1234/same.work}}\n", encoding="utf-8")
    assert run("import", "bibtex", str(bib)).exit_code == 0
    result = run("restore", "again2000")
    assert result.exit_code == 1
    assert "the catalogue holds the same work again, as 'other2000'" in result.stderr
    assert [t["citekey"] for t in trash(run)] == ["again2000"]  # nothing changed
    assert run("show", "again2000").exit_code == 3
