"""The search language on the bundled catalogue: what a user types, what they get."""

import json

import pytest


def keys(run, *args):
    result = run("search", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return [e["citekey"] for e in json.loads(result.stdout)]


def test_english_word(run, bundled):
    assert keys(run, "controlnet")[0] == "zhang2023adding"  # through its abstract and section
    assert keys(run, "conditional")[0] == "zhang2023adding"


def test_english_words_are_stemmed(run, bundled):
    assert "campo2024diffusions" in keys(run, "diffusion")  # "Diffusions in Architecture"
    assert keys(run, "adaptations") == keys(run, "adaptation")


def test_words_are_anded(run, bundled):
    assert keys(run, "diffusion distillation") == ["fan2025survey", "luo2023comprehensive"] or \
        set(keys(run, "diffusion distillation")) >= {"fan2025survey", "luo2023comprehensive"}
    assert "hu2022lora" not in keys(run, "diffusion distillation")


def test_phrase_needs_the_words_together(run, bundled):
    assert keys(run, '"low-rank adaptation"') == ["hu2022lora"]
    assert keys(run, '"adaptation low-rank"') == []


def test_prefix(run, bundled):
    found = keys(run, "distill*")
    assert "fan2025survey" in found and "touvron2021training" in found


def test_author_and_title_fields(run, bundled):
    assert keys(run, "author:ho") == ["ho2020denoising"]
    assert keys(run, "author:abbeel") == ["ho2020denoising"]
    assert "ho2020denoising" not in keys(run, "title:ho")
    assert keys(run, "title:swin") == ["liu2021swin"]


def test_accents_are_optional(run, bundled):
    assert keys(run, "author:ommer") == keys(run, "author:Ommer") == ["rombach2022high"]
    assert "touvron2021training" in keys(run, "author:jegou")


def test_year_and_range_filters(run, bundled):
    assert keys(run, "diffusion year:2015") == ["sohldickstein2015deep"]
    in_range = keys(run, "survey year:2024..2025")
    assert in_range and all(k[-4:] != "" for k in in_range)
    result = json.loads(run("search", "survey year:2024..2025", "--json").stdout)
    assert {e["year"] for e in result} <= {2024, 2025}
    assert "croitoru2023diffusion" not in in_range


def test_type_filter(run, bundled):
    result = json.loads(run("search", "diffusion type:book", "--json").stdout)
    assert len(result) == 4 and {e["type"] for e in result} == {"book"}  # "Diffusions" too


def test_same_filters_as_list(run, bundled):
    result = json.loads(run("search", "diffusion", "--type", "book", "--limit", "2", "--json").stdout)
    assert len(result) == 2 and {e["type"] for e in result} == {"book"}


def test_tag_filter(run, bundled):
    run("tag", "hu2022lora", "mine")
    assert keys(run, "tag:mine") == ["hu2022lora"]
    assert keys(run, "adaptation tag:mine") == ["hu2022lora"]
    assert keys(run, "diffusion tag:mine") == []


def test_or_and_not(run, bundled):
    assert set(keys(run, "swin OR dreambooth")) == {"liu2021swin", "ruiz2023dreambooth"}
    assert "ruiz2023dreambooth" not in keys(run, "diffusion -dreambooth")


def test_chinese_finds_the_distillation_survey_through_its_note(run, bundled):
    assert keys(run, "蒸餾") == ["fan2025survey"]
    assert keys(run, "一致性蒸餾") == ["fan2025survey"]
    assert keys(run, "notes:對抗性") == ["fan2025survey"]


def test_notes_are_searchable_after_editing(run, bundled):
    run("note", "ho2020denoising", "重讀第三節 the reparameterisation trick")
    assert keys(run, "reparameterisation") == ["ho2020denoising"]
    assert keys(run, "第三節") == ["ho2020denoising"]


def test_best_match_first(run, bundled):
    assert keys(run, "lora")[0] == "hu2022lora"
    assert keys(run, "denoising diffusion")[0] == "ho2020denoising"


@pytest.mark.parametrize("query", ['"unclosed phrase', "(diffusion", "diffusion)", "AND",
                                    "diffusion OR", "NOT gan", "*", "bogus:field", "year:20x0"])
def test_bad_syntax_is_one_line_and_exit_2(run, bundled, query):
    result = run("search", query)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error:")
    assert "Traceback" not in result.stderr
    assert len([ln for ln in result.stderr.splitlines() if ln.startswith("error")]) == 1


def test_punctuation_is_not_fts_syntax(run, bundled):
    assert run("search", "text-to-image: 'diffusion' ^ NEAR").exit_code == 0
    assert "zhang2023adding" in keys(run, "text-to-image")


def test_nothing_found_is_not_an_error(run, bundled):
    result = run("search", "quantum")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Nothing matches" in result.stderr
