"""Startup: the everyday commands (and every TAB, and --help) must not pay for arxiv, requests,
bibtexparser or pydantic, nor for building the whole command tree."""

import json
import os
import subprocess
import sys

import pytest

from conftest import on_a_terminal

HEAVY = ("arxiv", "requests", "bibtexparser", "pydantic", "lxml", "sqlite_utils", "rapidfuzz", "mcp")
# Parts of papershelf (and the stdlib) only some commands need: recovery, backups, the TOML of the
# topic rules (read for tag filters and when entries are added, not for every search), and the
# door with its vocabulary (what writes: a read does not load it).
NOT_AT_STARTUP = ("papershelf.services.maintenance", "papershelf.storage.integrity",
                  "papershelf.storage.backups", "papershelf.services.edit", "tomllib",
                  "papershelf.model.identifiers", "papershelf.model.identity",
                  "papershelf.services.door", "papershelf.services.door_records",
                  "papershelf.services.door_changes", "papershelf.storage.changes")

PROBE = """
import json, sys
before = set(sys.modules)  # what the interpreter loaded itself (a .pth file may import packages)
sys.argv = ["papershelf", *json.loads(sys.argv[1])]
from papershelf.cli import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\nMODULES=" + json.dumps(sorted(set(sys.modules) - before)) + "\\n")
"""


@pytest.mark.parametrize("args", [["--help"], ["list", "--limit", "20"], ["search", "lora"],
                                  ["search", "蒸餾", "--json"], ["show", "hu2022lora"]])
def test_everyday_commands_import_nothing_heavy(bundled, args):
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True,
                            text=True, env=os.environ.copy(), timeout=60)
    line = [ln for ln in result.stderr.splitlines() if ln.startswith("MODULES=")][-1]
    loaded = set(json.loads(line[len("MODULES="):]))
    assert result.stdout.strip(), result.stderr
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert heavy == [], f"papershelf {' '.join(args)} imported {heavy}"
    if args != ["--help"]:
        extra = sorted(set(NOT_AT_STARTUP) & loaded)
        assert extra == [], f"papershelf {' '.join(args)} imported {extra}"


def test_pipes_do_not_load_rich_tables(bundled):
    """Into a pipe, list/search print plain lines; Rich's table machinery is not imported."""
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(["search", "lora"])],
                            capture_output=True, text=True, timeout=60)
    loaded = set(json.loads(result.stderr.split("MODULES=")[-1]))
    assert "rich.table" not in loaded
    assert result.stdout.startswith("hu2022lora\t")


def _loaded(args: list[str], env_extra: dict | None = None) -> tuple[set[str], str]:
    env = {**os.environ, **(env_extra or {})}
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True,
                            text=True, env=env, timeout=60)
    line = [ln for ln in result.stderr.splitlines() if ln.startswith("MODULES=")][-1]
    return set(json.loads(line[len("MODULES="):])), result.stdout


def _command_modules() -> set[str]:
    from papershelf.cli import COMMANDS

    return {"papershelf.cli." + target.split(":")[0] for target, _ in COMMANDS.values()}


COMMAND_MODULES = _command_modules()


def test_help_imports_no_command_and_no_rich():
    """The root --help lists the commands from the registry: no command module is imported,
    and the help is plain (Typer's Rich help pulls in rich.markdown and markdown_it)."""
    loaded, out = _loaded(["--help"])
    assert "Global options work before or after the command" in out
    from papershelf.cli import COMMANDS

    listed = [line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.startswith("  ")]
    assert [name for name in COMMANDS if name in listed] == list(COMMANDS)  # all, in table order
    assert sorted(m for m in loaded if m in COMMAND_MODULES) == []
    assert sorted(m for m in loaded if m.split(".")[0] in ("rich", "markdown_it")) == []


def test_a_command_imports_only_its_own_module(bundled):
    loaded, _ = _loaded(["list", "--limit", "2"])
    assert sorted(m for m in loaded if m in COMMAND_MODULES) == ["papershelf.cli.browse"]


