"""Simplified and Traditional Chinese are one language to search: judged queries in both
scripts over the bundled catalogue (its notes are Traditional) and over an attached Chinese PDF
(written in Simplified)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "pdf"

# (Traditional, Simplified, entries that must be found: judged by reading the bundled notes)
JUDGED = [
    ("蒸餾", "蒸馏", {"fan2025survey", "luo2023comprehensive", "touvron2021training"}),
    ("綜述", "综述", {"croitoru2023diffusion", "fan2025survey", "li2024survey", "wang2025survey"}),
    ("擴散模型", "扩散模型", {"ho2020denoising", "rombach2022high", "croitoru2023diffusion"}),
]


def keys(run, query):
    result = run("search", query, "--json")
    assert result.exit_code == 0, result.stderr
    return [h["citekey"] for h in json.loads(result.stdout)]


@pytest.mark.parametrize(("trad", "simp", "wanted"), JUDGED)
def test_both_scripts_find_the_same_entries(run, bundled, trad, simp, wanted):
    found_trad, found_simp = keys(run, trad), keys(run, simp)
    assert wanted <= set(found_trad)
    assert found_simp == found_trad


def test_a_traditional_query_finds_a_simplified_pdf(run, bundled):
    assert run("attach", "ho2020denoising", str(DATA / "elegantpaper-cn.pdf")).exit_code == 0
    assert keys(run, "pdf:優美") == ["ho2020denoising"] == keys(run, "pdf:优美")


def test_english_search_does_not_load_opencc():
    code = ("import sys; from papershelf.model.query import parse_query; parse_query('lora author:hu'); "
            "print('opencc' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
