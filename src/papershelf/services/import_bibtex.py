"""Bringing read entries into the catalogue: duplicates found, keys kept, one transaction.

An entry is a duplicate of one already in the catalogue (or earlier in the same import) when
it has the same arXiv id, the same DOI, or the same normalised title and year (unless both name a
first author and they differ, or both give a volume, number or pages and those differ). A duplicate is
reported, not added; with ``update=True`` the file's non-empty bibliographic fields overwrite
the stored ones and its tags are added (the citekey, notes, section and existing tags stay).

Citekeys are kept as written, except a key that is empty, that BibTeX/biber cannot cite
(spaces, ``&``, non-ASCII letters) or that another entry already uses (keys compare without
case, as BibTeX does): that one gets a new key, and the report says which.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from papershelf.model.citekeys import VALID_KEY, base_key, unique_key
from papershelf.model.entry import Entry
from papershelf.model.text import to_ascii
from papershelf.storage.catalogue import BIBLIOGRAPHIC, Catalogue
from papershelf.storage.db import transaction


def normal_title(title: str) -> str:
    """Title reduced for comparison: ASCII, lower case, letters and digits only."""
    return " ".join(re.findall(r"[a-z0-9]+", to_ascii(title or "").lower()))


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # key, existing key, why
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # old key, new key, why

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added, "updated": self.updated,
            "duplicates": [{"key": k, "existing": e, "same": why} for k, e, why in self.duplicates],
            "renamed": [{"from": o, "to": n, "why": why} for o, n, why in self.renamed],
        }


class _Index:
    """What identifies an entry: arXiv id, DOI, normalised title + year → citekey (and row id)."""

    def __init__(self, cat: Catalogue):
        self.arxiv: dict[str, tuple[str, int | None]] = {}
        self.doi: dict[str, tuple[str, int | None]] = {}
        self.title: dict[tuple[str, int | None], list[tuple[str, tuple[str, int | None]]]] = {}
        self.keys: set[str] = set()
        first = dict(cat.conn.execute(
            "SELECT entry_id, family FROM people WHERE position = 0 AND role = 'author'"))
        for row in cat.conn.execute(
                "SELECT id, citekey, arxiv_id, doi, title, year, volume, number, pages FROM entries"):
            self.add(row[1], row[2], row[3], row[4], row[5], first.get(row[0], ""),
                     (row[6], row[7], row[8]), row[0])

    def add(self, key: str, arxiv_id, doi, title, year, first_author: str,
            where: tuple = (None, None, None), row_id: int | None = None) -> None:
        ref = (key, row_id)
        self.keys.add(key.lower())
        if arxiv_id:
            self.arxiv.setdefault(arxiv_id, ref)
        if doi:
            self.doi.setdefault(doi.lower(), ref)
        norm = normal_title(title)
        if norm:
            self.title.setdefault((norm, year), []).append((normal_title(first_author), where, ref))

    def find(self, e: Entry) -> tuple[tuple[str, int | None], str] | None:
        if e.arxiv_id and e.arxiv_id in self.arxiv:
            return self.arxiv[e.arxiv_id], f"arXiv id {e.arxiv_id}"
        if e.doi and e.doi.lower() in self.doi:
            return self.doi[e.doi.lower()], f"DOI {e.doi}"
        norm = normal_title(e.title)
        family = normal_title(e.authors[0].family) if e.authors else ""
        # same title and year: a duplicate unless both name a first author and they differ
        # (a journal's "Editorial" of 1981 is not every other "Editorial" of 1981)
        where = (e.volume, e.number, e.pages)
        for other, other_where, ref in self.title.get((norm, e.year), []) if norm else []:
            if family and other and family != other:
                continue
            # a column that recurs in every issue (volume/number/pages differ) is not a duplicate
            if any(a and b and a != b for a, b in zip(where, other_where)):
                continue
            return ref, "title and year"
        return None


def _usable_key(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_:.\-+/]", "", to_ascii(key).replace(" ", ""))


def import_entries(cat: Catalogue, entries: Iterable[Entry], *, update: bool = False,
                   dry_run: bool = False) -> ImportReport:
    """Add ``entries`` (all in one transaction), skipping or merging duplicates.

    New entries get the topic tags the rules give them, as every way into the catalogue does.
    """
    from papershelf.topics.rules import current_topics

    topics = current_topics()  # a broken topics.toml stops the import before it writes
    report = ImportReport()
    index = _Index(cat)
    new: list[Entry] = []
    updates: list[tuple[int, Entry]] = []
    for entry in entries:
        found = index.find(entry)
        if found:
            (existing_key, row_id), why = found
            report.duplicates.append((entry.citekey, existing_key, why))
            if update and row_id is not None:
                updates.append((row_id, entry))
            continue
        key = entry.citekey
        why = None
        if not key:
            why, key = "no key in the file", ""
        elif not VALID_KEY.match(key):
            why, key = "not a key BibTeX can cite", _usable_key(key)
        elif key.lower() in index.keys:
            why = "key already used by another entry"
        if why:
            start = key or base_key(entry)
            key = unique_key(start, lambda k: k.lower() in index.keys) if start.lower() in index.keys \
                or not key else start
            report.renamed.append((entry.citekey, key, why))
            entry.citekey = key
        index.add(entry.citekey, entry.arxiv_id, entry.doi, entry.title, entry.year,
                  entry.authors[0].family if entry.authors else "",
                  (entry.volume, entry.number, entry.pages))
        new.append(entry)
    if dry_run:
        report.added = [e.citekey for e in new]
        report.updated = [e.citekey for _, e in updates]
        return report
    topics.tag_new(new)
    with transaction(cat.conn):
        if new:
            stored = cat.add_many(new)
            report.added = [e.citekey for e in stored]
        for row_id, entry in updates:
            merged = merge(cat, row_id, entry)
            report.updated.append(merged.citekey)
    return report


def merge(cat: Catalogue, row_id: int, entry: Entry) -> Entry:
    """Overwrite the stored entry's bibliographic fields with the non-empty ones of ``entry``."""
    fields = [name for name in BIBLIOGRAPHIC if getattr(entry, name) not in (None, "", [])]
    current = cat._load([row_id])[0]
    if entry.extra:
        entry.extra = {**current.extra, **entry.extra}
        fields.append("extra")
    stored = cat.update_metadata(row_id, entry, fields) if fields else current
    if entry.tags:
        cat.tag(stored.citekey, entry.tags)
    return stored
