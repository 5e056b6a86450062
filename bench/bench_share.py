"""A shared library in git at scale: one change synced in an N-entry share, and the repository's size.

    python bench/bench_share.py [--entries 10000] [--runs 5] [--out DIR]

Builds (untimed) a catalogue of N generated entries (``bibgen.py``, the .bib every benchmark
here uses), a bare remote, and clone A shared with ``share init`` + ``share sync``; then a second
clone B runs ``share init`` (a teammate's first import, timed once). Each run tags one entry in A
and times the whole ``papershelf share sync`` process in A (write one file, commit, pull, push),
then ``share sync`` in B (pull and read the one file back). Prints the medians, and the size of
the entry files and of the bare remote after ``git gc`` per 1,000 entries. Asserts nothing but
that B ends with A's tags.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bibgen import make_bib_with_keys

PAPERSHELF = str(Path(sys.executable).parent / "papershelf") if (Path(sys.executable).parent / "papershelf").exists() \
    else "papershelf"


def run(*args: str, env: dict[str, str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(list(args), env=env, cwd=cwd, capture_output=True, text=True, timeout=3600)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return took


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="work here (default: a temporary folder, removed)")
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="bench-share-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.org",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(work / "gitconfig"),
           "PAPERSHELF_CACHE_DAYS": "0", "XDG_DATA_HOME": str(work / "xdg")}
    (work / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    try:
        n = args.entries
        text, keys = make_bib_with_keys(n)
        bib = work / "big.bib"
        bib.write_text(text)
        remote, a_dir, b_dir = work / "remote.git", work / "a", work / "b"
        a_db, b_db = work / "a.db", work / "b.db"
        run("git", "init", "-q", "--bare", str(remote), env=env)
        run("git", "clone", "-q", str(remote), str(a_dir), env=env)
        run(PAPERSHELF, "--db", str(a_db), "init", "--empty", env=env)
        t_import = run(PAPERSHELF, "--db", str(a_db), "import", "bibtex", str(bib), env=env)
        t_init = run(PAPERSHELF, "--db", str(a_db), "share", "init", str(a_dir), env=env)
        t_first = run(PAPERSHELF, "--db", str(a_db), "share", "sync", env=env)
        run("git", "clone", "-q", str(remote), str(b_dir), env=env)
        run(PAPERSHELF, "--db", str(b_db), "init", "--empty", env=env)
        t_clone = run(PAPERSHELF, "--db", str(b_db), "share", "init", str(b_dir), env=env)
        run(PAPERSHELF, "--db", str(b_db), "share", "sync", env=env)
        a_times, b_times = [], []
        for i in range(args.runs):
            run(PAPERSHELF, "--db", str(a_db), "tag", keys[(i * 7919) % n], f"bench-{i}", env=env)
            a_times.append(run(PAPERSHELF, "--db", str(a_db), "share", "sync", env=env))
            b_times.append(run(PAPERSHELF, "--db", str(b_db), "share", "sync", env=env))
        check = subprocess.run([PAPERSHELF, "--db", str(b_db), "list", "--tag", f"bench-{args.runs - 1}"],
                               env=env, capture_output=True, text=True, timeout=600)
        assert keys[((args.runs - 1) * 7919) % n] in check.stdout, "B did not get A's last tag"
        run("git", "gc", "-q", "--aggressive", env=env, cwd=remote)
        entries_bytes = size(a_dir / "entries")
        remote_bytes = size(remote)
        per = 1000 / n
        print(f"entries: {n}  runs: {args.runs}")
        print(f"import bibtex (untimed setup, for scale): {t_import:.2f} s")
        print(f"share init (write {n} entry files, commit): {t_init:.2f} s; first sync (push): {t_first:.2f} s")
        print(f"teammate's share init on a clone (import {n} files): {t_clone:.2f} s")
        print(f"one-change sync, writer side (median): {statistics.median(a_times):.3f} s  "
              f"(all: {', '.join(f'{t:.3f}' for t in a_times)})")
        print(f"one-change sync, reader side (median): {statistics.median(b_times):.3f} s  "
              f"(all: {', '.join(f'{t:.3f}' for t in b_times)})")
        print(f"entry files: {entries_bytes / 1e6:.1f} MB ({entries_bytes * per / 1e3:.0f} kB per 1,000 entries); "
              f"bare remote after git gc: {remote_bytes / 1e6:.1f} MB ({remote_bytes * per / 1e3:.0f} kB per 1,000)")
    finally:
        if args.out is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
