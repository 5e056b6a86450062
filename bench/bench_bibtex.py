"""Benchmark: import a 10,000-entry .bib into an empty catalogue, and export it again.

    python bench/bench_bibtex.py [--entries 10000] [--runs 5] \
        [--pubs /tmp/pubs-venv] [--papis /tmp/papis-venv] [--peer-runs 1]

Whole-process wall time (what a user waits for), measured with hyperfine when it is installed,
else with a timer around subprocess.run; prints medians. ``--pubs VENV`` / ``--papis VENV`` also time
pubs (each in its own venv, never in the project: pubs 0.9 needs bibtexparser 1.x and
pyparsing, papis 0.16 brings bibtexparser 2) doing the same import and export. Targets
(issue 4): import ≤ 10 s, export ≤ 2 s. No assertions: this is a measurement.
The full side-by-side comparison (papis, pubs, coBib; search, export, --help, peak RSS,
correctness) is bench_peers.py; the file both read is bibgen.py's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# One generator for every benchmark (bench/bibgen.py); bench_lossless.py imports it from here.
from bibgen import make_bib

__all__ = ["make_bib"]


def timed(cmd: str, prepare: str | None, runs: int, env: dict) -> float:
    """Median wall seconds of ``cmd`` (shell), ``prepare`` run untimed before each run."""
    if shutil.which("hyperfine"):
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
            export = fh.name
        args = ["hyperfine", "--runs", str(runs), "--export-json", export, "--style", "none",
                "--shell", "bash"]
        if prepare:
            args += ["--prepare", prepare]
        subprocess.run(args + [cmd], check=True, env=env, stdout=subprocess.DEVNULL)
        data = json.loads(Path(export).read_text())
        return statistics.median(data["results"][0]["times"])
    times = []
    for _ in range(runs):
        if prepare:
            subprocess.run(prepare, shell=True, check=True, env=env)
        start = time.perf_counter()
        subprocess.run(cmd, shell=True, check=True, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pubs", type=Path, help="a venv with pubs installed")
    ap.add_argument("--papis", type=Path, help="a venv with papis installed")
    ap.add_argument("--peer-runs", type=int, default=1, help="runs for the (slow) peers")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="papershelf-bench-"))
    bib = work / "big.bib"
    bib.write_text(make_bib(args.entries), encoding="utf-8")
    env = {**os.environ, "XDG_DATA_HOME": str(work / "xdg"), "XDG_CONFIG_HOME": str(work / "cfg"),
           "XDG_CACHE_HOME": str(work / "cache")}
    db = work / "c.db"
    ps = f"{sys.executable} -m papershelf --db {db} -q"
    print(f"{args.entries} entries, {bib.stat().st_size / 1e6:.1f} MB; median of {args.runs} runs")
    rows = []
    imp = timed(f"{ps} import bibtex {bib} 2>/dev/null",
                f"rm -f {db}* && {ps} init --empty >/dev/null 2>&1", args.runs, env)
    rows.append(("papershelf", "import", imp))
    subprocess.run(f"{ps} import bibtex {bib}", shell=True, env=env, capture_output=True)
    exp = timed(f"{ps} export bibtex -o {work / 'out.bib'} 2>/dev/null", None, args.runs, env)
    rows.append(("papershelf", "export", exp))
    exp_blx = timed(f"{ps} export bibtex --style biblatex -o {work / 'out2.bib'} 2>/dev/null",
                    None, args.runs, env)
    rows.append(("papershelf", "export biblatex", exp_blx))
    rows += peers(args.pubs, args.papis, bib, work, args.peer_runs, env)
    for tool, what, secs in rows:
        print(f"{tool:12} {what:16} {secs:7.2f} s")
    shutil.rmtree(work, ignore_errors=True)


def peers(pubs_venv: Path | None, papis_venv: Path | None, bib: Path, work: Path, runs: int,
          env: dict) -> list[tuple[str, str, float]]:
    rows = []
    if pubs_venv and (pubs_venv / "bin" / "pubs").exists():
        binp = pubs_venv / "bin"
        conf = work / "pubsrc"
        repo = work / "pubsrepo"
        pubs = f"{binp / 'pubs'} -c {conf}"
        prep = f"rm -rf {repo} {conf} && {pubs} init -p {repo} >/dev/null 2>&1"
        rows.append(("pubs", "import", timed(f"{pubs} import {bib} >/dev/null 2>&1", prep, runs, env)))
        subprocess.run(f"{pubs} import {bib}", shell=True, env=env, capture_output=True)
        rows.append(("pubs", "export", timed(f"{pubs} export > {work / 'pubs.bib'}", None, runs, env)))
    if papis_venv and (papis_venv / "bin" / "papis").exists():
        binp = papis_venv / "bin"
        lib = work / "papislib"
        cfg = work / "papiscfg"
        penv = f"XDG_CONFIG_HOME={cfg} XDG_CACHE_HOME={cfg}/cache"
        papis = f"{penv} {binp / 'papis'} --lib {lib}"
        prep = f"rm -rf {lib} {cfg} && mkdir -p {lib}"
        rows.append(("papis", "import", timed(
            f"{papis} bibtex read {bib} import --all >/dev/null 2>&1", prep, runs, env)))
        subprocess.run(f"{papis} bibtex read {bib} import --all", shell=True, env=env,
                       capture_output=True)
        rows.append(("papis", "export", timed(
            f"{papis} export --all --format bibtex -o {work / 'papis.bib'} >/dev/null 2>&1",
            None, runs, env)))
    return rows


if __name__ == "__main__":
    main()
