"""The arXiv merge plan: what refreshing an entry from arXiv's record changes. Pure.

``merge(old, fresh)`` says which fields arXiv may update on an entry and describes the change
(new version, title, authors, "now published"). The rules:

* arXiv owns the preprint's own fields: title, authors, abstract, version, categories, comment,
  the v1 date; they are updated to what arXiv says.
* A journal reference, a DOI (not arXiv's own 10.48550 one), a URL and the year are only
  filled in when the entry lacks them; what you (or a published source) put there stays. A
  preprint's year follows arXiv's v1 date.
* When arXiv reports a journal_ref or DOI, a preprint (type misc/unpublished/online, no
  journal or booktitle) becomes a published ``article`` with the journal_ref as its journal;
  the eprint fields stay, so BibTeX export keeps ``eprint``.
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
_REPORT_ORDER = ("completed", "version", "title", "authors", "published", "abstract", "other")
_LABELS = {"primary_class": "primary class", "arxiv_comment": "comment", "date": "v1 date",
           "journal_ref": "journal ref", "arxiv_id": "arXiv id"}


def real_doi(doi: str | None) -> str | None:
    """A publisher DOI; arXiv's own DataCite DOIs (10.48550/arXiv.…) are not a venue."""
    return doi if doi and not is_arxiv_doi(doi) else None


def venue(entry: Entry) -> str | None:
    """``journal_ref / doi:…`` when arXiv knows where the paper appeared."""
    parts = [p for p in (entry.journal_ref, real_doi(entry.doi) and f"doi:{entry.doi}") if p]
    return " / ".join(parts) or None


def as_new_entry(fresh: Entry, tags: Sequence[str] = ()) -> Entry:
    """A fresh arXiv record ready to add: published if arXiv knows a venue, with ``tags``."""
    entry = copy.deepcopy(fresh)
    if entry.journal_ref or real_doi(entry.doi):
        entry.type = "article"
        entry.journal = entry.journal or entry.journal_ref
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


def merge(old: Entry, fresh: Entry) -> Merge:
    """What refreshing ``old`` from arXiv's ``fresh`` record changes (see the module rules)."""
    new = copy.deepcopy(old)
    fields: list[str] = []
    placeholder = old.needs_sync

    def put(name: str, value: Any) -> bool:
        if getattr(old, name) == value:
            return False
        setattr(new, name, copy.deepcopy(value))
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
    if (fresh.journal_ref or doi) and old.is_unpublished:
        put("type", "article")
        if fresh.journal_ref:
            put("journal", fresh.journal_ref)
    if newly_published and not placeholder:
        changes.append(Change("published", None, venue(new)))
    if placeholder:
        put("needs_sync", False)
        changes.insert(0, Change("completed", None, new.title))
    elif others:
        changes.append(Change("other", None, others))
    changes.sort(key=lambda c: _REPORT_ORDER.index(c.kind))
    return Merge(new, fields, changes)
