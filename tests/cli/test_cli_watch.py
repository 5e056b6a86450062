"""`papershelf export bibtex --aux thesis.aux -o refs.bib --watch`, as a user runs it beside LaTeX:
one line per rewrite saying what changed, missing keys reported, Ctrl-C ends it with 130."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time

import pytest

from conftest import installed_script


def test_watch_needs_aux_and_output(run, bundled, tmp_path):
    for args in (["-o", str(tmp_path / "refs.bib")], ["--aux", str(tmp_path / "t.aux")],
                 ["--aux", str(tmp_path / "t.aux"), "-o", str(tmp_path / "r.bib"), "--tag", "lora"]):
        result = run("export", "bibtex", "--watch", *args)
        assert result.exit_code == 2, args
        assert "--watch follows a LaTeX .aux file" in result.stderr
    assert not (tmp_path / "refs.bib").exists() and not (tmp_path / "r.bib").exists()


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line.rstrip("\n"))


def _next(lines: queue.Queue, timeout: float = 30) -> str:
    return lines.get(timeout=timeout)


@pytest.mark.e2e
def test_watch_rewrites_on_a_new_citation_and_stops_on_ctrl_c(bundled, tmp_path):
    aux, out = tmp_path / "thesis.aux", tmp_path / "refs.bib"
    aux.write_text("\\relax\n\\citation{ho2020denoising,nosuch2099}\n")
    proc = subprocess.Popen([installed_script(), "export", "bibtex", "--aux", str(aux), "-o", str(out),
                             "--watch", "--interval", "0.1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ))
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    try:
        first = _next(lines)
        assert first.startswith(f"Wrote {out} (1 entry); watching")
        written = out.stat().st_mtime_ns
        time.sleep(0.5)  # several polls with nothing changed: no rewrite, no line
        assert lines.empty() and out.stat().st_mtime_ns == written
        aux.write_text("\\relax\n\\citation{ho2020denoising,nosuch2099}\n\\citation{hu2022lora}\n")
        line = _next(lines)
        assert f"wrote {out} (2 entries): added hu2022lora" in line
        assert "{hu2022lora," in out.read_text()
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "1 cited key(s) not in the catalogue: nosuch2099" in err
    assert f"Stopped watching {aux}" in err and "Traceback" not in err
    assert not list(tmp_path.glob(".refs.bib.*.tmp"))
