"""Every ``--help`` ends with examples, as the README promises: the root, every command and
every subcommand, found by walking the command tree (a new command without examples fails
here). Each example names a command that exists and options that command has."""

from __future__ import annotations

import shlex

import pytest

from papershelf.cli import COMMANDS, app


def _tree() -> list[list[str]]:
    """Every command path: [], ["list"], …, ["export", "bibtex"], …"""
    from typer.main import get_command

    root = get_command(app)
    ctx = root.make_context("papershelf", ["--help"], resilient_parsing=True)
    paths: list[list[str]] = [[]]

    def walk(cmd, path):
        for name in cmd.list_commands(ctx) if hasattr(cmd, "list_commands") else []:
            sub = cmd.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                paths.append([*path, name])
                walk(sub, [*path, name])

    walk(root, [])
    return paths


PATHS = _tree()


def test_the_walk_finds_every_registered_command_and_the_subcommands():
    assert {p[0] for p in PATHS if p} == set(COMMANDS)
    assert ["export", "bibtex"] in PATHS and ["db", "restore"] in PATHS and ["arxiv", "search"] in PATHS
    assert len(PATHS) > len(COMMANDS) + 10


def _examples(help_text: str) -> list[str]:
    lines = [line.strip(" │") for line in help_text.splitlines()]
    lines = [line.strip() for line in lines if line.strip(" ╰─╯")]
    heads = [i for i, line in enumerate(lines) if line.rstrip(":") == "Examples"]
    assert heads, "no Examples section:\n" + help_text
    return lines[heads[-1] + 1:]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "papershelf")
def test_every_help_ends_with_examples_that_name_real_options(run, path):
    result = run(*path, "--help")
    assert result.exit_code == 0, result.stderr
    examples = _examples(result.stdout)
    assert examples and all("papershelf" in line for line in examples), result.stdout
    for line in examples:
        words = shlex.split(line[line.index("papershelf"):].split("|")[0].split(")")[0])[1:]
        while words and words[0] in ("--db", "-q", "--quiet", "--debug"):  # global options first
            del words[:2 if words[0] == "--db" else 1]
        command: list[str] = []
        while words and [*command, words[0]] in PATHS:
            command.append(words.pop(0))
        assert command, f"{line!r} names no command"
        page = run(*command, "--help").stdout
        for word in words:
            if word.startswith("-") and word != "-":
                assert word.split("=")[0] in page, f"{line!r}: {word} is no option of {' '.join(command)}"
