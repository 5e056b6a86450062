"""What Zotero gave at the last import, and what a new import may change. Pure.

Each imported entry's ``zotero://`` link carries ``seen``: a short digest of every field as
Zotero gave it the last time (``title=1f2e3d4c;…``) and of each tag it gave
(``tags=…,…``). A later import compares three values per field — what Zotero gave then
(the digest), what Zotero gives now, what the entry holds:

* Zotero gives the same as then: nothing changes (whatever the entry holds stays).
* Zotero changed it and the entry still holds what Zotero gave then: the new value is taken.
* Zotero changed it and the entry holds something else: the user edited it in papershelf, so
  it is kept and reported (``kept``); it is never overwritten.

Tags: a tag Zotero gives now and did not give then is added; a tag Zotero gave then and no
longer gives (removed in Zotero, or its collection renamed or left) is removed — only such a
tag: one added in papershelf (by hand or by a topic rule) was never Zotero's and stays.
Notes are one field: replaced only when the entry's notes are still Zotero's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from papershelf.model.entry import Entry

# The decoded fields a Zotero item gives (``mapping.to_entry``); extra keys are compared one by one.
FIELDS = ("type", "title", "authors", "editors", "year", "date", "abstract", "journal", "booktitle",
          "volume", "number", "pages", "publisher", "edition", "isbn", "doi", "url", "arxiv_id")


def digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=repr)
    return hashlib.blake2s(text.encode("utf-8"), digest_size=4).hexdigest()


def _values(entry: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(entry, name) for name in FIELDS}
    out.update({f"extra.{k}": v for k, v in entry.extra.items()})
    out["notes"] = entry.notes or None
    return out


def seen_of(entry: Entry) -> str:
    """The ``seen`` stamp of ``entry`` as Zotero gives it (fields with a value, then its tags)."""
    parts = [f"{name}={digest(v)}" for name, v in _values(entry).items() if v not in (None, "", [])]
    parts.append("tags=" + ",".join(sorted(digest(t) for t in entry.tags)))
    return ";".join(parts)


def parse_seen(text: str) -> tuple[dict[str, str], set[str]]:
    fields: dict[str, str] = {}
    tags: set[str] = set()
    for part in text.split(";") if text else []:
        name, _, value = part.partition("=")
        if name == "tags":
            tags = {t for t in value.split(",") if t}
        elif name:
            fields[name] = value
    return fields, tags


@dataclass
class Update:
    entry: Entry  # the stored entry with Zotero's changes taken (and the new ``seen``)
    names: list[str] = field(default_factory=list)  # the decoded fields it changes ("links" always)
    tags_added: list[str] = field(default_factory=list)
    tags_removed: list[str] = field(default_factory=list)
    notes: str | None = None  # Zotero's new notes, when they replace the entry's
    kept: list[str] = field(default_factory=list)  # fields Zotero changed that the user edited here
    fields: list[str] = field(default_factory=list)  # what it changes, as reported (``extra.note``, ``notes``)

    @property
    def changes(self) -> bool:
        return bool(self.fields or self.tags_added or self.tags_removed)


def plan(stored: Entry, given: Entry, seen: str, origin: str) -> Update | None:
    """What a new import changes on ``stored`` (an entry imported from Zotero, its link
    ``origin`` stamped ``seen``) now that Zotero gives ``given``; None when Zotero gives what it
    gave then (nothing to write at all)."""
    import copy

    new_seen = seen_of(given)
    if seen == new_seen:
        return None
    if not seen:  # imported before stamps were kept: what the entry holds is what Zotero gave, tags aside
        then = copy.copy(stored)
        then.tags = [t for t in stored.tags if t in given.tags]
        seen = seen_of(then)
    base, base_tags = parse_seen(seen)
    now, was = _values(given), _values(stored)
    out = copy.deepcopy(stored)
    update = Update(out)
    for name in dict.fromkeys([*now, *base]):
        value = now.get(name)
        if base.get(name) == (digest(value) if value not in (None, "", []) else None):
            continue  # Zotero gives what it gave then
        held = was.get(name)
        if (digest(held) if held not in (None, "", []) else None) != base.get(name):
            if held != value:
                update.kept.append(name)
            continue  # edited here: the user's value stays
        update.fields.append(name)
        if name == "notes":
            update.notes = value or ""
        elif name.startswith("extra."):
            key = name[len("extra."):]
            if value:
                out.extra[key] = value
            else:
                out.extra.pop(key, None)
            update.names.append("extra")
        else:
            setattr(out, name, value)
            update.names.append(name)
    held_tags = set(stored.tags)
    update.tags_added = [t for t in given.tags if digest(t) not in base_tags and t not in held_tags]
    given_tags = set(given.tags)
    update.tags_removed = [t for t in stored.tags if digest(t) in base_tags and t not in given_tags]
    out.links = [dict({k: v for k, v in link.items() if k != "revision"}, seen=new_seen)
                 if link.get("url") == origin else link for link in stored.links]
    update.names = list(dict.fromkeys([*update.names, "links"]))
    return update
