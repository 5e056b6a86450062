"""``papershelf check``: lint what a thesis will cite, each finding with what to do about it.

Offline lints, over the entries named (or cited by an ``.aux`` file, or the whole catalogue):

* ``missing`` — a cited key that is not in the catalogue (nor an alias);
* ``dangling-crossref`` — a ``crossref`` or ``xdata`` field (or a ``@set``'s ``entryset``) naming
  a key no catalogued entry has: bibtex and biber would not find the parent;
* ``published`` — a preprint whose published version is known (recorded by ``sync --venues``);
* ``fields`` — a field its type needs is missing, in the bibtex (plain.bst) or the biblatex
  (biber's data model) export: the entry would be written as ``@misc`` or be incomplete;
* ``duplicate`` — another entry is the same work (``model.identity``), or probably is (the same
  normalised title and overlapping authors, no contradicting arXiv id or DOI);
* ``stale`` — a preprint not looked up for a published version for ``stale_days`` days (counted
  from its last ``sync --venues``, else from the last write of its metadata).

With ``online`` (``services.check_online``): each DOI and arXiv id resolves and the registry's
title, authors and year agree with the entry (``model.matching.judge``); a DOI that resolves to
a different paper, a retracted work, and preprints the services now know as published.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papershelf.errors import NotFoundError
from papershelf.model.entry import Entry
from papershelf.model.venue_plan import awaiting_venue

# the report's vocabulary, shared with ``check_online`` (callers import it from here too)
from papershelf.services.check_report import LINTS, CheckReport, Finding
from papershelf.services.check_report import CheckProblems as CheckProblems

if TYPE_CHECKING:
    from papershelf.services.library import Library

DEFAULT_STALE_DAYS = 180
_FIELD_LINE = re.compile(r"^\s*([A-Za-z][\w:.+\-]*)\s*=", re.M)


def targets(lib: Library, keys: Sequence[str], aux: Path | None) -> tuple[list[Entry], list[str]]:
    """The entries to check and the keys named or cited that the catalogue lacks."""
    from papershelf.formats.latex_aux import cited_keys

    wanted = list(keys)
    if aux is not None:
        if not aux.exists():
            raise NotFoundError(f"no such file: {aux}")
        cited = cited_keys(aux)
        if "*" in cited:
            return lib.entries(), []
        wanted += cited
    if not wanted:
        return lib.entries(), []
    ids: list[int] = []
    missing: list[str] = []
    for key in dict.fromkeys(wanted):
        try:
            ids.append(lib.cat.resolve(key, exact=True, suggest=False))
        except NotFoundError:
            missing.append(key)
    return lib.cat.load(list(dict.fromkeys(ids))), missing


def check(lib: Library, keys: Sequence[str] = (), aux: Path | None = None, *, online: bool = False,
          stale_days: int = DEFAULT_STALE_DAYS, clients: Any = None) -> CheckReport:
    """Every lint over the entries chosen (see the module docstring)."""
    entries, missing = targets(lib, keys, aux)
    report = CheckReport(checked=len(entries) + len(missing), online=online)
    for key in missing:
        report.findings.append(Finding(
            "missing", key, "cited but not in the catalogue",
            "add it (`papershelf add <arXiv id or DOI>`, `papershelf import bibtex`), or fix the \\cite key"))
    from papershelf.services.venues import known_venues

    known = known_venues(lib, entries)
    report.findings += crossref_lints(lib, entries)
    report.findings += published_lints(entries, known)
    report.findings += field_lints(entries)
    report.findings += duplicate_lints(lib, entries)
    report.findings += stale_lints(entries, known, stale_days)
    if online:
        from papershelf.services.check_online import online_lints

        report.findings += online_lints(lib, entries, clients, report)
    unique: dict[tuple[str, str], Finding] = {}  # a published version known and found online: once
    for finding in report.findings:
        unique.setdefault((finding.kind, finding.key), finding)
    report.findings = list(unique.values())
    order = {e.citekey: n for n, e in enumerate(entries)}
    report.findings.sort(key=lambda f: (order.get(f.key, -1), LINTS.index(f.kind)))
    return report


def crossref_lints(lib: Library, entries: Sequence[Entry]) -> list[Finding]:
    """A crossref/xdata parent (or a set member) no catalogued entry is (``storage`` reads the
    verbatim fields; keys match without case, as in bibtex)."""
    needs = lib.cat.needs([e.id for e in entries if e.id is not None])
    if not needs:
        return []
    found = lib.cat.ids_of_keys(list({k for keys in needs.values() for k, _ in keys}))
    out: list[Finding] = []
    for e in entries:
        gone = [k for k, _ in needs.get(e.id or -1, []) if k.lower() not in found]
        if gone:
            out.append(Finding("dangling-crossref", e.citekey,
                               f"names {', '.join(gone)} (crossref/xdata/entryset), which is not in the catalogue",
                               "import the .bib file that holds it (in the same `import bibtex` as this one), "
                               "or fix the field (`papershelf edit`)"))
    return out


def published_lints(entries: Sequence[Entry], known: dict[int, Any]) -> list[Finding]:
    out = []
    for entry in entries:
        record = known.get(entry.id) if entry.id is not None else None
        if record is None or record.status != "published" or not awaiting_venue(entry):
            continue
        from papershelf.model.works import SOURCE_NAMES

        names = " + ".join(SOURCE_NAMES.get(s, s) for s in record.sources)
        where = record.venue or "a venue"
        kept = record.evidence.get("kept") if isinstance(record.evidence, dict) else None
        todo = (f"you edited its venue fields, so sync left it alone: cite the published version with "
                f"`papershelf edit {entry.citekey}`" if kept else
                f"`papershelf sync --venues {entry.citekey}` makes it the published entry (the key stays)")
        out.append(Finding("published", entry.citekey,
                           f"cited as a preprint, but published in {where}"
                           + (f" (doi {record.doi})" if record.doi else "")
                           + f" ({names}, checked {record.checked[:10]})", todo))
    return out


def _fields_written(text: str) -> set[str]:
    """The field names of one written entry (``minimal``: no multi-line abstract or notes)."""
    return {m.group(1).lower() for m in _FIELD_LINE.finditer(text)}


def field_lints(entries: Sequence[Entry]) -> list[Finding]:
    """Fields the entry's type needs in each style, as the export writes the entry."""
    from papershelf.formats.bibtex.biblatex_dm import MANDATORY
    from papershelf.formats.bibtex.shapes import PLAIN_REQUIRED, WriteReport, degraded_type
    from papershelf.formats.bibtex.writer import entry_to_bibtex

    out = []
    for entry in entries:
        lacking: dict[str, list[str]] = {}
        for style in ("bibtex", "biblatex"):
            report = WriteReport()
            text = entry_to_bibtex(entry, style, minimal=True, report=report)
            body = text.split("\n", 1)[1] if "\n" in text else ""
            present = _fields_written(body)
            meant = report.degraded.get(entry.citekey)
            if style == "bibtex" and meant:
                lacking[style] = [s.replace("|", " or ") for s in PLAIN_REQUIRED.get(meant, ())
                                  if not any(n in present for n in s.split("|"))]
                lacking[style] = lacking[style] or ["(a field plain.bst needs)"]
            elif style == "biblatex":
                rules = [r for r in MANDATORY.get(meant, []) if not any(n in present for n in r)] if meant else []
                missing = [" or ".join(r) for r in rules] + [m.replace("|", " or ")
                                                              for m in report.incomplete.get(entry.citekey, [])]
                if missing:
                    lacking[style] = list(dict.fromkeys(missing))
        if not lacking:
            continue
        what = "; ".join(f"{style}: {', '.join(names)}" for style, names in lacking.items())
        written_as = (f" (an @{entry.type} without them is exported as @{degraded_type(entry.type)})"
                      if entry.type != "misc" else "")
        first = next(iter(lacking.values()))[0].split(" or ")[0]
        first = {"journaltitle": "journal", "date": "year"}.get(first, first)
        out.append(Finding("fields", entry.citekey, f"missing {what}{written_as}",
                           f"`papershelf set {entry.citekey} {first}=…` (or `papershelf edit {entry.citekey}`)"))
    return out


