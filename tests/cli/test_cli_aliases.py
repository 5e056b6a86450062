"""A merged-away key keeps citing: ``show``, ``cite``, ``export --aux`` and completion resolve
it; ``import bibtex --json`` lists the aliases it kept and the probable duplicates."""

from __future__ import annotations

import json

import pytest

A = "@article{Ho2020, title={Denoising Diffusion Probabilistic Models}, author={Ho, Jonathan}, " \
    "year={2020}, journal={NeurIPS}, doi={10.5555/ddpm}}\n"
B = "@article{ddpm, title={Denoising diffusion probabilistic models}, author={Ho, J.}, " \
    "year={2020}, journal={NeurIPS}, pages={6840--6851}, doi={10.5555/DDPM}}\n"


@pytest.fixture
def merged(run, default_db, tmp_path):
    assert run("init", "--empty").exit_code == 0
    (tmp_path / "a.bib").write_text(A)
    (tmp_path / "b.bib").write_text(B)
    assert run("import", "bibtex", str(tmp_path / "a.bib")).exit_code == 0
    result = run("import", "bibtex", "--update", "--json", str(tmp_path / "b.bib"))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_import_update_reports_the_alias(merged):
    assert merged["aliases"] == [{"alias": "ddpm", "cites": "Ho2020"}]
    assert merged["updated"] == ["Ho2020"] and merged["added"] == []


def test_show_resolves_an_alias_and_lists_it(run, merged):
    shown = run("show", "ddpm")
    assert shown.exit_code == 0 and "Ho2020" in shown.stdout
    assert "aliases" in shown.stdout and "ddpm" in shown.stdout
    data = json.loads(run("show", "ddpm", "--json").stdout)
    assert data["citekey"] == "Ho2020" and data["aliases"] == ["ddpm"] and data["pages"] == "6840--6851"


def test_cite_by_alias_gives_an_entry_under_that_key_too(run, merged):
    out = run("cite", "ddpm").stdout
    assert "@article{Ho2020," in out and "@article{ddpm," in out
    biblatex = run("cite", "--style", "biblatex", "ddpm").stdout
    assert "ids = {ddpm}" in biblatex and "@article{ddpm," not in biblatex


def test_export_aux_finds_every_cited_key(run, merged, tmp_path):
    aux = tmp_path / "thesis.aux"
    aux.write_text("\\citation{ddpm}\n\\citation{Ho2020}\n\\citation{gone2019}\n")
    result = run("export", "bibtex", "--aux", str(aux))
    assert result.exit_code == 0
    assert "gone2019" in result.stderr and "ddpm" not in result.stderr  # only the really missing one
    assert "@article{ddpm," in result.stdout and result.stdout.count("@article{Ho2020,") == 1


def test_completion_offers_the_alias(merged, default_db):
    from papershelf.services.completion import complete_keys

    assert complete_keys(default_db, "dd") == ["ddpm"]


def test_probable_duplicates_are_reported_and_both_kept(run, default_db, tmp_path):
    assert run("init", "--empty").exit_code == 0
    bib = tmp_path / "r.bib"
    bib.write_text("@misc{rep2020, title={Annual Report}, year={2020}}\n"
                   "@techreport{acme2020, title={Annual report}, author={{Acme Corp}}, year={2020}, "
                   "institution={Acme}}\n")
    result = run("import", "bibtex", "--json", str(bib))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["added"] == ["rep2020", "acme2020"]
    [probable] = data["probable"]
    assert probable["key"] == "acme2020" and probable["existing"] == "rep2020"
    assert probable["same"] == "title and year (no author to compare)"
    assert {"field": "@type", "this": "techreport", "other": "misc"} in probable["diff"]
    assert "acme2020 may be the same work as rep2020" in result.stderr
