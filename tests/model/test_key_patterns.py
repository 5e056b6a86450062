"""Citation-key patterns (the ``keys.pattern`` setting): what each field gives, and that the
default is Google Scholar's style."""

from __future__ import annotations

import pytest

from papershelf.model.citekeys import DEFAULT_PATTERN, base_key, choose_key
from papershelf.model.entry import Entry, Person

HO = Entry(title="Denoising Diffusion Probabilistic Models", year=2020,
           authors=[Person("Ho", "Jonathan"), Person("Jain", "Ajay"), Person("Abbeel", "Pieter")])
TWO = Entry(title="Learning Transferable Visual Models", year=2021,
            authors=[Person("Müller", "Anna"), Person("van der Berg", "Jan")])
NOBODY = Entry(title="Stable_Diffusion", year=2022)


@pytest.mark.parametrize("pattern, entry, key", [
    (DEFAULT_PATTERN, HO, "ho2020denoising"),
    ("{author}{year}", HO, "ho2020"),
    ("{Author}{year}{Title}", HO, "Ho2020Denoising"),
    ("{author}{shorttitle}{year}", HO, "hoDenoisingDiffusionProbabilistic2020"),
    ("{authors}{year}", HO, "hoEtal2020"),
    ("{authors}{year}", TWO, "mullerVanderberg2021"),
    ("{author}_{year}", TWO, "muller_2021"),
    ("{author}:{title}", TWO, "muller:learning"),
    (DEFAULT_PATTERN, NOBODY, "stable2022diffusion"),
    ("{year}", Entry(title="x"), "anon"),
])
def test_pattern_fields(pattern, entry, key):
    assert base_key(entry, pattern) == key


def test_a_pattern_key_still_gets_suffixes():
    taken = {"ho2020"}
    key, why = choose_key(HO, lambda k: k in taken, source_keys=False, pattern="{author}{year}")
    assert (key, why) == ("ho2020a", None)
