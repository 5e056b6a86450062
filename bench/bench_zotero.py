"""import zotero measured: the shared Zotero libraries and a generated 10,000-item one.

    python bench/bench_zotero.py [--shared DIR] [--size 10000] [--runs 1] [--json OUT]

Per library under ``--shared`` (default ``../shared/data/zotero`` beside the checkout, read in
place: nothing is copied), for a library whose items carry files (``files_library``: the shared
PDFs in ``../shared/data/pdf`` linked in place and stored as copies in a temporary data
directory, a missing file and a web page) and for a library of ``--size`` items made by the tests' fixture
builder (``tests/formats/zotero/zotero_fixture.generate``: Zotero's own tables, varied types,
a third with native keys, collections, tags and notes), papershelf's installed console script
runs ``import zotero PATH --json`` into an empty catalogue (``init``, untimed) (its own HOME and XDG folders), then
the same import again. Printed per library: the items Zotero holds (regular, not in the trash)
against the entries imported, keys kept (and where they came from), collections, tags and notes
carried, files attached/missing/skipped; the wall time and the peak RSS of the process (its
``wait4`` rusage); and what the second import changed (``changes``: entries added or updated,
tags, notes, files; 0 is the goal). For a library that has Better BibTeX's store, the entries'
keys are compared with the keys BBT holds for the same items (``keys = BBT``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "formats" / "zotero"))


def papershelf() -> str:
    """The console script beside this interpreter (a venv), else the first on PATH."""
    here = Path(sys.executable).with_name("papershelf")
    return str(here) if here.exists() else (shutil.which("papershelf") or "papershelf")


def run(args: list[str], work: Path) -> tuple[float, int, int, str, str]:
    """(seconds, peak RSS in MB, exit status, stdout, stderr) of ``papershelf ARGS``."""
    env = dict(os.environ, HOME=str(work / "home"), XDG_DATA_HOME=str(work / "data"),
               XDG_CONFIG_HOME=str(work / "config"), XDG_CACHE_HOME=str(work / "cache"),
               XDG_STATE_HOME=str(work / "state"), PAPERSHELF_DB=str(work / "catalogue.db"))
    out, err = work / "stdout", work / "stderr"
    with out.open("wb") as o, err.open("wb") as e:
        start = time.perf_counter()
        proc = subprocess.Popen([papershelf(), *args], stdout=o, stderr=e, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss // 1024, proc.returncode, out.read_text(), err.read_text()


def bbt_reference(data_dir: Path) -> dict[str, str]:
    """Better BibTeX's keys by Zotero item key (its current table or its legacy JSON store)."""
    from papershelf.formats.zotero.reader import bbt_keys

    for name in ("better-bibtex.sqlite", "better-bibtex.sqlite.migrated", "better-bibtex.migrated"):
        if (data_dir / name).is_file():
            return {item: key for (_, item), key in bbt_keys(data_dir / name).items()}
    return {}


def keys_by_item(catalogue: Path) -> dict[str, str]:
    """Zotero item key -> the key of the entry imported from it (read from the catalogue)."""
    conn = sqlite3.connect(f"file:{catalogue}?mode=ro", uri=True)
    try:
        out = {}
        for key, links in conn.execute("SELECT citekey, links FROM entries"):
            for link in json.loads(links or "[]"):
                if str(link.get("url", "")).startswith("zotero://select/"):
                    out[link["url"].rsplit("/", 1)[1]] = key
        return out
    finally:
        conn.close()


