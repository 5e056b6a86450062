"""The arXiv merge plan: what refreshing an entry from arXiv's record changes. Pure.

``merge(old, fresh)`` says which fields arXiv may update on an entry and describes the change
(new version, title, authors, "now published"). The rules:

* arXiv owns the preprint's own fields: title, authors, abstract, version, categories, comment,
  the v1 date; they are updated to what arXiv says.
* A journal reference, a DOI (not arXiv's own 10.48550 one), a URL and the year are only
  filled in when the entry lacks them; what you (or a published source) put there stays. A
  preprint's year follows arXiv's v1 date.
* arXiv's journal_ref is stored as written. It makes a preprint (type misc/unpublished/online,
  no journal or booktitle) a published entry only when ``model.venues`` reads it as a venue
  ("ICLR 2022" → ``inproceedings`` with the conference's full name; "Phys. Rev. D 76, 013009
  (2007)" → ``article`` with journal, volume, pages); otherwise the type stays and exports
  write it as a ``note``. A publisher DOI alone is stored and reported but names no venue, so
  the entry stays a preprint carrying it. The eprint fields stay, so export keeps ``eprint``.
* Every field written is in the report: the changes it describes, and "also updated: …" for
  the rest.
* ``fill`` is the other merge: an arXiv paper found to be a work catalogued from elsewhere
  (same DOI, title…) only fills in the arXiv fields that entry lacks.
* The citekey, tags, notes, section and links are never touched. A placeholder (``needs_sync``,
  e.g. from the Markdown importer, keyed ``arxiv2006.11239``) keeps its key too: only
  ``papershelf rekey`` renames one.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from papershelf.model.entry import Entry
from papershelf.model.identifiers import is_arxiv_doi

# The fields arXiv's answer can set; the order is the order of the report's "also updated".
_OWNED = ("title", "authors", "abstract", "arxiv_id", "arxiv_version", "primary_class",
          "categories", "arxiv_comment", "date")
_REPORT_ORDER = ("completed", "version", "title", "authors", "published", "journal_ref", "abstract", "other")
_LABELS = {"primary_class": "primary class", "arxiv_comment": "comment", "date": "v1 date",
           "journal_ref": "journal ref", "arxiv_id": "arXiv id", "arxiv_version": "version",
           "needs_sync": "placeholder"}


def real_doi(doi: str | None) -> str | None:
    """A publisher DOI; arXiv's own DataCite DOIs (10.48550/arXiv.…) are not a venue."""
    return doi if doi and not is_arxiv_doi(doi) else None


def venue(entry: Entry) -> str | None:
    """``journal_ref / doi:…`` when arXiv knows where the paper appeared."""
    parts = [p for p in (entry.journal_ref, real_doi(entry.doi) and f"doi:{entry.doi}") if p]
    return " / ".join(parts) or None


def venue_fields(entry: Entry, journal_ref: str | None) -> dict[str, Any]:
    """The fields a readable ``journal_ref`` gives a preprint (``model.venues``): type, journal
    or booktitle, volume, number, pages, year; empty when it cannot be read as a venue."""
    from papershelf.model.venues import parse_journal_ref

    found = parse_journal_ref(journal_ref)
    if found is None:
        return {}
    out: dict[str, Any] = {"type": found.type}
    for name in ("journal", "booktitle", "volume", "number", "pages", "year"):
        value = getattr(found, name)
        if value is not None and (name == "year" or getattr(entry, name) in (None, "")):
            out[name] = value
    return out


def as_new_entry(fresh: Entry, tags: Sequence[str] = ()) -> Entry:
    """A fresh arXiv record ready to add: published when its journal_ref reads as a venue (an
    unreadable one stays ``journal_ref``, exported as a note; a DOI alone names no venue, so
    the paper stays a preprint carrying that DOI), with ``tags``."""
    entry = copy.deepcopy(fresh)
    if entry.is_unpublished:
        for name, value in venue_fields(entry, entry.journal_ref).items():
            setattr(entry, name, value)
    if entry.doi and not real_doi(entry.doi):
        entry.doi = None  # arXiv's own DOI is implied by the eprint
    entry.tags = list(tags)
    return entry


@dataclass
class Change:
    """One reportable difference: ``version``, ``title``, ``authors``, ``published``,
    ``abstract``, ``completed`` (a placeholder filled in) or ``other`` (a list of fields)."""

    kind: str
    old: Any = None
    new: Any = None

    def describe(self) -> str:
        if self.kind == "version":
            return f"v{self.old} → v{self.new}"
        if self.kind == "title":
            return f"title: {self.old!r} → {self.new!r}"
        if self.kind == "authors":
            gone = [n for n in self.old if n not in self.new]
            came = [n for n in self.new if n not in self.old]
            if not gone and not came:
                return "authors: order changed"
            return "authors: " + ", ".join([f"+ {n}" for n in came] + [f"− {n}" for n in gone])
        if self.kind == "published":
            return f"now published: {self.new}"
        if self.kind == "journal_ref":
            return f"journal ref: {self.new} (not read as a venue: kept, exported as a note)"
        if self.kind == "abstract":
            return "abstract updated"
        if self.kind == "completed":
            return f"filled in from arXiv: {self.new}"
        return "also updated: " + ", ".join(self.new)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "old": self.old, "new": self.new, "text": self.describe()}


