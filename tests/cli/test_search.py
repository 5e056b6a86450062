"""The search language on the bundled catalogue: what a user types, what they get."""

import json

import pytest


def keys(run, *args):
    result = run("search", *args, "--json")
    found = [e["citekey"] for e in json.loads(result.stdout)]
    assert result.exit_code == (0 if found else 1), result.stderr  # grep's convention
    return found


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
    # its note says 蒸餾; then the entries tagged distillation (蒸餾 is the topic's alias)
    found = keys(run, "蒸餾")
    assert found[0] == "fan2025survey"
    assert set(found) == {"fan2025survey", "luo2023comprehensive", "touvron2021training"}
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
    assert run("search", "text-to-image: 'diffusion' ^ NEAR").exit_code in (0, 1)  # not a syntax error
    assert "zhang2023adding" in keys(run, "text-to-image")


def test_nothing_found_exits_1_as_grep_does(run, bundled):
    result = run("search", "quantum")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Nothing matches 'quantum'.\n"
    as_json = run("search", "quantum", "--json")
    assert (as_json.exit_code, as_json.stdout.strip()) == (1, "[]")
    assert run("search", "diffusion").exit_code == 0


def test_a_topic_alias_finds_what_the_tag_finds(run, bundled):
    for alias in ("綜述", "微調"):
        assert set(keys(run, alias)) == set(keys(run, f"tag:{alias}")) != set()


def test_what_a_paper_is_called(run, bundled):
    assert keys(run, "DDPM")[0] == "ho2020denoising"
    assert keys(run, "DeiT") == ["touvron2021training"]
    assert "rombach2022high" in keys(run, "stable diffusion")


def test_identifiers_find_their_entry(run, bundled):
    for ident in ("2112.10752", "arXiv:2112.10752v2", "https://arxiv.org/abs/2112.10752",
                  "arxiv:2112.10752", "rombach2022high", "10.1109/CVPR52688.2022.01042",
                  "doi:10.1109/CVPR52688.2022.01042"):
        assert keys(run, ident) == ["rombach2022high"], ident


def test_results_say_why_and_how_many(run, bundled):
    result = run("search", "ddpm")
    assert result.exit_code == 0
    assert "2 entries match 'ddpm'" in result.stderr
    first = result.stdout.splitlines()[0].split("\t")
    assert first[0] == "ho2020denoising" and first[-1] == "names: DDPM"
    assert "1 entry matches 'lora'" in run("search", "lora").stderr
    found = json.loads(run("search", "ddpm", "--json").stdout)
    assert found[0]["snippet"] == {"field": "names", "text": "DDPM", "hits": [[0, 4]]}


@pytest.mark.parametrize("query", ["", "  ", "^ ! ..."])
def test_nothing_to_search_for_is_exit_2(run, bundled, query):
    result = run("search", query)
    assert result.exit_code == 2 and result.stdout == ""
    assert "nothing to search for" in result.stderr


def test_aliases_set_by_the_user_are_searched_and_kept(run, bundled):
    assert run("set", "liu2021swin", "aliases=SwinT").exit_code == 0
    assert keys(run, "swint") == ["liu2021swin"]
    shown = json.loads(run("show", "liu2021swin", "--json").stdout)
    assert shown["extra"]["aliases"] == "SwinT"


def test_a_new_key_and_a_merged_key_are_searchable(run, bundled):
    assert run("rekey", "liu2021swin", "swin2021").exit_code == 0
    assert keys(run, "swin2021") == ["swin2021"]
    assert keys(run, "liu2021swin") == []


def test_aliases_in_your_bib_are_searched_and_exported_as_written(run, tmp_path):
    assert run("init", "--empty").exit_code == 0
    bib = tmp_path / "mine.bib"
    bib.write_text("@article{rombach2022,\n  author = {Rombach, Robin},\n  title = {High-Resolution "
                   "Image Synthesis},\n  journal = {CVPR},\n  year = {2022},\n  aliases = {{SD}, Stable Diffusion},\n}\n",
                   encoding="utf-8")
    assert run("import", "bibtex", str(bib)).exit_code == 0
    assert keys(run, '"stable diffusion"') == ["rombach2022"]
    for style in ("bibtex", "biblatex"):
        out = run("export", "bibtex", "--style", style)
        assert "aliases = {{SD}, Stable Diffusion}" in out.stdout, style


def test_bundled_aliases_stay_out_of_exports(run, bundled):
    out = run("export", "bibtex", "--query", "DeiT", "--style", "biblatex")
    assert out.exit_code == 0 and "touvron2021training" in out.stdout
    assert "aliases" not in out.stdout and "Left out" not in out.stderr


def test_a_pasted_link_finds_its_entry(run, bundled):
    url = json.loads(run("show", "zhu2024stable", "--json").stdout)["url"]
    assert url.startswith("https://") and keys(run, url) == ["zhu2024stable"]
