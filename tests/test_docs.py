"""The README and --help stay true to the code: every command is documented and has help."""

import re
from pathlib import Path

import typer

from papershelf.cli import app
from papershelf.config import env_vars
from papershelf.errors import ExitCode

README = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")


def _commands(group, prefix=()):
    ctx = typer.Context(group)  # the root loads its commands lazily: ask it, not .commands
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        path = (*prefix, name)
        yield path, command
        if hasattr(command, "commands"):
            yield from _commands(command, path)


def test_every_command_has_help_and_is_in_the_readme():
    root = typer.main.get_command(app)
    missing = []
    for path, command in _commands(root):
        assert (command.help or command.short_help), f"{' '.join(path)} has no help text"
        words = " ".join(path)
        if f"`{words}" not in README and f"papershelf {words}" not in README:
            missing.append(" ".join(path))
    assert not missing, f"commands missing from README.md: {missing}"


def test_every_exit_code_is_in_the_readme():
    table = README[README.index("### Exit codes"):]
    for code in ExitCode:
        assert re.search(rf"^\| {int(code)} \|", table, re.M), f"exit code {int(code)} not documented"


def test_every_environment_variable_is_in_the_readme():
    for var in env_vars():
        assert f"`{var.name}`" in README, var.name


def test_readme_set_up_commands_are_the_ci_commands():
    ci = (Path(__file__).resolve().parent.parent / ".ci/run").read_text()
    test_command = "python -m pip install '.[test]' && python -m pytest"
    assert test_command in README and test_command in ci
    assert "python -m pip install . && papershelf search lora" in README
