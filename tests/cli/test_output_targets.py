"""Outputs go only to regular files (``files.check_target`` / ``files.atomic_write``): every
command that writes a file a user names refuses a device, a FIFO, a socket, a directory or a
symlink loop with one line (exit 2), never blocks, never replaces a node that is not a file; a
killed export's temporary file is removed by the next export, and only files of that pattern."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import installed_script
from hostile_nodes import make_node


def _make(kind: str, tmp_path: Path) -> Path:
    devices = {"dev-full": "/dev/full", "dev-null": "/dev/null", "dev-zero": "/dev/zero", "proc-dir": "/proc/self"}
    return make_node(devices.get(kind, kind), tmp_path / f"out-{kind}.bib")


NOT_FILES = ["fifo", "socket", "directory", "symlink-loop", "symlink-cycle", "symlink-to-fifo",
             "symlink-to-null", "symlink-to-directory", "dev-full", "dev-null", "dev-zero", "proc-dir"]


def _cli(args: list[str], env_home: Path) -> subprocess.CompletedProcess:
    """The installed script in a subprocess: a FIFO that blocked would end in TimeoutExpired."""
    env = {**os.environ, "XDG_DATA_HOME": str(env_home / "xdg_data_home"),
           "XDG_STATE_HOME": str(env_home / "xdg_state_home"), "XDG_CACHE_HOME": str(env_home / "xdg_cache_home"),
           "XDG_CONFIG_HOME": str(env_home / "xdg_config_home")}
    return subprocess.run([installed_script(), *args], capture_output=True, text=True, timeout=120, env=env)


def _mode(path: Path) -> int | None:
    try:
        return os.lstat(path).st_mode
    except OSError:
        return None


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize("kind", NOT_FILES)
def test_export_o_refuses_anything_but_a_regular_file(bundled, tmp_path, kind, force):
    target = _make(kind, tmp_path)
    before = _mode(target)
    result = _cli(["export", "bibtex", "-o", str(target), *(["--force"] if force else [])], tmp_path)
    assert result.returncode == 2, result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    # one error line (a directory is refused by the option parser itself, in its usage style)
    assert len([line for line in result.stderr.splitlines() if line.lower().startswith("error:")]) == 1
    assert _mode(target) == before  # the node is what it was
    if target == Path("/dev/full"):
        assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize("kind", ["fifo", "symlink-loop", "dev-full", "directory"])
def test_watch_refuses_them_too(bundled, tmp_path, kind):
    aux = tmp_path / "doc.aux"
    aux.write_text("\\citation{hu2022lora}\n")
    target = _make(kind, tmp_path)
    result = _cli(["export", "bibtex", "--aux", str(aux), "-o", str(target), "--watch", "--force"], tmp_path)
    assert result.returncode == 2 and "unexpected" not in result.stderr, result.stderr


@pytest.mark.parametrize("kind", ["fifo", "symlink-loop", "dev-full", "socket"])
def test_db_backup_to_a_non_file_is_one_line(bundled, tmp_path, kind):
    target = _make(kind, tmp_path)
    before = _mode(target)
    result = _cli(["db", "backup", str(target)], tmp_path)
    assert result.returncode in (1, 2) and result.stderr.startswith("error:"), result.stderr
    assert "unexpected" not in result.stderr and _mode(target) == before


def test_a_regular_file_a_symlink_to_one_and_a_new_name_are_written(run, bundled, tmp_path):
    real = tmp_path / "real.bib"
    real.write_text("old")
    link = tmp_path / "link.bib"
    link.symlink_to(real)
    for target in (real, link, tmp_path / "new.bib"):
        result = run("export", "bibtex", "-o", str(target), "--force")
        assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and real.read_text().startswith("% Written by papershelf")
    assert (tmp_path / "new.bib").read_text() == real.read_text()


def test_a_killed_exports_temporary_file_is_removed_by_the_next_and_nothing_else(run, bundled, tmp_path):
    out = tmp_path / "refs.bib"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()  # a pid that has exited
    day_old = time.time() - 2 * 24 * 3600
    files = {
        f".refs.bib.papershelf-{dead}-deadbeef.tmp": False,  # its process is gone: removed
        f".refs.bib.papershelf-{os.getpid()}-0badf00d.tmp": True,  # a live process's: kept
        ".refs.bib.1234abcd.tmp": True,  # an older version's name, fresh: kept
        ".refs.bib.abcd1234.tmp": False,  # an older version's name, two days old: removed
        ".refs.bib.notours.tmp": True,  # not the pattern: never touched
        f".other.bib.papershelf-{dead}-deadbeef.tmp": True,  # another file's: never touched
        "refs.bib.papershelf-1-deadbeef.tmp": True,  # not hidden: not the pattern
    }
    for name in files:
        (tmp_path / name).write_text("x" * 1000)
    os.utime(tmp_path / ".refs.bib.abcd1234.tmp", (day_old, day_old))
    assert run("export", "bibtex", "-o", str(out)).exit_code == 0
    for name, kept in files.items():
        assert (tmp_path / name).exists() == kept, name
    assert not [p for p in tmp_path.glob(".refs.bib.papershelf-*") if str(os.getpid()) not in p.name]


def test_a_killed_export_leaves_only_a_file_the_next_export_removes(bundled, tmp_path):
    out = tmp_path / "refs.bib"
    proc = subprocess.Popen([installed_script(), "export", "bibtex", "-o", str(out)],
                            env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg_data_home"),
                                 "XDG_STATE_HOME": str(tmp_path / "xdg_state_home"),
                                 "XDG_CACHE_HOME": str(tmp_path / "xdg_cache_home")},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proc.kill()
    proc.wait()
    result = _cli(["export", "bibtex", "-o", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".refs")) == []


@pytest.mark.parametrize("where, code", [
    ("missing-dir/refs.bib", 3),
    ("a-file/refs.bib", 3),
    ("dangling-into-missing", 3),
    ("name-too-long", 1),
])
def test_impossible_output_paths_are_one_line(run, bundled, tmp_path, where, code):
    (tmp_path / "a-file").write_text("x")
    if where == "dangling-into-missing":
        (tmp_path / where).symlink_to(tmp_path / "nowhere" / "refs.bib")
        target = tmp_path / where
    elif where == "name-too-long":
        target = tmp_path / ("n" * 300 + ".bib")
    else:
        target = tmp_path / where
    result = run("export", "bibtex", "-o", str(target))
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert result.exit_code == code, result.stderr
