"""The search index (``storage.fts``): two tables kept in step with the entries, and search on
a catalogue whose index is older than m007."""

from __future__ import annotations

from papershelf.model.entry import Entry, Person


def _rows(lib, table: str, query: str) -> list[int]:
    return [r[0] for r in lib.cat.conn.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", (query,))]


def test_both_tables_follow_edits_and_removals(library_of):
    lib = library_of([Entry("Consistency Models", type="article", citekey="song2023consistency",
                            authors=[Person("Song", "Yang")], year=2023, arxiv_id="2303.01469")])
    entry_id = lib.get("song2023consistency").id
    assert _rows(lib, "entries_exact", '"consistency"') == [entry_id]
    from papershelf.services.edit import set_fields

    set_fields(lib, "song2023consistency", ["title=Flow Models"])
    assert _rows(lib, "entries_exact", '"consistency"') == []
    assert _rows(lib, "entries_fts", '"consistency"') == []
    assert _rows(lib, "entries_exact", '"flow"') == [entry_id]
    lib.cat.remove(["song2023consistency"])
    for table in ("entries_fts", "entries_exact"):
        assert _rows(lib, table, '"flow"') == [] and _rows(lib, table, '"2303 01469"') == []
    lib.cat.conn.execute("INSERT INTO entries_exact(entries_exact, rank) VALUES ('integrity-check', 0)")


def test_an_index_older_than_m007_is_still_searched_read_only(tmp_path):
    from papershelf.services.library import Library
    from papershelf.storage.catalogue import Catalogue
    from papershelf.storage.fts import reindex
    from papershelf.storage.opening import open_db

    path = tmp_path / "old.db"
    conn, _ = open_db(path, create=True, upto="m006_key_nocase_index")
    conn.execute("INSERT INTO entries(id, citekey, title, added, updated) VALUES "
                 "(1, 'ho2020denoising', 'Denoising Diffusion Probabilistic Models', 'x', 'x')")
    reindex(conn, [1])
    conn.commit()
    conn.close()
    lib = Library(Catalogue.open_readonly(path))
    try:
        found = lib.search_hits("denoising models")
        assert [e.citekey for e in found.entries] == ["ho2020denoising"]
        assert found.snippets["ho2020denoising"].column == "title"
    finally:
        lib.close()
