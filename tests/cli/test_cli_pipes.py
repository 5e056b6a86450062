"""A reader of the pipe that goes away (``papershelf export bibtex | head``) ends the run
quietly with exit 0, as git does: no traceback, no "closed database", whichever command writes
and whether our writes or Rich's notice it. Real processes and real pipes."""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import installed_script
from entry_factory import generated


@pytest.fixture
def big_catalogue(library_of, tmp_path):
    """A catalogue whose exports are far larger than a pipe's buffer (64 KiB)."""
    lib = library_of(generated(1500), name="big.db")
    lib.close()
    return tmp_path / "big.db"


def _head(args: list[str], db, lines: int = 1) -> tuple[int, str]:
    """Run papershelf with stdout into a pipe, read ``lines`` lines, close the pipe."""
    env = {**os.environ, "COLUMNS": "80"}
    proc = subprocess.Popen([installed_script(), "--db", str(db), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    for _ in range(lines):
        proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    return proc.wait(timeout=120), err


@pytest.mark.parametrize("args", [
    ["export", "bibtex"],
    ["export", "bibtex", "--style", "biblatex"],
    ["export", "csl-json"],
    ["export", "markdown"],
    ["list"],
    ["search", "diffusion"],
    ["stats"],
    ["env"],
    ["list", "--help"],
])
def test_a_closed_pipe_ends_quietly_with_exit_0(big_catalogue, args):
    code, err = _head(args, big_catalogue)
    assert "Traceback" not in err and "closed database" not in err and "Error" not in err, err
    assert code == 0, err


def test_an_error_is_still_an_error_into_a_pipe(big_catalogue):
    code, err = _head(["show", "no-such-key"], big_catalogue)
    assert code == 3 and err.startswith("error: no entry")