def change_in_zotero(data_dir: Path, n: int) -> int:
    """As a Zotero user would between two imports: ``n`` titles changed (every 100th item, the
    first among them ``gen0:key``, whose title the user also edits in papershelf: kept), a tag
    on another ``n`` items, ``n // 2`` items moved to the trash; returns how many items changed."""
    from zotero_fixture import FIELDS

    conn = sqlite3.connect(data_dir / "zotero.sqlite")
    items = [r[0] for r in conn.execute("SELECT itemID FROM items WHERE key LIKE 'K%' ORDER BY itemID")]
    step = max(len(items) // n, 1)
    title = FIELDS.index("title") + 1
    for iid in items[::step][:n]:
        vid = conn.execute("INSERT INTO itemDataValues (value) VALUES (?)", (f"Revised title {iid}",)).lastrowid
        conn.execute("UPDATE itemData SET valueID=? WHERE itemID=? AND fieldID=?", (vid, iid, title))
    tag = conn.execute("INSERT INTO tags (name) VALUES ('added in zotero')").lastrowid
    conn.executemany("INSERT INTO itemTags VALUES (?, ?, 0)", [(iid, tag) for iid in items[1::step][:n]])
    conn.executemany("INSERT INTO deletedItems (itemID) VALUES (?)", [(iid,) for iid in items[2::step][:n // 2]])
    conn.commit()
    conn.close()
    return n + n + n // 2


def measure(name: str, data_dir: Path, runs: int, changes: int = 0) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-zotero-") as tmp:
            work = Path(tmp)
            made = run(["init"], work)  # an empty catalogue, untimed
            if made[2] != 0:
                raise SystemExit(f"papershelf init failed: {made[4].strip()}")
            first = run(["import", "zotero", str(data_dir), "--json"], work)
            if first[2] != 0:
                raise SystemExit(f"{name}: import failed ({first[2]}): {first[4].strip()[-500:]}")
            second = run(["import", "zotero", str(data_dir), "--json"], work)
            if second[2] != 0:
                raise SystemExit(f"{name}: second import failed ({second[2]}): {second[4].strip()[-500:]}")
            report, again = json.loads(first[3]), json.loads(second[3])
            third: dict[str, Any] = {}
            if changes:  # a copy of the library changed as a user would, imported a third time
                saved = Path(tmp) / "as-it-was"
                saved.mkdir()
                shutil.copyfile(data_dir / "zotero.sqlite", saved / "zotero.sqlite")
                n_changed = change_in_zotero(data_dir, changes)  # in place: the entries' links name this directory
                edited = run(["set", "gen0:key", "title=A title the user wrote"], work)  # its title changes too
                if edited[2] != 0:
                    raise SystemExit(f"papershelf set failed: {edited[4].strip()}")
                res = run(["import", "zotero", str(data_dir), "--json"], work)
                shutil.copyfile(saved / "zotero.sqlite", data_dir / "zotero.sqlite")  # as it was, for the next run
                if res[2] != 0:
                    raise SystemExit(f"{name}: third import failed ({res[2]}): {res[4].strip()[-500:]}")
                got = json.loads(res[3])
                third = {"made": n_changed, "seconds": res[0], "changes": got.get("changes"),
                         "refreshed": len(got.get("refreshed", [])), "tags_added": len(got.get("tags_added", [])),
                         "gone": len(got.get("gone", [])), "kept": len(got.get("kept", []))}
            reference = bbt_reference(data_dir)
            mine = keys_by_item(work / "catalogue.db")
            both = [k for k in reference if k in mine]
            rows.append({"seconds": first[0], "rss_mb": first[1], "again_seconds": second[0],
                         "report": report, "again": again, "third": third,
                         "bbt": (sum(1 for k in both if mine[k] == reference[k]), len(both)) if reference else None})
    r = rows[0]["report"]
    again = rows[0]["again"]

    def files(rep: dict[str, Any], name: str) -> int:
        v = rep.get(name, 0)
        return len(v) if isinstance(v, list) else int(v or 0)

    return {
        "library": name, "userdata": r.get("userdata"), "items": r.get("items"),
        "imported": len(r.get("added", [])), "duplicates": len(r.get("duplicates", [])),
        "keys_kept": r.get("keys_kept"), "keys_from": r.get("keys_from"),
        "collections": r.get("collections"), "tags": r.get("tags"), "notes": r.get("notes"),
        "files_attached": files(r, "files_attached"), "files_missing": files(r, "files_missing"),
        "files_skipped": files(r, "files_skipped"),
        "seconds": statistics.median(x["seconds"] for x in rows), "rss_mb": max(x["rss_mb"] for x in rows),
        "again_seconds": statistics.median(x["again_seconds"] for x in rows),
        "again_added": len(again.get("added", [])), "again_unchanged": len(again.get("unchanged", [])),
        "again_changes": again.get("changes"), "again_gone": len(again.get("gone", [])),
        "bbt": rows[0]["bbt"], "runs": runs, "third": rows[0]["third"],
    }


def files_library(into: Path, pdfs: list[Path]) -> Path:
    """A Zotero data directory whose items carry files: each PDF of ``pdfs`` linked where it is
    (an absolute path, read in place) by one item and stored (a copy in ``storage/KEY/``, as
    Zotero keeps it) by another, plus a linked file that is not on disk and a stored HTML page."""
    from zotero_fixture import Builder

    b = Builder(into / "zotero.sqlite")
    for n, pdf in enumerate(pdfs):
        b.item("journalArticle", f"L{n:07d}", {"title": f"Linked {pdf.stem}", "date": "2020"},
               attachments=[(2, str(pdf))])
        iid = b.item("journalArticle", f"S{n:07d}", {"title": f"Stored {pdf.stem}", "date": "2021"},
                     attachments=[(0, f"storage:{pdf.name}")])
        (into / "storage" / f"A{iid:05d}00").mkdir(parents=True)
        shutil.copyfile(pdf, into / "storage" / f"A{iid:05d}00" / pdf.name)
    b.item("book", "MISSING0", {"title": "A linked file gone", "date": "2019"},
           attachments=[(2, str(into / "nowhere" / "gone.pdf"))])
    iid = b.item("webpage", "HTMLPAGE", {"title": "A saved web page", "date": "2018"},
                 attachments=[(1, "storage:page.html")])
    (into / "storage" / f"A{iid:05d}00").mkdir(parents=True)
    (into / "storage" / f"A{iid:05d}00" / "page.html").write_text("<!doctype html><p>a page</p>")
    b.close()
    return into


def table(results: list[dict[str, Any]]) -> str:
    head = ("| library | userdata | items | imported | keys kept (from) | keys = BBT | collections / tags / notes "
            "| files attached / missing / skipped | time | peak RSS | 2nd import: changes (unchanged), time |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        src = ", ".join(f"{k} {v}" for k, v in sorted((r["keys_from"] or {}).items())) or "-"
        bbt = f"{r['bbt'][0]}/{r['bbt'][1]}" if r["bbt"] else "-"
        lines.append(f"| {r['library']} | {r['userdata']} | {r['items']} | {r['imported']}"
                     + (f" (+{r['duplicates']} dup.)" if r["duplicates"] else "") + f" | {r['keys_kept']} ({src}) "
                     f"| {bbt} | {r['collections']} / {r['tags']} / {r['notes']} "
                     f"| {r['files_attached']} / {r['files_missing']} / {r['files_skipped']} "
                     f"| {r['seconds']:.2f} s | {r['rss_mb']} MB | {r['again_changes']} ({r['again_unchanged']}), "
                     f"{r['again_seconds']:.2f} s |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data" / "zotero")
    ap.add_argument("--size", type=int, default=10_000, help="items of the generated library (0: none)")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--json", type=Path, help="write the results here too")
    args = ap.parse_args()
    results = []
    libraries = sorted(p for p in args.shared.iterdir() if (p / "zotero.sqlite").is_file()) \
        if args.shared.is_dir() else []
    for data_dir in libraries:
        results.append(measure(data_dir.name, data_dir, args.runs))
        print(table(results[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    pdfs = sorted((args.shared.parent / "pdf").glob("*.pdf"))
    if pdfs:
        with tempfile.TemporaryDirectory(prefix="bench-zotero-files-") as tmp:
            results.append(measure(f"files ({len(pdfs)} PDFs)", files_library(Path(tmp), pdfs), args.runs))
    if args.size:
        from zotero_fixture import generate

        with tempfile.TemporaryDirectory(prefix="bench-zotero-gen-") as tmp:
            (Path(tmp) / "Zotero").mkdir()
            generate(Path(tmp) / "Zotero" / "zotero.sqlite", args.size)
            results.append(measure(f"generated {args.size:,}", Path(tmp) / "Zotero", args.runs,
                                   changes=max(args.size // 100, 1)))
    print(table(results))
    for r in results:
        if r["third"]:
            t = r["third"]
            print(f"\n{r['library']}, changed in Zotero ({t['made']} items: titles, a new tag, trashed) and "
                  f"imported again: {t['changes']} changes ({t['refreshed']} updated, {t['tags_added']} given the "
                  f"tag, {t['gone']} reported gone, {t['kept']} kept), {t['seconds']:.2f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
