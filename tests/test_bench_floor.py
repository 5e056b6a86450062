"""bench_peers.py's floors: the --help floor is an argparse script with every command papershelf
has, and the harness names what an interpreter imports before running anything (a .pth file,
a sitecustomize), which every process of it pays, the floors included."""

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import peer_tools as pt

from papershelf.cli import COMMANDS


def test_the_help_floor_lists_every_command():
    commands = pt.papershelf_commands()
    assert [name for name, _ in commands] == list(COMMANDS)
    result = subprocess.run([sys.executable, "-c", pt.FLOOR_HELP, json.dumps(commands), "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for name, line in commands:  # each command, with the start of its line (argparse wraps the rest)
        assert f"    {name}" in result.stdout and line.split()[0] in result.stdout
    assert "--db <file>" in result.stdout


def test_what_an_interpreter_imports_at_start_is_named(tmp_path, monkeypatch):
    (tmp_path / "sitecustomize.py").write_text("import platformdirs\n", encoding="utf-8")
    import platformdirs

    where = str(Path(platformdirs.__file__).parents[1])
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}:{where}")
    assert "platformdirs" in pt.site_imports(Path(sys.executable))
    monkeypatch.setenv("PYTHONPATH", where)
    assert "platformdirs" not in pt.site_imports(Path(sys.executable))
