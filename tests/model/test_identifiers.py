"""Every form of arXiv id people paste is read as (id, version); anything else is refused."""

from __future__ import annotations

import pytest

from papershelf.model.identifiers import ArxivId, canonical, parse


@pytest.mark.parametrize("text, ident, version", [
    ("2006.11239", "2006.11239", None),
    ("2006.11239v2", "2006.11239", 2),
    ("arXiv:2006.11239", "2006.11239", None),
    ("arxiv: 2006.11239v12", "2006.11239", 12),
    ("https://arxiv.org/abs/2106.09685v2", "2106.09685", 2),
    ("http://arxiv.org/abs/2106.09685", "2106.09685", None),
    ("arxiv.org/abs/2106.09685", "2106.09685", None),
    ("https://arxiv.org/pdf/2006.11239", "2006.11239", None),
    ("https://arxiv.org/pdf/2006.11239v1.pdf", "2006.11239", 1),
    ("https://www.arxiv.org/abs/2006.11239/", "2006.11239", None),
    ("https://export.arxiv.org/abs/2208.12242", "2208.12242", None),
    ("https://browse.arxiv.org/abs/2208.12242v3", "2208.12242", 3),
    ("https://arxiv.org/abs/2006.11239?context=cs", "2006.11239", None),
    ("  2302.05543  ", "2302.05543", None),
    ("0704.0001", "0704.0001", None),  # the first new-style id (April 2007): 4 digits
    ("1412.6980v9", "1412.6980", 9),  # the last 4-digit year
    ("1501.00001", "1501.00001", None),  # 5 digits from 2015
    ("hep-th/9901001", "hep-th/9901001", None),
    ("hep-th/9901001v3", "hep-th/9901001", 3),
    ("math.GT/0309136", "math.GT/0309136", None),
    ("math.gt/0309136v1", "math.GT/0309136", 1),
    ("https://arxiv.org/abs/astro-ph/0601001v1", "astro-ph/0601001", 1),
    ("http://export.arxiv.org/abs/hep-ex/0406020v1", "hep-ex/0406020", 1),
    ("10.48550/arXiv.2006.11239", "2006.11239", None),
    ("https://doi.org/10.48550/arXiv.2106.09685", "2106.09685", None),
    ("doi:10.48550/arXiv.hep-th/9901001", "hep-th/9901001", None),
])
def test_every_pasted_form_is_read(text, ident, version):
    assert parse(text) == ArxivId(ident, version)


@pytest.mark.parametrize("text", [
    "", "abc", "2006", "2006.1123", "2006.112391", "0808.05394",  # 5 digits before 2015
    "1501.0001",  # 4 digits after 2014
    "2013.00001",  # month 13
    "0703.0001",  # before new-style ids began
    "0000.0000", "https://example.org/abs/2006.11239", "10.1145/3721479",
    "hep-th/990100", "2006.11239 2208.12242",
])
def test_non_ids_are_refused(text):
    assert parse(text) is None


def test_canonical_form_drops_the_subject_class_of_old_ids():
    assert parse("math.GT/0309136").canonical == "math/0309136"
    assert canonical("hep-th/9901001") == "hep-th/9901001"
    assert canonical("2006.11239") == "2006.11239"


def test_str_puts_the_version_back():
    assert str(parse("arXiv:2006.11239v2")) == "2006.11239v2"
    assert str(parse("hep-th/9901001")) == "hep-th/9901001"
