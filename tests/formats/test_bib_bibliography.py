"""Several .bib files as one bibliography (issue 17): @string scope across files, undefined
macros kept macros, values written back in their form (``month = {aug}`` / ``month = aug``),
``ids`` as aliases, preambles per file and ``--no-preamble``, crossref/xdata/set parents in
exports (after their children), dangling crossrefs reported on import and by ``check``."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.formats.bibtex.reader import (
    DANGLING_CROSSREF,
    UNDEFINED_MACRO,
    Bibliography,
    read_string,
)
from papershelf.formats.bibtex.writer import write_bibtex
from papershelf.services import export
from papershelf.services.check import check
from papershelf.services.import_bibtex import import_files
from papershelf.services.library import Library
from papershelf.storage.catalogue import Catalogue

ABBRV = """@preamble{"\\newcommand{\\abbrvpre}{}"}
@string{jair = {Journal of Artificial Intelligence Research}}
@string{aij = {Artificial Intelligence}}
@string{proc = {Proceedings of }}
"""
LIT = """@preamble{"\\newcommand{\\litpre}{}"}
@article{hoffmann2001, author = {Hoffmann, J{\\"o}rg and Nebel, Bernhard}, title = {The {FF} Planning System},
  journal = jair, year = 2001, volume = 14, month = {aug}}
@article{bonet2001, author = {Bonet, Blai and Geffner, H{\\'e}ctor}, title = "Planning as Heuristic Search",
  journal = aij, year = 2001, month = jun, note = acmpress}
@inproceedings{helmert2004, author = {Helmert, Malte}, title = {A Planning Heuristic}, crossref = {icaps04},
  pages = {161--170}}
@inproceedings{richter2008, author = {Richter, Silvia}, title = {Landmarks Revisited}, crossref = {aaai08},
  pages = {975--982}}
"""
CROSS = """@preamble{"\\newcommand{\\crosspre}{}"}
@proceedings{icaps04, title = proc # {ICAPS 2004}, booktitle = proc # {ICAPS 2004}, year = 2004,
  editor = {Zilberstein, Shlomo}, publisher = {AAAI Press}}
"""
OTHER = """@preamble{"\\newcommand{\\otherpre}{}"}
@misc{unrelated, author = {Nobody, A.}, title = {Elsewhere}, year = 1999}
"""


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    out = []
    for name, text in (("abbrv.bib", ABBRV), ("literatur.bib", LIT), ("crossref.bib", CROSS), ("other.bib", OTHER)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        out.append(tmp_path / name)
    return out


@pytest.fixture
def lib(tmp_path: Path):
    cat, _ = Catalogue.open(tmp_path / "cat.db", create=True)
    yield Library(cat)
    cat.close()


def by_key(entries):
    return {e.citekey: e for e in entries}


def test_a_macro_of_an_earlier_file_applies_in_later_ones():
    bib = Bibliography()
    bib.add_text([ABBRV], "abbrv.bib")
    bib.add_text([LIT], "literatur.bib")
    bib.add_text([CROSS], "crossref.bib")
    abbrv, lit, cross = bib.finish()
    entries = by_key(lit.entries)
    assert entries["hoffmann2001"].journal == "Journal of Artificial Intelligence Research"
    assert entries["hoffmann2001"].source_fields["journal"] == "Journal of Artificial Intelligence Research"
    assert entries["hoffmann2001"].source_raw["journal"] == "jair"
    # each entry carries the definitions it uses, not the whole file's
    assert entries["hoffmann2001"].bib_strings == {"jair": "{Journal of Artificial Intelligence Research}"}
    assert entries["bonet2001"].bib_strings == {"aij": "{Artificial Intelligence}"}
    assert by_key(cross.entries)["icaps04"].bib_strings == {"proc": "{Proceedings of }"}
    # crossref across files: the decoded child inherits, its verbatim fields stay its own
    child = entries["helmert2004"]
    assert child.booktitle == "Proceedings of ICAPS 2004" and child.year == 2004
    assert set(child.source_fields) == {"author", "title", "crossref", "pages"}
    assert abbrv.entries == []


def test_read_alone_the_later_file_reports_its_macros_undefined_and_keeps_them_macros():
    read = read_string(LIT)
    undefined = [p for p in read.problems if p.kind == UNDEFINED_MACRO]
    assert {p.key for p in undefined} == {"hoffmann2001", "bonet2001"}
    hoffmann = by_key(read.entries)["hoffmann2001"]
    assert hoffmann.source_raw["journal"] == "jair" and hoffmann.bib_strings == {}
    text = write_bibtex(read.entries)
    assert "  journal = jair,\n" in text and "{jair}" not in text and "@string" not in text
    dangling = [p for p in read.problems if p.kind == DANGLING_CROSSREF]
    assert {p.key for p in dangling} == {"helmert2004", "richter2008"}


def test_every_value_comes_back_in_the_form_it_was_written():
    read = read_string(ABBRV + LIT + CROSS)
    text = write_bibtex(read.entries)
    assert "  month = {aug},\n" in text  # braces: bibtex prints "aug"
    assert "  month = jun,\n" in text  # the macro: bibtex prints "June"
    assert '  title = "Planning as Heuristic Search",\n' in text
    assert "  year = 2001,\n" in text and "  volume = 14,\n" in text
    assert "  title = proc # {ICAPS 2004},\n" in text
    assert "  note = acmpress,\n" in text  # undefined: bare, so bibtex warns as it did
    # only the definitions used, before the entries; preambles of the files the entries came from
    head = text[:text.index("@article")]
    assert "@string{jair" in head and "@string{aij" in head and "@string{proc" in head
    read_again = read_string(text)
    assert [(e.citekey, e.source_fields, e.source_raw) for e in read_again.entries] == \
        [(e.citekey, e.source_fields, e.source_raw) for e in read.entries]


def test_an_unused_string_is_not_exported():
    read = read_string("@string{unused = {U}}\n@string{used = {V}}\n@misc{k, author = {A}, title = used}\n")
    text = write_bibtex(read.entries)
    assert "@string{used = {V}}" in text and "unused" not in text


def test_one_import_of_several_files_is_one_bibliography(files, lib):
    report = import_files(lib, files[:3], autotag=False)
    kinds = [p["kind"] for p in report.problems]
    assert UNDEFINED_MACRO in kinds  # acmpress, defined nowhere
    dangling = [p for p in report.problems if p["kind"] == DANGLING_CROSSREF]
    assert [p["key"] for p in dangling] == ["richter2008"]  # icaps04 is in crossref.bib
    assert lib.get("hoffmann2001").journal == "Journal of Artificial Intelligence Research"
    text, _ = export.bibtex(lib.get_many(["hoffmann2001"]))
    assert "@string{jair = {Journal of Artificial Intelligence Research}}" in text
    assert "  journal = jair,\n" in text and "aij" not in text
    # a parent imported earlier is no dangling crossref
    (files[0].parent / "late.bib").write_text("@inproceedings{late, author = {L}, title = {Late}, crossref = {icaps04}}\n",
                                              encoding="utf-8")
    again = import_files(lib, [files[0].parent / "late.bib"], autotag=False)
    assert not [p for p in again.problems if p["kind"] == DANGLING_CROSSREF]


def test_an_export_writes_the_preambles_of_its_entries_files_in_import_order(files, lib):
    import_files(lib, files, autotag=False)
    text = "".join(export.bibtex_chunks(lib, export.select_ids(lib, parents=True).ids))
    assert text.index("\\litpre") < text.index("\\crosspre") < text.index("\\otherpre")
    assert "\\abbrvpre" not in text  # abbrv.bib brought no entry
    assert text.count("@preamble") == 3
    ids = export.select_ids(lib, ["helmert2004"], parents=True).ids  # its file's and its parent's
    assert export.select_ids(lib, ["helmert2004"]).ids != ids
    text = "".join(export.bibtex_chunks(lib, ids))
    assert "\\litpre" in text and "\\crosspre" in text and "\\otherpre" not in text
    bare = "".join(export.bibtex_chunks(lib, ids, preamble=False))
    assert "@preamble" not in bare and "@string{proc" in bare
    cited, _ = export.cite(lib, ["helmert2004"], preamble=False)
    assert "@preamble" not in cited and "@proceedings{icaps04," in cited


def test_an_export_brings_the_parents_after_their_children(files, lib):
    import_files(lib, files, autotag=False)
    ids = export.select_ids(lib, ["helmert2004"], parents=True).ids
    assert lib.cat.keys_of(ids)[ids[-1]] == "icaps04" and len(ids) == 2
    text = "".join(export.bibtex_chunks(lib, ids))
    assert text.index("@inproceedings{helmert2004,") < text.index("@proceedings{icaps04,")
    # the whole catalogue, in key order, still puts the parent after its child
    everything = export.select_ids(lib, parents=True).ids
    keys = [lib.cat.keys_of(everything)[i] for i in everything]
    assert keys.index("icaps04") > keys.index("helmert2004")


def test_xdata_parents_and_set_members_come_with_what_needs_them(lib, tmp_path):
    bib = tmp_path / "b.bib"
    bib.write_text("""@xdata{pubinfo, publisher = {Pub}, location = {Berlin}}
@book{b1, author = {A, B}, title = {Book}, date = {2001}, xdata = {pubinfo}}
@set{theset, entryset = {m1, m2}}
@article{m1, author = {M, One}, title = {First}, journaltitle = {J}, date = {2002}}
@article{m2, author = {M, Two}, title = {Second}, journaltitle = {J}, date = {2002}}
""", encoding="utf-8")
    import_files(lib, [bib], autotag=False)
    assert lib.get("b1").publisher == "Pub"  # the decoded view inherits xdata
    keys = lib.cat.keys_of(ids := export.select_ids(lib, ["b1", "theset"], parents=True).ids)
    assert [keys[i] for i in ids][:2] == ["b1", "theset"] and {keys[i] for i in ids} == {"b1", "theset", "pubinfo", "m1", "m2"}
    text = "".join(export.bibtex_chunks(lib, ids, "biblatex"))
    assert "@xdata{pubinfo," in text and "@set{theset," in text and "  xdata = {pubinfo},\n" in text


def test_check_reports_dangling_crossrefs(lib, tmp_path):
    bib = tmp_path / "d.bib"
    bib.write_text("@inproceedings{orphan, author = {O}, title = {T}, crossref = {gone}, year = 2000}\n"
                   "@inproceedings{fine, author = {F}, title = {U}, crossref = {Parent}, year = 2000}\n"
                   "@proceedings{parent, title = {P}, year = 2000}\n", encoding="utf-8")
    report = import_files(lib, [bib], autotag=False)
    assert [p["key"] for p in report.problems if p["kind"] == DANGLING_CROSSREF] == ["orphan"]
    found = [f for f in check(lib).findings if f.kind == "dangling-crossref"]
    assert [(f.key, "gone" in f.message) for f in found] == [("orphan", True)]


def test_ids_are_read_back_as_aliases(lib, tmp_path):
    bib = tmp_path / "i.bib"
    bib.write_text("@article{main, ids = {old1, Old2}, author = {A}, title = {T}, journal = {J}, year = 2000}\n",
                   encoding="utf-8")
    read = read_string(bib.read_text())
    assert read.entries[0].aliases == ["old1", "Old2"]
    import_files(lib, [bib], autotag=False)
    assert lib.get("old1").citekey == "main" and lib.get("Old2").citekey == "main"
    again = import_files(lib, [bib], autotag=False)
    assert again.added == []
    text, _ = export.bibtex(lib.get_many(["main"]), "bibtex")
    assert text.count("ids = {old1, Old2}") == 1


def test_only_a_crossref_parent_moves_and_a_cycle_keeps_the_file_order(lib, tmp_path):
    bib = tmp_path / "o.bib"
    bib.write_text("""@set{s1, entryset = {m1, m2}}
@set{s2, entryset = {m1, m2}}
@article{m1, author = {M, One}, title = {First}, journaltitle = {J}, date = {2002}}
@article{m2, author = {M, Two}, title = {Second}, journaltitle = {J}, date = {2002}}
@book{circ1, title = {C1}, crossref = {circ2}}
@book{circ2, title = {C2}, crossref = {circ1}}
@book{parent, title = {P}, year = 2000}
@inbook{child, title = {K}, crossref = {parent}, pages = {1--2}}
""", encoding="utf-8")
    import_files(lib, [bib], autotag=False)
    ids = export.select_ids(lib, parents=True).ids
    keys = lib.cat.keys_of(ids)
    # biber keeps the set it reads last for a member, and breaks sort ties by file order
    assert [keys[i] for i in ids] == ["s1", "s2", "m1", "m2", "circ1", "circ2", "child", "parent"]


def test_papershelf_s_own_export_comes_back_whole_and_adds_nothing_again(files, lib, tmp_path):
    import_files(lib, files, autotag=False)
    lib.cat.add_alias(lib.cat.resolve("bonet2001"), "hsp")  # a merged-away key
    first = "".join(export.bibtex_chunks(lib, export.select_ids(lib, parents=True).ids))
    (tmp_path / "own.bib").write_text(first, encoding="utf-8")
    assert import_files(lib, [tmp_path / "own.bib"], autotag=False).added == []
    cat, _ = Catalogue.open(tmp_path / "restored.db", create=True)
    try:
        restored = Library(cat)
        import_files(restored, [tmp_path / "own.bib"], autotag=False)
        again = "".join(export.bibtex_chunks(restored, export.select_ids(restored, parents=True).ids))
        assert restored.get("hsp").citekey == "bonet2001"
    finally:
        cat.close()
    assert again == first


def test_a_quote_inside_braces_does_not_end_a_quoted_value():
    # bibtexparser ends the value at the inner quote; bibtex (and the reader now) does not
    text = '@Article{key01,\n  author = "Simon {"}the {saint"} Templar", \n  year = 2000,\n}\n@misc{next, title = {N}}\n'
    read = read_string(text)
    assert [e.citekey for e in read.entries] == ["key01", "next"] and not read.problems
    entry = read.entries[0]
    assert entry.source_fields == {"author": 'Simon {"}the {saint"} Templar', "year": "2000"}
    assert '  author = "Simon {"}the {saint"} Templar",\n' in write_bibtex(read.entries)
