"""Measure ``sync --venues`` on the bundled catalogue's arXiv papers with the replay data.

Every arXiv paper of the bundled catalogue is catalogued again as the preprint ``add`` would
store (title, authors, arXiv year and id; no venue), then ``sync --venues`` runs against the
metadata replay server (``tests/metadata_server.py``): once with an empty answer cache, once
more with the cache it filled. Reported: how many of the papers whose venue is verified in
``tests/data/seed/reference-metadata.json`` got that venue (right type, name and year), how many
venues were accepted wrongly (a wrong venue, or one for a paper whose venue is not verified),
and the requests per service, per 100 entries, for the first and the cached run.

    python tests/measure_venues.py [--json] [--no-openalex-key]

(``tests/services/test_venues_seed.py`` runs the same measurement and asserts its targets.
It belongs under ``bench/`` with the other measurements once that folder is free to edit.)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
REFERENCE = TESTS / "data" / "seed" / "reference-metadata.json"


def preprints() -> list[Any]:
    """The bundled arXiv papers as preprints."""
    from importlib.resources import files

    from papershelf.model.entry import Entry, Person

    data = json.loads(files("papershelf.data").joinpath("catalogue.json").read_text(encoding="utf-8"))
    # the preprint's year is its arXiv v1's: the id's YYMM (every seed id is a new-style one)
    return [Entry(title=e["title"], type="misc", year=2000 + int(e["arxiv_id"][:2]), date=e.get("date"),
                  arxiv_id=e["arxiv_id"], authors=[Person.parse(a) for a in e["authors"]])
            for e in data["entries"] if e.get("arxiv_id")]


def _right(entry: Any, fact: dict[str, Any]) -> bool:
    """Does the stored venue say what the reference says (type, venue, year)?"""
    from papershelf.model.venue_decision import same_venue
    from papershelf.model.works import Work

    venue = entry.journal or entry.booktitle
    wanted_type = "article" if "Transactions" in fact["venue"] or "Surveys" in fact["venue"] else "inproceedings"
    stored = Work(source="catalogue", source_id="", title=entry.title, venue=venue, year=entry.year)
    told = Work(source="reference", source_id="", title=fact["title"], venue=fact["venue"].split(",")[0],
                year=fact["venue_year"])
    return entry.type == wanted_type and entry.year == fact["venue_year"] and same_venue(stored, told)


def measure(*, openalex_key: bool = True) -> dict[str, Any]:
    """Run the measurement (sets the PAPERSHELF_* and XDG_CACHE_HOME variables of this process);
    without ``openalex_key`` OpenAlex is skipped, as it is for a user without one."""
    sys.path.insert(0, str(TESTS))
    from metadata_server import SERVICES, MetadataReplay
    from papershelf.services.library import open_library
    from papershelf.services.venues import open_clients, sync_venues, venue_targets

    facts = {p["arxiv_id"]: p for p in json.loads(REFERENCE.read_text(encoding="utf-8")) if p.get("arxiv_id")}
    verified = {i for i, p in facts.items() if p.get("venue") and "venue" not in p.get("unverified", [])}
    server = MetadataReplay().start()
    runs: list[dict[str, int]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for service in SERVICES:
                os.environ[f"PAPERSHELF_{service.upper()}_URL"] = server.url(service)
            os.environ.update({"PAPERSHELF_METADATA_DELAY": "0",
                               "PAPERSHELF_OPENALEX_API_KEY": "replay-key" if openalex_key else "",
                               "XDG_CACHE_HOME": str(Path(tmp) / "cache"), "PAPERSHELF_BACKUPS": "1"})
            lib, _ = open_library(Path(tmp) / "measure.db", create=True)
            try:
                lib.add(preprints())
                entries = venue_targets(lib, [])
                for dry_run in (False, True):  # the first run writes; the second only asks (cache)
                    before = {s: server.count(s) for s in SERVICES}
                    with open_clients() as clients:
                        sync_venues(lib, clients, entries, dry_run=dry_run)
                    runs.append({s: server.count(s) - before[s] for s in SERVICES if s in
                                 ("s2", "dblp", "openalex", "crossref")})
                stored = {e.arxiv_id: e for e in lib.entries()}
            finally:
                lib.close()
    finally:
        server.stop()
    resolved = sorted(i for i in verified if i in stored and _right(stored[i], facts[i]))
    wrong = sorted(i for i, e in stored.items() if e.has_venue and (i not in verified or not _right(e, facts[i])))
    n = len(entries)
    return {"entries": n, "verified": len(verified), "resolved": len(resolved), "wrong": wrong,
            "unresolved": sorted(verified - set(resolved)),
            "requests_first": runs[0], "requests_cached": runs[1],
            "per_100_first": {s: round(c * 100 / n, 1) for s, c in runs[0].items()},
            "per_100_cached": {s: round(c * 100 / n, 1) for s, c in runs[1].items()}}


def main(argv: list[str]) -> int:
    result = measure(openalex_key="--no-openalex-key" not in argv)
    if "--json" in argv:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['entries']} arXiv preprints; venue verified for {result['verified']}")
    print(f"resolved: {result['resolved']}/{result['verified']}  (unresolved: {result['unresolved'] or 'none'})")
    print(f"wrong venues accepted: {len(result['wrong'])} {result['wrong'] or ''}".rstrip())
    for label in ("first", "cached"):
        per = ", ".join(f"{s} {v}" for s, v in result[f"per_100_{label}"].items())
        print(f"requests per 100 entries, {label} run: {per}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
