"""Peak memory and wall time of ``papershelf export`` on a large generated catalogue.

    python bench/bench_export_memory.py [--entries 100000] [--out bench/out] [--whole]

Builds (once, cached in --out) a catalogue of N generated entries through the storage API
(the same generator as tests/services/test_export_streaming.py, kept in step by hand), then runs
``export bibtex -o`` and ``export csl-json -o`` each in a fresh child process, reading the child's
peak RSS with ``resource.getrusage(RUSAGE_CHILDREN)`` from a fresh wrapper process (so each
number is that export alone). ``--whole`` also measures the whole-list path (every entry
loaded, one string) in-process for comparison. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

# The generator the export tests use (tests/entry_factory.py): the benchmark measures what they check.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from entry_factory import generated


def build(db: Path, n: int) -> None:
    from papershelf.services.library import open_library

    lib, _ = open_library(db, create=True)
    try:
        for start in range(0, n, 5000):
            lib.cat.insert_many(generated(min(5000, n - start), start))
    finally:
        lib.close()


def measure(args: list[str]) -> tuple[int, float, float]:
    """(exit code, peak RSS in MB, wall seconds) of one child process."""
    wrapper = textwrap.dedent(f"""
        import resource, subprocess, sys, time
        t = time.perf_counter()
        done = subprocess.run({args!r}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t
        sys.stderr.write(done.stderr.decode(errors="replace")[-2000:])
        print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, wall)
    """)
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=True)
    code, kb, wall = out.stdout.split()
    return int(code), int(kb) / 1024, float(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--whole", action="store_true", help="also measure the whole-list path")
    ns = parser.parse_args()
    ns.out.mkdir(parents=True, exist_ok=True)
    db = ns.out / f"export-{ns.entries}.db"
    if not db.exists():
        t = time.perf_counter()
        build(db, ns.entries)
        print(f"built {db} ({ns.entries} entries) in {time.perf_counter() - t:.1f} s")
    cli = [sys.executable, "-c", "import sys; from papershelf.cli import main; "
           "sys.argv[0] = 'papershelf'; main()", "--db", str(db)]
    results = {}
    for kind, suffix in (("bibtex", "bib"), ("csl-json", "json")):
        target = ns.out / f"export-{ns.entries}.{suffix}"
        code, mb, wall = measure([*cli, "export", kind, "-o", str(target), "--force"])
        results[f"streamed {kind}"] = {"exit": code, "peak_rss_mb": round(mb, 1), "wall_s": round(wall, 2),
                                       "bytes": target.stat().st_size if target.exists() else None}
    if ns.whole:
        whole = ("import sys; from pathlib import Path; from papershelf.services.library import open_library; "
                 "from papershelf.services import export; "
                 f"lib, _ = open_library(Path({str(db)!r})); "
                 "sel = export.select(lib); text, _ = export.bibtex(sel.entries); "
                 "sys.stdout.write(text)")
        code, mb, wall = measure([sys.executable, "-c", whole])
        results["whole-list bibtex"] = {"exit": code, "peak_rss_mb": round(mb, 1), "wall_s": round(wall, 2)}
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
