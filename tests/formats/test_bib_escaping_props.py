"""Properties of the .bib path: escaping for the bibtex style is undone by reading, and an
entry papershelf made survives export → import, after which its export is stable."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.formats.bibtex.latex import decode, encode
from papershelf.formats.bibtex.reader import read_string
from papershelf.formats.bibtex.writer import write_bibtex
from papershelf.model.entry import Entry, Person

# Letters (accented Latin, Greek, Vietnamese, CJK), digits, punctuation and LaTeX's specials.
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from("äöüÄÖÜßéèêëçñøåæœłŁčšžŠŽőűĞıİễẫộữắαβγΩ王小明東京한국–—’“”…"),
    ),
    min_size=1, max_size=40,
).map(lambda s: " ".join(s.split())).filter(bool)


def _plain(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_bibtex_escaping_reads_back_as_the_same_text(text):
    encoded = encode(text, ascii=True)
    # non-ASCII only where LaTeX has no spelling: CJK and Hangul, letters with a horn (ư)
    assert all(c.isascii() or unicodedata.category(c) == "Lo" or "\u031b" in unicodedata.normalize("NFD", c)
               for c in encoded), encoded
    assert decode(encoded) == _plain(text)


WORD = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzäöüéñøłễ"), min_size=2, max_size=10)


@st.composite
def entries(draw):
    people = [Person(draw(WORD).capitalize(), draw(WORD).capitalize()) for _ in range(draw(st.integers(1, 3)))]
    return Entry(title=draw(TEXT), type=draw(st.sampled_from(["article", "book", "misc", "inproceedings"])),
                 citekey="k" + draw(st.text(alphabet="abcdefghij0123456789", min_size=1, max_size=8)),
                 authors=people, year=draw(st.integers(1900, 2030)), journal=draw(TEXT),
                 booktitle=draw(TEXT), publisher=draw(TEXT))


@settings(max_examples=150, deadline=None)
@given(entries(), st.sampled_from(["bibtex", "biblatex"]))
def test_a_made_entry_survives_export_and_import_and_then_exports_the_same(entry, style):
    text = write_bibtex([entry], style)
    back = read_string(text).entries
    assert len(back) == 1
    again = back[0]
    assert again.citekey == entry.citekey and again.year == entry.year
    assert again.title == _plain(entry.title)
    assert [(p.family, p.given) for p in again.authors] == [(_plain(p.family), _plain(p.given)) for p in entry.authors]
    assert write_bibtex(back, style) == text  # imported, it is written back as written
