"""Importing a Markdown reading list into the catalogue (``papershelf import markdown``).

``formats.readinglist.read`` says what the list holds; this module decides what is new, asks
arXiv for the papers' metadata when it may (``fetch``), tags the new entries by the topic
rules, and adds them in one transaction. Items already in the catalogue (same arXiv id, DOI,
ISBN or URL) are left exactly as they are, so importing a list twice adds nothing.

arXiv papers that could not be looked up are stored as placeholders (``needs_sync``, key
``arxiv<id>``) for ``papershelf sync`` to complete; sync never changes a citekey.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from papershelf.formats import readinglist
from papershelf.formats.readinglist import Problem
from papershelf.model.entry import Entry

if TYPE_CHECKING:
    from papershelf.storage.catalogue import Catalogue

# fetch(ids) -> (found: id -> Entry, missing ids, error message or None)
Fetcher = Callable[[Sequence[str]], tuple[dict[str, Entry], list[str], str | None]]


@dataclass
class ImportReport:
    added: list[Entry] = field(default_factory=list)
    existing: list[tuple[int, str]] = field(default_factory=list)  # (line, citekey already there)
    problems: list[Problem] = field(default_factory=list)
    placeholders: int = 0
    fetched: int = 0
    network_error: str | None = None
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "added": [{"citekey": e.citekey, "type": e.type, "title": e.title, "arxiv_id": e.arxiv_id,
                       "url": e.url, "section": e.section, "needs_sync": e.needs_sync, "tags": e.tags}
                      for e in self.added],
            "existing": [{"line": line, "citekey": key} for line, key in self.existing],
            "problems": [p.to_dict() for p in self.problems],
            "placeholders": self.placeholders,
            "fetched": self.fetched,
            "network_error": self.network_error,
        }


def placeholder_key(arxiv_id: str) -> str:
    return "arxiv" + arxiv_id.replace("/", "_")


def _with_metadata(listed: Entry, fresh: Entry) -> Entry:
    """arXiv's record for a listed paper, keeping what the list says: section, notes, links."""
    from papershelf.services.arxiv import as_new_entry

    entry = as_new_entry(fresh)
    entry.section, entry.notes = listed.section, listed.notes
    entry.links = copy.deepcopy(listed.links)
    entry.needs_sync = False
    return entry


def import_markdown(cat: Catalogue, text: str, *, fetch: Fetcher | None = None,
                    dry_run: bool = False) -> ImportReport:
    """Add what the reading list ``text`` holds and the catalogue lacks (all in one transaction)."""
    from papershelf.topics.rules import current_topics

    topics = current_topics()  # a bad rules file stops the import before anything is asked
    parsed = readinglist.read(text)
    report = ImportReport(problems=list(parsed.problems), dry_run=dry_run)
    new: list[Entry] = []
    for entry, found in zip(parsed.entries, cat.find_same(parsed.entries)):
        if found is not None:
            report.existing.append((parsed.line_of(entry), cat.get_id(found).citekey))
        else:
            new.append(entry)

    wanted = [e.arxiv_id for e in new if e.needs_sync and e.arxiv_id]
    if wanted and fetch is not None:
        found_ids, missing, error = fetch(wanted)
        report.network_error = error
        missing_set = set(missing)
        kept: list[Entry] = []
        for entry in new:
            ident = entry.arxiv_id
            if ident in found_ids:
                kept.append(_with_metadata(entry, found_ids[ident]))
                report.fetched += 1
            else:
                if ident in missing_set:  # kept: the link is the user's; sync will say it again
                    report.problems.append(Problem(parsed.line_of(entry), entry.url or ident,
                                                   f"arXiv has no paper {ident} (kept as a placeholder)"))
                kept.append(entry)
        new = kept

    placeholders = [e for e in new if e.needs_sync and e.arxiv_id]
    taken = {k.lower() for k in cat.citekeys("", limit=cat.count())} if placeholders else set()
    for entry in placeholders:
        report.placeholders += 1
        key = placeholder_key(entry.arxiv_id)
        if key.lower() not in taken:  # else (a key the user chose) the usual generator names it
            entry.citekey = key
            taken.add(key.lower())
    topics.tag_new(new)
    report.problems.sort(key=lambda p: p.line)
    if dry_run:
        report.added = new
        return report
    report.added = cat.add_many(new) if new else []
    return report
