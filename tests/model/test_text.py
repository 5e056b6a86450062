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
