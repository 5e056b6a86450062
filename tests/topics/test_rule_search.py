"""How the topic rules search a text (``topics/rules.py``) is free to change for speed, never what
it finds: a term list's regular expressions find what their plain alternation finds, and the
phrases of an entry's context text are those of that text made whole."""

from __future__ import annotations

import random
import re

import pytest

from papershelf.topics.loader import current_topics
from papershelf.topics.rules import _Phrases, _Terms, _Text, term_pattern

TEXTS = ["", "distill", "Distill", "xdistill", "_distill", "distilled ideas", "a distillation", "é distill",
         "self-distillation", "distill\nation", "predistill distill", "gpt4", "chatgpt 4", "GPT-4", "gpt-",
         "reinforcement learning", "deep reinforcement learning!", "unsupervised learningx", "the cs.lg list",
         "cs.lgx", "neurips 2023", "NeurIPS", "reviews of reviews", "peer review", "fine-tuned", "finetuning",
         "fine tune", "distill" * 50, "x" * 200 + " distill", "ïdistill", "٣distill", "distill٣"]

TERM_LISTS = [
    ["/\\bdistill(s|ed|ing|ation|ations)?\\b/"],  # one \b term with a plain start: the literal scan
    ["/\\bgpt-?\\d/", "/\\b(neurips|icml)\\b/"],  # all \b terms: \b tested once per position
    ["/\\bfine[- ]?tun(e|ed|es|ing)\\b/", "/\\breview(s)?\\b/"],
    ["/\\bdistill/", "/review/"],  # one term without \b: searched as written
    ["/\\bDistill/"],  # a capital: IGNORECASE, no literal scan
    ["/\\b(?i:distill)/"],
    ["/\\b\\bdistill/", "/\\b(?<=d)istill/"],
    ["/\\b/"],
    ["/\\b|x/"],
    ["/\\bdi)|(?:\\bst/"],  # a term that closes the group it is put in
    ["/\\bcs\\.(lg|cv)\\b/", "c++"],  # a term with punctuation: a regex, not led by \b
    ["/\\b(a)(b)?c\\b/", "/\\bab/"],
]


@pytest.mark.parametrize("terms", TERM_LISTS)
def test_a_regex_list_finds_what_its_alternation_finds(terms):
    compiled = _Terms.build(terms)
    regexes = [term_pattern(t) for t in terms]
    flags = 0 if compiled.lowered else re.IGNORECASE
    plain = re.compile("|".join(regexes), flags)
    assert compiled.regex is not None
    rng = random.Random(7)
    texts = TEXTS + [" ".join(rng.choice(TEXTS) for _ in range(6)) for _ in range(300)]
    for text in texts:
        text = text.lower() if compiled.lowered else text
        assert compiled.regex.search(text) is (plain.search(text) is not None), (terms, text)


def test_the_rewrites_are_used_where_they_apply():
    scan = _Terms.build(["/\\bdistill(s|ed)?\\b/"]).regex
    assert scan is not None and scan._body is not None and scan.pattern.pattern.startswith("\\b(?:")
    once = _Terms.build(["/\\bgpt-?\\d/", "/\\b(neurips|icml)\\b/"]).regex
    assert once is not None and once._body is None and once.pattern.pattern.startswith("\\b(?:")
    cased = _Terms.build(["/\\bDistill/"]).regex  # IGNORECASE: no literal scan
    assert cased is not None and cased._body is None and cased.pattern.pattern == "\\b(?:(?:Distill))"
    for terms in (["/\\bdistill/", "/review/"], ["/\\bdi)|(?:\\bst/"]):
        regex = _Terms.build(terms).regex
        assert regex is not None and regex._body is None
        assert regex.pattern.pattern == "|".join(term_pattern(t) for t in terms)


def test_context_phrases_are_those_of_the_whole_text_including_across_parts():
    topics = current_topics()
    phrases: _Phrases = topics._phrases
    vocabulary = sorted({w for t in topics.topics for p in t.phrases for w in p}) + ["the", "of", "x"]
    rng = random.Random(11)
    for _ in range(400):
        raws = [" ".join(rng.choice(vocabulary) for _ in range(rng.randrange(0, 6)))
                for _ in range(rng.randrange(1, 7))]
        raws = [r if rng.random() > 0.2 else r.upper() for r in raws]
        parts = [_Text(raw, phrases) for raw in raws]
        joined = _Text.joined(parts, phrases)
        whole = _Text("\n".join(r for r in raws if r), phrases)
        assert (joined.raw, joined.lower, joined.words, joined.grams) == (
            whole.raw, whole.lower, whole.words, whole.grams), raws


def test_a_phrase_split_between_title_and_abstract_is_found_in_the_context_only():
    from papershelf.model.entry import Entry

    phrases = current_topics()._phrases
    parts = [_Text("Scaling up", phrases), _Text("machine", phrases), _Text("learning at last", phrases)]
    assert ("machine", "learning") not in set().union(*(p.grams for p in parts))
    assert ("machine", "learning") in _Text.joined(parts, phrases).grams
    assert current_topics().match(Entry("Diffusion of deep", abstract="learning")) == \
        current_topics().match(Entry("Diffusion of deep learning"))
