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
from typing import Any

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
_LIGATURES = ("--", "``", "''", "!`", "?`", "<<", ">>", ",,")
_LIGATURE_CHARS = re.compile("|".join(map(re.escape, _LIGATURES)))


def escape(text: str) -> str:
    """Escape the LaTeX special characters of ``text`` (nothing else), and break the TeX
    ligatures (``--``, ``````, ``!```…) so they print as typed."""
    out = _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group()], text)
    return _LIGATURE_RE.sub(r"\1{}", out) if _LIGATURE_CHARS.search(out) else out


# Anything ``escape`` changes: a special character or a ligature pair. Text without one (most
# words, names and titles) is its own escape, and is returned as it is.
_ESCAPED_BY_ENCODE = (*_SPECIAL, *_LIGATURES)


def needs_encoding(text: str, *, ascii: bool) -> bool:
    """Whether ``encode`` would change ``text`` (False: it is written as it is)."""
    if ascii and not text.isascii():
        return True
    if len(text) < 64:  # a word or a name: the two regular expressions are quicker
        return _SPECIAL_RE.search(text) is not None or _LIGATURE_CHARS.search(text) is not None
    for s in _ESCAPED_BY_ENCODE:  # noqa: SIM110 (a long text: substring tests, and a loop is quicker than any())
        if s in text:
            return True
    return False


def encode(text: str, *, ascii: bool) -> str:
    """``text`` as a BibTeX field value: specials escaped; non-ASCII as LaTeX if ``ascii``."""
    if not needs_encoding(text, ascii=ascii):
        return text
    out = escape(text)
    if ascii and not out.isascii():
        out = unicodedata.normalize("NFC", out)  # "u" + combining diaeresis → "ü" → {\"u}
        out = "".join(c if c < "\x80" else _char_to_latex(c) for c in out)
    return out


# Switches with no text of their own: font shape, series, family and size (``{\\em …}``,
# ``{\\it …}``, ``{\\bf …}``, ``{\\sc …}``), the italic correction ``\\/``, and commands that only
# steer TeX (``\\relax``, ``\\protect``, ``\\@``, ``\\xspace``).
_NO_TEXT = (
    "em", "it", "bf", "sc", "sl", "tt", "rm", "sf", "up", "md", "cal", "mit", "normalfont",
    "itshape", "bfseries", "scshape", "slshape", "ttfamily", "rmfamily", "sffamily", "upshape",
    "mdseries", "boldmath", "unboldmath", "tiny", "scriptsize", "footnotesize", "small",
    "normalsize", "large", "Large", "LARGE", "huge", "Huge", "/", "@", "relax", "protect",
    "noindent", "nobreak", "allowbreak", "null", "unskip", "xspace", "hfill", "hfil", "break",
    "hphantom", "vphantom", "phantom", "strut", "hss", "vss", "ssf", "smc",
)
# The TeX logos, the names the TeX community's journals (TUGboat's ``ltugboat``,
# ``texnames.sty``) write as macros, and the dashes they put between a title and its subtitle.
_LOGOS = {
    "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "AmSTeX": "AmS-TeX", "AmS": "AmS",
    "METAFONT": "METAFONT", "ConTeXt": "ConTeXt", "MF": "METAFONT", "MP": "MetaPost", "SliTeX": "SliTeX",
    "XeTeX": "XeTeX", "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX", "LuaLaTeX": "LuaLaTeX", "pdfTeX": "pdfTeX",
    "pdfLaTeX": "pdfLaTeX", "BibLaTeX": "BibLaTeX",
    "TUB": "TUGboat", "TUG": "TUG", "PS": "PostScript", "AMS": "AMS", "AllTeX": "(La)TeX",
    "PiCTeX": "PiCTeX", "NTS": "NTS", "SGML": "SGML", "XML": "XML", "HTML": "HTML", "CTAN": "CTAN",
    "TeXLive": "TeX Live", "Xy": "Xy", "VAX": "VAX", "slBibTeX": "BibTeX", "BibTeX": "BibTeX",
    "Dash": " \u2014 ", "dash": " \u2013 ", "bs": "\\",
}
# Commands whose text is their one argument: boxes, text styles, case changes, markup.
_ARGUMENT_TEXT = (
    "emph", "textit", "textbf", "textsc", "textsl", "textrm", "textsf", "texttt", "textup",
    "textmd", "textnormal", "text", "mbox", "hbox", "fbox", "makebox", "framebox", "textsuperscript",
    "textsubscript", "underline", "uline", "uuline", "sout", "textls", "MakeUppercase",
    "MakeLowercase", "MakeTextUppercase", "MakeTextLowercase", "uppercase", "lowercase",
    "NoCaseChange", "nocase", "textnohyphenation", "mkbibemph", "mkbibbold", "mkbibquote",
    "textenglish", "textins", "smash", "ensuremath", "acro",
)
# The same commands as the parser must see them: which take an argument (and how many).
_PARSE_ARGUMENTS = {name: "{" for name in _ARGUMENT_TEXT} | {
    "makebox": "[[{", "framebox": "[[{", "foreignlanguage": "[{{", "href": "{{",
    "hphantom": "{", "vphantom": "{", "phantom": "{", "enquote": "*{", "nth": "{",
}


