"""``papershelf sync --venues`` from the command line: one line per entry, what was asked on
stderr, --dry-run and --json, and the exit codes when services are down."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def preprint_db(run, tmp_path, metadata_server):
    """A catalogue holding ControlNet and PaperQA as preprints (set through `set`)."""
    db = tmp_path / "pre.db"
    assert run("--db", str(db), "init", "--empty").exit_code == 0
    from papershelf.model.entry import Entry, Person
    from papershelf.services.library import open_library

    lib, _ = open_library(db)
    lib.add([Entry(title="Adding Conditional Control to Text-to-Image Diffusion Models", type="misc", year=2023,
                   citekey="zhang2023adding", arxiv_id="2302.05543",
                   authors=[Person.parse(a) for a in ("Lvmin Zhang", "Anyi Rao", "Maneesh Agrawala")]),
             Entry(title="PaperQA: Retrieval-Augmented Generative Agent for Scientific Research", type="misc",
                   year=2023, citekey="lala2023paperqa", arxiv_id="2312.07559",
                   authors=[Person.parse(a) for a in ("Jakub Lála", "Sam Cox", "Andrew D. White")])])
    lib.close()
    return db


def test_reports_per_entry_and_writes(run, preprint_db):
    result = run("--db", str(preprint_db), "sync", "--venues")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("published  zhang2023adding          arXiv:2302.05543  published: ICCV 2023, "
                               "pp. 3813–3824, doi 10.1109/ICCV51070.2023.00355 (DBLP + Semantic Scholar agree)")
    assert lines[1].startswith("none       lala2023paperqa") and lines[1].endswith("no published version found")
    assert "1 published" in result.stderr and "requests:" in result.stderr
    shown = json.loads(run("--db", str(preprint_db), "show", "zhang2023adding", "--json").stdout)
    assert shown["type"] == "inproceedings" and shown["citekey"] == "zhang2023adding"
    exported = run("--db", str(preprint_db), "cite", "zhang2023adding").stdout
    assert exported.startswith("@inproceedings{zhang2023adding,") and "eprint" in exported


def test_dry_run_and_json(run, preprint_db):
    result = run("--db", str(preprint_db), "sync", "--venues", "--dry-run", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["dry_run"] is True and data["written"] == 0
    first = data["entries"][0]
    assert first["status"] == "published" and first["sources"] == ["dblp", "s2"]
    assert first["venue"]["doi"] == "10.1109/ICCV51070.2023.00355" and "type" in first["changed"]
    shown = json.loads(run("--db", str(preprint_db), "show", "zhang2023adding", "--json").stdout)
    assert shown["type"] == "misc"


def test_one_service_down_is_partial_and_keeps_the_rest(run, preprint_db, metadata_server):
    metadata_server.fail("s2", "503", times=20)
    result = run("--db", str(preprint_db), "sync", "--venues")
    assert result.exit_code == 5
    assert "Semantic Scholar skipped" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout.startswith("published  zhang2023adding")
    shown = json.loads(run("--db", str(preprint_db), "show", "zhang2023adding", "--json").stdout)
    assert shown["type"] == "inproceedings"


def test_every_service_down_is_exit_4_and_nothing_written(run, tmp_path, metadata_refused):
    db = tmp_path / "pre.db"
    assert run("--db", str(db), "init").exit_code == 0
    result = run("--db", str(db), "sync", "--venues")
    assert result.exit_code == 4
    assert result.stderr.count("error:") == 1 and "no metadata service answered" in result.stderr


def test_named_entry_without_arxiv_id_is_a_usage_error(run, bundled):
    result = run("sync", "--venues", "kulkarni2023applied")
    assert result.exit_code == 2 and "no arXiv id on kulkarni2023applied" in result.stderr
