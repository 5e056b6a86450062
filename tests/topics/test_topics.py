"""Topics: the rules tag what the catalogue holds as a careful reader would, never against the
user, and aliases (蒸餾, 綜述) find the topic."""

from __future__ import annotations

import json

import pytest

from papershelf.topics.loader import load_topics
from papershelf.topics.rules import TopicsError

# Every seed item and the topics a careful reader gives it (bundled catalogue, reading-list order).
EXPECTED_TAGS = {
    "2209.04747": {"survey", "diffusion"},  # Diffusion Models in Vision: A Survey
    "2501.10548": {"survey", "diffusion", "recommendation"},
    "2412.01378": {"survey", "recommendation"},  # DNNs in collaborative filtering
    "2408.03400": {"survey", "diffusion", "security"},  # attacks and defenses
    "2304.04262": {"survey", "distillation", "diffusion"},  # knowledge distillation of DMs
    "2504.16081": {"survey", "diffusion", "video"},
    "2502.17119": {"survey", "diffusion", "tabular"},  # "review" section; no "survey" in the title
    "2402.17525": {"survey", "diffusion", "image-editing"},
    "2502.08364": {"survey", "distillation", "diffusion"},  # pre-trained DM distillations
    "2006.11239": {"diffusion"},  # DDPM
    "2102.09672": {"diffusion"},  # improved DDPM
    "2112.10752": {"diffusion"},  # latent diffusion
    "2103.00020": {"clip", "multimodal"},  # CLIP
    "2103.14030": {"transformers"},  # Swin
    "2312.12148": {"survey", "peft", "fine-tuning", "llm"},  # PEFT: a critical review
    "2106.09685": {"lora", "peft", "fine-tuning", "llm"},  # LoRA
    "2208.12242": {"diffusion", "fine-tuning"},  # DreamBooth
    "2302.05543": {"controlnet", "diffusion"},  # ControlNet
    "1503.03585": {"diffusion"},  # Sohl-Dickstein et al. (PMLR)
    "2010.11929": {"transformers"},  # ViT
    "2012.12877": {"transformers", "distillation"},  # DeiT: distillation through attention
    "9781098149246": {"books", "diffusion", "transformers"},  # Hands-On Generative AI with Transformers and Diffusion Models
    "9781835086377": {"books", "diffusion"},  # Using Stable Diffusion with Python
    "9781394191772": {"books", "diffusion"},  # Diffusions in Architecture
    "9781484299937": {"books", "diffusion", "llm"},  # Applied Generative AI: diffusion, ChatGPT, LLMs
    "AACL_2022_tutorial": {"llm"},  # Recent Advances in Pre-trained Language Models (tutorial)
}


def _ident(entry) -> str:
    if entry.arxiv_id:
        return entry.arxiv_id
    if entry.isbn:
        return entry.isbn
    return "AACL_2022_tutorial" if "AACL_2022_tutorial" in (entry.url or "") else entry.citekey


def test_bundled_catalogue_is_tagged_on_creation_as_a_careful_reader_would(catalogue):
    got = {_ident(e): set(e.tags) for e in catalogue.entries()}
    assert got == EXPECTED_TAGS


def test_bundled_tags_are_rule_tags(catalogue):
    for entry in catalogue.entries():
        assert set(entry.rule_tags) == set(entry.tags)


def test_autotag_twice_adds_nothing(run, bundled):
    first = run("autotag", "--json")
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout)["added"] == []
    run("untag", "ho2020denoising", "diffusion")
    run("tag", "ho2020denoising", "to-read")
    again = run("autotag", "--json")
    assert json.loads(again.stdout) == {"checked": 26, "dry_run": False, "added": []}


