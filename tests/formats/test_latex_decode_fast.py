"""The fast LaTeX decoding gives the text one pylatexenc parse of the whole value gives.

``latex.decode`` skips pylatexenc for plain values, handles the common accents itself, and
parses the rest piece by piece (cached), because one parse per value was half of an import's
time. Search, keys and identity read the decoded text, so it must not change: every value of
the real .bib files in ``tests/data/bib`` and a set of hard cases decode exactly as a single
parse of the whole value (whitespace runs collapsed, as ``decode`` always did) decodes them.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from papershelf.formats.bibtex import latex
from papershelf.formats.bibtex.reader import BibEncodingError, read_file

DATA = Path(__file__).resolve().parents[1] / "data" / "bib"

HARD = [
    r"in $O(n \log n)$ Time", r"a \LaTeX{} b", r"a \LaTeX b", r"a -- b \TeX", r"x ``q'' \TeX",
    r"\"{o} x \TeX", r"{\"o} x \TeX", r"a \\ b \TeX", r"a~b \TeX", r"\c c x \TeX", r"{}  \TeX",
    r"a \frac{a} {b}", r"\emph {x} y", "a % c\n d \\TeX", r"\textbf{A} {B} \TeX",
    r"50\% of \TeX", r"a<<b>> \TeX", r"!` \TeX", r"?` x \TeX", r"a,,b \TeX", r"\url{http://x.y/a b}",
    r"$\sqrt{n}$ and $L^2$ Bounds", r"at $\mathcal{O}(1)$ Cost", r"$$x y$$ z", r"\(a + b\) c",
    r"\begin{itemize} \item a b \end{itemize} c", r"{{COVID-19}} ({NeurIPS})", r"a_b c^d \TeX",
    r"\aap{} and \mnras", r"\unknownmacro x y", r"\textit{Escherichia coli} in \emph{vivo}",
    r"Schr\"{o}dinger Bridges \& {GANs}", r"\o\ \ss{} x $y$", r"a\,b \; c \TeX", r"$a$$b$ c",
    r"unbalanced } brace \TeX", r"unbalanced { brace \TeX", r"odd $ dollar \TeX", r"\ x y \TeX",
    r"x \- y \TeX", r"x\-y \TeX", r"\'{\i} x \TeX", "tab\there \\TeX", "new\nline \\TeX",
    r"\v{S}koda \TeX", r"M{\"u}ller and Erd\H{o}s \TeX", r"Nguy{\~{\^{e}}}n \TeX", r"\# x \TeX",
    r"--- x -- y \TeX", r"\textsuperscript{th} x", r"\mbox{a b} c", r"\verb|a b| c",
    "lone\rreturn \\TeX", "crlf\r\nline \\TeX", "  lead and trail \\TeX  ", "thin\u2009space \\TeX",
    "nbsp\u00a0here \\TeX", "a \\TeX\n\n para",
]


def _parse(value: str) -> str:
    """The reference: one pylatexenc parse of the whole value (in the context papershelf parses
    with, which knows the arguments of the style commands)."""
    try:
        return latex._latex_to_text(value)
    except Exception:
        return value


def _whole(value: str) -> str:
    """The reference ``decode``: one parse of the whole value, then the clean-up ``decode``
    always made."""
    text = _parse(value).replace("\u00a0", " ")
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split()) if ("\n" in text or "  " in text or "\t" in text) else text.strip()


def _corpus() -> list[str]:
    values = set(HARD)
    for path in sorted(DATA.glob("*.bib")):
        try:
            read = read_file(path)
        except BibEncodingError:
            continue
        for entry in read.entries:
            values.update(v for v in entry.source_fields.values() if latex._NEEDS_DECODING.search(v))
    return sorted(values)


CORPUS = _corpus()


def test_the_corpus_holds_values_that_need_a_latex_parse():
    assert sum(latex._simple(v) is None for v in CORPUS) > 100


@pytest.mark.parametrize("value", [v for v in CORPUS if latex._simple(v) is None])
def test_piecewise_decoding_equals_one_parse_of_the_whole_value(value):
    assert latex._latex_decode(value) == _parse(value)
    assert latex.decode(value) == _whole(value)


def test_plain_values_are_their_own_text_and_long_values_are_not_cached():
    assert latex.decode("  Diffusion   models\tfor  text ") == "Diffusion models for text"
    before = latex._decode_short.cache_info().currsize
    latex.decode("word " * 200 + r"\TeX")
    assert latex._decode_short.cache_info().currsize == before
