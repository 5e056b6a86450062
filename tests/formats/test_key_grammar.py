"""The key grammar (``model.citekeys.VALID_KEY``) checked against the real tools: a key with any
character that bibtex (through a LaTeX document) or biber cites is kept on import, and comes
back citable from ``export --aux``; a key with a character neither can cite is refused.

Each tool runs once over a document citing a key per character (a key it cannot read only
costs its own entry); the characters LaTeX cannot even write into the ``.aux`` (``%``, ``#``,
``\\``, ``~``, braces) are checked one document each. Outside CI a missing tool skips the
test; in CI (CI=true) it fails, like test_export_tools.
"""

from __future__ import annotations

import string
import subprocess
from pathlib import Path

import pytest
from test_bib_real_tools import need

from papershelf.errors import CiteKeyError
from papershelf.formats.bibtex.reader import read_string
from papershelf.model.citekeys import VALID_KEY, check_key, usable_key
from papershelf.services import export
from papershelf.services.import_bibtex import import_entries
from papershelf.services.library import Library
from papershelf.storage.catalogue import Catalogue

CHARS = [c for c in string.punctuation] + ["é", "ü", "ß", "中"]
# Characters LaTeX cannot pass to \cite as they are: one document each (they break the others).
_BREAK_LATEX = set("%#\\~{}")
_BREAK_BIB = set(',"=')  # they end the key in bibtex's/biber's scanner (and in bibtexparser's)
# bibtex cites a key with these, but the .bib reader (bibtexparser's splitter) ends the key there,
# as biber does: such a block is reported and skipped on import, so no key holds them.
READER_REFUSES = set('"=')
_BREAK_BIBER = set("'()")  # a syntax error for biber's parser: one document each


def key_of(c: str) -> str:
    return f"k{c}x"


def bib(keys: list[str]) -> str:
    return "".join(f"@misc{{{k},\n  author = {{Doe, Jane}},\n  title = {{Title {i}}},\n  year = {{2000}},\n}}\n\n"
                   for i, k in enumerate(keys))


def run(cmd: list[str], where: Path) -> str:
    proc = subprocess.run(cmd, cwd=where, capture_output=True, text=True, errors="replace", timeout=180)
    return proc.stdout + proc.stderr


def bibtex_cites(keys: list[str], where: Path, bib_text: str | None = None) -> tuple[set[str], str]:
    """The keys a plain-bibtex document citing ``keys`` gets a \\bibitem for, and bibtex's log."""
    need("pdflatex")
    need("bibtex")
    where.mkdir(parents=True, exist_ok=True)
    (where / "refs.bib").write_text(bib_text if bib_text is not None else bib(keys), encoding="utf-8")
    cites = "".join(f"\\cite{{{k}}}\n" for k in keys)
    (where / "doc.tex").write_text("\\documentclass{article}\n\\begin{document}\n" + cites
                                   + "\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n",
                                   encoding="utf-8")
    run(["pdflatex", "-interaction=nonstopmode", "doc.tex"], where)
    log = run(["bibtex", "doc"], where)
    bbl = (where / "doc.bbl").read_text(encoding="utf-8", errors="replace") if (where / "doc.bbl").exists() else ""
    return {k for k in keys if f"\\bibitem{{{k}}}" in bbl and f'entry for "{k}"' not in log}, log


def biber_cites(keys: list[str], where: Path) -> set[str]:
    need("pdflatex")
    need("biber")
    where.mkdir(parents=True, exist_ok=True)
    (where / "refs.bib").write_text(bib(keys), encoding="utf-8")
    cites = "".join(f"\\cite{{{k}}}\n" for k in keys)
    (where / "doc.tex").write_text("\\documentclass{article}\n\\usepackage[backend=biber]{biblatex}\n"
                                   "\\addbibresource{refs.bib}\n\\begin{document}\n" + cites
                                   + "\\printbibliography\n\\end{document}\n", encoding="utf-8")
    run(["pdflatex", "-interaction=nonstopmode", "doc.tex"], where)
    run(["biber", "doc"], where)
    bbl = (where / "doc.bbl").read_text(encoding="utf-8", errors="replace") if (where / "doc.bbl").exists() else ""
    return {k for k in keys if f"\\entry{{{k}}}" in bbl}


