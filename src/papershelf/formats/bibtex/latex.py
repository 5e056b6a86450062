"""LaTeX ↔ Unicode for BibTeX fields, over pylatexenc.

The catalogue stores plain Unicode text; LaTeX exists only in ``.bib`` files. ``decode`` turns a
field read from a file into text (``{\\"o}`` → ``ö``, ``{LoRA}`` → ``LoRA``, ``\\&`` → ``&``,
``$\\mu$`` → ``μ``), ``encode`` turns text back into something BibTeX and LaTeX accept: the ten
special characters escaped, and (``ascii=True``, the classic BibTeX style) every non-ASCII
character that has a LaTeX spelling written as ``{\\"o}`` so ``bibtex``'s sorting and
case-changing see one letter. Characters without one (CJK) stay UTF-8.

Both directions are cached per character or per string: importing or exporting ten thousand
entries spends its time in the few strings that actually contain LaTeX.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

# The characters LaTeX gives a meaning to, escaped so they print as themselves. Braces get
# text macros, not \{ \}: BibTeX counts every brace, escaped or not, so \{ would unbalance it.
_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_SPECIAL_RE = re.compile(r"[\\{}&%$#_~^]")
_NEEDS_DECODING = re.compile(r"[\\{}$~]")


@lru_cache(maxsize=1)
def _encoder():
    logging.getLogger("pylatexenc").setLevel(logging.ERROR)
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    return UnicodeToLatexEncoder(non_ascii_only=True, replacement_latex_protection="braces-all",
                                 unknown_char_policy="keep")


# Combining marks → the LaTeX accent that puts them on a letter (for letters pylatexenc has
# no single macro for, like ``ễ`` = e + circumflex + tilde → ``{\~{\^{e}}}``).
_ACCENTS = {"\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=",
            "\u0306": "u", "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H",
            "\u030c": "v", "\u0323": "d", "\u0327": "c", "\u0328": "k", "\u0331": "b"}


@lru_cache(maxsize=4096)
def _char_to_latex(char: str) -> str:
    if char == "\u00a0":
        return "~"
    out = _encoder().unicode_to_latex(char)
    if out.isascii() and (out == char or unicodedata.normalize("NFC", _decode_macro(out)) == char):
        return out  # (pylatexenc spells a few letters wrongly, such as ű as \'u: checked)
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], list(decomposed[1:])
    if marks and all(m in _ACCENTS for m in marks) and base != char:
        inner = base if base.isascii() else _char_to_latex(base)
        if inner.isascii():
            for mark in marks:
                inner = f"\\{_ACCENTS[mark]}{{{inner}}}"
            return f"{{{inner}}}"
    return out if out.isascii() else char  # no LaTeX spelling (CJK, ư): the character itself


# TeX ligatures that would turn typed characters into others (-- is –, `` is “, !` is ¡, << is
# « in T1): broken with {} so the text prints as typed and reads back the same.
_LIGATURE_RE = re.compile(r"(-(?=-)|`(?=`)|'(?=')|[!?](?=`)|<(?=<)|>(?=>)|,(?=,))")
_LIGATURE_CHARS = re.compile(r"--|``|''|!`|\?`|<<|>>|,,")


def escape(text: str) -> str:
    """Escape the LaTeX special characters of ``text`` (nothing else), and break the TeX
    ligatures (``--``, ``````, ``!```…) so they print as typed."""
    out = _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group()], text)
    return _LIGATURE_RE.sub(r"\1{}", out) if _LIGATURE_CHARS.search(out) else out


def encode(text: str, *, ascii: bool) -> str:
    """``text`` as a BibTeX field value: specials escaped; non-ASCII as LaTeX if ``ascii``."""
    out = escape(text)
    if ascii and not out.isascii():
        out = unicodedata.normalize("NFC", out)  # "u" + combining diaeresis → "ü" → {\"u}
        out = "".join(c if c < "\x80" else _char_to_latex(c) for c in out)
    return out


@lru_cache(maxsize=1)
def _decoder():
    logging.getLogger("pylatexenc").setLevel(logging.ERROR)
    from pylatexenc import latex2text
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec

    db = latex2text.get_default_latex_context_db()
    db.add_context_category("papershelf", prepend=True, macros=[
        MacroTextSpec("url", simplify_repl="%s"),
        MacroTextSpec("textbraceleft", simplify_repl="{"),
        MacroTextSpec("textbraceright", simplify_repl="}"),
        MacroTextSpec("textasciicircum", simplify_repl="^"),
        MacroTextSpec("textasciitilde", simplify_repl="~"),
        MacroTextSpec("textbackslash", simplify_repl="\\"),
        # the TeX logos: text for search and keys (the export keeps the macro as written)
        MacroTextSpec("TeX", simplify_repl="TeX"), MacroTextSpec("LaTeX", simplify_repl="LaTeX"),
        MacroTextSpec("LaTeXe", simplify_repl="LaTeX2e"), MacroTextSpec("BibTeX", simplify_repl="BibTeX"),
        MacroTextSpec("AmSTeX", simplify_repl="AmS-TeX"), MacroTextSpec("AmS", simplify_repl="AmS"),
        MacroTextSpec("METAFONT", simplify_repl="METAFONT"), MacroTextSpec("ConTeXt", simplify_repl="ConTeXt"),
    ])
    # A macro pylatexenc does not know (a journal abbreviation like \aap, a macro from the
    # file's @preamble) is kept as written rather than silently dropped.
    db.set_unknown_macro_spec(MacroTextSpec("", simplify_repl=lambda node: node.latex_verbatim()))
    return LatexNodes2Text(latex_context=db, math_mode="text", keep_braced_groups=False,
                           strict_latex_spaces=True)


# The LaTeX most .bib files contain: accents (``{\\"o}``, ``\\'{e}``, ``\\c c``), letter macros
# (``\\ss``, ``\\o``) and escaped specials. Each distinct one is decoded once by pylatexenc
# (cached); a value holding nothing else then only loses its braces, without a LaTeX parse.
_SIMPLE_MACRO = re.compile(
    r"""\{?\\(?:[`'^"~=.]\s*\{?\s*(?:\\[ij]|[A-Za-z])(?![A-Za-z])\s*\}?|[uvHckrbd](?:\s*\{\s*\\?[A-Za-z]\s*\}|\s+[A-Za-z])"""
    r"""|(?:ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])\s*(?:\{\})?)\}?""")
