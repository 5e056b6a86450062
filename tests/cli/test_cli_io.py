"""The export/import/cite commands as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "bib"


def test_export_with_aux_writes_exactly_the_cited_keys_and_warns_about_unknown_ones(run, bundled, tmp_path):
    aux = tmp_path / "thesis.aux"
    (tmp_path / "ch1.aux").write_text("\\abx@aux@cite{0}{hu2022lora}\n")
    aux.write_text("\\relax\n\\citation{ho2020denoising,nosuchkey2020}\n"
                   "\\abx@aux@cite{zhang2023adding}\n\\@input{ch1.aux}\n")
    out = tmp_path / "refs.bib"
    result = run("export", "bibtex", "--aux", str(aux), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    keys = [line[line.index("{") + 1:-1] for line in out.read_text().splitlines() if line.startswith("@")]
    assert keys == ["ho2020denoising", "hu2022lora", "zhang2023adding"]
    assert "nosuchkey2020" in result.stderr


def test_export_by_tag_query_and_keys(run, bundled):
    by_key = run("export", "bibtex", "hu2022lora", "ho2020denoising")
    assert by_key.stdout.index("@inproceedings{hu2022lora") < by_key.stdout.index("{ho2020denoising")
    by_query = run("export", "bibtex", "--query", "author:ho")
    assert "@inproceedings{ho2020denoising," in by_query.stdout
    assert run("export", "bibtex", "nosuchkey").exit_code == 3


def test_export_csl_json_parses_and_markdown_groups(run, bundled):
    items = json.loads(run("export", "csl-json").stdout)
    assert len(items) == 26
    md = run("export", "markdown", "--group-by", "year").stdout
    assert md.startswith("# Reading list\n") and "## 2023" in md
    assert run("export", "markdown", "--group-by", "colour").exit_code == 2


def test_import_reports_duplicates_and_refused_files(run, bundled, tmp_path):
    again = tmp_path / "again.bib"
    again.write_text(run("export", "bibtex").stdout, encoding="utf-8")
    result = run("import", "bibtex", str(again), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["added"] == [] and len(report["duplicates"]) == 26
    refused = run("import", "bibtex", str(DATA / "biber_encoding3.bib"))
    assert refused.exit_code == 5 and "not UTF-8" in refused.stderr
    latin = run("import", "bibtex", str(DATA / "biber_encoding3.bib"), "--encoding", "latin-1")
    assert latin.exit_code == 0 and "Imported 1 entry" in latin.stderr


def test_import_dry_run_changes_nothing(run, bundled, tmp_path):
    bib = tmp_path / "new.bib"
    bib.write_text("@misc{newkey, title={Something New}, year=2024, author={Doe, Jane}}\n")
    assert "Would import 1 entry" in run("import", "bibtex", str(bib), "--dry-run").stderr
    assert run("show", "newkey").exit_code == 3
    assert run("import", "bibtex", str(bib)).exit_code == 0
    assert run("show", "newkey").exit_code == 0


def test_imported_entries_get_their_topic_tags(run, tmp_path):
    db = tmp_path / "t.db"
    assert run("--db", str(db), "init", "--empty").exit_code == 0
    bib = tmp_path / "in.bib"
    bib.write_text("@inproceedings{hu2022lora,\n  author = {Hu, Edward J.},\n"
                   "  title = {{LoRA}: Low-Rank Adaptation of Large Language Models},\n"
                   "  booktitle = {ICLR}, year = {2022}, keywords = {mine}\n}\n", encoding="utf-8")
    assert run("--db", str(db), "import", "bibtex", str(bib)).exit_code == 0
    shown = json.loads(run("--db", str(db), "show", "hu2022lora", "--json").stdout)
    assert "mine" in shown["tags"] and "mine" not in shown["rule_tags"]
    assert {"lora", "peft"} <= set(shown["rule_tags"])