def test_autotag_adds_to_a_new_entry_and_reports_it(run, bundled, catalogue):
    from papershelf.model.entry import Entry
    from papershelf.services.library import AddPolicy

    # added without the rules (as `import --no-autotag` will): autotag then finds work to do
    new = Entry("Consistency Models", abstract="Distillation of diffusion models into one step.")
    key = catalogue.add([new], AddPolicy(autotag=False)).added[0].citekey
    assert key == "consistencymodels"  # no author: the title's words make the key
    dry = run("autotag", "--dry-run")
    assert dry.exit_code == 0
    assert "would add +diffusion +distillation" in dry.stdout
    assert catalogue.get(key).tags == []  # a dry run changes nothing
    done = run("autotag", "--json")
    added = json.loads(done.stdout)["added"]
    assert added == [{"citekey": key, "tags": ["diffusion", "distillation"]}]
    assert catalogue.get(key).rule_tags == ["diffusion", "distillation"]


def test_a_rule_tag_the_user_removed_is_not_put_back(run, bundled, catalogue):
    assert run("untag", "hu2022lora", "llm").exit_code == 0
    result = run("autotag", "hu2022lora", "--json")
    assert json.loads(result.stdout)["added"] == []
    assert "llm" not in catalogue.get("hu2022lora").tags


def test_user_tag_wins_over_the_rule(run, bundled, catalogue):
    run("tag", "hu2022lora", "lora")  # the user confirms a rule tag: it becomes theirs
    entry = catalogue.get("hu2022lora")
    assert "lora" in entry.tags and "lora" not in entry.rule_tags
    run("untag", "hu2022lora", "peft")
    run("tag", "hu2022lora", "peft")  # tagging again after removing it is the user's call
    run("autotag", "hu2022lora")
    entry = catalogue.get("hu2022lora")
    assert "peft" in entry.tags and "peft" not in entry.rule_tags


@pytest.mark.parametrize("args", [
    ("search", "tag:蒸餾", "--json"),
    ("list", "--tag", "蒸餾", "--json"),
    ("list", "--tag", "distill", "--json"),
])
def test_an_alias_finds_the_topic(run, bundled, args):
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    keys = {e["citekey"] for e in json.loads(result.stdout)}
    direct = {e["citekey"] for e in json.loads(run("list", "--tag", "distillation", "--json").stdout)}
    assert keys == direct and len(keys) == 3


