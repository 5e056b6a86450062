"""``papershelf search QUERY`` into a pipe and ``papershelf show KEY``, answered before Typer
loads (``cli._quick.command``): side by side with the command run by Typer, the same stdout,
stderr and exit status, and everything it is not sure of left to Typer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MAIN_TELLS_TYPER, on_a_terminal

PDF = Path(__file__).resolve().parent.parent / "data" / "pdf" / "crazyones-pdfa.pdf"

# The console script's way in, telling whether Typer was loaded (conftest.MAIN_TELLS_TYPER).
QUICK = MAIN_TELLS_TYPER

# The command as Typer runs it, with no answer before it.
TYPER = """
import sys
from papershelf.cli._app import app
from papershelf.cli._errors import run
sys.argv = ["papershelf", *sys.argv[1:]]
run(app)
"""


def _run(probe: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60)


def _both(args: list[str], env: dict[str, str] | None = None) -> tuple[bool, subprocess.CompletedProcess[str]]:
    """Whether the quick path answered; and the run, checked to be the same as Typer's."""
    quick, typer = _run(QUICK, args, env), _run(TYPER, args, env)
    stderr, _, loaded = quick.stderr.rpartition("TYPER=")
    assert (quick.stdout, stderr, quick.returncode) == (typer.stdout, typer.stderr, typer.returncode)
    return loaded.strip() == "False", quick


@pytest.mark.parametrize("query", [
    "diffusion", "lora", "LoRA", "蒸餾", "擴散模型", "ddpm", "author:ho", "tag:distillation",
    "year:2020..2022", "type:book", '"denoising diffusion"', "distill*", "diffusion NOT latent",
    "(lora OR controlnet) -survey", "2106.09685", "arXiv:2006.11239v2", "hu2022lora",
])
def test_what_it_finds_is_printed_as_typer_prints_it(bundled, query):
    quick, result = _both(["search", query])
    assert quick, result.stderr
    assert result.returncode == 0
    assert result.stdout.count("\n") >= 1
    assert all(line.count("\t") == 6 for line in result.stdout.splitlines())


@pytest.mark.parametrize("query", ["nothingmatcheszz", "tag:no-such-tag", "year:1066", "蒸餾 NOT 蒸餾"])
def test_nothing_found_is_said_as_typer_says_it(bundled, query):
    quick, result = _both(["search", query])
    assert quick
    assert result.returncode == 1 and result.stdout == "" and "match" in result.stderr.lower()


@pytest.mark.parametrize("query", ["title:(", "year:abc", "\"", "(lora", "lora AND", "NOT"])
def test_a_query_it_cannot_parse_is_said_as_typer_says_it(bundled, query):
    quick, result = _both(["search", query])
    assert quick
    assert result.returncode == 2 and result.stdout == "" and result.stderr.startswith("error: ")


def test_a_blank_query_is_typers(bundled):
    quick, result = _both(["search", "   "])
    assert not quick and result.returncode != 0


@pytest.mark.parametrize("args", [
    ["search", "lora", "--limit", "1"], ["search", "--json", "lora"], ["--db", "x.db", "search", "lora"],
    ["search", "-q", "lora"], ["search", "lora", "diffusion"], ["search"], ["search", "--", "lora"],
    ["search", "--help"],
])
def test_anything_but_one_query_is_typers(bundled, args):
    quick, _ = _both(args)
    assert not quick


def test_a_catalogue_not_made_yet_is_made_by_typer(default_db):
    assert not default_db.exists()
    result = _run(QUICK, ["search", "lora"])
    assert result.returncode == 0
    assert "TYPER=True" in result.stderr and "Created your catalogue" in result.stderr
    assert default_db.exists()
    quick, _ = _both(["search", "lora"])
    assert quick


def test_the_catalogue_named_by_the_environment(bundled, tmp_path):
    moved = tmp_path / "moved.db"
    bundled.rename(moved)
    quick, result = _both(["search", "lora"], {"PAPERSHELF_DB": str(moved)})
    assert quick and "hu2022lora" in result.stdout
    for named in (str(tmp_path), str(tmp_path / "missing.db"), " " + str(moved), "   "):
        quick, result = _both(["search", "lora"], {"PAPERSHELF_DB": named})
        assert not quick and result.returncode != 0


