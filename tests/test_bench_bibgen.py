"""The benchmark's .bib generator keeps the promises bench_peers.py checks the tools against."""

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bibgen import RARE_SURNAME, make_bib, make_bib_with_keys, planted, planted_keys

N = 3000


@pytest.fixture(scope="module")
def generated():
    return make_bib_with_keys(N)


def _blocks(text):
    return [b for b in re.split(r"\n(?=@)", text) if b.startswith("@") and not b.startswith("@string")]


def test_the_rare_surname_is_in_exactly_one_percent_of_the_entries(generated):
    text, keys = generated
    carrying = [b for b in _blocks(text) if RARE_SURNAME in b]
    assert len(carrying) == planted(N) == N // 100 == len(planted_keys(keys))
    assert {re.match(r"@\w+\{([^,]+),", b).group(1) for b in carrying} == planted_keys(keys)
    # only as an author, once
    assert all(b.count(RARE_SURNAME) == 1 and re.search(rf"\n  author = .*{RARE_SURNAME}", b) for b in carrying)


def test_no_two_entries_share_a_key_title_doi_or_arxiv_id(generated):
    text, keys = generated
    assert len(keys) == len({k.lower() for k in keys}) == N
    for field in ("title", "doi", "eprint"):
        values = re.findall(rf"\n  {field} = \{{(.*)\}},?\n", text)
        assert len(values) == len(set(values)) > N // 10, field


def test_the_file_has_what_real_files_have(generated):
    text, _ = generated
    types = set(re.findall(r"^@(\w+)\{", text, re.M))
    assert {"article", "inproceedings", "misc", "book", "incollection", "phdthesis", "techreport"} <= types
    years = [int(y) for y in re.findall(r"year = \{(\d{4})\}", text)]
    assert min(years) == 1990 and max(years) == 2026
    counts = [a.count(" and ") + 1 for a in re.findall(r"\n  author = \{(.*)\},\n", text)]
    assert min(counts) == 1 and max(counts) >= 12
    for sample in (r"{\"u}", "ü", " van der ", ", Jr., ", "{LoRA}", "$", r"\LaTeX", "archiveprefix = {arXiv}"):
        assert sample in text, sample
    abstract = re.search(r"abstract = \{(.*)\}", text).group(1)
    assert 120 <= len(abstract.split()) <= 180


def test_the_same_seed_gives_the_same_file():
    assert make_bib(50) == make_bib(50) != make_bib(50, seed=5)
