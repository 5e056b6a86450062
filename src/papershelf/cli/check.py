"""``check``: lint what a thesis will cite; exit 1 when something needs fixing.

    papershelf check                        every entry
    papershelf check --aux thesis.aux       what the document cites (keys missing from the catalogue too)
    papershelf check ho2020denoising --online --json

Offline it reports cited keys missing from the catalogue, preprints with a known published
version, fields an entry's type needs (bibtex and biblatex), probable duplicates and preprints
not looked up for a long time. ``--online`` also checks that each DOI and arXiv id resolves to
the paper the entry describes, that no cited work is retracted, and asks the metadata services
whether preprints were published. Exit codes: 0 no problem; 1 problems found (each listed with
what to do); 2 bad options; 3 no such .aux file; 4 --online and no service answered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from papershelf.cli._library import open_library
from papershelf.cli._output import finish, info, out_line, print_json, warn
from papershelf.cli._params import JsonOpt, SomeKeysArg


def check(
    keys: SomeKeysArg = None,
    aux: Annotated[Path | None, typer.Option(
        "--aux", help="Check the keys a LaTeX .aux file cites (BibTeX or biblatex run).", dir_okay=False)] = None,
    online: Annotated[bool, typer.Option(
        "--online", help="Also ask Crossref, DataCite, DBLP, Semantic Scholar (and OpenAlex with a key): "
                         "does each DOI/arXiv id resolve to this paper, is it retracted, was it published?")] = False,
    stale_days: Annotated[int, typer.Option(
        "--stale-days", min=1, max=36500,
        help="Flag preprints not looked up for a published version for this many days.")] = 180,
    as_json: JsonOpt = False,
) -> None:
    """Lint the entries a thesis cites and say how to fix each problem; exit 1 if any.

    Examples:

      papershelf check --aux thesis.aux
      papershelf check ho2020denoising hu2022lora --online
      papershelf check --aux thesis.aux --json | jq '.findings[].message'
    """
    from papershelf.services.check import check as run_check

    with open_library() as lib:
        report = run_check(lib, keys or [], aux, online=online, stale_days=stale_days)
    if as_json:
        print_json(report.to_dict())
    else:
        for f in report.findings:
            out_line(f"{f.kind:<10} {f.key:<24} {f.message}")
            out_line(f"{'':<10} {'':<24} → {f.todo}")
    for service, why in report.unverified.items():
        if service == "openalex":
            info(f"[dim]{why}[/]")
        else:
            warn(f"not verified with {service}: {why}")
    finish(report)
    info(f"No problems in {report.checked} entr{'ies' if report.checked != 1 else 'y'} checked"
         + (" (identifiers verified online)." if online else "."))