def test_blanks_in_the_environment_are_a_path_to_click_not_to_the_config(bundled, isolated_home):
    config = isolated_home / "xdg_config_home" / "papershelf" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"[catalogue]\npath = '{bundled}'\n")
    quick, result = _both(["search", "lora"], {"PAPERSHELF_DB": "   "})
    assert not quick and result.returncode != 0 and "no catalogue at" in result.stderr


def test_a_bad_setting_stops_it_as_any_command(bundled, isolated_home):
    config = isolated_home / "xdg_config_home" / "papershelf" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[ui]\ncolor = 'sometimes'\n")
    quick, result = _both(["search", "lora"])
    assert not quick and result.returncode == 2 and result.stderr.startswith("error:")


@pytest.mark.parametrize("value", ["1", "maybe"])
def test_debug_is_typers(bundled, value):
    quick, _ = _both(["search", "lora"], {"PAPERSHELF_DEBUG": value})
    assert not quick


def test_a_reader_that_went_away_is_a_quiet_exit_0(bundled):
    script = f'"{sys.executable}" -c \'{QUICK}\' search diffusion | head -1 >/dev/null; echo "exit=${{PIPESTATUS[0]}}" >&2'
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert "exit=0" in result.stderr
    assert "Traceback" not in result.stderr and "error" not in result.stderr


def test_it_loads_neither_typer_nor_rich(bundled):
    probe = QUICK.replace('"TYPER=" + str("typer" in sys.modules)',
                          '"TYPER=" + str(any(m in sys.modules for m in ("typer", "click", "rich")))')
    result = _run(probe, ["search", "lora"])
    assert result.returncode == 0 and result.stderr.endswith("TYPER=False\n"), result.stderr


def test_a_terminal_gets_typers_table(bundled, monkeypatch):
    from papershelf.cli import _quick

    written: list[str] = []

    class Terminal:
        def isatty(self) -> bool:
            return True

        def write(self, text: str) -> int:
            written.append(text)
            return len(text)

    monkeypatch.setattr(sys, "argv", ["papershelf", "search", "lora"])
    monkeypatch.setattr(sys, "stdout", Terminal())
    assert _quick.command() is None  # returned: Typer draws the table
    assert written == []


@pytest.mark.parametrize("key", ["hu2022lora", "HU2022LORA", "2106.09685", "arXiv:2106.09685v2"])
def test_show_prints_what_typer_prints(bundled, key):
    quick, result = _both(["show", key])
    assert quick, result.stderr
    assert result.returncode == 0 and "hu2022lora" in result.stdout


def test_show_lists_what_is_attached(run, bundled):
    assert run("attach", "ho2020denoising", str(PDF)).exit_code == 0
    quick, result = _both(["show", "ho2020denoising"])
    assert quick and "file: " in result.stdout and "(1 p., 16,368 bytes)" in result.stdout


@pytest.mark.parametrize("key", ["nosuchkey2031", "hu2022lorra", "2106.99999", "10.1000/nothing"])
def test_show_of_a_key_that_names_nothing_is_said_as_typer_says_it(bundled, key):
    quick, result = _both(["show", key])
    assert quick and result.returncode == 3 and result.stderr.startswith("error:")


@pytest.mark.parametrize("args", [["show", "--json", "hu2022lora"], ["show", "hu2022lora", "-q"]])
def test_show_with_an_option_is_typers(bundled, args):
    quick, _ = _both(args)
    assert not quick


def _on_a_terminal(probe: str, args: list[str]) -> tuple[str, str]:
    """stdout (read from a pseudo-terminal of 100 columns) and stderr of ``probe``."""
    env = {**os.environ, "PAPERSHELF_PAGER": "", "PAGER": "cat", "COLUMNS": "100", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    return on_a_terminal([sys.executable, "-c", probe, *args], env, stderr_too=False)


def test_show_on_a_terminal_is_typers_screen(bundled):
    out, err = _on_a_terminal(QUICK, ["show", "hu2022lora"])
    assert err.endswith("TYPER=False\n")
    assert (out, err.rpartition("TYPER=")[0]) == _on_a_terminal(TYPER, ["show", "hu2022lora"])
    assert "\x1b[1;36m" in out  # the key, in bold cyan


def test_search_on_a_terminal_is_typers_table(bundled):
    out, err = _on_a_terminal(QUICK, ["search", "lora"])
    assert err.endswith("TYPER=True\n") and "hu2022lora" in out
