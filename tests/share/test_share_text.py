"""The entry file of a share (``formats.share_text``): canonical text that reads back exactly, and
the three-way merge the merge driver runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papershelf.formats.bibtex.reader import read_string
from papershelf.formats.share_text import CONFLICT, Shared, ShareFormatError, merge, parse, render
from papershelf.model.entry import Entry, Person

SHARED_BIB = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "bib"
SID = "0123456789abcdef0123"


def entry(**kw) -> Entry:
    base = dict(title="Denoising Diffusion", type="article", citekey="ho2020", year=2020,
                authors=[Person("Ho", "Jonathan"), Person("Abbeel", "Pieter")], journal="NeurIPS",
                tags=["diffusion", "generative"], notes="first line\nsecond line",
                source_type="article", source_fields={"title": "{Denoising} Diffusion", "year": "2020",
                                                      "journal": "neurips"},
                source_raw={"journal": "neurips"}, bib_strings={"neurips": "Advances in NeurIPS"})
    base.update(kw)
    return Entry(**base)


def test_round_trip_is_exact_and_one_field_per_line():
    text = render(Shared(SID, entry(abstract="a\nmulti-line\r\nabstract with \u2028 odd breaks"), [("p.pdf", "ab" * 32)]))
    assert render(parse(text)) == text
    back = parse(text)
    assert back.entry.notes == "first line\nsecond line"
    assert back.entry.source_fields["title"] == "{Denoising} Diffusion"
    assert back.entry.abstract == "a\nmulti-line\r\nabstract with \u2028 odd breaks"
    assert back.files == [("p.pdf", "ab" * 32)]
    names = [line.partition(" = ")[0] for line in text.split("\n") if line]
    assert names.count("abstract") == 1 and names.count("note") == 2 and names.count("tag") == 2


@pytest.mark.skipif(not SHARED_BIB.is_dir(), reason="../shared is not beside the checkout")
def test_every_entry_of_real_bib_files_round_trips():
    files = sorted(SHARED_BIB.rglob("*.bib"))[:40]
    seen = 0
    for path in files:
        try:
            read = read_string(path.read_text("utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue
        for e in read.entries:
            if not e.citekey or any(" " in k or "=" in k for k in (*e.source_fields, *e.extra)):
                continue
            text = render(Shared(SID, e, []))
            again = parse(text)
            assert render(again) == text
            assert again.entry.source_fields == e.source_fields and again.entry.source_raw == e.source_raw
            seen += 1
    assert seen > 100


def _three(base: Entry, ours: Entry, theirs: Entry) -> tuple[Shared, list[str]]:
    text, both = merge(*(render(Shared(SID, e, [])) for e in (base, ours, theirs)))
    return parse(text), both


def test_different_fields_merge_cleanly():
    base = entry()
    ours = entry(volume="33")
    theirs = entry(pages="1--12")
    got, both = _three(base, ours, theirs)
    assert both == [] and got.entry.volume == "33" and got.entry.pages == "1--12"


def test_same_field_both_ways_keeps_both_values():
    base = entry()
    ours = entry(source_fields={**base.source_fields, "title": "Ours"}, title="Ours")
    theirs = entry(source_fields={**base.source_fields, "title": "Theirs"}, title="Theirs")
    got, both = _three(base, ours, theirs)
    assert "bib.title" in both
    assert got.entry.source_fields["title"] == "Ours"
    assert got.entry.extra[f"{CONFLICT}title"] == "Theirs"
    assert f"{CONFLICT}decoded.title" not in got.entry.extra  # the .bib field's conflict says it


def test_tags_and_notes_union_and_removals_follow():
    base = entry(tags=["a", "b"], notes="one")
    ours = entry(tags=["a", "x"], notes="one\nours")
    theirs = entry(tags=["a", "b", "y"], notes="one\ntheirs")
    got, both = _three(base, ours, theirs)
    assert got.entry.tags == ["a", "x", "y"]  # b removed on our side stays removed
    assert got.entry.notes == "one\nours\ntheirs"
    assert both == []


def test_key_changed_both_ways_keeps_the_other_as_alias():
    got, both = _three(entry(), entry(citekey="ours2020"), entry(citekey="theirs2020"))
    assert got.entry.citekey == "ours2020" and got.entry.aliases == ["theirs2020"] and both == ["key"]


def test_removed_one_side_changed_other_keeps_the_value():
    base = entry(volume="1")
    got, both = _three(base, entry(volume=None), entry(volume="2"))
    assert got.entry.volume == "2" and both == ["volume"]
    assert json.loads(json.dumps(got.entry.extra))[f"{CONFLICT}decoded.volume"] == "(removed on the other side)"


def test_markers_and_garbage_are_refused():
    text = render(Shared(SID, entry(), []))
    with pytest.raises(ShareFormatError, match="conflict markers"):
        parse(text.replace('year = 2020', '<<<<<<< HEAD\nyear = 2020\n=======\nyear = 2021\n>>>>>>> x'))
    with pytest.raises(ShareFormatError, match="twice"):
        parse(text + 'year = 2021\n')
    with pytest.raises(ShareFormatError, match="not JSON"):
        parse(text + 'volume = {\n')
    with pytest.raises(ShareFormatError, match="format"):
        parse(text.replace("papershelf-entry = 1", "papershelf-entry = 9"))
