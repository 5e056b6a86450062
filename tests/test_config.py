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
    assert "config.toml:1: Expected" in str(err.value) and "(column 8)" in str(err.value)


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


# ── A config file that cannot be used: one line naming it (and the line), exit 2, for every
#    command, in a real process (the first command of a run, not a CliRunner's later one).

def _papershelf(*args: str, env: dict | None = None):
    import os
    import subprocess

    from conftest import installed_script

    return subprocess.run([installed_script(), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60)


def _one_error_line(result, *, starts: str) -> str:
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert lines and lines[0].startswith("error: " + starts), lines
    assert all(line.startswith("hint:") for line in lines[1:]), lines
    return lines[0]


def _write_bytes(path, data: bytes):
    path.write_bytes(data)


@pytest.mark.parametrize("content, says", [
    (b"[ui\n", ":1: Expected ']' at the end of a table declaration (column 4)"),
    (b'[export]\nstyle = "bibtex"\n[export]\n', ":3: Cannot declare ('export',) twice (column 8)"),
    (b'[ui]\ncolor = "pink"\n', ":2: ui.color must be one of auto, always, never (got 'pink')"),
    (b'[ui]\ncolour = "never"\n', ":2: unknown setting 'ui.colour'"),
    (b"[import]\nautotag = 1\n", ":2: import.autotag must be true or false (got 1)"),
    (b'[catalogue]\nbackups = "3"\n', ":2: catalogue.backups must be a whole number (got '3')"),
    (b"[trash]\ndays = 1.5\n", ":2: trash.days must be a whole number (got 1.5)"),
    (b"[catalogue]\nbusy_timeout = -1\n", ":2: catalogue.busy_timeout must be a number of seconds from 0"),
    (b"[catalogue]\nbusy_timeout = nan\n", ":2: catalogue.busy_timeout must be a number of seconds from 0"),
    (b"[cache]\ndays = true\n", ":2: cache.days must be a number (got true)"),
    (b"[ui]\ncolor = { a = 1 }\n", ":2: ui.color must be a string in quotes (got a table)"),
    (b'ui = "never"\n', ":1: 'ui' must be a [section]"),
    (b'[catalogue]\npath = "a\\u0000b.db"\n', ":2: catalogue.path must not contain control characters"),
    (b"[ui]\ncolor = \"\xff\"\n", ":2: the config file is not UTF-8 text"),
    (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", ":1: the config file nests more than 200 levels deep"),
    (b"x = " + b"{a=" * 300 + b"1" + b"}" * 300 + b"\n", ":1: the config file nests more than 200 levels deep"),
    (b"# " + b"x" * (1 << 20) + b"\n", ": the config file is larger than 1 MB"),
], ids=["toml", "twice", "choice", "unknown", "bool-type", "int-type", "int-float", "negative", "nan",
        "number-bool", "table", "not-a-section", "nul-in-path", "not-utf8", "deep-arrays", "deep-tables",
        "over-1mb"])
@pytest.mark.parametrize("command", [["list"], ["config"], ["search", "lora"], ["export", "bibtex"]])
def test_every_command_refuses_a_bad_config_file_in_one_line(cfg_file, content, says, command):
    cfg_file.write_bytes(content)
    line = _one_error_line(_papershelf(*command), starts=str(cfg_file))
    assert line == f"error: {cfg_file}{says}" or line.startswith(f"error: {cfg_file}{says}"), line


def test_a_directory_a_symlink_loop_and_a_fifo_are_one_line(cfg_file):
    import os

    cfg_file.mkdir()
    _one_error_line(_papershelf("config"), starts=f"{cfg_file}: the config file is a directory")
    cfg_file.rmdir()
    loop = cfg_file.parent / "loop.toml"
    loop.symlink_to(cfg_file)
    cfg_file.symlink_to(loop)
    _one_error_line(_papershelf("list"), starts=f"{cfg_file}: cannot read the config file (Too many levels")
    cfg_file.unlink()
    os.mkfifo(cfg_file)  # reading it would block for ever
    _one_error_line(_papershelf("list"), starts=f"{cfg_file}: the config file is not a regular file")
    _one_error_line(_papershelf("list", env={"PAPERSHELF_CONFIG": "/dev/zero"}),
                    starts="/dev/zero: the config file is not a regular file")
    assert _papershelf("config", env={"PAPERSHELF_CONFIG": os.devnull}).returncode == 0  # no settings


def test_help_and_config_path_still_work_with_a_bad_config_file(cfg_file):
    cfg_file.write_text("[ui\n", encoding="utf-8")
    for args in (["--help"], ["list", "--help"], ["export", "bibtex", "--help"]):
        result = _papershelf(*args)
        assert result.returncode == 0 and "Usage" in result.stdout, result.stderr
    found = _papershelf("config", "--path")  # $EDITOR "$(papershelf config --path)" mends it
    assert (found.returncode, found.stdout.strip()) == (0, str(cfg_file))


def test_a_bad_variable_is_the_same_kind_of_line(cfg_file):
    result = _papershelf("list", env={"PAPERSHELF_BACKUPS": "lots"})
    assert _one_error_line(result, starts="PAPERSHELF_BACKUPS: ") == (
        "error: PAPERSHELF_BACKUPS: catalogue.backups must be a whole number of backups from 1 to "
        "10000000 (got 'lots')")


def test_catalogue_path_in_a_folder_that_does_not_exist_is_refused(cfg_file, tmp_path):
    typo = tmp_path / "Dokuments" / "thesis.db"
    cfg_file.write_text(f'[catalogue]\npath = "{typo}"\n', encoding="utf-8")
    result = _papershelf("list")
    assert _one_error_line(result, starts=f"{cfg_file}:2: ") == (
        f"error: {cfg_file}:2: catalogue.path names {typo}, whose folder does not exist (a typo?)")
    assert "mkdir -p" in result.stderr and not typo.parent.exists()
    # In a folder that exists, a new catalogue is made on first use, and said so.
    typo.parent.mkdir()
    made = _papershelf("list")
    assert made.returncode == 0 and f"Created your catalogue at {typo}" in made.stderr


@pytest.mark.parametrize("name, env, text, value", [
    ("catalogue.busy_timeout", "PAPERSHELF_BUSY_TIMEOUT", "2.5", 2.5),
    ("catalogue.backups", "PAPERSHELF_BACKUPS", "4", 4),
    ("trash.days", "PAPERSHELF_TRASH_DAYS", "0", 0),
    ("cache.days", "PAPERSHELF_CACHE_DAYS", "0.5", 0.5),
])
def test_each_setting_comes_from_the_file_or_its_variable(cfg_file, monkeypatch, name, env, text, value):
    section, key = name.split(".")
    cfg_file.write_text(f"[{section}]\n{key} = {text}\n", encoding="utf-8")
    got = config.get(name)
    assert (got.value, got.origin) == (value, "file")
    monkeypatch.setenv(env, "1")
    got = config.get(name)
    assert (got.value, got.origin, got.where) == (1, "env", env)


def test_the_layers_read_the_declared_settings(cfg_file):
    from papershelf.services.export_cache import cache_days
    from papershelf.services.maintenance import trash_days
    from papershelf.sources.metadata.settings import Settings
    from papershelf.storage.db import backup_limit, busy_timeout

    cfg_file.write_text("[catalogue]\nbusy_timeout = 3\nbackups = 2\n[trash]\ndays = 9\n[cache]\ndays = 0\n",
                        encoding="utf-8")
    assert (busy_timeout(), backup_limit(), trash_days(), cache_days()) == (3.0, 2, 9, 0.0)
    assert Settings.from_env({}).cache_days == 0.0
    assert Settings.from_env({"PAPERSHELF_CACHE_DAYS": "2"}).cache_days == 2.0


def test_every_variable_of_a_setting_is_declared_with_it_and_listed_once():
    names = [v.name for v in config.env_vars()]
    assert len(names) == len(set(names))
    for setting in config.SETTINGS:
        if setting.env:
            assert setting.env in names
    import re
    from pathlib import Path

    src = Path(config.__file__).parent
    read = set()
    for path in src.rglob("*.py"):
        read |= set(re.findall(r"environ(?:\.get)?\(\s*\"(PAPERSHELF_[A-Z0-9_]+)\"", path.read_text()))
        read |= set(re.findall(r"getenv\(\s*\"(PAPERSHELF_[A-Z0-9_]+)\"", path.read_text()))
    # Read by hand only: the config file's own path, the catalogue (also an option) and debug.
    assert read <= {"PAPERSHELF_CONFIG", "PAPERSHELF_DB", "PAPERSHELF_DEBUG"}, read


def test_source_settings_come_from_the_file_too(cfg_file):
    from papershelf.sources.arxiv.settings import Settings as Arxiv
    from papershelf.sources.metadata.settings import Settings as Metadata

    cfg_file.write_text('[arxiv]\ndelay = 0.5\ntimeout = "2,20"\n[metadata]\ndblp_url = "http://127.0.0.1:9/"\n'
                        'retries = 0\nopenalex_api_key = "secret"\n[sources]\nmax_response_mb = 2\n',
                        encoding="utf-8")
    a = Arxiv.from_env({})
    assert (a.delay, a.connect_timeout, a.read_timeout, a.max_bytes) == (0.5, 2.0, 20.0, 2 * 1024 * 1024)
    m = Metadata.from_env({"PAPERSHELF_METADATA_RETRIES": "2"})
    assert (m.urls["dblp"], m.retries, m.openalex_api_key) == ("http://127.0.0.1:9", 2, "secret")
    cfg_file.write_text('[arxiv]\ntimeout = "2,x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.toml:2: arxiv.timeout must be SECONDS or CONNECT,READ"):
        Arxiv.from_env({})


def test_config_shows_an_api_key_only_as_set(run, cfg_file):
    import json

    cfg_file.write_text('[metadata]\ns2_api_key = "my-secret-key"\n', encoding="utf-8")
    for args in (["config"], ["config", "--json"]):
        result = run(*args)
        assert result.exit_code == 0 and "my-secret-key" not in result.stdout
    got = {s["name"]: s for s in json.loads(run("config", "--json").stdout)["settings"]}
    assert got["metadata.s2_api_key"]["value"] == "(set)" and got["metadata.openalex_api_key"]["value"] is None
