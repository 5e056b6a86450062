"""Add and sync 1,000 arXiv ids against the replay server with the delay at 0.

    python bench/bench_arxiv.py [--runs 5] [--ids 1000]

Runs the installed ``papershelf`` (a fresh process each time, as a user would) against
``tests/arxiv_server.py`` in synthetic mode, and prints the median wall time and the number of
HTTP requests of ``add`` (into an empty catalogue) and ``sync`` (after arXiv "released" a v2 of
every paper), plus what the same sync costs against the real API under the 3 s rule.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from arxiv_server import ArxivReplay, synthetic_entry  # noqa: E402


def run(exe: str, args: list[str], env: dict[str, str], stdin: str | None = None) -> float:
    start = time.perf_counter()
    result = subprocess.run([exe, *args], input=stdin, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"papershelf {args[0]} failed ({result.returncode}): {result.stderr[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--ids", type=int, default=1000)
    opts = parser.parse_args()
    exe = shutil.which("papershelf")
    if not exe:
        raise SystemExit("install papershelf first (pip install -e .)")
    ids = [f"2301.{n:05d}" for n in range(1, opts.ids + 1)]
    adds, syncs, add_requests, sync_requests = [], [], [], []
    for _ in range(opts.runs):
        server = ArxivReplay(synthetic=True).start()
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "PAPERSHELF_DB": str(Path(tmp) / "bench.db"),
                   "PAPERSHELF_ARXIV_URL": server.url, "PAPERSHELF_ARXIV_DELAY": "0"}
            run(exe, ["init", "--empty"], env)
            server.requests.clear()
            adds.append(run(exe, ["--quiet", "add", "-"], env, stdin="\n".join(ids)))
            add_requests.append(len(server.requests))
            for ident in ids:  # arXiv now shows v2 of every paper
                server.set_entry(ident, synthetic_entry(ident).replace(b"v1<", b"v2<"))
            server.requests.clear()
            syncs.append(run(exe, ["--quiet", "sync"], env))
            sync_requests.append(len(server.requests))
        server.stop()
    requests = statistics.median(sync_requests)
    print(f"{opts.ids} ids, {opts.runs} runs, delay 0, replay server on 127.0.0.1")
    print(f"add : median {statistics.median(adds):.2f} s  (min {min(adds):.2f}, max {max(adds):.2f}), "
          f"{statistics.median(add_requests):.0f} requests")
    print(f"sync: median {statistics.median(syncs):.2f} s  (min {min(syncs):.2f}, max {max(syncs):.2f}), "
          f"{requests:.0f} requests, every entry changed")
    print(f"real API, 3 s between requests: sync waits at least {(requests - 1) * 3:.0f} s "
          f"({requests:.0f} requests x 3 s, the first one free) plus arXiv's own answer time")


if __name__ == "__main__":
    main()
