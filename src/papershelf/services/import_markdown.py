"""Importing a Markdown reading list into the catalogue (``papershelf import markdown``).

``formats.readinglist.read`` says what the list holds; this module asks arXiv for the papers'
metadata when it may (``arxiv_fetcher``: the network policy of this import), and brings the
items in through ``Library.add`` (one transaction; identity, keys and topic tags decided
there). Items already in the catalogue are left exactly as they are, so importing a list twice
adds nothing.

arXiv papers that could not be looked up are stored as placeholders (``needs_sync``, key
``arxiv<id>``) for ``papershelf sync`` to complete; sync never changes a citekey.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from papershelf.errors import NetworkError, PapershelfError
from papershelf.formats import readinglist
from papershelf.formats.readinglist import Problem
from papershelf.model.arxiv_merge import as_new_entry
from papershelf.model.entry import Entry
from papershelf.services.library import AddPolicy

if TYPE_CHECKING:
    from papershelf.services.library import Library

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
    online: bool = False  # arXiv had to be asked (``--online``): failing to reach it is a fault

    def verdict(self) -> PapershelfError | None:
        """How the import ends: a network error when arXiv had to be asked and could not be."""
        if self.network_error and self.online:
            return NetworkError("arXiv could not be reached")
        return None

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


def _with_metadata(listed: Entry, fresh: Entry) -> Entry:
    """arXiv's record for a listed paper, keeping what the list says: section, notes, links."""
    entry = as_new_entry(fresh)
    entry.section, entry.notes = listed.section, listed.notes
    entry.links = copy.deepcopy(listed.links)
    entry.needs_sync = False
    return entry


def arxiv_fetcher(*, auto: bool, on_start: Callable[[int], None] | None = None) -> Fetcher | None:
    """A fetch function over the arXiv client, or None when the client is not installed.

    ``auto`` (the default of ``import markdown``: try arXiv, fall back to placeholders) fails
    fast: one retry at most and a short connect timeout, since placeholders are a fine outcome.
    """
    try:
        from papershelf.sources.arxiv.client import ArxivClient, Settings
    except ImportError:
        return None

    def fetch(ids: Sequence[str]) -> tuple[dict[str, Entry], list[str], str | None]:
        settings = Settings.from_env()
        if auto:
            from dataclasses import replace

            settings = replace(settings, retries=min(settings.retries, 1),
                               connect_timeout=min(settings.connect_timeout, 5.0))
        if on_start is not None:
            on_start(len(ids))
        with ArxivClient(settings) as client:
            result = client.fetch(ids)
        error = result.error.message if result.error else None
        if error is None and result.failed:
            error = "; ".join(f"{i}: {why}" for i, why in list(result.failed.items())[:3])
        return result.found, result.missing, error

    return fetch


MAX_READING_LIST_BYTES = 64 * 1024 * 1024  # a reading list of 100,000 links is about 10 MB


def read_list(path: str, stdin: Callable[[int], bytes]) -> str:
    """The text of the reading list at ``path`` (a regular file of bounded size, never
    /dev/zero or a FIFO), or for ``-`` what ``stdin`` (a read function) gives; UTF-8."""
    from pathlib import Path

    from papershelf.errors import NotFoundError, PapershelfError
    from papershelf.files import read_input, read_stream

    if path == "-":
        raw = read_stream(stdin, MAX_READING_LIST_BYTES)
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PapershelfError("standard input is not UTF-8 text",
                                  hint="save the list as UTF-8 and try again") from None
    file = Path(path).expanduser()
    if not file.exists() and not file.is_symlink():
        raise NotFoundError(f"no reading list at {file}")
    try:
        return read_input(file, MAX_READING_LIST_BYTES, "a reading list").decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PapershelfError(f"{file} is not UTF-8 text", hint="save the list as UTF-8 and try again") from None


def import_markdown(lib: Library, text: str, *, fetch: Fetcher | None = None,
                    dry_run: bool = False, autotag: bool = True, online: bool = False) -> ImportReport:
    """Add what the reading list ``text`` holds and the catalogue lacks (all in one transaction)."""
    from papershelf.topics.loader import current_topics

    current_topics()  # a bad rules file stops the import before anything is asked
    parsed = readinglist.read(text)
    report = ImportReport(problems=list(parsed.problems), dry_run=dry_run, online=online)
    lines: dict[int, int] = {}  # id(record) -> its line in the list
    new: list[Entry] = []
    for entry, found in zip(parsed.entries, lib.existing(parsed.entries), strict=True):
        if found is not None:
            report.existing.append((parsed.line_of(entry), found[1]))
        else:
            lines[id(entry)] = parsed.line_of(entry)
            new.append(entry)

    wanted = [e.arxiv_id for e in new if e.needs_sync and e.arxiv_id]
    if wanted and fetch is not None:
        found_ids, missing, error = fetch(wanted)
        report.network_error = error
        missing_set = set(missing)
        kept: list[Entry] = []
        for entry in new:
            ident = entry.arxiv_id
            if ident and ident in found_ids:
                record = _with_metadata(entry, found_ids[ident])
                lines[id(record)] = lines[id(entry)]
                kept.append(record)
                report.fetched += 1
            else:
                if ident in missing_set:  # kept: the link is the user's; sync will say it again
                    report.problems.append(Problem(lines[id(entry)], entry.url or ident or "",
                                                   f"arXiv has no paper {ident} (kept as a placeholder)"))
                kept.append(entry)
        new = kept

    report.placeholders = sum(1 for e in new if e.needs_sync and e.arxiv_id)
    result = lib.add(new, AddPolicy(dry_run=dry_run, autotag=autotag, journal="import markdown"))
    report.added = result.added
    report.existing.extend((lines.get(id(d.entry), 0), d.existing_key) for d in result.duplicates)
    report.existing.sort()
    report.problems.sort(key=lambda p: p.line)
    return report
