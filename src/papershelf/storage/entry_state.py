"""Per-entry state the repository keeps besides the metadata: revisions (every write bumps one,
so a read-modify-write can tell the entry changed meanwhile), aliases (merged-away keys that
still cite it), and the verbatim source of entries read from a .bib (fields as written, the
file's @preamble/@string blocks, which fields a user or a source edited since)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

from papershelf.errors import CiteKeyError, ConflictError, NotFoundError
from papershelf.model.citekeys import check_key
from papershelf.model.entry import Entry, source_fields_of
from papershelf.storage import db, rows
from papershelf.storage.fts import placeholders, reindex

_GRANULAR_XDATA = re.compile(r"xdata=(\S+?)-[A-Za-z]+(?:-\d+)?(?=$|[\s,}])")


def needed_keys(fields: dict[str, str]) -> list[tuple[str, bool]]:
    """The keys a .bib entry's fields name as entries it needs (see ``EntryState.needs``), each
    with whether bibtex needs it after the entry (a ``crossref`` parent; biber finds the others
    anywhere)."""
    keys: dict[str, bool] = {}
    for name in ("crossref", "xref"):
        if fields.get(name, "").strip():
            keys.setdefault(fields[name].strip(), name == "crossref")
    for name in ("xdata", "entryset"):
        for k in fields.get(name, "").split(","):
            if k.strip():
                keys.setdefault(k.strip(), False)
    for value in fields.values():
        if "xdata=" in value:
            for k in _GRANULAR_XDATA.findall(value):
                keys.setdefault(k, False)
    return list(keys.items())


def now() -> str:
    """The time of a write, as stored in ``added``/``updated`` (UTC, to the second)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class EntryState:
    conn: sqlite3.Connection

    # provided by Catalogue
    def key_taken(self, key: str, *, other_than: int | None = None) -> bool:
        raise NotImplementedError

    def get_id(self, entry_id: int) -> Entry:
        raise NotImplementedError

    def update_metadata(self, entry_id: int, new: Entry, fields_to_set: Any = ...) -> Entry:
        raise NotImplementedError

    def revision(self, entry_id: int) -> int:
        row = self.conn.execute("SELECT revision FROM entries WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no entry with row id {entry_id} (removed meanwhile?)")
        return int(row[0])

    def expect_revision(self, entry_id: int, revision: int, what: str = "the entry") -> None:
        """Inside a write transaction: refuse to go on when the entry changed since it was read
        at ``revision`` (compare-and-swap; the caller keeps what the user wrote)."""
        now_at = self.revision(entry_id)
        if now_at != revision:
            raise ConflictError(f"{what} changed while you were editing it (revision {revision} → {now_at}); "
                                "nothing was overwritten")

    def touch(self, entry_ids: Sequence[int]) -> None:
        """Mark entries as changed: a new revision and ``updated`` time."""
        stamp = now()
        for start in range(0, len(entry_ids), 500):
            chunk = list(entry_ids[start:start + 500])
            self.conn.execute(f"UPDATE entries SET revision = revision + 1, updated = ? "
                              f"WHERE id IN ({placeholders(len(chunk))})", [stamp, *chunk])

    def add_alias(self, entry_id: int, alias: str) -> None:
        """Let ``alias`` (a merged-away key) keep citing this entry."""
        check_key(alias)
        with db.transaction(self.conn):
            if self.key_taken(alias, other_than=entry_id):
                raise CiteKeyError(f"{alias!r} already cites another entry")
            self.conn.execute("INSERT OR IGNORE INTO aliases(alias, entry_id) VALUES (?, ?)", (alias, entry_id))
            self.touch([entry_id])
            reindex(self.conn, [entry_id])  # a key that cites it finds it in search too

    def key_holders(self, keys: Sequence[str]) -> dict[str, tuple[int, bool]]:
        """For each of ``keys`` that cites an entry, as its key or an alias (without case):
        the lower-cased key → (the entry's row id, whether the key is an alias). Index seeks
        for just these keys (the NOCASE indexes of m004 and m006), whatever the catalogue's size."""
        wanted = sorted({k.lower() for k in keys})
        out: dict[str, tuple[int, bool]] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            marks = placeholders(len(part))
            for low, entry_id in self.conn.execute(
                    f"SELECT lower(alias), entry_id FROM aliases WHERE alias IN ({marks})", part):
                out[low] = (int(entry_id), True)
            for low, entry_id in self.conn.execute(
                    f"SELECT lower(citekey), id FROM entries WHERE citekey COLLATE NOCASE IN ({marks})", part):
                out[low] = (int(entry_id), False)  # a key wins over an alias
        return out

    def verbatim_of(self, ids: Sequence[int]) -> dict[int, Entry]:
        """Entries ``ids`` with only their key and verbatim .bib source (type and fields as
        written), for comparing records without loading them whole."""
        out: dict[int, Entry] = {}
        for start in range(0, len(ids), 500):
            part = list(ids[start:start + 500])
            for r in self.conn.execute(f"SELECT id, citekey, source_type, source_fields FROM entries "
                                       f"WHERE id IN ({placeholders(len(part))})", part):
                out[int(r[0])] = Entry(title="", citekey=r[1], source_type=r[2],
                                       source_fields=json.loads(r[3]) if r[3] else {})
        return out

    def iter_blocks(self, ids: Sequence[int]) -> Iterator[tuple[list[str], dict[str, str]]]:
        """The @preamble values and @string definitions (``Entry.bib_preambles``/``bib_strings``,
        exactly as ``load`` fills them) of each entry of ``ids`` that has any, in ``ids`` order,
        without loading the entries."""
        for start in range(0, len(ids), 500):
            part = list(ids[start:start + 500])
            found: dict[int, tuple[list[str], dict[str, str]]] = {}
            try:
                rows_ = self.conn.execute(
                    f"SELECT eb.entry_id, b.kind, b.name, b.value FROM entry_bib_blocks eb "
                    f"JOIN bib_blocks b ON b.id = eb.block_id WHERE eb.entry_id IN "
                    f"({placeholders(len(part))}) ORDER BY eb.entry_id, b.id", part).fetchall()
            except sqlite3.OperationalError:  # older than m005, opened read-only
                rows_ = []
            for row in rows_:
                preambles, strings = found.setdefault(row[0], ([], {}))
                if row[1] == "preamble":
                    preambles.append(row[3])
                else:
                    strings.setdefault(row[2], row[3])
            yield from (found[i] for i in part if i in found)

    def needs(self, ids: Sequence[int]) -> dict[int, list[tuple[str, bool]]]:
        """For each entry of ``ids`` that names any, the keys its verbatim fields name as
        entries it needs: its ``crossref`` (or biblatex ``xref``) parent, its ``xdata`` parents (and biber's granular
        ``xdata=KEY-field-n`` references in any value), a ``@set``'s ``entryset`` members;
        each with whether it must come after the entry (``needed_keys``)."""
        out: dict[int, list[tuple[str, bool]]] = {}
        for start in range(0, len(ids), 500):
            part = list(ids[start:start + 500])
            for entry_id, text in self.conn.execute(
                    f"SELECT id, source_fields FROM entries WHERE id IN ({placeholders(len(part))}) AND "
                    "(source_fields LIKE '%\"crossref\"%' OR source_fields LIKE '%\"xref\"%' "
                    "OR source_fields LIKE '%xdata%' OR source_fields LIKE '%\"entryset\"%')", part):
                keys = needed_keys(json.loads(text))
                if keys:
                    out[int(entry_id)] = keys
        return out

    def ids_of_keys(self, keys: Sequence[str]) -> dict[str, int]:
        """Lower-cased key -> row id, for each of ``keys`` that is a citekey or an alias, without
        case (as bibtex matches a crossref)."""
        out: dict[str, int] = {}
        for key in keys:
            row = self.conn.execute("SELECT id FROM entries WHERE citekey = ? COLLATE NOCASE", (key,)).fetchone() \
                or self.conn.execute("SELECT entry_id FROM aliases WHERE alias = ? COLLATE NOCASE", (key,)).fetchone()
            if row is not None:
                out[key.lower()] = int(row[0])
        return out

    def _verbatim_after(self, entry_id: int, new: Entry, names: list[str]) -> list[str]:
        """Keep what a .bib source said true after a metadata write, by setting ``new``'s
        ``source_type``/``source_fields``/``edited`` (returned: the names to write too).

        A .bib record merging in (it carries other verbatim fields) brings its own: they
        replace the stored ones. Any other source (arXiv sync) makes the verbatim fields of
        what it changed stale: they are dropped and marked edited, so exports generate them."""
        if any(n in names for n in rows.VERBATIM):
            return []
        current = self.get_id(entry_id)
        if new.source_type is not None and new.source_fields != current.source_fields:
            new.edited = sorted(set(current.edited) - set(new.source_fields))
            return list(rows.VERBATIM)
        changed = [n for n in names if n not in ("needs_sync", "links") and getattr(current, n) != getattr(new, n)]
        stale = source_fields_of(changed)
        if "extra" in changed:
            stale |= {k for k in set(current.extra) | set(new.extra) if current.extra.get(k) != new.extra.get(k)}
        if not stale:
            return []
        new.source_type = current.source_type
        new.source_fields = {k: v for k, v in current.source_fields.items() if k not in stale}
        new.source_raw = {k: v for k, v in current.source_raw.items() if k not in stale}
        new.edited = sorted(set(current.edited) | stale)
        return list(rows.VERBATIM)

    def _notes_edited(self, entry_id: int) -> None:
        """Notes written in papershelf replace a .bib file's annote/annotation on export."""
        row = self.conn.execute("SELECT source_fields, edited, source_raw FROM entries WHERE id = ?",
                                (entry_id,)).fetchone()
        if row is None:
            return

        fields = {k: v for k, v in json.loads(row[0]).items() if k not in ("annote", "annotation")}
        raw = {k: v for k, v in json.loads(row[2]).items() if k not in ("annote", "annotation")}
        edited = sorted(set(json.loads(row[1])) | {"annote", "annotation"})
        self.conn.execute("UPDATE entries SET source_fields = ?, edited = ?, source_raw = ? WHERE id = ?",
                          (rows.to_json("source_fields", fields), rows.to_json("edited", edited),
                           rows.to_json("source_raw", raw), entry_id))

    def save_edit(self, entry_id: int, revision: int, new: Entry, names: Sequence[str],
                  notes: bool = False) -> Entry:
        """A user's edit of an entry (``edit``/``set``): compare-and-swap on ``revision``, then
        the decoded ``names``, the verbatim fields, notes (when ``notes``) and the key, at once."""
        with db.transaction(self.conn):
            self.expect_revision(entry_id, revision)
            current = self.conn.execute("SELECT citekey FROM entries WHERE id = ?", (entry_id,)).fetchone()[0]
            if new.citekey != current:
                check_key(new.citekey)
                if self.key_taken(new.citekey, other_than=entry_id):
                    raise CiteKeyError(f"citation key {new.citekey!r} is already in use by another entry",
                                       hint="pick another key, or rekey that entry first")
                self.conn.execute("UPDATE entries SET citekey = ? WHERE id = ?", (new.citekey, entry_id))
            if notes:
                self.conn.execute("UPDATE entries SET notes = ? WHERE id = ?", (new.notes or None, entry_id))
            return self.update_metadata(entry_id, new, [*names, *rows.VERBATIM])
