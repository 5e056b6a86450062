"""``services.resolve``: "is this in my library?" for a key, an identifier or a reference's text."""

import pytest

from papershelf.errors import UsageError
from papershelf.services.resolve import resolve_reference


@pytest.mark.parametrize("text, by", [
    ("ho2020denoising", "key"),
    ("ho2020den", "key"),  # a unique start of a key
    ("2006.11239", "key"),  # an arXiv id is a key to Library.get
    ("https://arxiv.org/abs/2006.11239v2", "key"),
    ("see arXiv:2006.11239 for details", "identifier"),
    ("J. Ho, A. Jain, and P. Abbeel. Denoising Diffusion Probabilistic Models. In NeurIPS, 2020.", "title"),
    ("Ho et al. (2020). Denoising diffusion probabilistic models. NeurIPS 33, 6840-6851.", "title"),
])
def test_finds_ho_et_al(catalogue, text, by):
    found = resolve_reference(catalogue, text)
    assert found.entry is not None and found.entry.citekey == "ho2020denoising"
    assert found.by == by


def test_a_year_far_from_the_entry_is_not_a_match(catalogue):
    found = resolve_reference(catalogue, "Denoising Diffusion Probabilistic Models. 1999.")
    assert found.entry is None
    assert "ho2020denoising" in [e.citekey for e in found.candidates]


def test_a_work_not_catalogued_gets_candidates_not_a_match(catalogue):
    found = resolve_reference(catalogue, "A. Vaswani et al. Attention is all you need. NeurIPS 2017.")
    assert found.entry is None and found.note


def test_an_unknown_key_says_so_and_an_empty_reference_is_refused(catalogue):
    found = resolve_reference(catalogue, "nobody1999nothing")
    assert found.entry is None and "nobody1999nothing" in found.note
    with pytest.raises(UsageError):
        resolve_reference(catalogue, "   ")
