"""``papershelf --help`` before Typer loads (``cli._quick.root_help``): the text it prints is
the one Typer prints, side by side, and whatever it cannot be sure of (a narrower layout, a
registry that changed since the text was made) is left to Typer."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from conftest import MAIN_TELLS_TYPER
from papershelf.cli import _quick
from papershelf.cli._help_text import HELP

PROBE = MAIN_TELLS_TYPER  # the console script's way in, telling whether Typer was loaded


def _papershelf(args: list[str], columns: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = columns
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          env=env, timeout=60)


def test_the_help_text_is_current():
    assert _quick.typer_root_help(80) == HELP + "\n", \
        "stale: run completions/regenerate.sh (python -m papershelf.cli._quick)"


@pytest.mark.parametrize("args", [["--help"], ["-h"]])
@pytest.mark.parametrize("columns", ["80", "132", None])  # None: a pipe, no COLUMNS (80 then)
def test_help_is_typers_without_loading_typer(args, columns):
    result = _papershelf(args, columns)
    assert result.returncode == 0, result.stderr
    assert result.stdout == _quick.typer_root_help(int(columns or 80))
    assert result.stderr == "TYPER=False\n"


def test_a_narrower_layout_is_typers():
    result = _papershelf(["--help"], "60")
    assert result.returncode == 0
    assert result.stdout == _quick.typer_root_help(60) != HELP + "\n"  # wrapped at 58 columns
    assert result.stderr == "TYPER=True\n"


@pytest.mark.parametrize("args", [["--help", "list"], ["list", "--help"], ["--db", "x.db", "--help"], ["--hel"]])
def test_anything_else_is_typers(args):
    assert "TYPER=True" in _papershelf(args, "80").stderr


def test_a_changed_registry_is_typers(monkeypatch):
    from papershelf.cli import _commands

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setitem(_commands.COMMANDS, "new", ("browse:show", "A command the text does not list."))
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert _quick.root_help() is None  # returned: Typer shows it
    assert out.getvalue() == ""


def test_a_reader_that_went_away_is_a_quiet_exit_0(monkeypatch):
    class Gone(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

        def fileno(self) -> int:
            raise io.UnsupportedOperation

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys, "stdout", Gone())
    with pytest.raises(SystemExit) as exit_:
        _quick.root_help()
    assert exit_.value.code == 0
