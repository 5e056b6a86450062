"""Benchmark: import a 10,000-entry .bib into an empty catalogue, and export it again.

    python bench/bench_bibtex.py [--entries 10000] [--runs 5] \
        [--pubs /tmp/pubs-venv] [--papis /tmp/papis-venv] [--peer-runs 1]

Whole-process wall time (what a user waits for), measured with hyperfine when it is installed,
else with a timer around subprocess.run; prints medians. ``--pubs VENV`` / ``--papis VENV`` also time
pubs (each in its own venv, never in the project: pubs 0.9 needs bibtexparser 1.x and
pyparsing, papis 0.16 brings bibtexparser 2) doing the same import and export. Targets
(issue 4): import ≤ 10 s, export ≤ 2 s. No assertions: this is a measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FAMILIES = ["Ho", "Müller", "van der Berg", "Jégou", "O'Neil", "Zhang", "Smith", "Bäck", "del Campo",
            "Nguyen", "Kowalski", "Sánchez",
            # accents written in LaTeX, particles, a Jr. (as "von Last, Jr, First" parts)
            r"M{\"u}ller", r"Erd\H{o}s", r"Nguy{\~{\^{e}}}n", r"Schr{\"o}dinger", "von Neumann",
            "de la Fuente", "King, Jr."]
GIVEN = ["Jonathan", "Anna-Lena", "Hervé", "Li", "Maria", "Thomas", "Lev", "Ng", "Åsa"]
WORDS = ("diffusion model latent score matching denoising transformer attention adapter "
         "low-rank adaptation distillation consistency flow sampling guidance image video "
         "text graph contrastive representation learning").split()


def make_bib(n: int, seed: int = 4) -> str:
    rnd = random.Random(seed)
    out = ["@string{neurips = {Advances in Neural Information Processing Systems}}\n"]
    for i in range(n):
        authors = " and ".join(
            f"{rnd.choice(FAMILIES)}, {rnd.choice(GIVEN)}" for _ in range(rnd.randint(1, 6)))
        title = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 11))).capitalize()
        if i % 7 == 0:
            title = "{LoRA}: " + title
        if i % 11 == 0:
            title += r" for Sch{\"o}dinger Bridges \& {GANs}"
        # math, TeX logos and nested case protection, as thesis writers' files have them
        if i % 9 == 0:
            title += r" in $O(n \log n)$ Time"
        if i % 13 == 0:
            title += r" with $\sqrt{n}$ and $L^2$ Bounds"
        if i % 19 == 0:
            title += r" at $\mathcal{O}(1)$ Cost"
        if i % 5 == 0:
            title += r" in {\TeX} and \LaTeX{}"
        if i % 4 == 0:
            title += r" for {{COVID-19}} ({NeurIPS})"
        year = rnd.randint(1995, 2025)
        kind = i % 3
        if kind == 0:
            body = (f"  journal = {{Journal of {rnd.choice(WORDS).capitalize()} Research}},\n"
                    f"  volume = {{{rnd.randint(1, 60)}}},\n  number = {{{rnd.randint(1, 12)}}},\n"
                    f"  pages = {{{rnd.randint(1, 500)}--{rnd.randint(501, 900)}}},\n"
                    f"  doi = {{10.{1000 + i}/bench.{i}}},\n")
            typ = "article"
        elif kind == 1:
            body = f"  booktitle = neurips,\n  pages = {{{rnd.randint(1, 9000)}--{rnd.randint(9001, 9999)}}},\n"
            typ = "inproceedings"
        else:
            yy = year % 100 if year >= 2007 else 15
            body = (f"  eprint = {{{yy:02d}{rnd.randint(1, 12):02d}.{i:05d}}},\n"
                    "  archivePrefix = {arXiv},\n  primaryClass = {cs.LG},\n")
            typ = "misc"
        out.append(f"@{typ}{{bench{i},\n  author = {{{authors}}},\n  title = {{{title}}},\n{body}"
                   f"  year = {{{year}}},\n  month = {rnd.choice(['jan', 'jun', 'dec'])},\n"
                   f"  abstract = {{{' '.join(rnd.choice(WORDS) for _ in range(60))}.}},\n}}\n")
    return "\n".join(out)


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
