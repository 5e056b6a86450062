"""An ``Entry`` (and its ``Person``s) made again by ``pickle`` (how the reading process of an
import sends entries: ``services.read_ahead``) or ``copy`` is equal to it, field for field,
whatever it holds."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from pathlib import Path

from papershelf.formats.bibtex.reader import Bibliography
from papershelf.model.entry import Entry, Person

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "bib"


def _entries() -> list[Entry]:
    bib = Bibliography()
    for path in sorted(CORPUS.rglob("*.bib"))[:25]:
        try:
            bib.add_file(path)
        except Exception:  # a file the reader refuses: not what this test is about
            continue
    return list(bib.entries())


def test_every_field_survives_pickle_and_copy():
    entries = _entries()
    assert len(entries) > 300
    full = Entry("Title", type="article", citekey="k", authors=[Person("Family", "Given", "von", "Jr.")],
                 editors=[Person("王小明")], extra={"note": "n"}, tags=["a"], rule_tags=["a"], id=7,
                 source_type="article", source_fields={"title": "{T}"}, source_raw={"month": "aug"},
                 bib_strings={"x": "y"}, bib_preambles=["p"], aliases=["old"], added="2026", updated="2026")
    entries.append(full)
    for entry in entries:
        for made in (pickle.loads(pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)), copy.deepcopy(entry)):
            assert made == entry and made is not entry
            assert made.authors is not entry.authors and made.id == entry.id
        shallow = copy.copy(entry)
        assert shallow == entry and shallow is not entry and shallow.authors is entry.authors


def test_every_field_is_set_by_position():
    """The copy calls the class with the fields in order: a field that is not an argument of
    the constructor (``init=False``) would be lost, so there is none."""
    for cls in (Entry, Person):
        assert all(f.init for f in dataclasses.fields(cls))
        values = {f.name: f"v-{f.name}" for f in dataclasses.fields(cls)}
        made = pickle.loads(pickle.dumps(cls(**values)))
        assert {f.name: getattr(made, f.name) for f in dataclasses.fields(cls)} == values
