"""Citation keys: the Google-Scholar-style base, suffixes for collisions, what BibTeX can cite,
and which key a new entry gets (``choose_key``). Keys never change once given."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.errors import CiteKeyError
from papershelf.model.citekeys import (
    VALID_KEY,
    base_key,
    check_key,
    choose_key,
    placeholder_key,
    unique_key,
    usable_key,
)
from papershelf.model.entry import Entry, Person


@pytest.mark.parametrize("entry,key", [
    (Entry("Denoising Diffusion Probabilistic Models", authors=[Person("Ho", "Jonathan")], year=2020),
     "ho2020denoising"),
    (Entry("On the Opportunities and Risks of Foundation Models", authors=[Person("Bommasani", "R.")],
           year=2021), "bommasani2021opportunities"),  # stopwords skipped
    (Entry("Über Flächen", authors=[Person("Müller", "Jörg")], year=1999), "muller1999uber"),  # ASCII
    (Entry("Adding Conditional Control", authors=[Person("Zhu (Shudong Zhu)", "Andrew")], year=2023),
     "zhu2023adding"),  # a parenthesis is an alternative name
    (Entry("2022 Midjourney", type="online", year=2022), "midjourney2022"),  # no author: title word
    (Entry("", year=None), "anon"),
])
def test_base_keys(entry, key):
    assert base_key(entry) == key


def test_collisions_get_letters_then_pairs():
    taken = {"ho2020denoising"} | {f"ho2020denoising{c}" for c in "abcdefghijklmnopqrstuvwxyz"}
    assert unique_key("ho2020denoising", lambda k: k in taken) == "ho2020denoisingaa"
    assert unique_key("free", lambda k: False) == "free"


@pytest.mark.parametrize("bad", ["", "has space", "a,b", "{x}", "quote\"", "50%", "c#"])
def test_keys_bibtex_cannot_cite_are_refused(bad):
    with pytest.raises(CiteKeyError):
        check_key(bad)


def test_a_source_key_is_kept_when_usable_and_free():
    entry = Entry("T", citekey="Ho2020:DDPM")
    assert choose_key(entry, lambda k: False, source_keys=True) == ("Ho2020:DDPM", None)


def test_a_taken_key_is_suffixed_ignoring_case_like_bibtex():
    taken = {"ddpm"}
    key, why = choose_key(Entry("T", citekey="DDPM"), lambda k: k.lower() in taken, source_keys=True)
    assert (key, why) == ("DDPMa", "key already used by another entry")


def test_a_key_bibtex_cannot_cite_is_cleaned_and_reported():
    key, why = choose_key(Entry("T", citekey="Müller 2020, draft"), lambda k: False, source_keys=True)
    assert key == "Müller2020draft" and why == "not a key BibTeX can cite"  # only what they cannot cite goes
    assert usable_key("{}") == ""


@pytest.mark.parametrize("key", ["O'Keeffe_1967_tr", "a:b", "a-b.c/d+e", "Müller2001", "李2020", "(x)", "a!b?c@d"])
def test_every_key_bibtex_or_biber_cites_is_kept(key):
    # the grammar itself is checked against the real tools in tests/formats/test_key_grammar.py
    assert choose_key(Entry("T", citekey=key), lambda k: False, source_keys=True) == (key, None)
    assert check_key(key) == key


def test_a_missing_key_is_generated_and_reported_only_for_files():
    entry = Entry("Denoising", authors=[Person("Ho")], year=2020)
    assert choose_key(entry, lambda k: False, source_keys=True) == ("ho2020denoising", "no key in the file")
    assert choose_key(entry, lambda k: False, source_keys=False) == ("ho2020denoising", None)


def test_arxiv_placeholders_are_keyed_by_their_id_until_that_is_taken():
    placeholder = Entry("", arxiv_id="hep-th/9901001", needs_sync=True)
    assert placeholder_key("hep-th/9901001") == "arxivhep-th_9901001"
    assert choose_key(placeholder, lambda k: False, source_keys=False)[0] == "arxivhep-th_9901001"
    taken = {"arxivhep-th_9901001"}
    assert choose_key(placeholder, lambda k: k in taken, source_keys=False)[0] != "arxivhep-th_9901001"


names = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(title=names, family=names, given_name=names, year=st.none() | st.integers(1000, 2999),
       source=names, taken=st.sets(st.text("abcdefghij0123", min_size=1, max_size=6), max_size=20))
def test_any_record_gets_a_citable_key_that_is_free(title, family, given_name, year, source, taken):
    entry = Entry(title, authors=[Person(family, given_name)] if family.strip() else [], year=year,
                  citekey=source)
    key, _ = choose_key(entry, lambda k: k.lower() in taken, source_keys=True)
    assert VALID_KEY.match(key) and check_key(key) == key
    assert key.lower() not in taken
