"""The decoded view reads LaTeX style commands as the text they style (issue 17, item 9): list,
show, search, Markdown and CSL-JSON show ``Foo``, not ``{\\em Foo}``; the BibTeX export keeps
the field as written."""

from __future__ import annotations

import json

import pytest

from papershelf.formats.bibtex import latex


@pytest.mark.parametrize(("value", "text"), [
    (r"{\em Foo} bar", "Foo bar"),
    (r"\emph{Foo} bar", "Foo bar"),
    (r"{\it Italic\/} and {\bf bold}", "Italic and bold"),
    (r"\textit{a} \textbf{b} \textsc{c} \textrm{d} \texttt{e} \textsf{f} \textsl{g}", "a b c d e f g"),
    (r"\textup{u} \textmd{m} \textnormal{n} \textsuperscript{th} \textsubscript{2}", "u m n th 2"),
    (r"{\sc Small Caps} {\tt mono} {\sl slanted} {\rm roman} {\sf sans}", "Small Caps mono slanted roman sans"),
    (r"\mbox{Non-breaking} \hbox{box}", "Non-breaking box"),
    (r"{\small small} {\Large large}", "small large"),
    (r"The {\TeX}book\Dash a review", "The TeXbook — a review"),
    (r"Typesetting with \MF{} and {\tt \bs input}", "Typesetting with METAFONT and \\input"),
    (r"\foreignlanguage{german}{Das Haus} \enquote{quoted}", "Das Haus quoted"),
    (r"{\em et al.}\ and \noindent\relax more", "et al. and more"),
    ("the new \\TUB\\\n    format", "the new TUGboat format"),  # a backslash ending a line: a space
    (r"The \nth4 edition of the \nth{21} guide", "The 4th edition of the 21st guide"),
])
def test_style_commands_decode_to_their_text(value, text):
    assert latex.decode(value) == text


@pytest.mark.parametrize("value", [r"\aap", r"A \mymacro{} here", r"{\bf Foo} \apj"])
def test_a_macro_papershelf_does_not_know_stays_as_written(value):
    assert "\\" in latex.decode(value)


BIB = r"""@article{styled,
  author = {Knuth, Donald E.},
  title = {{\em Literate} programming with \textsc{Web} and {\it \TeX\/}},
  journal = {{\sl The Computer Journal}},
  year = {1984},
}
"""


@pytest.fixture
def styled(run, tmp_path):
    path = tmp_path / "styled.bib"
    path.write_text(BIB, encoding="utf-8")
    assert run("init", "--empty").exit_code == 0
    result = run("import", "bibtex", str(path))
    assert result.exit_code == 0, result.stderr
    return path


def test_list_show_search_markdown_and_csl_json_show_the_text(run, styled):
    title = "Literate programming with Web and TeX"
    assert title in run("list").stdout
    shown = run("show", "styled").stdout
    assert title in shown and "The Computer Journal" in shown and "\\" not in shown
    assert "styled" in run("search", "literate web").stdout
    assert title in run("export", "markdown").stdout
    csl = json.loads(run("export", "csl-json").stdout)
    assert csl[0]["title"] == title and csl[0]["container-title"] == "The Computer Journal"


def test_the_bibtex_export_keeps_the_style_commands_as_written(run, styled):
    out = run("export", "bibtex").stdout
    assert r"title = {{\em Literate} programming with \textsc{Web} and {\it \TeX\/}}" in out
