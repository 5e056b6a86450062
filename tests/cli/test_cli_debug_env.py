"""PAPERSHELF_DEBUG: only 1/true/yes/on turn debug on; anything unknown is a warning, not debug."""

from __future__ import annotations

import pytest

from papershelf.cli import _context


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(_context, "_warned_debug", set())


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "On", " on "])
def test_these_values_enable_debug(monkeypatch, value):
    monkeypatch.setenv("PAPERSHELF_DEBUG", value)
    assert _context.env_debug() is True


@pytest.mark.parametrize("value", ["", "0", "false", "No", "OFF"])
def test_these_values_disable_it_silently(monkeypatch, capsys, value):
    monkeypatch.setenv("PAPERSHELF_DEBUG", value)
    assert _context.env_debug() is False
    assert capsys.readouterr().err == ""


def test_an_unknown_value_warns_naming_the_variable_and_debug_stays_off(run, bundled, monkeypatch):
    monkeypatch.setenv("PAPERSHELF_DEBUG", "maybe")
    result = run("show", "no-such-key")
    assert result.exit_code == 3
    assert "warning: PAPERSHELF_DEBUG='maybe'" in result.stderr
    assert result.stderr.count("PAPERSHELF_DEBUG") == 1
    assert "Traceback" not in result.stderr
    # debug stays off: an unexpected error is one line, not a traceback
    from papershelf.services import library

    monkeypatch.setattr(library.Library, "get", lambda self, ref: 1 / 0)
    result = run("show", "hu2022lora")
    assert result.exit_code == 1 and "unexpected ZeroDivisionError" in result.stderr
