"""The config file: precedence (default < file < env < option), errors that name the file and
line, and the catalogue it chooses."""

from __future__ import annotations

import pytest

from papershelf import config
from papershelf.config import ConfigError


@pytest.fixture
def cfg_file(isolated_home):
    path = isolated_home / "xdg_config_home" / "papershelf" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_defaults_without_a_file(cfg_file):
    assert not cfg_file.exists()
    assert config.get("export.style").origin == "default"
    assert config.value("export.style") == "bibtex"
    assert config.value("import.autotag") is True
    assert config.value("keys.pattern") == "{author}{year}{title}"


def test_precedence_default_file_env_option(cfg_file, monkeypatch):
    cfg_file.write_text('[import]\nautotag = false\n\n[export]\nstyle = "biblatex"\n', encoding="utf-8")
    got = config.get("export.style")
    assert (got.value, got.origin) == ("biblatex", "file")
    assert got.where.endswith("config.toml:5")
    assert config.get("import.autotag").value is False
    monkeypatch.setenv("PAPERSHELF_AUTOTAG", "1")
    assert (config.get("import.autotag").value, config.get("import.autotag").origin) == (True, "env")
    opt = config.get("import.autotag", False, option_name="--no-autotag")
    assert (opt.value, opt.origin) == (False, "option")


@pytest.mark.parametrize("text, line, says", [
    ('[export]\nstyle = "apa"\n', 2, "export.style must be one of bibtex, biblatex"),
    ('# mine\n[ui]\n\ncolor = "pink"\n', 4, "ui.color must be one of auto, always, never"),
    ('[keys]\npattern = "{surname}{year}"\n', 2, "unknown field {surname}"),
    ('[keys]\npattern = "plain"\n', 2, "at least one {field}"),
    ('[import]\nautotag = "maybe"\n', 2, "must be true or false"),
    ('[export]\nstlye = "bibtex"\n', 2, "unknown setting 'export.stlye'"),
])
def test_bad_values_name_the_file_and_line(cfg_file, text, line, says):
    cfg_file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        config.effective()
    assert f"config.toml:{line}:" in str(err.value)
    assert says in str(err.value)


def test_broken_toml_is_one_line(cfg_file):
    cfg_file.write_text('[export\nstyle = "bibtex"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        config.value("export.style")
    assert "config.toml" in str(err.value) and "line 1" in str(err.value)


def test_a_named_config_file_must_exist(monkeypatch, tmp_path):
    monkeypatch.setenv("PAPERSHELF_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="no such config file"):
        config.value("export.style")


def test_an_edited_file_is_read_again(cfg_file):
    cfg_file.write_text('[export]\nstyle = "biblatex"\n', encoding="utf-8")
    assert config.value("export.style") == "biblatex"
    cfg_file.write_text('[export]\nstyle = "bibtex"  # back\n', encoding="utf-8")
    assert config.value("export.style") == "bibtex"


def test_catalogue_path_precedence(cfg_file, monkeypatch, tmp_path):
    default = config.resolve_db(None)
    assert not default.explicit and default.path.name == "catalogue.db"
    cfg_file.write_text(f'[catalogue]\npath = "{tmp_path / "thesis.db"}"\n', encoding="utf-8")
    from_file = config.resolve_db(None)
    assert from_file.path == tmp_path / "thesis.db" and not from_file.explicit
    monkeypatch.setenv("PAPERSHELF_DB", str(tmp_path / "env.db"))
    assert config.resolve_db(None).path == tmp_path / "env.db"
    assert config.resolve_db(str(tmp_path / "opt.db")).path == tmp_path / "opt.db"


def test_no_toml_parser_without_a_file(cfg_file):
    import subprocess
    import sys

    code = ("import sys; from papershelf import config; config.effective(); "
            "print('tomllib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_config_command_shows_values_and_origins(run, cfg_file, monkeypatch):
    import json

    cfg_file.write_text('[export]\nstyle = "biblatex"\n', encoding="utf-8")
    monkeypatch.setenv("PAPERSHELF_AUTOTAG", "0")
    result = run("config", "--json")
    assert result.exit_code == 0, result.stderr
    got = {s["name"]: s for s in json.loads(result.stdout)["settings"]}
    assert (got["export.style"]["value"], got["export.style"]["origin"]) == ("biblatex", "file")
    assert got["export.style"]["where"].endswith("config.toml:2")
    assert (got["import.autotag"]["value"], got["import.autotag"]["origin"]) == (False, "env")
    assert got["keys.pattern"]["origin"] == "default"
    assert run("config", "--path").stdout.strip() == str(cfg_file)


def test_config_command_reports_a_bad_file_in_one_line(run, cfg_file):
    cfg_file.write_text('[ui]\ncolor = "pink"\n', encoding="utf-8")
    result = run("config")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[0] == (
        f"error: {cfg_file}:2: ui.color must be one of auto, always, never (got 'pink')")


def test_key_pattern_names_new_entries_and_leaves_old_keys(run, bundled, cfg_file):
    import json

    before = {e["citekey"] for e in json.loads(run("list", "--json").stdout)}
    cfg_file.write_text('[keys]\npattern = "{Author}_{year}"\n', encoding="utf-8")
    result = run("add", "--type", "book", "--title", "Deep Learning", "--author", "Ian Goodfellow",
                 "--year", "2016")
    assert result.exit_code == 0, result.stderr
    after = {e["citekey"] for e in json.loads(run("list", "--json").stdout)}
    assert after - before == {"Goodfellow_2016"}
    assert before <= after  # no existing key changed


def test_export_style_setting_and_the_option_over_it(run, bundled, cfg_file):
    cfg_file.write_text('[export]\nstyle = "biblatex"\n', encoding="utf-8")
    key = "ho2020denoising"
    from_setting = run("cite", key, "--full").stdout
    assert run("cite", key, "--full", "--style", "biblatex").stdout == from_setting
    assert run("cite", key, "--full", "--style", "bibtex").stdout != from_setting


def test_import_autotag_setting(run, bundled, cfg_file, tmp_path):
    import json

    bib = tmp_path / "x.bib"
    bib.write_text("@article{lora1, title={LoRA: Low-Rank Adaptation of Large Language Models}, "
                   "author={Hu, Edward}, year={2021}, journal={x}}\n", encoding="utf-8")
    cfg_file.write_text('[import]\nautotag = false\n', encoding="utf-8")
    assert run("import", "bibtex", str(bib)).exit_code == 0
    assert json.loads(run("show", "lora1", "--json").stdout)["tags"] == []
    run("remove", "lora1", "--yes")
    run("trash", "--empty", "--yes")
    assert run("import", "bibtex", str(bib), "--autotag").exit_code == 0
    assert json.loads(run("show", "lora1", "--json").stdout)["tags"] != []


def test_ui_color_never_and_always(run, bundled, cfg_file):
    cfg_file.write_text('[ui]\ncolor = "always"\n', encoding="utf-8")
    assert "\x1b[" in run("topics").stdout  # colours even into a pipe
    cfg_file.write_text('[ui]\ncolor = "never"\n', encoding="utf-8")
    assert "\x1b[" not in run("topics").stdout
