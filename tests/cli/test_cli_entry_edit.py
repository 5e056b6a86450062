"""``edit``, ``set``, ``export bibtex --keywords`` and ``import --no-autotag`` as a user runs them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

BIB = (r'@preamble{ "\newcommand{\noopsort}[1]{}" }' "\n"
       r"@article{knuth84, author = {Knuth, Donald E.}, title = {Literate Programming with {\TeX}},"
       r" journal = {The Computer Journal}, year = 1984, keywords = {Programming}}" "\n")


def _editor(tmp_path: Path, body: str) -> str:
    """An $EDITOR: a Python script that runs ``body`` with the file's path as ``path``."""
    script = tmp_path / "editor.py"
    script.write_text("import sys, subprocess\npath = sys.argv[1]\n" + body, encoding="utf-8")
    return f"{sys.executable} {script}"


def _imported(run, tmp_path, *options):
    src = tmp_path / "in.bib"
    src.write_text(BIB, encoding="utf-8")
    assert run("--db", str(tmp_path / "c.db"), "init", "--empty").exit_code == 0
    result = run("--db", str(tmp_path / "c.db"), "import", "bibtex", str(src), *options)
    assert result.exit_code == 0, result.stderr
    return str(tmp_path / "c.db")


def test_import_then_export_gives_the_file_back_and_keywords_only_when_asked(run, tmp_path):
    db = _imported(run, tmp_path)
    out = run("--db", db, "export", "bibtex").stdout
    assert out.startswith('@preamble{"\\newcommand{\\noopsort}[1]{}"}')
    assert r"title = {Literate Programming with {\TeX}}," in out and "keywords = {Programming}" in out
    run("--db", db, "tag", "knuth84", "must-read")
    assert "must-read" not in run("--db", db, "export", "bibtex").stdout
    assert "keywords = {must-read, programming}" in run("--db", db, "export", "bibtex", "--keywords", "tags").stdout
    assert "keywords = {Programming, must-read}" in run("--db", db, "export", "bibtex", "--keywords", "both").stdout
    assert run("--db", db, "export", "bibtex", "--keywords", "all").exit_code == 2


def test_import_no_autotag_and_its_environment_default(run, tmp_path):
    src = tmp_path / "d.bib"
    src.write_text("@misc{ddpm, title = {Denoising diffusion probabilistic models}, year = 2020}\n")
    db, db2, db3 = (str(tmp_path / name) for name in ("c.db", "c2.db", "c3.db"))
    for path in (db, db2, db3):
        assert run("--db", path, "init", "--empty").exit_code == 0
    assert run("--db", db, "import", "bibtex", str(src), "--no-autotag").exit_code == 0
    assert json.loads(run("--db", db, "show", "ddpm", "--json").stdout)["tags"] == []
    assert run("--db", db2, "import", "bibtex", str(src), env={"PAPERSHELF_AUTOTAG": "0"}).exit_code == 0
    assert json.loads(run("--db", db2, "show", "ddpm", "--json").stdout)["tags"] == []
    assert run("--db", db3, "import", "bibtex", str(src)).exit_code == 0
    assert json.loads(run("--db", db3, "show", "ddpm", "--json").stdout)["tags"] != []


