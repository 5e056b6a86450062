"""papershelf side by side with papis 0.16 (default and SQLite backend), pubs 0.9 and coBib 6.0.

    python bench/bench_peers.py [--sizes 1000,10000,100000] [--tools floor,papershelf,papis,papis-sqlite,pubs,cobib]
        [--runs 3] [--warmup 1] [--cap 180] [--workloads W,...] [--venvs DIR] [--work DIR] [--json OUT]

Installs each peer from PyPI in its own venv (in a temporary folder, or in ``--venvs DIR`` to
reuse), gives every tool its own HOME and XDG directories, writes one generated .bib per size
(bench/bibgen.py) and runs every tool on the same file in the same run, tools alternating within
each round, ``--warmup`` untimed rounds then ``--runs`` timed ones. Per tool × workload × size it
prints the median and min–max of the wall time and of the peak RSS (GNU time's ``%M``):

* the floor, run by the interpreter papershelf runs in (the ``#!`` line of its console script:
  inside a venv, the venv's python, never a pyenv shim in front of the base interpreter): as
  ``--help`` an argparse script with papershelf's global options and commands, and as
  ``search`` a bare sqlite3 script that runs
  the FTS query papershelf's search runs (asked of papershelf: ``peer_tools.search_sql``) on
  papershelf's catalogue and prints the keys;
* import into an empty library (papis: its CLI import, capped; its library for the other
  workloads is built untimed with its own add code, see peer_tools.PAPIS_BUILD);
* search the planted surname; export everything to BibTeX (papershelf: ``export`` is the first
  export, its cache of rendered entries off, ``PAPERSHELF_CACHE_DAYS=0``: the headline;
  ``export (repeat)`` reads the texts an earlier export kept); ``--help``;
* papershelf only: ``search --limit 20``; ``import 2,000 into empty`` and ``into N`` (2,000
  entries of another seed into an empty catalogue and into a copy of the N-entry one, made
  untimed before each run), ``add one into N`` (one entry by hand into such a copy); ``show
  KEY`` into a pipe and on a pseudo-terminal; ``list --tag T`` (the largest tag), ``list`` on a
  pseudo-terminal (80×24, its default pager: the time to the first screen, then ``q``, and to
  the end), a TAB completion of a citation key (the name and year part of a key).

Before each run the harness syncs the disk (``os.sync``), untimed, so no run pays for flushing
files the harness or the run before it wrote (a write into a fresh 800 MB copy of the
100,000-entry catalogue otherwise waits for the copy's pages at its first ``fsync``).
A run over ``--cap`` seconds is killed and recorded as capped; that tool × workload is not run
again at that size. A library that takes longer than ``--cap`` to build (untimed) is not
measured at that size, so peers run at 100,000 wherever they finish within the cap. A tool ×
workload whose warm-up (or first run, without one) takes over ``--long`` seconds (60) gets one
timed run instead of ``--runs``.
Correctness rides along: a search must print exactly the planted entries' keys; an export must
hold every entry with the same title, authors, year and DOI as the generated file, as BibTeX
reads them (export_check.py: each value one BibTeX value; the authors person by person, in
order, each split into BibTeX's four parts and LaTeX-decoded, so a name spelled in another LaTeX
form is equal and a dropped, reordered or altered name is not); a tool that fails this is named
in the table with the kind of each difference.
papershelf runs from a venv of its own under ``--venvs`` (this checkout, installed editable,
made if missing; ``--papershelf SCRIPT`` runs another console script), as each peer does: a venv
reads no .pth file of the base interpreter's, which may import packages at every start (the
harness names any it finds and warns: they flatter every ratio to the floor).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fcntl
import json
import os
import platform
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import peer_tools as pt
from bibgen import make_bib_with_keys, planted_keys
from export_check import bib_fields, compare_fields

WORKLOADS = ["--help", "import", "search", "search --limit 20", "export", "export (repeat)",
             f"import {pt.MORE:,} into empty", f"import {pt.MORE:,} into N", "add one into N",
             "show", "show (tty)", "list --tag", "list (tty)", "TAB completion"]
TTY = ("list (tty)", "show (tty)")  # run on a pseudo-terminal
SCREEN_LINES = 24


@dataclass
class Result:
    tool: str
    workload: str
    n: int
    wall: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    first_screen: list[float] = field(default_factory=list)
    capped: bool = False
    long: bool = False  # its warm-up took over --long seconds: one timed run
    last: float = 0.0  # the wall time of the latest run, timed or not
    failures: list[str] = field(default_factory=list)
    check: str = ""


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


TIME = shutil.which("time", path="/usr/bin:/bin")


def with_rss(argv: list[str], rss_file: Path) -> list[str]:
    """``argv`` run by GNU time, which writes its peak RSS (KiB) to ``rss_file``.

    Not ``os.wait4``'s rusage: Linux counts in a child's ``ru_maxrss`` the pages of the process
    it was forked from (here this script, 0.5 GB with 100,000 keys in memory), so a small tool
    would show the harness's size. GNU time is a small C program, so what it reports is the
    tool's. Its own start (~1 ms) is in every tool's wall time alike."""
    rss_file.unlink(missing_ok=True)
    return [TIME, "-f", "%M", "-o", str(rss_file), *argv] if TIME else argv


def _rss(rss_file: Path, usage: os.struct_rusage | None) -> int:
    try:
        return int(rss_file.read_text().split()[-1])
    except (OSError, ValueError, IndexError):  # no GNU time: the (upper-bound) rusage figure
        return usage.ru_maxrss if usage else 0


def run_once(argv: list[str], env: dict[str, str], cap: float, stdout: Path) -> tuple[float, int, int, bool]:
    """Wall seconds, peak RSS (KiB), exit code and whether the cap killed it."""
    rss_file = stdout.with_suffix(".rss")
    with open(stdout, "wb") as out, open(stdout.with_suffix(".err"), "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(with_rss(argv, rss_file), env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        timer = threading.Timer(cap, _kill, (proc.pid,))
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, _rss(rss_file, usage), proc.returncode, wall >= cap


QUIET = 0.5  # seconds without output after which a screen counts as shown (its last byte's time)


def _own_terminal() -> None:
    """In the child: a new session whose controlling terminal is the pty (a pager reads keys there)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_on_pty(argv: list[str], env: dict[str, str], cap: float,
               stdout: Path) -> tuple[float, float, int, int, bool]:
    """``argv`` on an 80×24 pseudo-terminal, with the user's default pager (``PAGER`` unset):
    seconds to the first screen (23 lines, or the last byte before the output pauses: a pager
    waits) and to the end, peak RSS, exit code, capped. After the first screen it types ``q``,
    as a reader would (a pager quits; a program without one ignores it)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SCREEN_LINES, 80, 0, 0))
    env = {k: v for k, v in env.items() if k not in ("PAGER", "PAPERSHELF_PAGER")}
    rss_file = stdout.with_suffix(".rss")
    start = time.perf_counter()
    proc = subprocess.Popen(with_rss(argv, rss_file), env={**env, "TERM": "xterm-256color"},
                            stdin=slave, stdout=slave, stderr=slave, preexec_fn=_own_terminal)
    os.close(slave)
    first, lines, chunks, capped, last = 0.0, 0, [], False, 0.0
    while True:
        left = cap - (time.perf_counter() - start)
        if left <= 0:
            _kill(proc.pid)
            capped = True
            break
        ready, _, _ = select.select([master], [], [], min(left, QUIET))
        if not ready:
            if chunks and not first:  # the screen is full and a pager waits for a key
                first = last - start
                os.write(master, b"q")
            continue
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
        last = time.perf_counter()
        lines += data.count(b"\n")
        if not first and lines >= SCREEN_LINES - 1:
            first = time.perf_counter() - start
            os.write(master, b"q")
    _, status, usage = os.wait4(proc.pid, 0)
    total = time.perf_counter() - start
    os.close(master)
    stdout.write_bytes(b"".join(chunks))
    return first or total, total, _rss(rss_file, usage), os.waitstatus_to_exitcode(status), capped


def measure(tool: pt.Tool, workload: str, res: Result, cap: float, timed: bool, tmp: Path) -> None:
    argv = tool.argv(workload)
    if argv is None or res.capped:
        return
    if workload == "import":
        tool.prepare_import()
    tool.before(workload)
    os.sync()  # what the harness (or the run before) wrote is on disk: no run pays for its flush
    out = tool.stdout_file.get(workload, tmp / f"{tool.name}.out")
    first = None
    if workload in TTY:
        first, wall, rss, rc, capped = run_on_pty(argv, tool.env, cap, out)
    else:
        wall, rss, rc, capped = run_once(argv, tool.workload_env(workload), cap, out)
    res.last = wall
    if workload == "import":
        tool.imported = rc == 0 and not capped
    if capped:
        res.capped = True
        return
    if rc != 0:
        err = out.with_suffix(".err")
        tail = err.read_text(errors="replace").strip().splitlines()[-1:] if err.exists() else []
        res.failures.append(f"exit {rc}: {' '.join(tail)[:160]}")
    if timed:
        res.wall.append(wall)
        res.rss_kb.append(rss)
        if first is not None:
            res.first_screen.append(first)
    if workload.startswith("export") and res.check and timed:
        return  # the fields of this tool's export were compared on its first run (a long check)
    res.check = check(tool, workload, out)


KEYS: dict[int, tuple[set[str], set[str]]] = {}  # n -> (all keys, planted keys)
FIELDS: dict[int, dict[str, dict[str, object]]] = {}  # n -> key -> compared fields of the source


def check(tool: pt.Tool, workload: str, out: Path) -> str:
    keys, planted = KEYS[int(tool.bib.stem.split("-")[-1])]
    if isinstance(tool, pt.Floor) and workload == "--help":
        shown = out.read_text(errors="replace")
        commands = json.loads(tool.commands)
        missing = [name for name, _ in commands if f"    {name}" not in shown]
        return (f"an argparse script with the {len(commands)} commands" if not missing
                else f"WRONG: the argparse help lacks {', '.join(missing)}")
    if isinstance(tool, pt.Floor) and workload != "search":
        return "python -c 'import sqlite3'"
    if workload.startswith("search"):
        found = set(re.findall(r"[a-z]+\d{4}[a-z0-9]+", out.read_text(errors="replace"))) & keys
        want = planted if workload == "search" else set()
        if workload == "search" and found == planted:
            return f"ok: exactly the {len(planted)} planted entries" + (
                " (the same FTS query in a bare sqlite3 script)" if isinstance(tool, pt.Floor) else "")
        if workload != "search" and len(found) == min(20, len(planted)) and found <= planted:
            return f"ok: {len(found)} of the planted entries"
        return f"WRONG: {len(found & planted)} of {len(want or planted)} planted, {len(found - planted)} others"
    if workload.startswith("export"):
        return compare_fields(tool.export_text(), FIELDS[int(tool.bib.stem.split("-")[-1])])
    if workload == "TAB completion":
        words = set(out.read_text(errors="replace").split())
        prefix = tool.completion_prefix()  # type: ignore[attr-defined]
        want = {k for k in keys if k.startswith(prefix)}
        return f"ok: {len(want)} keys" if want <= words else f"WRONG: {len(words & want)} of {len(want)} keys"
    return ""


def make_tools(names: list[str], n: int, bib: Path, work: Path, venvs: Path) -> list[pt.Tool]:
    tools: list[pt.Tool] = []
    for name in names:
        home = work / f"n{n}" / name
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        if name == "floor":
            tools.append(pt.Floor(home, bib))
        elif name == "papershelf":
            more = work / f"bench-more-{pt.MORE}.bib"
            if not more.exists():
                more.write_text(make_bib_with_keys(pt.MORE, seed=5)[0], encoding="utf-8")
            tools.append(pt.Papershelf(home, bib, pt.papershelf_exe(), more))
        elif name.startswith("papis"):
            library = work / f"n{n}" / "papis-library"  # shared by both backends, built once
            tools.append(pt.Papis(home, bib, venvs / "papis", library, name == "papis-sqlite"))
        elif name == "pubs":
            tools.append(pt.Pubs(home, bib, venvs / "pubs"))
        elif name == "cobib":
            tools.append(pt.Cobib(home, bib, venvs / "cobib"))
    return tools


def bench_size(names: list[str], n: int, args: argparse.Namespace, work: Path) -> list[Result]:
    bib = work / f"bench-{n}.bib"
    if not bib.exists():
        text, order = make_bib_with_keys(n)
        bib.write_text(text, encoding="utf-8")
    else:
        order = make_bib_with_keys(n)[1]
    KEYS[n] = (set(order), planted_keys(order))
    log(f"n={n}: reading the fields of {bib.name} (for the export checks)")
    FIELDS[n] = bib_fields(bib.read_text(encoding="utf-8"))
    tools = make_tools(names, n, bib, work, args.venvs)
    tmp = work / "out"
    tmp.mkdir(exist_ok=True)
    chosen = [w for w in WORKLOADS if w in args.workloads]
    results = {(t.name, w): Result(t.name, w, n) for t in tools for w in chosen}
    first_read = next((w for w in chosen if WORKLOADS.index(w) >= WORKLOADS.index("search")), None)
    for workload in chosen:
        if workload == first_read:  # libraries for the read workloads: untimed, side by side
            log(f"n={n}: building the libraries (untimed)")
            with concurrent.futures.ThreadPoolExecutor(len(tools)) as pool:
                built = dict(zip([t.name for t in tools], pool.map(lambda tool: tool.build(args.cap), tools),
                                 strict=True))
            for tool in tools:
                if not built[tool.name]:  # its library took longer than the cap to build: no reads
                    log(f"n={n}: {tool.name}'s library took over {args.cap:.0f} s to build: not measured")
                    for w in chosen[chosen.index(first_read):]:
                        results[tool.name, w].capped = tool.argv(w) is not None
                if isinstance(tool, pt.Papershelf):
                    tool.key = sorted(KEYS[n][1])[0]
                    for floor in tools:
                        if isinstance(floor, pt.Floor):
                            floor.db, floor.sql = tool.db, pt.search_sql(tool.db, pt.RARE_QUERY_WORD)
        warmup = args.import_warmup if workload == "import" else args.warmup
        for rnd in range(warmup + args.runs):
            # alternate: each round starts with the next tool
            for tool in tools[rnd % len(tools):] + tools[:rnd % len(tools)]:
                res = results[tool.name, workload]
                if tool.argv(workload) is None or res.capped or (res.long and rnd > warmup):
                    continue
                which = "warm-up" if rnd < warmup else f"run {rnd - warmup + 1}"
                log(f"n={n} {workload} {tool.name} {which}")
                measure(tool, workload, res, args.cap, rnd >= warmup, tmp)
                if (rnd < warmup or warmup == 0) and res.last >= args.long:
                    res.long = True  # one timed run will do: its noise is small beside its length
    return [r for r in results.values() if r.wall or r.capped]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _fmt_secs(xs: list[float]) -> str:
    return f"{statistics.median(xs):.3f} s ({min(xs):.3f}–{max(xs):.3f})"


def _fmt_mb(xs: list[int]) -> str:
    return f"{statistics.median(xs) / 1024:.0f} MB ({min(xs) / 1024:.0f}–{max(xs) / 1024:.0f})"


def table(results: list[Result], cap: float) -> str:
    rows = ["| N | workload | tool | runs | wall: median (min–max) | peak RSS: median (min–max) | check |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    order = {w: i for i, w in enumerate(WORKLOADS)}
    tools = {t: i for i, t in enumerate(pt.ALL_TOOLS)}
    for r in sorted(results, key=lambda r: (r.n, order[r.workload], tools[r.tool])):
        if r.capped:
            wall, rss = f"> {cap:.0f} s (capped)", "–"
        else:
            wall, rss = _fmt_secs(r.wall), _fmt_mb(r.rss_kb)
            if r.first_screen:  # the end includes the pause that showed the pager waiting
                wall = f"first screen {_fmt_secs(r.first_screen)}"
        check = "; ".join(filter(None, [r.check, *sorted(set(r.failures))]))
        rows.append(f"| {r.n:,} | {r.workload} | {r.tool} | {len(r.wall)} | {wall} | {rss} | {check} |")
    return "\n".join(rows)


def machine(venvs: Path, names: list[str]) -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    versions = {"papershelf": subprocess.run([str(pt.papershelf_exe()), "--version"], capture_output=True,
                                             text=True).stdout.strip()}
    for name in {n.split("-")[0] for n in names} - {"papershelf", "floor"}:
        versions[name] = " ".join(pt.freeze(venvs / name, name))
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "nproc": os.cpu_count(),
            "cpu": cpu, "python": platform.python_version(), "load": os.getloadavg(),
            "versions": versions, "papershelf": str(pt.papershelf_exe()),
            "site_imports": pt.site_imports(pt.papershelf_python())}


def write_json(args: argparse.Namespace, info: dict, results: list[Result]) -> None:
    args.json.write_text(json.dumps({"machine": info, "argv": sys.argv[1:], "cap": args.cap,
                                     "runs": args.runs, "warmup": args.warmup,
                                     "import_warmup": args.import_warmup, "long": args.long,
                                     "results": [asdict(r) for r in results]}, indent=1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tools", default=",".join(pt.ALL_TOOLS), help="comma-separated, of: %(default)s")
    ap.add_argument("--sizes", default="1000,10000", help="entries per file, comma-separated")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per tool × workload")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs before them")
    ap.add_argument("--import-warmup", type=int,
                    help="untimed imports before the timed ones (default: --warmup; every import "
                         "starts from an empty library, so 0 loses little and saves the longest run)")
    ap.add_argument("--workloads", default=",".join(WORKLOADS),
                    help="a comma-separated subset of: %(default)s (the libraries the read and "
                         "write workloads need are built untimed)")
    ap.add_argument("--cap", type=float, default=180.0, help="seconds before a run is killed")
    ap.add_argument("--long", type=float, default=60.0,
                    help="a tool × workload whose warm-up takes longer gets one timed run")
    ap.add_argument("--venvs", type=Path, help="reuse (or create) the tools' venvs here")
    ap.add_argument("--papershelf", type=Path, metavar="SCRIPT",
                    help="run this papershelf console script (and the floors in its interpreter) "
                         "instead of this checkout installed editable in a venv of its own under --venvs")
    ap.add_argument("--work", type=Path, help="keep the generated files and libraries here")
    ap.add_argument("--json", type=Path, help="write the raw results here")
    args = ap.parse_args()
    if args.import_warmup is None:
        args.import_warmup = args.warmup
    names = [t.strip() for t in args.tools.split(",") if t.strip()]
    if unknown := set(names) - set(pt.ALL_TOOLS):
        sys.exit(f"bench_peers: unknown tool(s) {', '.join(sorted(unknown))}; choose from {', '.join(pt.ALL_TOOLS)}")
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    args.workloads = [w.strip() for w in re.split(r",(?!\d{3})", args.workloads) if w.strip()]
    if unknown := set(args.workloads) - set(WORKLOADS):
        sys.exit(f"bench_peers: unknown workload(s) {', '.join(sorted(unknown))}; choose from {', '.join(WORKLOADS)}")
    scratch = Path(tempfile.mkdtemp(prefix="papershelf-peers-"))
    args.venvs = (args.venvs or scratch / "venvs").resolve()
    work = (args.work or scratch / "work").resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        for name in {n.split("-")[0] for n in names} - {"papershelf", "floor"}:
            log(f"installing {name} into {args.venvs / name}")
            pt.install(args.venvs, name)
        if args.papershelf is None:
            if not (args.venvs / "papershelf" / "bin" / "papershelf").exists():
                log(f"installing papershelf (this checkout, editable) into {args.venvs / 'papershelf'}")
            args.papershelf = pt.install(args.venvs, "papershelf") / "bin" / "papershelf"
        pt.use_papershelf(args.papershelf.absolute())
        info = machine(args.venvs, names)
        if info["site_imports"]:
            print(f"warning: {pt.papershelf_python()} imports {', '.join(info['site_imports'])} at every "
                  "start (a .pth file or sitecustomize): papershelf and the floors all pay for it, so "
                  "the ratios to the floor are lower than in a user's venv", file=sys.stderr)
        results: list[Result] = []
        for n in sizes:
            results += bench_size(names, n, args, work)
            print(table(results, args.cap), flush=True)  # a table (and the JSON) after each size
            if args.json:
                write_json(args, info, results)
        info["load_end"] = os.getloadavg()
        print(f"\n{info['nproc']} × {info['cpu']}, Python {info['python']}, {info['date']}, "
              f"1-minute load average at start {info['load'][0]:.2f}, at the end {info['load_end'][0]:.2f}")
        for tool, version in info["versions"].items():
            print(f"  {tool}: {version}")
        if args.json:
            write_json(args, info, results)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
