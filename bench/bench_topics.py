"""Topic rules and reading-list import at scale.

    python bench/bench_topics.py [--runs 5] [--entries 100000]

Prints medians of: matching the bundled rules against N in-memory entries (titles, abstracts,
notes and sections made by recombining the bundled catalogue's), ``papershelf autotag --dry-run``
on a catalogue of N entries (a fresh process, as a user would run it), and
``papershelf import markdown --offline --dry-run`` of a 5,000-item list.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from papershelf.model.entry import Entry
from papershelf.services.bundled import bundled_entries
from papershelf.storage.catalogue import Catalogue
from papershelf.topics.loader import load_topics


def synthetic(n: int, seed: int = 1) -> list[Entry]:
    rnd = random.Random(seed)
    base = bundled_entries()
    words = " ".join(e.abstract or e.title for e in base).split()
    out = []
    for i in range(n):
        src = base[i % len(base)]
        title = " ".join(rnd.sample(words, 8)) + " " + src.title
        abstract = " ".join(rnd.choice(words) for _ in range(150))
        out.append(Entry(title, abstract=abstract, section=src.section, notes=src.notes,
                         categories=list(src.categories), type=src.type))
    return out


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    entries = synthetic(args.entries)
    topics = load_topics()
    t = median_time(lambda: [topics.match(e) for e in entries], args.runs)
    print(f"match {len(topics.topics)} topics x {args.entries} entries: median {t:.2f} s "
          f"({t / args.entries * 1e6:.1f} µs per entry)")

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "big.db"
        cat, _ = Catalogue.open(db, create=True)
        for e in entries:
            e.citekey = ""
        cat.add_many(entries)
        cat.close()
        env = {**os.environ, "PAPERSHELF_DB": str(db), "XDG_CONFIG_HOME": tmp}
        cmd = ["papershelf", "autotag", "--dry-run", "--json"]
        t = median_time(lambda: subprocess.run(cmd, env=env, check=True, capture_output=True), args.runs)
        print(f"papershelf autotag --dry-run on {args.entries} entries: median {t:.2f} s")

        lines = ["## list"]
        for i in range(5000):
            yymm = f"{15 + i % 10:02d}{1 + i % 12:02d}"
            lines.append(f"- [Paper {i}](https://arxiv.org/abs/{yymm}.{i:05d})")
            lines.append(f"  - note {i} 筆記")
            lines.append(f"  - https://github.com/x/repo{i}")
        listing = Path(tmp) / "big.md"
        listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
        cmd = ["papershelf", "import", "markdown", str(listing), "--offline", "--dry-run", "--json"]
        t = median_time(lambda: subprocess.run(cmd, env=env, check=True, capture_output=True), args.runs)
        print(f"papershelf import markdown --offline --dry-run, 5000 items into {args.entries} entries: "
              f"median {t:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
