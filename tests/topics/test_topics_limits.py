"""A user's ``topics.toml`` is input like any other (``topics/loader.py``): bounded in size, topics,
terms and term length, regular files only, and no regular expression that can backtrack for
minutes on one title; each refusal is one line naming the file."""

from __future__ import annotations

import os

import pytest

from papershelf.topics import loader
from papershelf.topics.loader import load_topics
from papershelf.topics.rules import TopicsError


def _rules(isolated_home, text: str):
    path = isolated_home / "xdg_config_home" / "papershelf" / "topics.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


CATASTROPHIC = ["/(a+)+$/", "/(a*)*b/", "/(a|aa)+$/", "/(\\w+\\s?)*$/", "/(x+x+)+y/", "/((ab)*)+c/",
                "/(.*a){12}/", "/(a|a?)+b/", "/(\\d+|\\w+)*!/", "/(a)\\1+/", "/(?:a+){2,}z/", "/([a-z]+.)+@/"]


@pytest.mark.parametrize("term", CATASTROPHIC)
def test_a_regex_that_can_backtrack_exponentially_is_refused(run, bundled, isolated_home, term):
    path = _rules(isolated_home, f'[trap]\ntitle = ["{term.replace(chr(92), chr(92) * 2)}"]\n')
    result = run("autotag")
    assert result.exit_code == 1, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith("error:") and str(path) in first and "exponential" in first


@pytest.mark.parametrize("term", ["/\\bdistill(s|ed|ing)?\\b/", "/\\bgpt-?\\d/", "/a{2,5}b+/", "/(?:ab){3}/",
                                  "/colou?r/", "/diffusion (model|models)/"])
def test_ordinary_regexes_are_kept(tmp_path, term):
    path = tmp_path / "t.toml"
    path.write_text(f'[ok]\ntitle = ["{term.replace(chr(92), chr(92) * 2)}"]\n', encoding="utf-8")
    assert any(t.name == "ok" for t in load_topics(user=path).topics)


@pytest.mark.parametrize("make, words", [
    (lambda: "".join(f'[t{i}]\ntitle = ["w{i}"]\n' for i in range(loader.MAX_TOPICS + 1)), "topics"),
    (lambda: "[big]\ntitle = [" + ", ".join(f'"w{i}"' for i in range(loader.MAX_TERMS + 1)) + "]\n",
     "more than"),
    (lambda: f'[long]\ntitle = ["{"w" * (loader.MAX_TERM_CHARS + 1)}"]\n', "longer than"),
    (lambda: "# pad\n" * (loader.MAX_RULES_BYTES // 6 + 10), "larger than"),
    (lambda: "x = " + "[" * 5000 + "]" * 5000 + "\n", "nested"),
])
def test_a_file_past_the_limits_is_refused(tmp_path, make, words):
    path = tmp_path / "t.toml"
    path.write_text(make(), encoding="utf-8")
    with pytest.raises(TopicsError, match=words) as caught:
        load_topics(user=path)
    assert str(path) in caught.value.message


@pytest.mark.parametrize("kind", ["fifo", "directory", "dev-zero"])
def test_only_a_regular_file_is_read(tmp_path, kind):
    path = tmp_path / "t.toml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        path.symlink_to("/dev/zero")
    with pytest.raises(TopicsError):
        load_topics(user=path)


@pytest.mark.parametrize("term", ["-", "- -", "--"])
def test_a_term_of_no_words_is_refused_not_a_crash(tmp_path, term):
    path = tmp_path / "t.toml"
    path.write_text(f'[dash]\ntitle = ["{term}", "lora"]\n', encoding="utf-8")
    with pytest.raises(TopicsError, match="no letter or digit") as caught:
        load_topics(user=path)
    assert str(path) in caught.value.message


def test_punctuation_and_regex_terms_without_letters_are_kept(tmp_path):
    from papershelf.model.entry import Entry

    path = tmp_path / "t.toml"
    path.write_text('[plus]\ntitle = ["++", "/\\\\?!/"]\n', encoding="utf-8")
    topics = load_topics(user=path)
    assert "plus" in topics.match(Entry("Why ++ is not +"))
    assert "plus" in topics.match(Entry("Really?!"))
    assert "plus" not in topics.match(Entry("Plain title"))


def test_each_regex_term_of_a_file_is_checked_once(monkeypatch):
    """Most topics share one long ``context`` list: a term is checked (compiled, and its
    pattern walked for backtracking) once a file, not once a topic, and a phrase is not
    compiled at all (its words are escaped); a bad term in a later topic is still found."""
    from papershelf.topics.rules import is_regex_term

    checked: list[str] = []
    real = loader._backtracking_risk
    monkeypatch.setattr(loader, "_backtracking_risk", lambda pattern: checked.append(pattern) or real(pattern))
    topics = load_topics(user=loader.default_rules_path().with_name("no-such-file.toml"))
    distinct = {term for t in topics.topics for terms in t.terms.values() for term in terms if is_regex_term(term)}
    assert len(checked) == len(set(checked)) == len(distinct) > 5


def test_a_bad_regex_after_a_good_shared_list_is_refused(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text('[a]\ncontext = ["/\\\\bml\\\\b/", "deep learning"]\n'
                    '[b]\ncontext = ["/\\\\bml\\\\b/", "deep learning", "/(a+)+$/"]\n', encoding="utf-8")
    with pytest.raises(TopicsError, match="exponential") as caught:
        load_topics(user=path)
    assert "[b]" in caught.value.message
