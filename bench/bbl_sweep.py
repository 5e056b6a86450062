"""The .bbl sweep of issue 17: every .bib file of a folder (default: ../shared/data/bib) that
bibtex accepts with ``\\nocite{*}`` and plain.bst, imported into an empty catalogue and exported
in full (``papershelf export bibtex -o all.bib``), built again: is the .bbl byte-identical, with
no new bibtex warning? Prints one line per file and the totals.

    python bench/bbl_sweep.py [FOLDER] [--style plain] [--only NAME ...] [--diff]
    python bench/bbl_sweep.py --documents [--diff]     (the acceptance documents, every mode)
    python bench/bbl_sweep.py --tex thesis/main.tex [--bib-dir DIR ...] [--diff]   (any document)

The harness is tests/documents.py (the acceptance test's); this script only loops over files.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from documents import DOCS, MODES, Outcome, nocite_all, run_document, run_named  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(HERE.parents[2] / "shared" / "data" / "bib"))
    parser.add_argument("--style", default="plain")
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--diff", action="store_true", help="show each difference")
    parser.add_argument("--documents", action="store_true", help="run the acceptance documents instead")
    parser.add_argument("--tex", type=Path, help="run this LaTeX document (its .bib files beside it or in --bib-dir)")
    parser.add_argument("--bib-dir", type=Path, action="append", default=[], help="where else its .bib files are")
    args = parser.parse_args()
    if args.documents:
        return documents(args.diff)
    if args.tex:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["XDG_DATA_HOME"] = os.environ["XDG_CONFIG_HOME"] = tmp
            for mode in MODES:
                outcome = run_document(args.tex.resolve(), Path(tmp) / mode, bib_dirs=tuple(args.bib_dir), mode=mode)
                report(f"{args.tex} ({mode})", outcome, args.diff)
        return 0
    folder = Path(args.folder)
    tried = identical = refused = lost = changed = lines = 0
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_DATA_HOME"] = os.environ["XDG_CONFIG_HOME"] = tmp  # never the user's settings
        for n, bib in enumerate(sorted(folder.rglob("*.bib"))):
            name = str(bib.relative_to(folder))
            if args.only and not any(o in name for o in args.only):
                continue
            outcome = nocite_all(bib, Path(tmp) / str(n), args.style)
            if outcome.original.status >= 2:
                refused += 1
                print(f"refused  {name} (bibtex exit {outcome.original.status})")
                continue
            tried += 1
            identical += outcome.identical
            lost += len(outcome.lost)
            changed += len(outcome.changed)
            lines += outcome.changed_lines
            report(name, outcome, args.diff)
    print(f"\n{identical}/{tried} identical .bbl ({refused} files bibtex refuses); "
          f"{lost} references lost, {changed} changed ({lines} lines)")
    return 0


def report(name: str, outcome: Outcome, diff: bool) -> None:
    print(f"{'same    ' if outcome.identical else 'DIFFERS '} {name}: {len(outcome.lost)} lost, "
          f"{len(outcome.extra)} extra, {len(outcome.changed)} changed ({outcome.changed_lines} lines), "
          f"{len(outcome.new_warnings)} new warnings")
    if diff and not outcome.identical:
        print("    " + outcome.summary().replace("\n", "\n    "))


def documents(diff: bool) -> int:
    from documents import items

    tried = identical = lost = changed = cited = 0
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_DATA_HOME"] = os.environ["XDG_CONFIG_HOME"] = tmp
        for name in DOCS:
            for mode in MODES:
                outcome = run_named(name, mode, Path(tmp) / f"{name}-{mode}")
                tried += 1
                identical += outcome.identical
                lost += len(outcome.lost)
                changed += len(outcome.changed)
                cited += len(items(outcome.original.bbl))
                report(f"{name} ({mode}): {len(items(outcome.original.bbl))} references", outcome, diff)
    print(f"\n{identical}/{tried} identical .bbl; of {cited} references printed, {lost} lost, {changed} changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
