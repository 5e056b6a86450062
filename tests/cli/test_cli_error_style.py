"""Every error has one style: ``error: <what>`` on one line of stderr, maybe ``hint: <what to
do>`` after it, and the exit code. Click's usage errors too (no "Usage:" block, no "Error:"),
and no Rich markup is read in a message (a ``[section]`` stays)."""

from __future__ import annotations

import pytest


def _lines(result) -> list[str]:
    return result.stderr.splitlines()


@pytest.mark.parametrize("args, first, hint_command", [
    (["list", "--bogus"], "error: no such option: --bogus", "papershelf list"),
    (["--bogus"], "error: no such option: --bogus", "papershelf"),
    (["lst"], "error: no such command 'lst'. Did you mean 'list'", "papershelf"),
    (["show"], "error: missing argument 'key'", "papershelf show"),
    (["show", "a", "b"], "error: got unexpected extra argument", "papershelf show"),
    (["export", "bibtex", "--style"], "error: option '--style' requires an argument", "papershelf export"),
    (["list", "--limit", "many"], "error: invalid value for '--limit'", "papershelf list"),
])
def test_usage_errors_are_one_error_line_and_a_hint(run, bundled, args, first, hint_command):
    result = run(*args)
    assert result.exit_code == 2
    lines = _lines(result)
    assert len(lines) == 2 and lines[0].startswith(first), lines
    assert lines[1] == f"hint: `{hint_command} --help` shows its options and examples"
    assert result.stdout == ""


def test_other_errors_have_the_same_style(run, bundled):
    result = run("show", "no-such-key")
    assert result.exit_code == 3
    lines = _lines(result)
    assert lines[0] == "error: no entry 'no-such-key'" and all(x.startswith("hint: ") for x in lines[1:])


def test_a_message_is_shown_as_written_not_as_markup(run, bundled, isolated_home):
    cfg = isolated_home / "xdg_config_home" / "papershelf" / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text('ui = "never"\n', encoding="utf-8")
    result = run("config")
    assert result.exit_code == 2 and "'ui' must be a [section]" in result.stderr
