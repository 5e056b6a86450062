"""m005: what a .bib file said is stored with its entries: verbatim fields, the type as written,
and the file's @preamble/@string blocks once each, linked to the entries that came with them."""

from __future__ import annotations

from papershelf.formats.bibtex.reader import read_string
from papershelf.services.import_bibtex import import_entries

TEXT = ('@preamble{"\\newcommand{\\noopsort}[1]{}"}\n@string{j = "J. Chem."}\n'
        '@Article{a, title = {{\\noopsort{b}}A}, journal = j, year = 2001}\n'
        '@article{b, title = {B $x$}, journal = j # " Phys.", year = 2002}\n')


def test_verbatim_fields_and_blocks_are_stored_once_and_read_back(empty_library):
    import_entries(empty_library, read_string(TEXT).entries)
    import_entries(empty_library, read_string(TEXT.replace("{a,", "{c,").replace("{b,", "{d,")
                                              .replace("A}", "C}").replace("B $", "D $")).entries)
    conn = empty_library.cat.conn
    assert [tuple(r) for r in conn.execute("SELECT kind, name, value FROM bib_blocks ORDER BY id")] == [
        ("preamble", "", '"\\newcommand{\\noopsort}[1]{}"'), ("string", "j", '"J. Chem."')]
    a = empty_library.get("a")
    assert a.source_type == "article" and a.source_fields == {
        "title": "{\\noopsort{b}}A", "journal": "J. Chem.", "year": "2001"}
    assert a.bib_preambles == ['"\\newcommand{\\noopsort}[1]{}"'] and a.bib_strings == {"j": '"J. Chem."'}
    assert empty_library.get("b").source_fields["journal"] == "J. Chem. Phys."


def test_removing_the_last_entry_of_a_file_removes_its_blocks(empty_library):
    import_entries(empty_library, read_string(TEXT).entries)
    empty_library.remove(["a"])
    assert empty_library.cat.conn.execute("SELECT count(*) FROM bib_blocks").fetchone()[0] == 2
    empty_library.remove(["b"])
    assert empty_library.cat.conn.execute("SELECT count(*) FROM bib_blocks").fetchone()[0] == 0
