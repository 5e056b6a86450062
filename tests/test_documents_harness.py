"""The acceptance harness itself (tests/documents.py): how it reads a document, cuts a .bbl into
references and a .bib into blocks, writes biber's control file, and what it calls identical.
No tool runs here; tests/test_documents.py runs the real ones."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from documents import DOCS, DOCUMENTS, Build, Document, Outcome, blocks, crossref_parents, items, write_bcf

BCF = "{https://sourceforge.net/projects/biblatex}"


def test_a_bibtex_document_is_read_as_latex_would_write_its_aux(tmp_path):
    tex = tmp_path / "doc.tex"
    tex.write_text(r"""\documentclass{article}
\usepackage[numbers]{natbib}
% \cite{commented-out}
\begin{document}
\citet{O'Keeffe_1967_tr} and \citep[p.~3]{a:b, c-d}\cite{e.f}; 50\% \nocite{g}
\citealp*{a:b,h/i}
\bibliographystyle{plainnat}
\bibliography{abbrv, literatur,crossref}
\end{document}
""", encoding="utf-8")
    doc = Document.read(tex)
    assert doc == Document("bibtex", "plainnat", ("abbrv.bib", "literatur.bib", "crossref.bib"),
                           ("O'Keeffe_1967_tr", "a:b", "c-d", "e.f", "g", "h/i"))


def test_the_files_a_document_inputs_are_read_where_latex_reads_them(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "one.tex").write_text("\\cite{b}\\input{chapters/two}\n", encoding="utf-8")
    (tmp_path / "chapters" / "two.tex").write_text("\\cite{c} % \\cite{not-this}\n", encoding="utf-8")
    (tmp_path / "main.tex").write_text("\\cite{a}\n\\include{chapters/one}\\input{missing}\\cite{d}\n"
                                       "\\bibliographystyle{plain}\\bibliography{refs}\n", encoding="utf-8")
    assert Document.read(tmp_path / "main.tex").cites == ("a", "b", "c", "d")


def test_a_biblatex_document_names_its_style_and_resources(tmp_path):
    tex = tmp_path / "doc.tex"
    tex.write_text(r"""\usepackage[backend=biber, style=authoryear]{biblatex}
\addbibresource{one.bib}
\addbibresource[datatype=bibtex]{two.bib}
\begin{document}\textcite{kṣetra}\parencite[see][12]{назаренко2010водные}\end{document}
""", encoding="utf-8")
    assert Document.read(tex) == Document("biber", "authoryear", ("one.bib", "two.bib"),
                                          ("kṣetra", "назаренко2010водные"))


def test_every_acceptance_document_is_readable():
    engines = {name: Document.read(DOCUMENTS / name / "doc.tex").engine for name in DOCS}
    assert engines == {"natbib-thesis": "bibtex", "biblatex-examples": "biber", "group": "bibtex",
                       "non-latin": "biber"}
    thesis = Document.read(DOCUMENTS / "natbib-thesis" / "doc.tex")
    assert len(thesis.cites) == 313 and {"O'Keeffe_1967_tr", "2004A&A...424..927C"} <= set(thesis.cites)
    assert thesis.bibs == ("cu2o-thesis.bib", "orcid-jan_month.bib", "bibtex-tidy_unknown_command_handler_1733.bib")


def test_the_bcf_carries_the_documents_sources_and_citations(tmp_path):
    doc = Document("biber", "authoryear", ("a & b.bib", "c.bib"), ("x<y", "*"))
    root = ET.parse(write_bcf(tmp_path, doc, list(doc.bibs))).getroot()
    sources = [s.text for s in root.iter(f"{BCF}datasource")]
    keys = [(k.text, k.get("order"), k.get("nocite")) for k in root.iter(f"{BCF}citekey")]
    assert sources == ["a & b.bib", "c.bib"]
    assert keys == [("x<y", "1", None), ("*", "2", "1")]


def test_a_bbl_is_cut_at_each_reference_even_when_a_natbib_label_spans_lines():
    bbl = r"""\begin{thebibliography}{2}

\bibitem[O'Hara et~al.(1999{\natexlab{a}})O'Hara, Gullingsrud, and
  Wolfe]{O'Hara_1999}
K.~E. O'Hara.

\bibitem{plain}
Plain.

\end{thebibliography}
"""
    cut = items(bbl)
    assert list(cut) == ["O'Hara_1999", "plain"]
    assert cut["O'Hara_1999"].endswith("K.~E. O'Hara.\n\n")
    assert cut["plain"] == "\\bibitem{plain}\nPlain.\n\n"
    biber = items("    \\entry{k:1}{book}{}\n    \\endentry\n    \\entry{k/2}{misc}{}\n    \\endentry\n"
                  "  \\enddatalist\n  \\keyalias{a}{k:1}\n")
    assert biber == {"k:1": "    \\entry{k:1}{book}{}\n    \\endentry\n", "k/2": "    \\entry{k/2}{misc}{}\n    \\endentry\n"}
    assert items("\\begin{thebibliography}{}\n\\end{thebibliography}\n") == {}


def test_a_bib_is_cut_into_its_blocks_as_written():
    text = """% a comment
@STRING{acm = "ACM"}
@preamble{ "\\newcommand{\\x}{}" }
@inproceedings(child, title = {A {Nested} Title}, crossref = "Parent")
free text { with a brace }
@proceedings{parent, title = acm # " Proc."}
"""
    got = blocks(text)
    assert [(kind, key) for kind, key, _ in got] == [("string", "acm"), ("preamble", ""),
                                                    ("inproceedings", "child"), ("proceedings", "parent")]
    assert got[2][2] == '@inproceedings(child, title = {A {Nested} Title}, crossref = "Parent")'
    assert crossref_parents([text]) == {"parent"}


def _outcome(before: Build, after: Build) -> Outcome:
    return Outcome("t", before, after, 0, "", 0, "", "")


def test_identical_means_the_same_bytes_and_no_new_warning():
    bbl = "\\bibitem{a}\nA.\n"
    same = _outcome(Build(0, bbl, ["Warning--empty year in a"], ""), Build(0, bbl, ["Warning--empty year in a"], ""))
    assert same.identical
    assert not _outcome(Build(0, bbl, [], ""), Build(0, bbl + " ", [], "")).identical
    louder = _outcome(Build(0, bbl, ["w"], ""), Build(0, bbl, ["w", "w"], ""))
    assert not louder.identical and louder.new_warnings == ["w"]
    assert _outcome(Build(0, bbl, ["w"], ""), Build(0, bbl, [], "")).identical  # a warning fewer is fine
