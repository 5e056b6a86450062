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

from papershelf.model.entry import Entry, Person


def generated(n: int, start: int = 0) -> list[Entry]:
    """Varied entries: articles, preprints, degraded books, .bib-sourced entries with
    @preamble/@string blocks, tags, notes, non-ASCII names."""
    out = []
    for i in range(start, start + n):
        kind = i % 6
        e = Entry(title=f"Diffusion Models {i}: Gaussian {'Bäck' if i % 4 else 'LoRA'} study",
                  citekey=f"{'Key' if i % 3 else 'key'}{i:06d}",
                  authors=[Person(f"Müller{i % 7}", "Ana"), Person("van der Berg", "Jo", "van")],
                  year=2000 + i % 25, tags=[f"tag{i % 5}", "diffusion"] if i % 2 else [])
        if kind == 0:
            e.type, e.journal, e.volume, e.number = "article", f"Journal {i % 11}", str(i % 40), "3"
        elif kind == 1:
            e.arxiv_id, e.primary_class, e.date = f"{2000 + i % 500:04d}.{i:05d}", "cs.LG", "2020-06-19"
        elif kind == 2:
            e.type = "book"
        elif kind == 3:
            e.type, e.booktitle = "inproceedings", "NeurIPS"
            e.notes = f"note {i}\nsecond line"
        elif kind == 4:
            e.type, e.source_type = "article", "Article"
            e.source_fields = {"author": "Ana Müller", "title": "{Verbatim} title",
                               "journal": "jml", "year": str(2000 + i % 25), "keywords": "a, b"}
            e.bib_strings = {"jml": f"{{Journal of ML {i % 3}}}"}
            e.bib_preambles = [f"\"\\newcommand{{\\x{i % 2}}}{{x}}\""]
        else:
            e.type, e.abstract, e.doi = "misc", f"Abstract {i} with 擴散 " + "words " * 40, f"10.1000/{i}"
        out.append(e)
    return out


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
