"""``model.text``: which text is CJK (and so indexed one character at a time), and ASCII folding."""

import pytest

from papershelf.model import text


@pytest.mark.parametrize("value, cjk", [
    ("", False), ("plain ASCII", False), ("Bäck, Schrödinger, Nguyễn — “quoted” …", False),
    ("蒸餾", True), ("知识蒸馏 distillation", True), ("カタカナ", True), ("한국어", True),
    ("\u2e80", True), ("\u2e7f", False), ("𠀀 (Extension B)", True), ("emoji 😀", False),
    ("full-width Ａ", True),
])
def test_has_cjk_agrees_with_the_character_class(value, cjk):
    assert text.has_cjk(value) is cjk
    assert (text._cjk_char().search(value) is not None) is cjk  # the regex it stands in front of


def test_latin_text_does_not_compile_the_cjk_class(monkeypatch):
    monkeypatch.setattr(text, "_CJK_CHAR", None)
    assert not text.has_cjk("Hervé Müller; Lev Bäck")
    assert text.split_cjk("Hervé Müller") == "Hervé Müller"
    assert text._CJK_CHAR is None
    assert text.split_cjk("用 LoRA") == " 用  LoRA"
    assert text._CJK_CHAR is not None


def test_to_ascii():
    assert text.to_ascii("Bäck Łukasz straße") == "Back Lukasz strasse"


def test_a_marked_extract_of_latin_text_is_read_without_the_cjk_regex(monkeypatch):
    """A search's extracts carry private-use hit marks (above the CJK blocks' first code
    point): reading one of Latin text must not compile the CJK class (~3 ms of a search)."""
    from papershelf.model.snippets import HIT_END, HIT_START, Snippet

    monkeypatch.setattr(text, "_CJK_CHAR", None)
    snippet = Snippet.parse(f"Sch\u00f6dinger and {HIT_START}Quagliariello{HIT_END} on diffusion", "title")
    assert snippet.words == ["Quagliariello"] and snippet.text.startswith("Schödinger and ")
    assert text._CJK_CHAR is None
    cjk = Snippet.parse(f"知 識 {HIT_START}蒸{HIT_END}{HIT_START}餾{HIT_END} 方 法", "notes")
    assert cjk.text == "知識蒸餾方法" and cjk.words == ["蒸餾"]
