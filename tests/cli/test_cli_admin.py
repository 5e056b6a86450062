"""init, stats, env, db, --version, and how the catalogue file is chosen."""

import json
import sqlite3

from papershelf import __version__


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"papershelf {__version__}"


def test_init_explicit_path_and_empty(run, tmp_path):
    db = tmp_path / "thesis.db"
    assert run("--db", str(db), "init", "--empty").exit_code == 0
    assert json.loads(run("--db", str(db), "list", "--json").stdout) == []
    again = run("--db", str(db), "init")
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_env_var_chooses_the_catalogue(run, tmp_path):
    db = tmp_path / "env.db"
    assert run("init", env={"PAPERSHELF_DB": str(db)}).exit_code == 0
    assert db.exists()
    assert len(json.loads(run("list", "--json", env={"PAPERSHELF_DB": str(db)}).stdout)) == 26


def test_read_command_on_missing_explicit_db_creates_nothing(run, tmp_path):
    db = tmp_path / "typo.db"
    result = run("--db", str(db), "search", "lora")
    assert result.exit_code == 3
    assert "no catalogue at" in result.stderr
    assert "Traceback" not in result.stderr
    assert not db.exists()


def test_not_a_catalogue(run, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("this is not sqlite")
    result = run("--db", str(junk), "list")
    assert result.exit_code == 1
    assert "not a papershelf catalogue" in result.stderr
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE mine (x)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    result = run("--db", str(other), "list")
    assert result.exit_code == 1 and "not a papershelf catalogue" in result.stderr
    assert other.read_bytes() == before


def test_stats(run, bundled):
    data = json.loads(run("stats", "--json").stdout)
    assert data["total"] == 26
    assert data["by_type"]["book"] == 4
    assert sum(data["by_year"].values()) == 26
    table = run("stats")
    assert table.exit_code == 0 and "by type" in table.stdout


def test_show_by_arxiv_url_and_doi(run, bundled):
    by_url = json.loads(run("show", "https://arxiv.org/abs/2106.09685v2", "--json").stdout)
    assert by_url["citekey"] == "hu2022lora"
    by_doi = json.loads(run("show", "https://doi.org/10.1109/ICCV51070.2023.00355", "--json").stdout)
    assert by_doi["citekey"] == "zhang2023adding"


def test_show_prints_every_field(run, bundled):
    data = json.loads(run("show", "ho2020denoising", "--json").stdout)
    for key in ("citekey", "type", "title", "authors", "author_parts", "year", "date", "abstract",
                "booktitle", "pages", "arxiv_id", "doi", "url", "tags", "notes", "section", "links",
                "added", "updated"):
        assert key in data
    text = run("show", "ho2020denoising").stdout
    assert "Denoising Diffusion Probabilistic Models" in text and "6840--6851" in text


def test_unknown_key_is_exit_3(run, bundled):
    result = run("show", "nobody2099nothing")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: no entry 'nobody2099nothing'")


def test_env_lists_every_variable(run):
    data = json.loads(run("env", "--json").stdout)
    assert {"PAPERSHELF_DB", "PAPERSHELF_ARXIV_URL"} <= set(data["variables"])


def test_db_info_and_backup(run, bundled, tmp_path):
    info = json.loads(run("db", "info", "--json").stdout)
    assert info["entries"] == 26 and info["schema"] == info["latest_schema"]
    target = tmp_path / "copy.db"
    assert run("db", "backup", str(target)).exit_code == 0
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 26
    assert run("db", "backup", str(target)).exit_code == 1  # never overwrites


def test_unexpected_errors_are_one_line_unless_debug(run, bundled, monkeypatch):
    from papershelf.storage import catalogue

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(catalogue.Catalogue, "stats", boom)
    result = run("stats")
    assert result.exit_code == 1
    assert "unexpected RuntimeError: kaboom" in result.stderr
    assert "Traceback" not in result.stderr
    import pytest

    with pytest.raises(RuntimeError):
        run("--debug", "stats")
