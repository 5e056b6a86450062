"""Small text helpers shared by citekeys, search and the formats."""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not decompose into ASCII.
_SPECIAL_ASCII = str.maketrans(
    {
        "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
        "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th",
        "ı": "i", "ĸ": "k",
    }
)


def to_ascii(text: str) -> str:
    """Transliterate accents and ligatures to ASCII (``Bäck`` → ``Back``); drop what has none."""
    text = text.translate(_SPECIAL_ASCII)
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")


# CJK ideographs, kana, hangul and CJK punctuation: scripts written without spaces.
_CJK = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
    "\U00020000-\U0002fa1f"
)
_CJK_CHAR: re.Pattern[str] | None = None  # compiled on first use: the class is slow to compile


def _cjk_char() -> re.Pattern[str]:
    global _CJK_CHAR
    if _CJK_CHAR is None:
        _CJK_CHAR = re.compile(f"([{_CJK}])")
    return _CJK_CHAR


_CJK_FIRST = "\u2e80"  # the lowest code point of ``_CJK``


def has_cjk(text: str) -> bool:
    # Most text is ASCII, or Latin with accents (every character below the CJK blocks), and is
    # ruled out without compiling the regex.
    return not text.isascii() and max(text) >= _CJK_FIRST and _cjk_char().search(text) is not None


def split_cjk(text: str) -> str:
    """Put spaces around every CJK character so a word tokenizer indexes each one.

    Chinese has no spaces between words, so ``unicode61`` would index a whole clause as one
    token and ``蒸餾`` could never match inside it. With every character its own token, a CJK
    query becomes a phrase of single characters, which matches any run of them: a substring
    search with bm25 ranking, for any length (trigram tokenizers need three characters).
    """
    if not has_cjk(text):
        return text
    return _cjk_char().sub(r" \1 ", text)


_SCRIPTS: list[object] = []  # the OpenCC converters, made on first use (~80 ms: only for CJK)


def script_variants(text: str) -> list[str]:
    """``text`` and its forms in the other Chinese script (OpenCC: Traditional to Simplified,
    Simplified to Traditional and to Taiwan's), each once, ``text`` first; just ``[text]``
    when it holds no CJK, without loading OpenCC. A search asks for every form, so ``蒸馏`` finds
    what ``蒸餾`` finds and the index keeps the text as written (its extracts too)."""
    if not has_cjk(text):
        return [text]
    if not _SCRIPTS:
        import opencc

        _SCRIPTS.extend(opencc.OpenCC(config) for config in ("t2s", "s2t", "s2tw"))
    return list(dict.fromkeys([text, *(c.convert(text) for c in _SCRIPTS)]))  # type: ignore[attr-defined]
