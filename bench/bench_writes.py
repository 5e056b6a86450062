"""Writes into a large catalogue (issue 20 parts 1 and 2): one add into N entries, 2,000
entries imported into N vs into an empty catalogue, and the import of N itself (time and peak
RSS), each the median of ``--runs`` runs, for one or more papershelf source trees side by side.

    python bench/bench_writes.py --n 100000 --runs 3 --tree before=/tmp/ps-before/src --tree after=src

Each ``--tree`` is a ``src`` folder run with this interpreter (``PYTHONPATH``), so two versions
(``git archive main | tar -x -C /tmp/ps-before``) are measured in one run on one machine. The
.bib files come from ``bench/bibgen.py`` (N of seed 4; 2,000 of seed 9); each write workload
starts from a fresh copy of the N-entry catalogue (copied untimed), built by that tree.
Peak RSS is ``/usr/bin/time``'s maximum resident set size of the whole process.
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

sys.path.insert(0, str(Path(__file__).parent))
from bibgen import make_bib

MORE = 2000


def run(tree: Path, db: Path, *args: str) -> tuple[float, int]:
    """Seconds and peak RSS (MB) of ``papershelf --db DB ARGS`` run from ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PAPERSHELF_BACKUPS": "1",
           "PAPERSHELF_CONFIG": os.devnull, "XDG_CACHE_HOME": str(db.parent / "cache"),
           "XDG_STATE_HOME": str(db.parent / "state")}
    argv = ["/usr/bin/time", "-f", "%M", sys.executable, "-c", "from papershelf.cli import main; main()",
            "--db", str(db), *args]
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr[-800:]}")
    return took, int(done.stderr.strip().splitlines()[-1]) // 1024


def init(tree: Path, db: Path) -> None:
    db.unlink(missing_ok=True)
    run(tree, db, "init", "--empty")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tree", action="append", required=True, help="NAME=path/to/src")
    ap.add_argument("--skip-import", action="store_true",
                    help="time the import of N once only (it builds the catalogue)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-writes-"))
    big, more = work / "big.bib", work / "more.bib"
    big.write_text(make_bib(args.n, seed=4), encoding="utf-8")
    more.write_text(make_bib(MORE, seed=9).replace("{key", "{more").replace("@string{", "@string{x"), encoding="utf-8")
    trees = dict(t.split("=", 1) for t in args.tree)
    results: dict[str, dict[str, list[tuple[float, int]]]] = {name: {} for name in trees}
    full: dict[str, Path] = {}
    for rnd in range(args.runs):
        for name, src in trees.items():
            tree = Path(src).resolve()
            res = results[name]
            db = work / f"{name}.db"
            if rnd == 0 or not args.skip_import:
                init(tree, db)
                res.setdefault(f"import {args.n:,}", []).append(run(tree, db, "import", "bibtex", str(big)))
                full[name] = work / f"{name}-full.db"
                shutil.copy(db, full[name])
            scratch = work / f"{name}-scratch.db"
            shutil.copy(full[name], scratch)
            res.setdefault(f"add one into {args.n:,}", []).append(run(
                tree, scratch, "add", "--title", "A Paper Added By Hand To A Full Catalogue",
                "--author", "Zyx, Quentin", "--year", "2026", "--type", "misc"))
            init(tree, scratch)
            res.setdefault("add one into empty", []).append(run(
                tree, scratch, "add", "--title", "A Paper Added By Hand To A Full Catalogue",
                "--author", "Zyx, Quentin", "--year", "2026", "--type", "misc"))
            init(tree, scratch)
            res.setdefault(f"import {MORE:,} into empty", []).append(
                run(tree, scratch, "import", "bibtex", str(more)))
            shutil.copy(full[name], scratch)
            res.setdefault(f"import {MORE:,} into {args.n:,}", []).append(
                run(tree, scratch, "import", "bibtex", str(more)))
            print(f"run {rnd + 1} {name}: " + ", ".join(f"{k} {v[-1][0]:.2f}s" for k, v in res.items()),
                  file=sys.stderr, flush=True)
    print(f"| workload | {' | '.join(trees)} |")
    print(f"| --- |{' --- |' * len(trees)}")
    for workload in results[next(iter(trees))]:
        cells = []
        for name in trees:
            xs = results[name][workload]
            secs, mbs = [x[0] for x in xs], [x[1] for x in xs]
            cells.append(f"{statistics.median(secs):.3f} s ({min(secs):.2f}–{max(secs):.2f}), "
                         f"{statistics.median(mbs):.0f} MB")
        print(f"| {workload} | {' | '.join(cells)} |")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