def _ordinal(node: Any, l2tobj: Any) -> str:
    """``\\nth{21}`` (the nth package) as ``21st`` (pylatexenc passes ``l2tobj`` by name)."""
    text = str(l2tobj.nodelist_to_text([node.nodeargd.argnlist[0]])).strip()
    if not text.isdigit():
        return text
    n = int(text)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{text}{suffix}"


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
        *(MacroTextSpec(name, simplify_repl=text) for name, text in _LOGOS.items()),
        # Style and size switches, the italic correction and spacing commands change how text
        # looks, not what it says: their text is nothing (their group's text stays).
        *(MacroTextSpec(name, simplify_repl="") for name in _NO_TEXT),
        MacroTextSpec("\n", simplify_repl=" "),  # a backslash ending a line: TeX's control space
        MacroTextSpec("thinspace", simplify_repl="\u2009"), MacroTextSpec("enspace", simplify_repl=" "),
        MacroTextSpec("quad", simplify_repl=" "), MacroTextSpec("qquad", simplify_repl=" "),
        # Commands that box, style or mark their argument: its text.
        *(MacroTextSpec(name, simplify_repl="%s") for name in _ARGUMENT_TEXT),
        MacroTextSpec("foreignlanguage", simplify_repl="%(3)s"), MacroTextSpec("enquote", simplify_repl="%(2)s"),
        MacroTextSpec("href", simplify_repl="%(2)s"), MacroTextSpec("nth", simplify_repl=_ordinal),
    ])
    # A macro pylatexenc does not know (a journal abbreviation like \aap, a macro from the
    # file's @preamble) is kept as written rather than silently dropped.
    db.set_unknown_macro_spec(MacroTextSpec("", simplify_repl=lambda node: node.latex_verbatim()))
    return LatexNodes2Text(latex_context=db, math_mode="text", keep_braced_groups=False,
                           strict_latex_spaces=True)


@lru_cache(maxsize=1)
def _parse_context():
    """The context pylatexenc parses with: its default, with the arguments of the style and box
    commands it does not know (``\\textnormal``, ``\\textsubscript``, ``\\uline``…). Built once:
    ``latex_to_text`` would build one for every value, which cost more than the parse itself."""
    from pylatexenc.latexwalker import get_default_latex_context_db
    from pylatexenc.macrospec import MacroSpec

    db = get_default_latex_context_db()
    db.add_context_category("papershelf", prepend=True, macros=[
        MacroSpec(name, args) for name, args in _PARSE_ARGUMENTS.items()])
    return db


def _latex_to_text(value: str) -> str:
    """``_decoder().latex_to_text(value)``, parsed in the one cached default context."""
    from pylatexenc.latexwalker import LatexWalker

    nodes = LatexWalker(value, latex_context=_parse_context()).get_latex_nodes()[0]
    return str(_decoder().nodelist_to_text(nodes))


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
    return _latex_to_text(source)


