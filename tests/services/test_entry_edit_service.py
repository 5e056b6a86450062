"""``edit``/``set`` through the Python API: only changed fields are stored (verbatim, marked
edited, decoded view recomputed), bad text changes nothing, and a concurrent write wins."""

from __future__ import annotations

import dataclasses

import pytest

from papershelf.errors import CiteKeyError, ConflictError
from papershelf.formats.bibtex.reader import read_string
from papershelf.services.edit import BibSyntaxError, apply_text, entry_text, set_fields
from papershelf.services.export import bibtex
from papershelf.services.import_bibtex import import_entries

BIB = (r"@article{knuth84, author = {Knuth, Donald E.}, title = {Literate Programming with {\TeX}},"
       r" journal = {The Computer Journal}, year = 1984, month = jan, note = {$O(n \log n)$}}" "\n"
       r"@misc{other, title = {Other}, year = 2001}" "\n")


@pytest.fixture
def lib(empty_library):
    import_entries(empty_library, read_string(BIB).entries)
    return empty_library


def _exported(lib, key):
    return read_string(bibtex([lib.get(key)])[0]).entries[0].source_fields


def test_set_stores_the_value_as_written_and_recomputes_the_decoded_view(lib):
    result = set_fields(lib, "knuth84", [r"title=The {\TeX}book", "doi=10.1093/comjnl/27.2.97"])
    assert result.changed == ["doi", "title"]
    entry = lib.get("knuth84")
    assert entry.title == "The TeXbook" and entry.doi == "10.1093/comjnl/27.2.97"
    assert sorted(entry.edited) == ["doi", "title"]
    fields = _exported(lib, "knuth84")
    assert fields["title"] == r"The {\TeX}book" and fields["note"] == r"$O(n \log n)$"
    assert lib.search("texbook")[0].citekey == "knuth84"


def test_set_with_an_empty_value_removes_the_field_and_refuses_bad_braces(lib):
    set_fields(lib, "knuth84", ["note="])
    assert "note" not in _exported(lib, "knuth84")
    before = lib.get("knuth84").revision
    with pytest.raises(BibSyntaxError):
        set_fields(lib, "knuth84", ["title=Unbalanced {brace"])
    assert lib.get("knuth84").revision == before


def test_an_edit_that_changes_nothing_writes_nothing(lib):
    entry = lib.get("knuth84")
    result = apply_text(lib, entry, entry_text(entry))
    assert result.changed == [] and lib.get("knuth84").revision == entry.revision


def test_an_edit_changes_only_the_fields_the_user_changed(lib):
    entry = lib.get("knuth84")
    text = entry_text(entry).replace("Literate", "Literate, Structured").replace("@article", "@inproceedings")
    text = text.replace("journal =", "booktitle =")
    result = apply_text(lib, entry, text)
    assert result.changed == ["booktitle", "journal", "title", "@type"]
    stored = lib.get("knuth84")
    assert stored.type == "inproceedings" and stored.booktitle == "The Computer Journal" and stored.journal is None
    assert stored.source_fields["note"] == r"$O(n \log n)$"  # untouched, still verbatim
    assert "note" not in stored.edited


def test_a_text_that_cannot_be_read_changes_nothing(lib):
    entry = lib.get("knuth84")
    for bad in ("@article{knuth84, title = {Open", "no entry at all", BIB):
        with pytest.raises(BibSyntaxError):
            apply_text(lib, entry, bad)
    assert lib.get("knuth84").revision == entry.revision


def test_a_concurrent_write_is_not_overwritten(lib):
    entry = lib.get("knuth84")
    lib.tag("knuth84", ["meanwhile"])  # another command writes while the editor is open
    with pytest.raises(ConflictError):
        apply_text(lib, entry, entry_text(entry).replace("Literate", "Illiterate"))
    assert lib.get("knuth84").title.startswith("Literate")


def test_a_new_key_in_the_text_is_a_rekey_refused_when_taken(lib):
    entry = lib.get("knuth84")
    with pytest.raises(CiteKeyError):
        apply_text(lib, entry, entry_text(entry).replace("{knuth84,", "{other,"))
    result = apply_text(lib, entry, entry_text(entry).replace("{knuth84,", "{knuth1984,"))
    assert result.rekeyed and lib.get("knuth1984").id == entry.id


def test_a_sync_style_metadata_write_makes_only_what_it_changed_generated(lib):
    entry = lib.get("knuth84")
    new = dataclasses.replace(entry)
    new.title = "Literate Programming (revised)"
    lib.cat.update_metadata(entry.id, new, ["title"])
    stored = lib.get("knuth84")
    assert "title" in stored.edited and "title" not in stored.source_fields
    fields = _exported(lib, "knuth84")
    assert fields["title"] == "Literate Programming (revised)" and fields["note"] == r"$O(n \log n)$"


def test_notes_written_in_papershelf_replace_the_files_annote(lib):
    lib.set_notes("knuth84", "read it", append=False)
    assert _exported(lib, "knuth84")["annote"] == "read it"


def test_no_autotag_leaves_imported_entries_untagged(empty_library):
    entries = read_string("@misc{d, title = {Denoising diffusion probabilistic models}, year = 2020}").entries
    import_entries(empty_library, entries, autotag=False)
    assert empty_library.get("d").tags == []
    more = read_string("@misc{e, title = {Score-based diffusion models}, year = 2021}").entries
    import_entries(empty_library, more)
    assert empty_library.get("e").rule_tags  # the rules tag it when not told otherwise


def test_an_identifier_another_entry_holds_is_refused_naming_it(lib):
    """Identity is asked whenever an identifier changes, not only on add (issue 18 part 2)."""
    from papershelf.errors import SameWorkError

    set_fields(lib, "other", ["eprint=2006.11239", "doi=10.1000/other"])
    before = lib.get("knuth84").revision
    with pytest.raises(SameWorkError, match=r"2006\.11239 is already other's"):
        set_fields(lib, "knuth84", ["eprint=arXiv:2006.11239v2"])
    with pytest.raises(SameWorkError, match=r"same work as other \(DOI 10\.1000/OTHER"):
        set_fields(lib, "knuth84", ["doi=10.1000/OTHER"])
    text = entry_text(lib.get("knuth84")).replace("journal =", "doi = {https://doi.org/10.1000/other},\n  journal =")
    with pytest.raises(SameWorkError, match="same work as other"):
        apply_text(lib, lib.get("knuth84"), text)
    knuth = lib.get("knuth84")
    assert knuth.revision == before and knuth.arxiv_id is None and knuth.doi is None
    # an identifier of no other entry, and an unchanged one shared already, are fine
    assert set_fields(lib, "knuth84", ["doi=10.1093/comjnl/27.2.97"]).changed == ["doi"]
    assert set_fields(lib, "other", ["title=Other, retitled"]).changed == ["title"]