_ESCAPED = {"\\&": "&", "\\%": "%", "\\_": "_", "\\#": "#", "\\$": "$"}
_ESCAPED_RE = re.compile(r"\\[&%_#$]")


@lru_cache(maxsize=4096)
def _decode_macro(source: str) -> str:
    return _decoder().latex_to_text(source)


def _full_decode(value: str) -> str:
    try:
        return _decoder().latex_to_text(value)
    except Exception:
        return value


@lru_cache(maxsize=65536)
def decode(value: str) -> str:
    """A field value from a ``.bib`` file as plain text; whitespace runs become one space."""
    if _NEEDS_DECODING.search(value):
        simple = _ESCAPED_RE.sub(lambda m: _ESCAPED[m.group()], _SIMPLE_MACRO.sub(
            lambda m: _decode_macro(m.group()), value)) if "\\" in value else value
        if "\\" in simple or "$" in simple:
            value = _full_decode(value)
        else:
            value = simple.replace("{", "").replace("}", "").replace("~", " ")
        value = value.replace("\u00a0", " ")
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return " ".join(value.split()) if ("\n" in value or "  " in value or "\t" in value) else value.strip()


def decode_multiline(value: str) -> str:
    """Like ``decode`` but keeps paragraph breaks (abstracts, notes)."""
    if _NEEDS_DECODING.search(value):
        paragraphs = re.split(r"\n\s*\n", value)
        return "\n\n".join(decode(p) for p in paragraphs if p.strip())
    paragraphs = re.split(r"\n\s*\n", value)
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
