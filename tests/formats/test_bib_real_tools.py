"""A round-tripped .bib compiles with bibtex + pdflatex with no new warning or error versus the
file as the user wrote it (math, TeX logos, case protection, \\url with %, a @preamble that
defines \\noopsort, accents, a key + note entry, particles, Jr., corporate names).

Outside CI a missing tool skips the test; in CI (CI=true) it fails, like test_export_tools.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import need_tool as need
from papershelf.formats.bibtex.reader import read_string
from papershelf.formats.bibtex.writer import write_bibtex
from papershelf.services.import_bibtex import import_entries
from papershelf.services.library import Library
from papershelf.storage.catalogue import Catalogue

BIB = r"""
@preamble{ "\newcommand{\noopsort}[1]{}" }
@string{cj = "The Computer Journal"}

@article{knuth84,
  author = {Knuth, Donald E.},
  title = {Literate Programming with {\TeX} and \LaTeX{}: an $O(n \log n)$ story},
  journal = cj, year = 1984, volume = 27, number = 2, pages = {97--111}, month = jan,
}
@book{vol1,
  author = {van Beethoven, Ludwig and King, Jr., Martin Luther},
  title = {{\noopsort{1973a}}The Art of $\sqrt{n}$ and $L^2$ Spaces},
  publisher = {{U.S. Department of Energy}}, year = 1973,
}
@inproceedings{covid,
  author = {M{\"u}ller, J{\"o}rg and Erd\H{o}s, Paul and {World Health Organization}},
  title = {{{Si}} Doping and {COVID-19} at Scale},
  booktitle = {Advances in Neural Information Processing Systems ({NeurIPS})}, year = 2020, pages = {1--9},
}
@misc{web,
  author = {Nguy{\~{\^{e}}}n, Van A.},
  title = {A page}, howpublished = {\url{https://example.org/a%20b}}, year = 2021,
}
@misc{misc-minimal, key = "Missing", note = "This is a minimal MISC entry"}
"""

TEX = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage{url}
\begin{document}
\nocite{*}
\bibliographystyle{plain}
\bibliography{refs}
\end{document}
"""


def compile_log(bib: str, where: Path) -> tuple[list[str], list[str], str]:
    """(bibtex warnings and errors, pdflatex errors and warnings, the .bbl) for ``bib``."""
    where.mkdir()
    (where / "refs.bib").write_text(bib, encoding="utf-8")
    (where / "doc.tex").write_text(TEX, encoding="utf-8")

    def latex() -> str:
        proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], cwd=where,
                              capture_output=True, text=True, errors="replace", timeout=120)
        return proc.stdout

    latex()
    bib_proc = subprocess.run(["bibtex", "doc"], cwd=where, capture_output=True, text=True, errors="replace",
                              timeout=120)
    bibtex_lines = [ln for ln in bib_proc.stdout.splitlines() if ln.startswith("Warning--") or "error" in ln.lower()]
    latex()
    out = latex()
    latex_lines = [ln for ln in out.splitlines() if ln.startswith("!") or re.search(r"Warning", ln)]
    return bibtex_lines, latex_lines, (where / "doc.bbl").read_text(encoding="utf-8", errors="replace")


def test_the_round_tripped_file_compiles_like_the_original(tmp_path):
    need("bibtex")
    need("pdflatex")
    cat, _ = Catalogue.open(tmp_path / "c.db", create=True)
    try:
        report = import_entries(Library(cat), read_string(BIB).entries, autotag=False)
        assert len(report.added) == 5
        exported = write_bibtex(cat.entries(), "bibtex")
    finally:
        cat.close()
    before = compile_log(BIB, tmp_path / "before")
    after = compile_log(exported, tmp_path / "after")
    assert not [w for w in after[0] if w not in before[0]], after[0]
    assert not [w for w in after[1] if w not in before[1]], after[1]
    assert after[2].count("\\bibitem") == before[2].count("\\bibitem") == 5
    for key in ("knuth84", "vol1", "covid", "web", "misc-minimal"):
        assert re.search(rf"\\bibitem{{{re.escape(key)}}}(.*?)(?=\\bibitem|\\end)", after[2], re.S).group(1) == \
            re.search(rf"\\bibitem{{{re.escape(key)}}}(.*?)(?=\\bibitem|\\end)", before[2], re.S).group(1), key