def _full_decode(value: str) -> str:
    """What pylatexenc makes of the whole value (the value itself if it cannot parse it)."""
    try:
        return _latex_to_text(value)
    except Exception:
        return value


# What pylatexenc reads as more than itself: macros, groups, math, comments, its specials
# (``~``, ``--``, ``````, ``''``, ``!```, ``?```), and the characters TeX gives a meaning to. A
# piece without any of them is its own text.
_ACTIVE = re.compile(r"[\\{}$%~&#^_]|--|``|''|[!?]`")
# Values the piecewise decoding leaves to one whole parse: display math, \( \[ math, and
# environments, which may hold spaces that are not separators.
_WHOLE_ONLY = re.compile(r"\$\$|\\[(\[]|\\begin\b")
_SPACE = " \t\n\r"


def _pieces(value: str) -> list[str] | None:
    """``value`` cut before and after the spaces where a LaTeX parse of it cuts too (joined,
    the pieces are ``value``): outside braces and math,
    and not after a macro that may still take an argument (``\\c c``, ``\\"{o}``, ``\\LaTeX x``,
    ``\\frac{a} {b}``). None when the value is better parsed whole (a comment, display math,
    an environment, unbalanced braces or ``$``)."""
    if _WHOLE_ONLY.search(value):
        return None
    out: list[str] = []
    depth, math, start, i, n = 0, False, 0, 0, len(value)
    pending = False  # at top level, after a macro (and its groups): a space may precede an argument
    while i < n:
        c = value[i]
        if c == "\\":
            i += 1
            if i < n and value[i].isalpha():
                while i < n and value[i].isalpha():
                    i += 1
            else:
                i += 1
            if depth == 0:
                pending = True
            continue
        if c == "%":
            return None  # a comment runs to the end of the line, across pieces
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0:
            if c == "$":
                math, pending = not math, False
            elif c in _SPACE:
                if not math and not pending:
                    if i > start:
                        out.append(value[start:i])
                    start = i
                    while i + 1 < n and value[i + 1] in _SPACE:
                        i += 1
                    out.append(value[start:i + 1])  # the spaces as they are: a piece of their own
                    start = i + 1
            elif not math:
                pending = False
        i += 1
    if depth or math:
        return None
    if n > start:
        out.append(value[start:])
    return out


@lru_cache(maxsize=16384)
def _decode_piece(piece: str) -> str:
    return _latex_to_text(piece)


def _latex_decode(value: str) -> str:
    """The text of a value that needs LaTeX parsing: the same as one pylatexenc parse of it,
    but piece by piece (see ``_pieces``): each LaTeX piece parsed once (cached), the plain
    words and the spaces between them not at all."""
    pieces = _pieces(value)
    if pieces is None:
        return _full_decode(value)
    try:
        return "".join(p if not _ACTIVE.search(p) else _decode_piece(p) for p in pieces)
    except Exception:
        return _full_decode(value)


def _simple(value: str) -> str | None:
    """The text of a value whose only LaTeX is braces, ``~``, escaped specials and the common
    accent and letter macros (each decoded once); None when it holds more."""
    simple = _ESCAPED_RE.sub(lambda m: _ESCAPED[m.group()], _SIMPLE_MACRO.sub(
        lambda m: _decode_macro(m.group()), value)) if "\\" in value else value
    if "\\" in simple or "$" in simple:
        return None
    return simple.replace("{", "").replace("}", "").replace("~", " ")


def decode(value: str) -> str:
    """A field value from a ``.bib`` file as plain text; whitespace runs become one space."""
    return _decode_short(value) if len(value) <= _SHORT else _decode(value)


_SHORT = 300  # values up to this long (names, titles, venues) recur: their text is cached


@lru_cache(maxsize=16384)
def _decode_short(value: str) -> str:
    return _decode(value)


def _decode(value: str) -> str:
    if _NEEDS_DECODING.search(value):
        simple = _simple(value)
        value = simple if simple is not None else _latex_decode(value)
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
    text = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
    return value if text == value else text  # a plain abstract: the string read, not a copy