def test_set_changes_fields_for_scripts(run, tmp_path):
    db = _imported(run, tmp_path)
    result = run("--db", db, "set", "knuth84", "title=The {\\TeX}book", "pages=97--111", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["changed"] == ["pages", "title"]
    out = run("--db", db, "export", "bibtex").stdout
    assert "title = {The {\\TeX}book}," in out and "pages = {97--111}," in out
    assert run("--db", db, "set", "knuth84", "no-equals-sign").exit_code == 2
    assert run("--db", db, "set", "nosuchkey", "title=x").exit_code == 3


def test_edit_in_the_editor_changes_only_what_was_changed(run, tmp_path):
    db = _imported(run, tmp_path)
    editor = _editor(tmp_path, "t = open(path).read().replace('Literate', 'Structured')\nopen(path, 'w').write(t)\n")
    result = run("--db", db, "edit", "knuth84", env={"EDITOR": editor})
    assert result.exit_code == 0, result.stderr
    assert "changed title" in result.stderr
    shown = json.loads(run("--db", db, "show", "knuth84", "--json").stdout)
    assert shown["title"] == "Structured Programming with TeX" and shown["edited"] == ["title"]


def test_edit_without_a_change_changes_nothing(run, tmp_path):
    db = _imported(run, tmp_path)
    before = json.loads(run("--db", db, "show", "knuth84", "--json").stdout)["revision"]
    result = run("--db", db, "edit", "knuth84", env={"EDITOR": _editor(tmp_path, "")})
    assert result.exit_code == 0 and "nothing changed" in result.stderr
    assert json.loads(run("--db", db, "show", "knuth84", "--json").stdout)["revision"] == before


def test_edit_with_text_that_cannot_be_read_aborts_with_nothing_changed(run, tmp_path):
    db = _imported(run, tmp_path)
    editor = _editor(tmp_path, "open(path, 'w').write('@article{knuth84, title = {Open')\n")
    result = run("--db", db, "edit", "knuth84", env={"EDITOR": editor})
    assert result.exit_code == 2
    assert "nothing changed" in result.stderr and "Traceback" not in result.stderr
    assert json.loads(run("--db", db, "show", "knuth84", "--json").stdout)["title"].startswith("Literate")


def test_edit_during_a_concurrent_write_keeps_the_users_text_aside(run, tmp_path):
    db = _imported(run, tmp_path)
    other = (f"subprocess.run([sys.executable, '-m', 'papershelf', '--db', {db!r}, 'tag', 'knuth84', 'x'], check=True)\n"
             "t = open(path).read().replace('Literate', 'Mine')\nopen(path, 'w').write(t)\n")
    result = run("--db", db, "edit", "knuth84", env={"EDITOR": _editor(tmp_path, other)})
    assert result.exit_code == 6, result.stderr
    saved = sorted((tmp_path / "xdg_state_home" / "papershelf" / "unsaved").glob("knuth84-*.bib"))
    assert len(saved) == 1 and "Mine Programming" in saved[0].read_text()
    assert json.loads(run("--db", db, "show", "knuth84", "--json").stdout)["tags"] == ["programming", "x"]


def test_set_and_edit_check_each_value_by_its_field(run, tmp_path):
    db = _imported(run, tmp_path)
    before = json.loads(run("--db", db, "show", "knuth84", "--json").stdout)["revision"]
    for assignment, says in [("year=abcd", "year must be a year such as 2020"),
                             ("month=13", "month must be a month"),
                             ("doi=nope", "doi must be a DOI"),
                             ("isbn=978-3-16-148410-1", "isbn must be an ISBN"),
                             ("eprint=2106.9", "eprint must be an arXiv id"),
                             ("url=www.example.org", "url must be a web address")]:
        result = run("--db", db, "set", "knuth84", "title=Changed", assignment)
        assert result.exit_code == 2, (assignment, result.stderr)
        assert result.stderr.splitlines()[0].startswith(f"error: {says}"), result.stderr
    assert json.loads(run("--db", db, "show", "knuth84", "--json").stdout)["revision"] == before
    assert "abcd" not in run("--db", db, "export", "bibtex").stdout
    ok = run("--db", db, "set", "knuth84", "year=1984", "month=may", "doi=10.1093/comjnl/27.2.97",
             "url=https://doi.org/10.1093/comjnl/27.2.97")
    assert ok.exit_code == 0, ok.stderr
    editor = _editor(tmp_path, "t = open(path).read().replace('1984', 'nineteen')\nopen(path, 'w').write(t)\n")
    result = run("--db", db, "edit", "knuth84", env={"EDITOR": editor})
    assert result.exit_code == 2 and "year must be a year" in result.stderr and "nothing changed" in result.stderr


def test_set_and_edit_refuse_an_identifier_another_entry_holds(run, tmp_path):
    db = _imported(run, tmp_path)
    src = tmp_path / "more.bib"
    src.write_text("@misc{ho2020, title = {Denoising Diffusion Probabilistic Models}, year = 2020,"
                   " eprint = {2006.11239}, archiveprefix = {arXiv}}\n", encoding="utf-8")
    assert run("--db", db, "import", "bibtex", str(src)).exit_code == 0
    result = run("--db", db, "set", "knuth84", "eprint=2006.11239")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: arXiv id 2006.11239 is already ho2020's")
    editor = _editor(tmp_path, "t = open(path).read().replace('year', 'eprint = {2006.11239},\\n  year')\n"
                               "open(path, 'w').write(t)\n")
    result = run("--db", db, "edit", "knuth84", env={"EDITOR": editor})
    assert result.exit_code == 1 and "ho2020" in result.stderr and "unexpected" not in result.stderr
    assert json.loads(run("--db", db, "show", "knuth84", "--json").stdout).get("arxiv_id") is None
