"""``edit`` and ``set``: change an entry's BibTeX fields, by hand or from a script.

The entry is shown as BibTeX (``entry_text``): an imported entry as its file wrote it, an entry
papershelf made as the bibtex writer writes it. What comes back is parsed and validated with
the ``.bib`` reader (exactly one entry, braces that nest, a key BibTeX can cite); a text that
does not pass is refused with one line and nothing changes. Only the fields whose value the
user changed are stored: as the user wrote them (verbatim, so the export writes them back
unchanged), marked edited, with their decoded view recomputed. A new key in the text is a
rekey (refused if another entry uses it). The write is a compare-and-swap on the entry's
``revision``: when another process changed the entry meanwhile, nothing is written
(``ConflictError``, exit 6) and the caller keeps the user's text.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from papershelf.errors import UsageError
from papershelf.model.entry import SOURCE_FIELDS_OF, Entry

if TYPE_CHECKING:
    from papershelf.services.library import Library

_ASSIGNMENT = re.compile(r"^\s*([A-Za-z_][\w:.+\-]*)\s*=(.*)$", re.S)
# .bib field name -> the decoded fields it feeds (the rest feed ``extra`` under their own name)
_FEEDS: dict[str, list[str]] = {}
for _attr, _names in SOURCE_FIELDS_OF.items():
    for _name in _names:
        _FEEDS.setdefault(_name, []).append(_attr)
_NOT_EXTRA = frozenset({"keywords", "crossref"})  # keywords are tags' own business


class BibSyntaxError(UsageError):
    """Edited BibTeX that cannot be stored: it does not parse, or holds not exactly one entry."""


@dataclass
class EditResult:
    entry: Entry
    changed: list[str] = field(default_factory=list)  # field names (``@type`` for the type)
    old_key: str = ""

    @property
    def rekeyed(self) -> bool:
        return self.old_key != self.entry.citekey

    def to_dict(self) -> dict[str, Any]:
        return {"citekey": self.entry.citekey, "old_key": self.old_key, "changed": self.changed,
                "revision": self.entry.revision}


def entry_text(entry: Entry) -> str:
    """The entry as BibTeX, as ``edit`` shows it (no keywords from tags, nothing left out)."""
    from papershelf.formats.bibtex.writer import entry_to_bibtex

    return entry_to_bibtex(entry, "bibtex", keywords="source")


def _parse(text: str) -> tuple[str, str, dict[str, str]]:
    """(key, type as written, fields as written) of the one entry in ``text``."""
    from papershelf.formats.bibtex.reader import UNDEFINED_MACRO, read_string

    read = read_string(text)
    bad = [p for p in read.problems if p.kind != UNDEFINED_MACRO and (  # a macro stays one (its @string is kept)
        p.key is None or "skipped" in p.message or "unbalanced" in p.message
        or "ignored" in p.message or "twice" in p.message or "undefined" in p.message)]
    if bad:
        raise BibSyntaxError(f"cannot read the entry: {bad[0]}")
    if len(read.entries) != 1:
        raise BibSyntaxError(f"the text holds {len(read.entries)} entries; it must hold exactly one")
    e = read.entries[0]
    if not e.citekey:
        raise BibSyntaxError("the entry has no citation key")
    return e.citekey, e.source_type or e.type, dict(e.source_fields)


def _norm(value: str | None) -> str:
    return " ".join((value or "").split())


def apply_text(lib: Library, entry: Entry, text: str) -> EditResult:
    """Store what the user made of ``entry_text(entry)`` (see the module docstring)."""
    _, old_type, old_fields = _parse(entry_text(entry))
    key, kind, fields = _parse(text)
    updates = {n: fields.get(n) for n in old_fields.keys() | fields.keys()
               if _norm(old_fields.get(n)) != _norm(fields.get(n))}
    return _store(lib, entry, key, kind if kind != old_type else None, updates, old_fields)


def set_fields(lib: Library, ref: str, assignments: Sequence[str]) -> EditResult:
    """``FIELD=VALUE`` assignments (a value in BibTeX, without the outer braces; empty removes
    the field), checked like an edited text."""
    from papershelf.formats.bibtex.reader import balanced

    entry = lib.get(ref)
    updates: dict[str, str | None] = {}
    for item in assignments:
        m = _ASSIGNMENT.match(item)
        if not m:
            raise UsageError(f"not FIELD=VALUE: {item!r}", hint="e.g. papershelf set KEY 'title=The {LoRA} paper'")
        name, value = m.group(1).lower(), m.group(2).strip()
        if not balanced(value):
            raise BibSyntaxError(f"{name}: the braces of {value!r} do not nest")
        if "\x00" in value:
            raise BibSyntaxError(f"{name}: the value holds a NUL character")
        updates[name] = value or None
    _, _, old_fields = _parse(entry_text(entry))
    updates = {n: v for n, v in updates.items() if _norm(old_fields.get(n)) != _norm(v)}
    return _store(lib, entry, entry.citekey, None, updates, old_fields)


def _store(lib: Library, entry: Entry, key: str, kind: str | None, updates: dict[str, str | None],
           shown: dict[str, str]) -> EditResult:
    from papershelf.formats.bibtex.mapping import to_entry
    from papershelf.model.field_values import FieldValueError, check_values

    changed = sorted(updates) + (["@type"] if kind else [])
    if not changed and key == entry.citekey:
        return EditResult(entry, [], entry.citekey)
    new = copy.deepcopy(entry)
    new.citekey = key
    all_fields = {**shown, **{n: v for n, v in updates.items() if v is not None}}
    try:  # year, month, DOI, ISBN, arXiv id, URL: the values typed are what those fields hold
        check_values(all_fields, [n for n, v in updates.items() if v is not None])
    except FieldValueError as exc:
        raise BibSyntaxError(exc.message) from None
    for n, v in updates.items():
        new.source_raw.pop(n, None)  # its value is now the one between the braces
        if v is None:
            all_fields.pop(n, None)
            new.source_fields.pop(n, None)
        else:
            new.source_fields[n] = v
    decoded, _ = to_entry(key, kind or entry.source_type or entry.type, all_fields)
    names: set[str] = set()
    if kind:
        new.type = decoded.type
        names.add("type")
        if entry.source_type is not None:
            new.source_type = kind
    notes = False
    for n in updates:
        if n in ("annote", "annotation"):
            new.notes, notes = decoded.notes, True
        elif n in _FEEDS:
            for attr in _FEEDS[n]:
                if attr != "notes":
                    setattr(new, attr, copy.deepcopy(getattr(decoded, attr)))
                    names.add(attr)
        elif n not in _NOT_EXTRA:
            if n in decoded.extra:
                new.extra[n] = decoded.extra[n]
            else:
                new.extra.pop(n, None)
            names.add("extra")
    new.edited = sorted(set(entry.edited) | set(updates))
    stored = lib.save_edit(entry.id or lib.cat.resolve(entry.citekey), entry.revision, entry, new,
                           sorted(names), notes=notes)
    return EditResult(stored, changed, entry.citekey)