@dataclass
class Merge:
    entry: Entry  # the entry as it will be stored
    fields: list[str]  # the fields to write
    changes: list[Change]  # what to tell the user

    @property
    def changed(self) -> bool:
        return bool(self.changes)


# What arXiv's record adds to a work catalogued from another source (a .bib, a DOI) when an
# added arXiv paper turns out to be that work: its arXiv identity, never the user's fields.
_FILLED = ("arxiv_id", "arxiv_version", "primary_class", "categories", "arxiv_comment", "abstract",
           "date", "journal_ref")


def fill(old: Entry, fresh: Entry) -> Merge:
    """arXiv's record merged into ``old``, the same work catalogued from another source: the
    arXiv fields ``old`` lacks are filled in; nothing it has (title, authors, venue, key) changes."""
    new = copy.deepcopy(old)
    fields: list[str] = []
    for name in _FILLED:
        value = getattr(fresh, name)
        if value in (None, "", []) or getattr(old, name) not in (None, "", []):
            continue
        if name == "date" and old.year is not None and str(value)[:4] != str(old.year):
            continue  # arXiv's v1 date would contradict the year the venue gives
        setattr(new, name, copy.deepcopy(value))
        fields.append(name)
    changes = [Change("other", None, [_LABELS.get(n, n) for n in fields])] if fields else []
    return Merge(new, fields, changes)


def merge(old: Entry, fresh: Entry) -> Merge:
    """What refreshing ``old`` from arXiv's ``fresh`` record changes (see the module rules)."""
    new = copy.deepcopy(old)
    fields: list[str] = []
    placeholder = old.needs_sync

    def put(name: str, value: Any) -> bool:
        if getattr(new, name) == value:
            return False
        setattr(new, name, copy.deepcopy(value))
        if name not in fields:
            fields.append(name)
        return True

    changes: list[Change] = []
    others: list[str] = []
    for name in _OWNED:
        value = getattr(fresh, name)
        if value in (None, "", []) and name not in ("arxiv_comment",):
            continue  # arXiv left it out: keep what we have
        if name == "authors":
            if [p.name for p in old.authors] == [p.name for p in value]:
                continue
            put(name, value)
            if not placeholder:
                changes.append(Change("authors", old.author_names, [p.name for p in value]))
            continue
        if not put(name, value) or placeholder:
            continue
        if name == "title":
            if " ".join(old.title.split()) != value:
                changes.append(Change("title", old.title, value))
        elif name == "arxiv_version":
            if old.arxiv_version is not None:
                changes.append(Change("version", old.arxiv_version, value))
        elif name == "abstract":
            if old.abstract and " ".join(old.abstract.split()) != value:
                changes.append(Change("abstract"))
        elif name not in ("arxiv_id",):
            others.append(_LABELS.get(name, name))

    if fresh.journal_ref and not old.journal_ref:
        put("journal_ref", fresh.journal_ref)
    doi = real_doi(fresh.doi)
    if doi and not old.doi:
        put("doi", doi)
    if fresh.url and not old.url:
        put("url", fresh.url)
    if fresh.year and (old.year is None or (placeholder or old.is_unpublished)):
        put("year", fresh.year)
    newly_published = bool((fresh.journal_ref and not old.journal_ref) or (doi and not old.doi))
    read = venue_fields(new, fresh.journal_ref) if old.is_unpublished else {}
    for name, value in read.items():
        put(name, value)
    if newly_published and not placeholder:
        if fresh.journal_ref and not old.journal_ref and not read and old.is_unpublished:
            changes.append(Change("journal_ref", None, fresh.journal_ref))
            if doi and not old.doi:
                changes.append(Change("published", None, f"doi:{doi}"))
        else:
            where = read.get("booktitle") or read.get("journal")
            read_as = f" → @{read['type']}: {where}" if where else ""
            changes.append(Change("published", None, (venue(new) or "") + read_as))
    if placeholder:
        put("needs_sync", False)
        changes.insert(0, Change("completed", None, new.title))
    else:
        # every other field written is named: nothing changes unreported
        told = {"title", "authors", "arxiv_version", "abstract", "needs_sync", "arxiv_id"} | \
            ({"journal_ref", "doi", "type", *read} if newly_published else set())
        told_labels = set(others)
        others.extend(label for name in fields
                      if name not in told and (label := _LABELS.get(name, name)) not in told_labels)
        if "title" in fields and not any(c.kind == "title" for c in changes):
            others.append("title (spacing)")
        if "abstract" in fields and not any(c.kind == "abstract" for c in changes):
            others.append("abstract")
        if others:
            changes.append(Change("other", None, list(dict.fromkeys(others))))
    changes.sort(key=lambda c: _REPORT_ORDER.index(c.kind))
    fields = [name for name in fields if getattr(new, name) != getattr(old, name)]
    return Merge(new, fields, changes)
