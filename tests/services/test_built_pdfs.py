"""PDFs built here with the real pdflatex / xelatex (xeCJK + Noto CJK), attached and searched:
the page a phrase is on, and Chinese written in Traditional found by a Simplified query."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest


def need(tool: str, *, tex: str | None = None, font: str | None = None) -> None:
    missing = None
    if not shutil.which(tool):
        missing = tool
    elif tex and subprocess.run(["kpsewhich", tex], capture_output=True, text=True).stdout.strip() == "":
        missing = tex
    elif font and font.lower() not in subprocess.run(["fc-list"], capture_output=True, text=True).stdout.lower():
        missing = f"the {font} fonts"
    if missing is None:
        return
    message = f"{missing} is not installed (apt-get install texlive-xetex texlive-lang-chinese fonts-noto-cjk)"
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(message + "; CI must run this check")
    pytest.skip(message)


def build(tmp_path: Path, engine: str, body: str, preamble: str = "") -> Path:
    tex = tmp_path / "doc.tex"
    tex.write_text("\\documentclass{article}\n" + preamble + "\\begin{document}\n" + body + "\n\\end{document}\n",
                   encoding="utf-8")
    subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tmp_path,
                   capture_output=True, check=True, timeout=300)
    return tmp_path / "doc.pdf"


def search(run, query):
    result = run("search", query, "--json")
    assert result.exit_code == 0, result.stderr
    return [(h["citekey"], h.get("page")) for h in json.loads(result.stdout)]


def test_pdflatex_pages_are_found_on_their_page(run, bundled, tmp_path):
    need("pdflatex")
    pages = "\n\\newpage\n".join(f"Page {i} speaks of the zebracorn{i} experiment." for i in range(1, 6))
    pdf = build(tmp_path, "pdflatex", pages)
    result = run("attach", "ho2020denoising", str(pdf))
    assert result.exit_code == 0 and "(5 pages" in result.stdout
    assert search(run, "fulltext:zebracorn4") == [("ho2020denoising", 4)]
    assert search(run, "pdf:\"zebracorn2 experiment\"") == [("ho2020denoising", 2)]


def test_xelatex_traditional_chinese_found_in_both_scripts(run, bundled, tmp_path):
    need("xelatex", tex="xeCJK.sty", font="Noto Serif CJK")
    pdf = build(tmp_path, "xelatex", "第一頁\n\\newpage\n知識蒸餾與擴散模型的綜述。",
                "\\usepackage{xeCJK}\n\\setCJKmainfont{Noto Serif CJK TC}\n")
    assert run("attach", "ho2020denoising", str(pdf)).exit_code == 0
    for query in ("蒸餾", "蒸馏", "扩散模型", "綜述", "综述", "蒸"):
        assert search(run, f"fulltext:{query}") == [("ho2020denoising", 2)], query
