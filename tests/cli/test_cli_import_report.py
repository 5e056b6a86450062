"""``import bibtex`` says what matters first: what changes what a bibliography prints (renamed
keys, probable duplicates, undefined macros, skipped entries) each on its line, then the rest
as one line per kind with a count; ``--verbose`` lists everything; ``--json`` gives it all,
every notice with a stable ``kind``."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def noisy(run, default_db, tmp_path):
    assert run("init", "--empty").exit_code == 0
    (tmp_path / "old.bib").write_text("@article{k, title={One Work}, author={Doe, Jane}, year={2020}, journal={J}}\n")
    assert run("import", "bibtex", str(tmp_path / "old.bib")).exit_code == 0
    body = "".join(f"@article{{e{i}, title={{Paper {i}}}, author={{Roe, R.}}, year={{2001}}, journal={{J}},\n"
                   f"  %note = {{commented out}},\n}}\n" for i in range(40))
    (tmp_path / "new.bib").write_text(
        body + "@article{k, title={Another Work}, author={Roe, Rich}, year={2011}, journal={K}}\n"
        "@article{twin, title={Paper 3}, author={Roe, R.}, year={2001}, journal={J}, pages={1--2}}\n"
        "@article{m, title={Macro}, author={Roe, R.}, year={2003}, journal=jair}\n")
    return tmp_path / "new.bib"


def test_what_changes_the_bibliography_comes_first_the_rest_is_counted(run, noisy):
    result = run("import", "bibtex", str(noisy))
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    first = next(i for i, line in enumerate(lines) if "what a bibliography prints" in line)
    rest = next(i for i, line in enumerate(lines) if "other notice" in line)
    assert first < rest
    important = "\n".join(lines[first:rest])
    assert "key-renamed: k → ka" in important and "probable-duplicate: twin may be the same work as e3" in important
    assert "undefined-macro: " in important
    counted = [line for line in lines[rest:] if "field-ignored:" in line]
    assert len(counted) == 1 and "field-ignored: 40, e.g. new.bib:line 1: e0: a commented-out" in counted[0]
    assert sum("commented-out field" in line for line in lines) == 1  # not 40 lines burying the rest
    assert len(lines) < 15


def test_verbose_lists_every_notice_and_the_diff(run, noisy):
    result = run("import", "bibtex", "--verbose", "--dry-run", str(noisy))
    assert result.exit_code == 0, result.stderr
    assert sum("commented-out field" in line for line in result.stderr.splitlines()) == 40
    assert "pages: 1--2" in result.stderr


def test_json_gives_every_notice_with_its_kind(run, noisy):
    data = json.loads(run("import", "bibtex", "--json", str(noisy)).stdout)
    kinds = [n["kind"] for n in data["notices"]]
    assert kinds.count("field-ignored") == 40 and {p["kind"] for p in data["problems"]} >= {"field-ignored"}
    changing = {"key-renamed", "probable-duplicate", "undefined-macro"}
    assert changing <= set(kinds)
    assert max(i for i, k in enumerate(kinds) if k in changing) < kinds.index("field-ignored")
    assert data["renamed"] == [{"from": "k", "to": "ka", "why": "key already used by another entry",
                                "kind": "key-renamed"}]
    assert isinstance(data["operation"], int)
