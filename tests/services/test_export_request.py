"""``services.export.export_bibtex``: the one BibTeX export use case the CLI and the MCP server call."""

from papershelf.formats.latex_aux import cited_in
from papershelf.services.export import BibtexRequest, export_bibtex


def test_cited_in_reads_bibtex_and_biblatex_citations_in_order():
    text = "\\citation{b,a}\n\\abx@aux@cite{0}{c}\n\\abx@aux@cite{d}\n\\citation{a}\n\\@input{x.aux}\n"
    assert cited_in(text) == ["b", "a", "c", "d"]


def test_aux_text_exports_exactly_what_it_cites_and_names_the_missing(catalogue):
    done = export_bibtex(catalogue, BibtexRequest(aux_text="\\citation{ho2020denoising,nobody2020}\n"))
    text = "".join(done.chunks)
    assert text.startswith("@") and "{ho2020denoising," in text
    assert text.count("\n@") == 0  # one entry
    assert done.selection.missing == ["nobody2020"]


def test_keys_select_in_key_order(catalogue):
    done = export_bibtex(catalogue, BibtexRequest(keys=["ho2020denoising", "hu2022lora"], style="biblatex"))
    text = "".join(done.chunks)
    assert text.index("{ho2020denoising,") < text.index("{hu2022lora,")
