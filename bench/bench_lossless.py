"""Measurement: what an import → export round trip changes in a .bib, and how long it takes.

    python bench/bench_lossless.py FILE.bib… [--papershelf PATH] [--generated 10000]

For each file: import it into an empty catalogue with the ``papershelf`` command given (default:
the one on PATH; pass an older install to compare), export everything as bibtex, then parse
both files with bibtexparser (@string references and ``#`` resolved, whitespace collapsed) and
count, over the keys both hold: fields whose value changed, fields dropped, fields added
(``keywords`` counted apart) and entry types changed; entries and keys lost; import and export
wall time. ``--generated N`` adds bench_bibtex's generated file of N entries (math, TeX
logos, braced acronyms, LaTeX accents, particles, Jr.). No assertions: this is a measurement.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def parse(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    import bibtexparser

    from papershelf.formats.bibtex.reader import resolve

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    lib = bibtexparser.parse_string(text, parse_stack=[])
    strings: dict[str, str] = {}
    unknown: set[str] = set()
    for s in lib.strings:
        strings[s.key.lower()] = resolve(s.value, strings, unknown)
    out: dict[str, tuple[str, dict[str, str]]] = {}
    for e in lib.entries:
        fields = {f.key.strip().lower(): " ".join(resolve(f.value, strings, unknown).split())
                  for f in e.fields if isinstance(f.value, str)}
        out.setdefault(e.key.strip(), (e.entry_type.lower(), fields))
    return out


def measure(exe: str, path: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        db, out = Path(tmp) / "c.db", Path(tmp) / "out.bib"
        subprocess.run([exe, "--db", str(db), "init", "--empty"], check=True, capture_output=True)
        t0 = time.perf_counter()
        subprocess.run([exe, "-q", "--db", str(db), "import", "bibtex", str(path)], capture_output=True)
        t1 = time.perf_counter()
        subprocess.run([exe, "-q", "--db", str(db), "export", "bibtex", "-o", str(out)], check=True,
                       capture_output=True)
        t2 = time.perf_counter()
        before = parse(path.read_text(encoding="utf-8", errors="replace"))
        after = parse(out.read_text(encoding="utf-8"))
    changed = dropped = added = keywords = types = 0
    for key, (kind, fields) in before.items():
        if key not in after:
            continue
        out_kind, out_fields = after[key]
        types += out_kind != kind
        for name, value in fields.items():
            if name not in out_fields:
                dropped += 1
            elif out_fields[name] != value:
                changed += 1
        for name in out_fields.keys() - fields.keys():
            if name == "keywords":
                keywords += 1
            else:
                added += 1
    return {"entries": len(before), "entries lost": len(before) - len(after),
            "keys lost": len(before.keys() - after.keys()), "fields changed": changed,
            "fields dropped": dropped, "fields added": added, "keywords added": keywords,
            "types changed": types, "import s": round(t1 - t0, 2), "export s": round(t2 - t1, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--papershelf", default="papershelf")
    parser.add_argument("--generated", type=int, default=0)
    args = parser.parse_args()
    files = list(args.files)
    with tempfile.TemporaryDirectory() as tmp:
        if args.generated:
            sys.path.insert(0, str(Path(__file__).parent))
            from bench_bibtex import make_bib

            gen = Path(tmp) / f"generated-{args.generated}.bib"
            gen.write_text(make_bib(args.generated), encoding="utf-8")
            files.insert(0, gen)
        for path in files:
            print(path.name, measure(args.papershelf, path), flush=True)


if __name__ == "__main__":
    main()
