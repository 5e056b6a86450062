"""Every input file a command reads has a type and a size limit (``files.read_input`` /
``files.read_stream``): a FIFO, a device, a directory or a symlink loop is one line (exit 2),
never a blocked read or gigabytes in memory; standard input is bounded too."""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import installed_script
from hostile_nodes import make_node


def _node(kind: str, tmp_path) -> str:
    return str(make_node(kind, tmp_path / f"input-{kind.strip('/').replace('/', '-')}"))


def _cli(args: list[str], home, stdin=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_DATA_HOME": str(home / "xdg_data_home"), "XDG_CACHE_HOME": str(home / "xdg_cache_home"),
           "XDG_STATE_HOME": str(home / "xdg_state_home"), "XDG_CONFIG_HOME": str(home / "xdg_config_home")}
    return subprocess.run([installed_script(), *args], capture_output=True, timeout=120, env=env,
                          stdin=stdin if stdin is not None else subprocess.DEVNULL)


@pytest.mark.parametrize("kind", ["fifo", "directory", "symlink-loop", "symlink-to-zero", "/dev/zero", "/dev/urandom",
                                  "/dev/null"])
@pytest.mark.parametrize("command", [["import", "bibtex"], ["import", "bibtex", "--dry-run"], ["add", "--file"],
                                     ["import", "markdown", "--offline"]])
def test_an_input_that_is_not_a_regular_file_is_one_line(bundled, tmp_path, command, kind):
    result = _cli([*command, _node(kind, tmp_path)], tmp_path)
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode in ((1, 2) if kind == "symlink-loop" else (2,)), err  # a loop: "cannot read", 1
    assert "unexpected" not in err and "MemoryError" not in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if line.lower().startswith("error:")]) == 1


@pytest.mark.parametrize("args", [["add", "-"], ["add", "--file", "-"], ["note", "hu2022lora", "-"],
                                  ["import", "markdown", "--offline", "-"]])
def test_standard_input_is_bounded(bundled, tmp_path, args):
    with open("/dev/zero", "rb") as zero:
        result = _cli(args, tmp_path, stdin=zero)
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2 and "holds more than" in err, err


def test_a_list_of_ids_that_is_not_utf8_is_one_line(run, bundled, tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_bytes(b"2106.09685\n\xff\xfe\n")
    result = run("add", "--file", str(ids))
    assert result.exit_code == 2 and "not UTF-8" in result.stderr, result.stderr
