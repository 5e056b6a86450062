"""Concurrent writers and killed writers against one catalogue: the storage figures of the
hostile-input issue, re-runnable.

    python bench/stress_writes.py --writers 8 --each 50 --kills 10

Writers: N processes, each doing ``--each`` mixed writes (tag, note, set, add of pasted BibTeX)
on its own entries of one catalogue at once; afterwards every effect must be there and no
command may have failed with "locked". Kills: ``import bibtex`` of a generated file and ``sync``
are SIGKILLed at random moments; after each, ``papershelf db check`` must pass and the catalogue
must hold all of an import or none of it. Prints the counts; exits 1 if anything was lost.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

EXE = [sys.executable, "-m", "papershelf"]


def run(db: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAPERSHELF_DB": str(db)}
    return subprocess.run([*EXE, *args], input=stdin, capture_output=True, text=True, env=env, timeout=300)


def writer(db: Path, w: int, each: int) -> list[str]:
    """Mixed writes of writer ``w``; returns the failures."""
    failures = []
    for i in range(each):
        key = f"w{w}i{i}"
        bib = f"@article{{{key}, title={{Work {w} {i}}}, author={{Writer, W{w}}}, year={{2020}}, journal={{J}}}}"
        steps = [("add", "-", bib), ("tag", key, f"t{w}"), ("note", key, f"note {w} {i}"),
                 ("set", key, f"volume={i}")]
        for cmd, arg, extra in steps:
            args = [cmd, arg] if cmd == "add" else [cmd, arg, extra]
            r = run(db, *args, stdin=extra if cmd == "add" else None)
            if r.returncode != 0:
                failures.append(f"{cmd} {key}: {r.returncode} {r.stderr.strip()[:200]}")
    return failures


def effects(db: Path, writers: int, each: int) -> int:
    con = sqlite3.connect(db)
    try:
        found = 0
        for w in range(writers):
            for i in range(each):
                row = con.execute("SELECT id, volume FROM entries WHERE citekey = ?", (f"w{w}i{i}",)).fetchone()
                if row is None or row[1] != str(i):
                    continue
                tagged = con.execute("SELECT 1 FROM entry_tags et JOIN tags t ON t.id = et.tag_id "
                                     "WHERE et.entry_id = ? AND t.name = ?", (row[0], f"t{w}")).fetchone()
                noted = con.execute("SELECT notes FROM entries WHERE id = ?", (row[0],)).fetchone()
                if tagged and noted and f"note {w} {i}" in (noted[0] or ""):
                    found += 1
        return found
    finally:
        con.close()


def kills(db: Path, n: int, bib: Path, size: int) -> tuple[int, list[str]]:
    bad = []
    done = 0
    for k in range(n):
        env = {**os.environ, "PAPERSHELF_DB": str(db)}
        before = sqlite3.connect(db).execute("SELECT count(*) FROM entries").fetchone()[0]
        p = subprocess.Popen([*EXE, "import", "bibtex", str(bib)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(random.uniform(0.3, 3.0))
        p.send_signal(signal.SIGKILL)
        p.wait()
        check = run(db, "db", "check")
        after = sqlite3.connect(db).execute("SELECT count(*) FROM entries").fetchone()[0]
        if check.returncode != 0:
            bad.append(f"kill {k}: db check exit {check.returncode}: {check.stdout[-300:]} {check.stderr[-300:]}")
        if after - before not in (0, size) and not (before and after == before):
            bad.append(f"kill {k}: {after - before} entries of an import of {size} (partial)")
        if after - before == size:  # the import finished before the kill: take it back
            run(db, "undo", "--force")
        done += 1
    return done, bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--each", type=int, default=50)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--size", type=int, default=3000, help="entries in the file the killed imports read")
    a = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bibgen import make_bib

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "c.db"
        assert run(db, "init", "--empty").returncode == 0
        t0 = time.monotonic()
        with ThreadPoolExecutor(a.writers) as pool:
            fails = [f for r in pool.map(lambda w: writer(db, w, a.each), range(a.writers)) for f in r]
        got = effects(db, a.writers, a.each)
        locked = sum("locked" in f for f in fails)
        print(f"writers: {a.writers} x {a.each} entries x 4 writes in {time.monotonic() - t0:.0f} s: "
              f"{got}/{a.writers * a.each} entries with every effect, {len(fails)} failed commands, {locked} 'locked'")
        for f in fails[:10]:
            print("  ", f)
        bib = Path(tmp) / "k.bib"
        bib.write_text(make_bib(a.size, seed=7), encoding="utf-8")
        done, bad = kills(db, a.kills, bib, a.size)
        print(f"kills: {done} SIGKILLed imports, {len(bad)} left a damaged or partial catalogue")
        for b in bad:
            print("  ", b)
        return 1 if (fails or got != a.writers * a.each or bad) else 0


if __name__ == "__main__":
    raise SystemExit(main())
