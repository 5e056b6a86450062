"""Whole-process timings of everyday commands, on the bundled catalogue and on 100,000 entries.

    python bench/bench_search.py [--entries 100000] [--runs 20] [--out bench/out]

Builds (once, cached in --out) a synthetic catalogue of N entries with realistic field sizes,
then times ``papershelf search``, ``list --limit 20`` and ``--help`` with hyperfine (medians
of --runs runs after warm-up) and reads peak memory with /usr/bin/time. Prints a table of
medians; the interpreter's own start (``python -c pass``) is measured beside them so the
numbers can be read as ratios on a noisy machine. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = """diffusion model models denoising score matching latent image video text audio graph
transformer attention vision language multimodal contrastive learning representation
distillation consistency rectified flow adversarial generative network sampling fast efficient
guidance classifier free conditional control adapter low rank adaptation fine tuning parameter
efficient survey benchmark dataset evaluation robust privacy attack defense watermark editing
inversion inpainting super resolution segmentation detection recommendation tabular time series
molecule protein reinforcement policy reward alignment preference scaling law theory analysis
convergence stochastic differential equation ordinary neural operator kernel bayesian variational
autoencoder energy based normalizing autoregressive masked token pretraining self supervised
""".split()
FAMILIES = """Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Smith Johnson Brown Garcia Miller
Davis Müller Schmidt Schneider Fischer Weber Rossi Russo Ferrari Kim Lee Park Choi Tanaka Suzuki
Sato Nguyen Tran Le Pham Kowalski Nowak Novak Dubois Martin Bernard Silva Santos Ivanov Petrov
""".split()
GIVEN = """Alice Bob Carol Dan Eve Frank Grace Heidi Ivan Judy Mallory
Niaj Olivia Peggy Rupert Sybil Trent Victor Walter
""".split()
TAGS = "diffusion distillation lora peft controlnet survey vit clip video tabular editing security".split()


def build(path: Path, n: int) -> None:
    from papershelf.model.entry import Entry, Person
    from papershelf.storage.catalogue import Catalogue

    rnd = random.Random(20261126)
    cat, _ = Catalogue.open(path, create=True)
    batch = []
    for i in range(n):
        title = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(5, 12))).capitalize()
        abstract = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(80, 200)))
        authors = [Person(rnd.choice(FAMILIES), rnd.choice(GIVEN)) for _ in range(rnd.randint(1, 8))]
        entry = Entry(title=title, citekey=f"bench{i}", type=rnd.choice(["article", "inproceedings", "misc", "book"]),
                      authors=authors, year=rnd.randint(1990, 2026), abstract=abstract,
                      arxiv_id=f"{rnd.randint(7, 26):02d}{rnd.randint(1, 12):02d}.{i:05d}",
                      tags=rnd.sample(TAGS, rnd.randint(0, 3)))
        batch.append(entry)
        if len(batch) == 5000:
            cat.insert_many(batch)
            batch = []
    if batch:
        cat.insert_many(batch)
    cat.conn.execute("PRAGMA optimize")
    cat.close()


def hyperfine(commands: dict[str, list[str]], runs: int, env: dict) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "hf.json"
        args = ["hyperfine", "-N", "--warmup", "3", "--runs", str(runs), "--export-json", str(out)]
        for name, cmd in commands.items():
            args += ["-n", name, " ".join(_quote(c) for c in cmd)]
        done = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp)
        if done.returncode or not out.exists():
            sys.exit(f"hyperfine failed ({done.returncode}): {done.stderr.strip()[-2000:]} {args}")
        data = json.loads(out.read_text())
    return {r["command"]: r["median"] for r in data["results"]}


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'" if any(c in arg for c in " \"'*") else arg


def peak_rss_mb(cmd: list[str], env: dict) -> float:
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], env=env, capture_output=True, text=True)
    return int(result.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args()
    if not shutil.which("hyperfine"):
        sys.exit("hyperfine is needed: apt-get install hyperfine")

    exe = Path(sys.executable).parent / "papershelf"  # the real console script, not a pyenv shim
    if not exe.exists():
        exe = Path(shutil.which("papershelf") or "papershelf")
    args.out.mkdir(parents=True, exist_ok=True)
    big = args.out / f"synthetic-{args.entries}.db"
    if not big.exists():
        started = time.perf_counter()
        build(big, args.entries)
        print(f"built {big} ({args.entries:,} entries) in {time.perf_counter() - started:.1f} s")
    home = Path(tempfile.mkdtemp())
    env = {**os.environ, "XDG_DATA_HOME": str(home)}
    env.pop("PAPERSHELF_DB", None)
    subprocess.run([str(exe), "init"], env=env, check=True, capture_output=True)  # the bundled one

    ps = [str(exe)]
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "papershelf --help": ps + ["--help"],
        "bundled: search lora": ps + ["search", "lora"],
        "bundled: search 蒸餾": ps + ["search", "蒸餾"],
        "bundled: list --limit 20": ps + ["list", "--limit", "20"],
        "100k: search diffusion": ps + ["--db", str(big), "search", "diffusion", "--limit", "20"],
        "100k: search author:wang year:2020..2023":
            ps + ["--db", str(big), "search", "author:wang year:2020..2023", "--limit", "20"],
        "100k: search 'score matching' distill*":
            ps + ["--db", str(big), "search", '"score matching" distill*', "--limit", "20"],
        "100k: list --limit 20": ps + ["--db", str(big), "list", "--limit", "20"],
        "100k: list --tag lora --sort year -n 20":
            ps + ["--db", str(big), "list", "--tag", "lora", "--sort", "year", "-n", "20"],
    }
    medians = hyperfine(commands, args.runs, env)
    base = medians["python -c pass"]
    print(f"\n{'command':45} {'median ms':>10} {'× python':>9} {'peak MB':>8}")
    for name, cmd in commands.items():
        rss = peak_rss_mb(cmd, env)
        print(f"{name:45} {medians[name] * 1000:10.1f} {medians[name] / base:9.2f} {rss:8.1f}")
    shutil.rmtree(home)


if __name__ == "__main__":
    main()