@pytest.mark.parametrize("words", ["papershelf show ho", "papershelf list --tag lo",
                                   "papershelf list --sort y", "papershelf export bibtex --style b"])
def test_a_tab_imports_nothing_heavy(bundled, words):
    parts = words.split(" ")
    loaded, out = _loaded([], {"_PAPERSHELF_COMPLETE": "complete_bash", "COMP_WORDS": words,
                               "COMP_CWORD": str(len(parts) - 1)})
    assert out.split(), f"no completion for {words!r}"
    heavy = sorted(m for m in loaded if m.split(".")[0] in (*HEAVY, "rich", "typer"))
    assert heavy == [], f"a TAB after {words!r} imported {heavy}"
    assert sorted(set(NOT_AT_STARTUP) & loaded) == []
    assert sorted(m for m in loaded if m in COMMAND_MODULES) == []  # answered before Typer (cli._quick)


@pytest.mark.parametrize("words", ["papershelf show ho", "papershelf list --tag lo", "papershelf list --sort y"])
def test_a_tab_imports_no_typing(bundled, words):
    """Nor typing (~4 ms of a ~30 ms TAB): the modules a TAB reads use collections' named tuples
    and a TYPE_CHECKING of their own; nor dataclasses (it imports inspect). Run without the
    site module (-S; papershelf and platformdirs, all a TAB needs beside the standard library,
    found through PYTHONPATH), so that a package some .pth file imports at start-up cannot hide
    what it loads."""
    import platformdirs

    import papershelf

    parts = words.split(" ")
    path = [os.path.dirname(os.path.dirname(m.__file__)) for m in (papershelf, platformdirs)]
    env = {**os.environ, "_PAPERSHELF_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(len(parts) - 1), "PYTHONPATH": os.pathsep.join(path)}
    result = subprocess.run([sys.executable, "-S", "-c", PROBE, "[]"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.stdout.split(), result.stderr
    loaded = set(json.loads(result.stderr.split("MODULES=")[-1]))
    assert sorted(m for m in loaded if m in ("typing", "dataclasses", "inspect")) == []


def test_a_tab_typer_answers_imports_only_its_command(bundled):
    """What the quick responder leaves to Typer (here: option names) loads one command module."""
    loaded, out = _loaded([], {"_PAPERSHELF_COMPLETE": "complete_bash", "COMP_WORDS": "papershelf show --js",
                               "COMP_CWORD": "2"})
    assert out.split() == ["--json"]
    assert sorted(m for m in loaded if m.split(".")[0] in (*HEAVY, "rich")) == []
    assert sorted(m for m in loaded if m in COMMAND_MODULES) == ["papershelf.cli.browse"]


@pytest.mark.parametrize("args", [["list"], ["search", "lora"]])
def test_pipes_load_no_rich_at_all(bundled, args):
    loaded, out = _loaded(args)
    assert out
    assert sorted(m for m in loaded if m.split(".")[0] == "rich") == []


def _loaded_on_a_terminal(args: list[str]) -> tuple[set[str], str]:
    """``_loaded`` with standard output on a pseudo-terminal (100 columns, no pager)."""
    env = {**os.environ, "PAPERSHELF_PAGER": "", "PAGER": "cat", "COLUMNS": "100", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    out, stderr = on_a_terminal([sys.executable, "-c", PROBE, json.dumps(args)], env, stderr_too=False)
    line = [ln for ln in stderr.splitlines() if ln.startswith("MODULES=")][-1]
    return set(json.loads(line[len("MODULES="):])), out


def test_show_on_a_terminal_loads_no_rich(bundled):
    """``show`` on a terminal lays out its fields itself (``table.detail_screen``): no Rich, so
    it costs no more than a ``search`` into a pipe."""
    loaded, out = _loaded_on_a_terminal(["show", "hu2022lora"])
    assert "hu2022lora" in out and "\x1b[1;36m" in out  # the key, in bold cyan
    assert sorted(m for m in loaded if m.split(".")[0] == "rich") == []
    searched, _ = _loaded(["search", "lora"])
    assert sorted(m for m in loaded - searched if not m.startswith("papershelf.")) == []  # no library more
