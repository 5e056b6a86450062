"""Before and after, in one run: the everyday commands of two papershelf trees, alternating.

    python bench/bench_startup.py --old '/root/.pyenv/versions/3.11.7/bin/python -m papershelf' \
        --old-db OLD.db --new '.venv/bin/python -m papershelf' --new-db NEW.db [--runs 15] [--key KEY]

Each round runs every workload once with the old tree and once with the new one (which goes
first alternates by round), stdout to a file (a pipe) or on an 80×24 pseudo-terminal; the table
gives the median and min–max wall time of each, and the floor (``-c 'import sqlite3'`` by each
command's own interpreter). The two trees need their own catalogues of the same entries (an
older tree refuses a catalogue a newer one migrated): ``--old-db`` and ``--new-db``.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import tempfile
from pathlib import Path

from bench_peers import run_on_pty, run_once

RARE = "Quagliariello"


def workloads(key: str) -> dict[str, tuple[list[str], dict[str, str], bool]]:
    """name → (arguments after the command, extra environment, on a terminal)."""
    prefix = key[:len(key) - 3]
    return {
        "floor (-c 'import sqlite3')": (["FLOOR"], {}, False),
        "--help": (["--help"], {}, False),
        "TAB: a key": ([], {"_PAPERSHELF_COMPLETE": "complete_bash", "COMP_WORDS": f"papershelf show {prefix}",
                            "COMP_CWORD": "2"}, False),
        "TAB: a tag": ([], {"_PAPERSHELF_COMPLETE": "complete_bash", "COMP_WORDS": "papershelf list --tag d",
                            "COMP_CWORD": "3"}, False),
        f"search {RARE} --limit 20": (["search", RARE, "--limit", "20"], {}, False),
        f"search {RARE}": (["search", RARE], {}, False),
        "show KEY (pipe)": (["show", key], {}, False),
        "show KEY (tty)": (["show", key], {}, True),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--old", required=True, help="the command of the old tree")
    ap.add_argument("--new", required=True, help="the command of the new tree")
    ap.add_argument("--old-db", type=Path, required=True)
    ap.add_argument("--new-db", type=Path, required=True)
    ap.add_argument("--key", default="", help="the entry shown (default: the first planted key)")
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    key = args.key or _first_planted(args.new_db)
    trees = {"old": (shlex.split(args.old), args.old_db), "new": (shlex.split(args.new), args.new_db)}
    times: dict[tuple[str, str], list[float]] = {}
    outputs: dict[tuple[str, str], bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        for rnd in range(args.runs + 1):  # the first round is a warm-up
            order = ["old", "new"] if rnd % 2 else ["new", "old"]
            for name, (extra, env_extra, tty) in workloads(key).items():
                for tree in order:
                    cmd, db = trees[tree]
                    argv = [cmd[0], "-c", "import sqlite3"] if extra == ["FLOOR"] else [*cmd, *extra]
                    env = {**os.environ, "PAPERSHELF_DB": str(db), "PAPERSHELF_CACHE_DAYS": "0", **env_extra}
                    if tty:
                        _, wall, _, rc, _ = run_on_pty(argv, env, 60, out)
                    else:
                        wall, _, rc, _ = run_once(argv, env, 60, out)
                    if rc != 0 and "search" not in name:
                        sys.exit(f"{tree} {name}: exit {rc}: {out.with_suffix('.err').read_text()[-300:]}")
                    if rnd:
                        times.setdefault((name, tree), []).append(wall)
                    outputs[name, tree] = out.read_bytes()
    print(f"| workload ({args.runs} runs each, alternating) | old: median (min–max) "
          "| new: median (min–max) | new/old |")
    print("| --- | --- | --- | --- |")
    for name in workloads(key):
        old, new = times[name, "old"], times[name, "new"]
        same = "" if outputs[name, "old"] == outputs[name, "new"] or "tty" in name else " (output differs)"
        print(f"| {name} | {_fmt(old)} | {_fmt(new)} | {statistics.median(new) / statistics.median(old):.2f}{same} |")


def _fmt(xs: list[float]) -> str:
    return f"{statistics.median(xs) * 1000:.0f} ms ({min(xs) * 1000:.0f}–{max(xs) * 1000:.0f})"


def _first_planted(db: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    row = conn.execute("SELECT citekey FROM entries WHERE id IN (SELECT entry_id FROM people WHERE family = ?) "
                       "ORDER BY citekey LIMIT 1", (RARE,)).fetchone()
    conn.close()
    return row[0]


if __name__ == "__main__":
    main()
