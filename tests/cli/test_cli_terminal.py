"""On a terminal `list` goes through the pager and `import bibtex` draws a progress bar; into a
pipe neither happens. The terminal is a real pseudo-terminal around the installed command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import installed_script, on_a_terminal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


def _on_a_terminal(args: list[str], env: dict[str, str], timeout: float = 60,
                   argv: list[str] | None = None) -> str:
    """Run papershelf (or ``argv``) with stdin/stdout/stderr on a pseudo-terminal; what it
    wrote there."""
    return on_a_terminal([*(argv or [installed_script()]), *args], env, timeout=timeout)[0]


def _env(db, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERSHELF_")}
    return {**env, "PAPERSHELF_DB": str(db), "COLUMNS": "100", "LINES": "40", "TERM": "xterm", **extra}


def test_list_on_a_terminal_goes_through_the_pager(bundled, tmp_path):
    paged = tmp_path / "paged.txt"
    shown = _on_a_terminal(["list"], _env(bundled, PAPERSHELF_PAGER=f"sh -c 'cat > {paged}'"))
    text = paged.read_text()
    assert "key" in text.splitlines()[0] and "year" in text.splitlines()[0]
    assert "hu2022lora" in text and "hu2022lora" not in shown  # all of it went to the pager


def test_no_pager_and_cat_print_directly(bundled, tmp_path):
    paged = tmp_path / "paged.txt"
    shown = _on_a_terminal(["list", "--no-pager"], _env(bundled, PAPERSHELF_PAGER=f"sh -c 'cat > {paged}'"))
    assert "hu2022lora" in shown and not paged.exists()
    shown = _on_a_terminal(["list"], _env(bundled, PAPERSHELF_PAGER="cat"))
    assert "hu2022lora" in shown


def test_the_pager_is_never_used_in_a_pipe(bundled, tmp_path):
    paged = tmp_path / "paged.txt"
    result = subprocess.run([installed_script(), "list"], capture_output=True, text=True, timeout=60,
                            env=_env(bundled, PAPERSHELF_PAGER=f"sh -c 'cat > {paged}'"))
    assert result.returncode == 0
    assert not paged.exists()
    assert any(line.startswith("hu2022lora\t") for line in result.stdout.splitlines())


def _bib(tmp_path, n: int = 300):
    bib = tmp_path / "many.bib"
    bib.write_text("".join(f"@article{{k{i},\n  title = {{Paper number {i}}},\n  author = {{Doe, Jane}},\n"
                           f"  year = {{2020}},\n  journal = {{J}}\n}}\n" for i in range(n)))
    return bib


def test_import_shows_progress_on_a_terminal(tmp_path):
    db = tmp_path / "p.db"
    assert subprocess.run([installed_script(), "--db", str(db), "init", "--empty"], timeout=60,
                          capture_output=True).returncode == 0
    shown = _on_a_terminal(["import", "bibtex", str(_bib(tmp_path)), "--dry-run"], _env(db))
    assert "━" in shown and "import" in shown  # the bar (transient: drawn, then cleared)
    assert "Would import 300 entries" in shown
    quiet = _on_a_terminal(["import", "bibtex", str(_bib(tmp_path)), "--dry-run", "-q"], _env(db))
    assert "━" not in quiet


# papershelf, telling in a file how many threads ran whenever it forked.
FORKS = """
import os, sys, threading
fork, log = os.fork, sys.argv[1]
def counted():
    with open(log, "a") as out:
        out.write(f"{threading.active_count()}\\n")
    return fork()
os.fork = counted
from papershelf.cli import main
sys.argv = ["papershelf", *sys.argv[2:]]
main()
"""


def test_an_import_forks_its_reader_before_the_bar_starts_a_thread(tmp_path):
    """A process should not fork while a thread of it runs (the child could inherit a lock it
    held; Python 3.12+ warns): the bar's redraw thread starts with its first stage."""
    db, forks = tmp_path / "p.db", tmp_path / "forks"
    assert subprocess.run([installed_script(), "--db", str(db), "init", "--empty"], timeout=60,
                          capture_output=True).returncode == 0
    shown = _on_a_terminal([str(forks), "import", "bibtex", str(_bib(tmp_path))],
                           _env(db, PAPERSHELF_READ_AHEAD="always"), argv=[sys.executable, "-c", FORKS])
    assert "━" in shown and "Imported 300 entries" in shown
    assert forks.read_text() == "1\n"  # one fork (the reader), with the main thread alone


def test_import_into_a_pipe_shows_no_progress(tmp_path):
    db = tmp_path / "p.db"
    assert subprocess.run([installed_script(), "--db", str(db), "init", "--empty"], timeout=60,
                          capture_output=True).returncode == 0
    result = subprocess.run([installed_script(), "import", "bibtex", str(_bib(tmp_path))],
                            capture_output=True, text=True, timeout=60, env=_env(db))
    assert result.returncode == 0, result.stderr
    assert "━" not in result.stderr and "\x1b" not in result.stderr
    assert "Imported 300 entries" in result.stderr


def test_a_stage_whose_total_is_not_known_shows_none_not_the_last_stage_s():
    """Reading 1 file, then checking entries whose count the read-ahead child has not sent yet:
    the bar must not say 900/1."""
    from rich.progress import Progress

    from papershelf.cli.progress import reporter

    bar = Progress()
    report = reporter(bar)
    report("reading a.bib", 0, 1)
    assert bar.tasks[0].total == 1
    report("checking", 900, None)
    assert bar.tasks[0].total is None and bar.tasks[0].completed == 900
    report("checking", 1000, 10000)
    assert bar.tasks[0].total == 10000
    bar.stop()  # started by the first report
