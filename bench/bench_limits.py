"""The worst searches the query bounds allow, and 5,000 works sharing one citation key.

    python bench/bench_limits.py [--entries 10000] [--runs 3]

Builds a synthetic catalogue (in a temporary directory) where every entry holds every word the
queries use, about 180 words each, times the costliest queries within ``model.query``'s bounds
on it and on the bundled catalogue (worst and median of ``--runs``), then times one
``Library.add`` of 5,000 works whose source key is the same ``smith2020study``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from papershelf.model.entry import Entry, Person
from papershelf.services.bundled import load_bundled
from papershelf.services.library import AddPolicy, Library, open_library

VOCAB = ("hidden harmonic hierarchical heavy high hybrid human hash head heat hyper hull "
         "diffusion model learning network adaptation language vision graph sparse dense "
         "attention transformer generative latent score noise sampling kernel matrix").split()
PREFIXES = ["he*", "ha*", "hi*", "hy*", "hu*", "title:he*", "abstract:ha*", "notes:hi*", "authors:ha*", "he*"]
QUERIES = {
    "10 two-letter prefixes + 90 common words": " ".join(PREFIXES + [VOCAB[i % len(VOCAB)] for i in range(90)]),
    "10 x he* + 90 x harmonic": " ".join(["he*"] * 10 + ["harmonic"] * 90),
    "50 terms OR'd (10 prefixes)": " OR ".join(PREFIXES + VOCAB[:40]),
    "100 tag: filters": " ".join(f"tag:t{i}" for i in range(100)),
    "he* + 99 tag: filters": "he* " + " ".join(f"tag:t{i}" for i in range(99)),
}


def synthetic(lib: Library, n: int) -> None:
    rnd = random.Random(7)

    def text(k: int) -> str:
        return " ".join(rnd.choice(VOCAB) for _ in range(k))

    lib.add([Entry(f"{text(8).title()} {i}", type="article", year=2000 + i % 25,
                   authors=[Person(f"Hall{i % 500}", "H.")], abstract=text(150), notes=text(20),
                   journal="Journal of H", tags=[f"t{i % 50}"]) for i in range(n)], AddPolicy(autotag=False))


def time_queries(label: str, lib: Library, runs: int) -> None:
    print(f"{label} ({lib.count()} entries)")
    for name, query in QUERIES.items():
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            hits = lib.search(query)
            times.append(time.perf_counter() - start)
        print(f"  {name:42s} worst {max(times) * 1000:8.1f} ms  median {statistics.median(times) * 1000:8.1f} ms"
              f"  hits {len(hits)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bundled, _ = open_library(Path(tmp) / "bundled.db", create=True)
        load_bundled(bundled.door)
        time_queries("bundled", bundled, args.runs)
        bundled.close()
        big, _ = open_library(Path(tmp) / "big.db", create=True)
        synthetic(big, args.entries)
        time_queries("synthetic", big, args.runs)
        big.close()
        shared, _ = open_library(Path(tmp) / "shared.db", create=True)
        works = [Entry(f"Study {i}", type="article", authors=[Person("Smith", "Ann")], year=2020,
                       citekey="smith2020study", journal=f"Journal {i}", pages=str(i + 1)) for i in range(5000)]
        start = time.perf_counter()
        result = shared.add(works, AddPolicy(source_keys=True, autotag=False))
        print(f"5,000 works sharing one key: {time.perf_counter() - start:.2f} s, {len(result.added)} added, "
              f"last key {result.added[-1].citekey}")
        shared.close()


if __name__ == "__main__":
    main()
