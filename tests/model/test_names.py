"""What a paper is called (``model.names``) and how the search language reads identifiers and
topic aliases (``model.query``)."""

from __future__ import annotations

import pytest

from papershelf.model.names import acronyms, names_text, short_names
from papershelf.model.query import identifier, parse_query
from papershelf.model.snippets import HIT_END, HIT_START, Snippet


@pytest.mark.parametrize(("title", "expected"), [
    ("Denoising Diffusion Probabilistic Models", ["DDPM"]),
    ("Improved Denoising Diffusion Probabilistic Models", ["IDDPM"]),
    ("Generative Adversarial Nets", ["GAN"]),
    ("Data-efficient Image Transformers", ["DIT", "DEIT"]),
    ("LoRA: Low-Rank Adaptation of Large Language Models", ["LALLM"]),  # after the short name
    # too few or too many significant words: no plausible acronym
    ("Attention", []), ("Vision Transformers", []),
    ("Learning Transferable Visual Models From Natural Language Supervision", []),
    ("蒸餾方法綜述 Survey of Distillation Methods", []),
])
def test_acronyms_only_where_plausible(title, expected):
    assert acronyms(title) == expected


@pytest.mark.parametrize(("title", "expected"), [
    ("DreamBooth: Fine Tuning Text-to-Image Diffusion Models for Subject-Driven Generation", ["DreamBooth"]),
    ("LoRA: Low-Rank Adaptation of Large Language Models", ["LoRA"]),
    ("Adding Conditional Control to Text-to-Image Diffusion Models (ControlNet)", ["ControlNet"]),
    ("GPT-4 Technical Report: An Overview", ["GPT-4 Technical Report"]),
    ("Diffusion Models in Vision: A Survey", []),  # an ordinary phrase, not a name
    ("Swin Transformer: Hierarchical Vision Transformer", []),  # its words are in the title anyway
])
def test_short_names_the_title_gives(title, expected):
    assert short_names(title) == expected


def test_names_text_holds_the_name_fields_first():
    text = names_text("Training data-efficient image transformers", {"aliases": "DeiT", "shorttitle": "DeiT paper",
                                                                     "note": "not a name"})
    assert text.startswith("DeiT ; DeiT paper") and "not a name" not in text


@pytest.mark.parametrize(("text", "expected"), [
    ("2112.10752", "2112.10752"), ("arXiv:2112.10752v2", "2112.10752"),
    ("https://arxiv.org/abs/2112.10752v3", "2112.10752"), ("arxiv.org/pdf/2112.10752", "2112.10752"),
    ("10.48550/arXiv.2112.10752", "2112.10752"), ("hep-th/9901001", "hep-th/9901001"),
    ("10.1109/CVPR.2016.90", "10.1109/CVPR.2016.90"), ("https://doi.org/10.1109/CVPR.2016.90", "10.1109/CVPR.2016.90"),
    ("lora", None), ("2020", None), ("v1.5", None),
])
def test_identifiers_as_pasted(text, expected):
    assert identifier(text) == expected


def test_identifier_fields_and_links():
    assert parse_query("arXiv:2112.10752v2").fts == 'ids : "2112.10752"'
    assert parse_query("doi:10.1109/CVPR.2016.90").fts == 'ids : "10.1109/CVPR.2016.90"'
    assert parse_query("https://arxiv.org/abs/2112.10752").fts == '"2112.10752"'


def test_a_topic_alias_adds_an_alternative_the_literal_query_lacks():
    parsed = parse_query("綜述 diffusion", {"綜述": "survey"}.get)
    # the word in both Chinese scripts (model.text.script_variants), then the topic's tag
    assert parsed.fts == '(("綜 述" OR "综 述") OR tags : "survey") AND "diffusion"'
    assert parsed.literal == '("綜 述" OR "综 述") AND "diffusion"'
    assert parse_query("diffusion", {"綜述": "survey"}.get).literal == parse_query("diffusion").fts


def test_a_group_after_a_word_is_anded():
    assert parse_query("lora (peft OR adapter) -gan").fts == '"lora" AND ( "peft" OR "adapter" ) NOT "gan"'


def test_snippets_come_back_as_written_with_hit_offsets():
    marked = f"…軌 跡 {HIT_START}蒸{HIT_END} {HIT_START}餾{HIT_END} ( Trajectory {HIT_START}distillation{HIT_END} )…"
    snippet = Snippet.parse(marked, "notes")
    assert snippet.text == "…軌跡蒸餾( Trajectory distillation )…"
    assert snippet.words == ["蒸餾", "distillation"]
    assert snippet.to_dict()["field"] == "notes"


def test_ids_text_keeps_links_that_say_more_than_the_ids():
    from papershelf.model.names import ids_text

    assert ids_text("ho2020", ["ho2020denoising"], "2006.11239", None, "https://arxiv.org/abs/2006.11239") == \
        "ho2020 ; ho2020denoising ; 2006.11239"
    assert ids_text("zhu2024", url="https://learning.oreilly.com/library/view/x/97818") == \
        "zhu2024 ; learning.oreilly.com/library/view/x/97818"