@pytest.fixture(scope="module")
def accepted(tmp_path_factory) -> dict[str, set[str]]:
    """Per tool, the characters whose key it cites."""
    where = tmp_path_factory.mktemp("keys")
    together = [c for c in CHARS if c not in _BREAK_LATEX and c not in _BREAK_BIB]
    by_bibtex, _ = bibtex_cites([key_of(c) for c in together], where / "bibtex")
    by_biber = biber_cites([key_of(c) for c in together if c not in _BREAK_BIBER], where / "biber")
    for i, c in enumerate(sorted(_BREAK_BIBER)):
        by_biber |= biber_cites([key_of(c)], where / f"biber{i}")
    alone = {c for c in CHARS if c in _BREAK_LATEX or c in _BREAK_BIB}
    for i, c in enumerate(sorted(alone)):
        found, _ = bibtex_cites([key_of(c)], where / f"alone{i}")
        by_bibtex |= found
    return {"bibtex": {c for c in CHARS if key_of(c) in by_bibtex},
            "biber": {c for c in together if key_of(c) in by_biber}}


def test_a_key_is_valid_exactly_when_bibtex_or_biber_cites_it(accepted):
    either = (accepted["bibtex"] | accepted["biber"]) - READER_REFUSES
    for c in CHARS:
        assert bool(VALID_KEY.match(key_of(c))) == (c in either), (c, accepted)
    # the characters the issue names, and non-ASCII letters for biber
    for c in "':-./+":
        assert c in accepted["bibtex"], c
    assert {"é", "中"} <= accepted["biber"]


def test_the_tools_refuse_what_the_grammar_refuses(accepted):
    refused = set(CHARS) - accepted["bibtex"] - accepted["biber"]
    assert refused == set(',{}%#\\~'), refused
    assert accepted["bibtex"] >= READER_REFUSES and not READER_REFUSES & accepted["biber"]
    refused |= READER_REFUSES
    for c in READER_REFUSES:  # reported, not silently lost
        assert "cannot read" in str(read_string(bib([key_of(c)])).problems)
    for c in refused:
        with pytest.raises(CiteKeyError):
            check_key(key_of(c))
        assert VALID_KEY.match(usable_key(key_of(c)))


def test_every_citable_key_survives_import_and_export_aux(accepted, tmp_path):
    """The issue's case (``O'Keeffe_1967_tr`` renamed, ``export --aux`` then wrote 0 entries):
    every key bibtex cites is kept, and the exported refs.bib gives the same .bbl."""
    keys = [key_of(c) for c in sorted(accepted["bibtex"] - _BREAK_LATEX - _BREAK_BIB)] + ["O'Keeffe_1967_tr"]
    assert len(keys) > 25
    source = bib(keys)
    cited, log = bibtex_cites(keys, tmp_path / "original", source)
    assert cited == set(keys), log
    original = (tmp_path / "original" / "doc.bbl").read_text(encoding="utf-8")
    cat, _ = Catalogue.open(tmp_path / "cat.db", create=True)
    try:
        lib = Library(cat)
        report = import_entries(lib, read_string(source).entries, autotag=False)
        assert report.renamed == [] and sorted(report.added) == sorted(keys)
        selection = export.select(lib, aux=tmp_path / "original" / "doc.aux")
        assert selection.missing == []
        text, _ = export.bibtex(selection.entries, "bibtex", cited=selection.cited)
    finally:
        cat.close()
    again, log = bibtex_cites(keys, tmp_path / "again", text)
    assert again == set(keys), log
    assert (tmp_path / "again" / "doc.bbl").read_text(encoding="utf-8") == original
