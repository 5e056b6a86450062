"""``papershelf mcp`` as an agent sees it: the size of its tool list, and a search call's latency
through the SDK's stdio client on a catalogue of N entries.

    python bench/bench_mcp.py [--entries 10000] [--calls 25] [--out bench/out]

Builds (once, cached in --out) a catalogue of N entries from bibgen.py's .bib through
``papershelf import bibtex``, starts ``papershelf --db … mcp`` under the SDK's ``Client`` over
stdio, and prints:

* how long the server takes to start (spawn, ``initialize``, ``tools/list``);
* the tool list's size: the ``tools/list`` result as the server sends it (compact JSON), in
  characters and in tokens estimated as characters / 4 (no tokenizer is installed here);
* the median (and min, max) of --calls ``search`` calls per query, each a full round trip
  (client → server: open the catalogue, search, render → client), after one warm-up call.

Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bibgen import RARE_SURNAME, make_bib

QUERIES = ["diffusion", RARE_SURNAME, "author:ho year:2020..2023", "low-rank adaptation", "DDPM"]


def papershelf() -> str:
    beside = Path(sys.executable).parent / "papershelf"
    return str(beside) if beside.exists() else (shutil.which("papershelf") or "papershelf")


def build(db: Path, n: int) -> None:
    if db.exists():
        return
    bib = db.with_suffix(".bib")
    bib.write_text(make_bib(n), encoding="utf-8")
    for args in (["init", "--empty"], ["import", "bibtex", str(bib)]):
        subprocess.run([papershelf(), "--db", str(db), "-q", *args], check=True, capture_output=True)


def measure(db: Path, calls: int) -> None:
    import anyio
    from mcp import Client, StdioServerParameters

    env = {k: v for k, v in os.environ.items() if k.startswith(("PAPERSHELF_", "XDG_"))}
    params = StdioServerParameters(command=papershelf(), args=["--db", str(db), "mcp"], env=env)

    async def main() -> None:
        start = time.perf_counter()
        async with Client(params) as client:
            listed = await client.list_tools()
            print(f"start: spawned, initialised and tools listed in {time.perf_counter() - start:.2f} s")
            wire = listed.model_dump_json(by_alias=True, exclude_none=True)
            print(f"tool list: {len(listed.tools)} tools, {len(wire)} characters, ~{len(wire) // 4} tokens "
                  "(characters / 4)")
            for query in QUERIES:
                await client.call_tool("search", {"query": query, "limit": 10})  # warm-up
                times = []
                for _ in range(calls):
                    start = time.perf_counter()
                    result = await client.call_tool("search", {"query": query, "limit": 10})
                    times.append((time.perf_counter() - start) * 1000)
                assert not result.is_error, result.content[0].text
                print(f"search {query!r:32} median {statistics.median(times):6.1f} ms  "
                      f"(min {min(times):.1f}, max {max(times):.1f}; {calls} calls)")

    anyio.run(main)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--calls", type=int, default=25)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    db = args.out / f"mcp-{args.entries}.db"
    start = time.perf_counter()
    build(db, args.entries)
    print(f"catalogue: {db} ({args.entries} entries; ready in {time.perf_counter() - start:.1f} s)")
    measure(db, args.calls)


if __name__ == "__main__":
    main()