def test_list_by_chinese_survey_alias(run, bundled):
    result = run("list", "--tag", "綜述", "--json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 10


def test_an_alias_also_finds_entries_tagged_with_the_alias_itself(run, bundled):
    run("tag", "ho2020denoising", "蒸餾")
    keys = {e["citekey"] for e in json.loads(run("list", "--tag", "distillation", "--json").stdout)}
    assert "ho2020denoising" not in keys  # the topic does not reach tags named after aliases
    keys = {e["citekey"] for e in json.loads(run("list", "--tag", "蒸餾", "--json").stdout)}
    assert "ho2020denoising" in keys and len(keys) == 4


def test_topics_lists_rules_and_counts(run, bundled):
    result = run("topics", "--json")
    assert result.exit_code == 0
    topics = {t["name"]: t for t in json.loads(result.stdout)}
    assert topics["distillation"]["count"] == 3
    assert "蒸餾" in topics["distillation"]["aliases"]
    assert "綜述" in topics["survey"]["aliases"]
    assert topics["lora"]["implies"] == ["peft"]
    needed = {"diffusion", "distillation", "lora", "peft", "fine-tuning", "controlnet", "survey",
              "transformers", "clip", "multimodal", "recommendation", "video", "tabular",
              "image-editing", "security", "books"}
    assert needed <= set(topics)
    table = run("topics")
    assert "distillation" in table.stdout and "蒸餾" in table.stdout


def _user_rules(isolated_home, text: str):
    path = isolated_home / "xdg_config_home" / "papershelf" / "topics.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_user_file_adds_and_overrides_topics(run, bundled, isolated_home, catalogue):
    _user_rules(isolated_home, """
# my topics
["score-matching"]
aliases = ["分數匹配"]
abstract = ["score matching"]

[llm]
enabled = false

[video]
title = ["video", "motion"]
""")
    result = run("autotag", "--json")
    assert result.exit_code == 0, result.stderr
    added = {a["citekey"]: a["tags"] for a in json.loads(result.stdout)["added"]}
    assert added == {"ho2020denoising": ["score-matching"]}
    topics = {t["name"]: t for t in json.loads(run("topics", "--json").stdout)}
    assert "llm" not in topics
    assert topics["video"]["rules"]["title"] == ["video", "motion"]
    assert topics["video"]["aliases"] == ["video-generation", "影片", "視頻"]  # kept from the bundled file
    keys = [e["citekey"] for e in json.loads(run("list", "--tag", "分數匹配", "--json").stdout)]
    assert keys == ["ho2020denoising"]


@pytest.mark.parametrize("text, line, words", [
    ('[survey]\ntitle = ["a", "b"\n', 2, "bad TOML"),
    ('[survey]\ntitle = ["a"]\nsection = review\n', 3, "bad TOML"),
    ('[ok]\ntitle = ["x"]\n\n[survey]\ntitels = ["review"]\n', 4, "unknown key 'titels'"),
    ('[ok]\ntitle = ["x"]\n[broken]\nabstract = ["/(unclosed/"]\n', 3, "bad regular expression"),
    ('[ok]\ntitle = "x"\n', 1, "must be a list of strings"),
    ('[ok]\ntitle = ["x"]\nimplies = ["nowhere"]\n', 1, "implies 'nowhere'"),
])
def test_a_bad_rules_file_is_a_one_line_error_naming_the_line(run, bundled, isolated_home, text, line, words):
    path = _user_rules(isolated_home, text)
    result = run("autotag")
    assert result.exit_code == 1
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith("error: ") and f"{path}:{line}" in first and words in first
    assert "Traceback" not in result.stderr


def test_rule_terms_match_whole_words_phrases_cjk_and_regexes(tmp_path):
    from papershelf.model.entry import Entry

    rules = tmp_path / "rules.toml"
    rules.write_text("""
[peft]
title = ["fine tuning", "/\\\\bLo-?RA\\\\b/"]
notes = ["微調"]
exclude = ["not peft"]
""", encoding="utf-8")
    empty = tmp_path / "none.toml"
    topics = load_topics(rules, empty)
    assert topics.match(Entry("Efficient Fine-Tuning at scale")) == ["peft"]
    assert topics.match(Entry("Lo-RA for all")) == ["peft"]
    assert topics.match(Entry("Exploration", notes="模型微調的方法")) == ["peft"]
    assert topics.match(Entry("Fine tunings")) == []  # whole words only
    assert topics.match(Entry("Fine tuning, not PEFT")) == []
    with pytest.raises(TopicsError):
        load_topics(tmp_path / "missing.toml", empty)


@pytest.mark.parametrize(("term", "lowered"), [
    ("/\\\\bgpt-?\\\\d/", True),      # searched in the lower-cased text
    ("/\\\\bGPT-?\\\\d/", False),     # a capital of its own: searched with IGNORECASE
    ("/(?-i:gpt)-?\\\\d/", False),    # inline flags: searched as written
])
def test_a_regex_term_finds_the_same_whichever_way_it_is_searched(tmp_path, term, lowered):
    from papershelf.model.entry import Entry

    rules = tmp_path / "rules.toml"
    rules.write_text(f'[llm]\ntitle = ["{term}"]\n[other]\ntitle = ["{term}"]\n', encoding="utf-8")
    topics = load_topics(rules, tmp_path / "none.toml")
    compiled = topics.by_name["llm"]._compiled["title"]
    assert compiled.lowered is lowered
    assert compiled is topics.by_name["other"]._compiled["title"]  # one list, compiled once
    inline = "(?-i:" in term
    assert topics.match(Entry("What GPT-4 Cannot Do")) == ([] if inline else ["llm", "other"])
    assert topics.match(Entry("what gpt4 cannot do")) == ["llm", "other"]
    assert topics.match(Entry("Chatgpt 4 for all")) == []  # \b: not inside a word