def duplicate_lints(lib: Library, entries: Sequence[Entry]) -> list[Finding]:
    """Entries (of those checked) that are, or probably are, another catalogued entry."""
    from papershelf.model.identity import IdentityIndex, Keys
    from papershelf.model.matching import author_overlap, normalise_title

    everything = lib.entries()
    checked = {e.citekey for e in entries}
    index: IdentityIndex[str] = IdentityIndex()
    by_title: dict[str, list[Entry]] = {}
    pairs: dict[tuple[str, str], str] = {}
    for entry in everything:
        found = index.find(Keys.of(entry))
        if found is not None:
            pairs[(found[0], entry.citekey)] = f"same {found[1].describe(entry)}"
        index.add_entry(entry, entry.citekey)
        title = normalise_title(entry.title)
        if len(title) >= 12:
            for other in by_title.get(title, []):
                if (other.citekey, entry.citekey) in pairs or _contradict(other, entry):
                    continue
                families = ([p.family for p in other.authors], [p.family for p in entry.authors])
                overlap, shared = author_overlap(*families)
                if shared and overlap >= 0.5:
                    pairs[(other.citekey, entry.citekey)] = "probably: same title and authors"
            by_title.setdefault(title, []).append(entry)
    out = []
    for (a, b), why in pairs.items():
        for key, twin in ((a, b), (b, a)):
            if key in checked:
                out.append(Finding("duplicate", key, f"the same work as {twin} ({why})",
                                   f"`papershelf merge {twin} {key}` joins them ({key} keeps citing, and shows the "
                                   "fields that change first); if they are different works, ignore this"))
    return out


def _contradict(a: Entry, b: Entry) -> bool:
    from papershelf.model.identifiers import canonical_arxiv, normalise_doi

    if a.arxiv_id and b.arxiv_id and canonical_arxiv(a.arxiv_id) != canonical_arxiv(b.arxiv_id):
        return True
    return bool(a.doi and b.doi and normalise_doi(a.doi) != normalise_doi(b.doi))


def stale_lints(entries: Sequence[Entry], known: dict[int, Any], stale_days: int,
                now: datetime | None = None) -> list[Finding]:
    """Preprints not looked up for a published version in ``stale_days`` days."""
    now = now or datetime.now(timezone.utc)
    limit = now - timedelta(days=stale_days)
    out = []
    for entry in entries:
        if not awaiting_venue(entry):
            continue
        record = known.get(entry.id) if entry.id is not None else None
        # the last look-up for a venue, else the last time its metadata was written
        last: str = (record.checked if record is not None else entry.updated or entry.added) or ""
        when = _parse_time(last)
        if when is not None and when >= limit:
            continue
        since = (f"last looked up for a published version {last[:10]}" if record is not None else
                 f"metadata from {last[:10]}, never looked up for a published version" if last else
                 "never looked up for a published version")
        out.append(Finding("stale", entry.citekey, f"a preprint, {since} (over {stale_days} days)",
                           f"`papershelf sync --venues {entry.citekey}` (and `papershelf sync {entry.citekey}` "
                           "for arXiv's own record)"))
    return out


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
