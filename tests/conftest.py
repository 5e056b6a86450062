"""Shared fixtures: every test runs with its own data, config and cache dirs, never the user's,
and never the network (pytest-socket allows only 127.0.0.1, see pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from papershelf.cli import app

# The replay servers and their fixtures: arXiv (arxiv_server, arxiv_refused) and the metadata
# services (metadata_server, metadata_refused).
pytest_plugins = ["arxiv_server", "metadata_server"]

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
# The shared corpus (real .bib files, recorded answers) sits beside the checkout, as CI lays it.
SHARED = REPO.parent / "shared"


def pytest_configure(config):
    """In CI the corpus tests must run: a missing ../shared stops the run instead of letting
    every corpus test skip silently."""
    import os

    if os.environ.get("CI") and not (SHARED / "data").is_dir():
        raise pytest.UsageError(f"CI=true but {SHARED} is missing: the corpus tests cannot run")


def installed_script() -> str:
    """The installed ``papershelf`` console script: the one beside this interpreter (a venv,
    or a Python whose bin/ is not on PATH), else the first on PATH."""
    import shutil
    import sys

    beside = Path(sys.executable).parent / "papershelf"
    exe = str(beside) if beside.exists() else shutil.which("papershelf")
    assert exe, "the papershelf console script is not installed (pip install .)"
    return exe


# ``python -c MAIN_TELLS_TYPER ARGS…``: the console script's way in (``cli.main``) with ARGS,
# ending with ``TYPER=True`` or ``TYPER=False`` on stderr: whether Typer was loaded.
MAIN_TELLS_TYPER = """
import sys
from papershelf.cli import main
sys.argv = ["papershelf", *sys.argv[1:]]
try:
    main()
finally:
    sys.stderr.write("TYPER=" + str("typer" in sys.modules) + "\\n")
"""


def on_a_terminal(argv: list[str], env: dict[str, str], *, stderr_too: bool = True,
                  timeout: float = 60) -> tuple[str, str]:
    """Run ``argv`` with stdin and stdout (and stderr, with ``stderr_too``) on a pseudo-terminal
    of 24 rows and 100 columns: what it wrote there, and its stderr when that is a pipe."""
    import fcntl
    import os
    import pty
    import select
    import struct
    import subprocess
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen(argv, stdin=follower, stdout=follower,
                            stderr=follower if stderr_too else subprocess.PIPE, env=env, close_fds=True)
    os.close(follower)
    out = b""
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], timeout)
            if not ready:
                raise AssertionError(f"no output in {timeout} s: {out!r}")
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the program ended
                break
            if not chunk:
                break
            out += chunk
        err = "" if stderr_too else proc.communicate(timeout=timeout)[1].decode("utf-8", "replace")
    finally:
        proc.wait(timeout=timeout)
        os.close(leader)
    return out.decode("utf-8", "replace"), err


# The apt packages that bring each real tool the tests run (the same list as .ci/run).
TOOL_PACKAGES = {"bibtex": "texlive-binaries texlive-base", "biber": "biber", "pandoc": "pandoc",
                 "pdflatex": "texlive-latex-base"}


def need_tool(tool: str) -> str:
    """The path of a real tool a test runs (bibtex, biber, pandoc, pdflatex). Outside CI a
    missing tool skips the test (the reason is shown with -ra); in CI (CI=true) it fails the
    test, so the checks cannot silently stop running."""
    import os
    import shutil

    path = shutil.which(tool)
    if path:
        return path
    message = f"{tool} is not installed (apt-get install {TOOL_PACKAGES[tool]})"
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(message + "; CI must run this check")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, tmp_path_factory, monkeypatch):
    """Point XDG dirs and the temporary directory at tmp and clear every PAPERSHELF_* variable
    (text an editor test rescues into the temporary directory stays in the test's own)."""
    import os
    import tempfile

    for name in list(os.environ):
        if name.startswith("PAPERSHELF_"):
            monkeypatch.delenv(name)
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    scratch = tmp_path_factory.mktemp("tmp")  # beside the test's tmp_path, not inside it
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    return tmp_path


class Run:
    """``run("search", "lora")`` → the CliRunner result, stdout and stderr apart."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, env: dict | None = None):
        return self.runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)


@pytest.fixture
def run() -> Run:
    return Run()


@pytest.fixture
def default_db(isolated_home) -> Path:
    """Where the default catalogue lives in a test."""
    return isolated_home / "xdg_data_home" / "papershelf" / "catalogue.db"


@pytest.fixture
def bundled(run, default_db) -> Path:
    """The default catalogue, created with the bundled reading list."""
    result = run("init")
    assert result.exit_code == 0, result.stderr
    return default_db


@pytest.fixture
def catalogue(bundled):
    """The bundled catalogue opened through the public Python API (``services.library``)."""
    from papershelf.services.library import open_library

    lib, _ = open_library(bundled)
    yield lib
    lib.close()


@pytest.fixture
def empty_library(tmp_path):
    """A new, empty catalogue in a temporary file, made without the CLI."""
    from papershelf.services.library import open_library

    lib, _ = open_library(tmp_path / "empty.db", create=True)
    yield lib
    lib.close()


@pytest.fixture
def library_of(tmp_path):
    """``library_of(entries)``: a catalogue holding ``entries``, added through the one door."""
    from papershelf.services.library import open_library

    opened = []

    def make(entries, name: str = "given.db"):
        lib, _ = open_library(tmp_path / name, create=True)
        opened.append(lib)
        lib.add(list(entries))
        return lib

    yield make
    for lib in opened:
        lib.close()
