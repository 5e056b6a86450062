"""``merge`` and ``undo``: the user joins two entries of one work, or takes back the last
import or merge.

``Library.merge(KEEP, OTHER)``: OTHER goes to the trash marked "merged into KEEP"; its key and
aliases become aliases of KEEP (so a thesis citing OTHER now prints KEEP's record: ``plan``
shows that diff first); its tags and notes are added to KEEP; KEEP's fields stay as they are.
One transaction, after an automatic backup, recorded in the operations journal.

``Library.undo()``: the journal's last operation (``storage.journal``) taken back, in one
transaction: entries it added go to the trash, entries it changed get their whole record back,
aliases it added are removed, an entry merged away comes back from the trash with its key. An
entry changed since (its revision differs) stops the undo unless ``force``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from papershelf.errors import ConflictError, UsageError

if TYPE_CHECKING:
    from papershelf.model.entry import Entry
    from papershelf.services.library import Library
    from papershelf.storage.journal import Operation

Diff = list[tuple[str, "str | None", "str | None"]]


@dataclass
class MergePlan:
    keep: Entry
    other: Entry
    diff: Diff  # field, what OTHER's key printed, what it prints after (KEEP's)
    aliases: list[str]  # the keys that will cite KEEP: OTHER's key and its aliases
    tags: list[str]  # OTHER's tags KEEP lacks
    notes: bool  # OTHER has notes (appended to KEEP's)

    def to_dict(self) -> dict[str, Any]:
        return {"keep": self.keep.citekey, "other": self.other.citekey, "aliases": self.aliases,
                "tags": self.tags, "notes": self.notes,
                "diff": [{"field": n, "before": a, "after": b} for n, a, b in self.diff]}


def plan(lib: Library, keep_ref: str, other_ref: str) -> MergePlan:
    """What ``merge`` would do; refuses to merge an entry with itself."""
    from papershelf.model.identity import field_diff

    keep, other = lib.get(keep_ref), lib.get(other_ref)
    if keep.id == other.id:
        raise UsageError(f"{keep_ref} and {other_ref} are one entry ({keep.citekey}): nothing to merge")
    return MergePlan(keep, other, field_diff(other, keep), [other.citekey, *other.aliases],
                     [t for t in other.tags if t not in keep.tags], bool(other.notes and other.notes.strip()))


def merge(lib: Library, p: MergePlan) -> MergePlan:
    """Do what ``p`` says, if neither entry changed since it was planned (``ConflictError``)."""
    from papershelf.storage import journal

    cat = lib.cat
    assert p.keep.id is not None and p.other.id is not None
    lib.safeguard("merge")
    with cat.transaction():
        cat.expect_revision(p.keep.id, p.keep.revision, p.keep.citekey)
        cat.expect_revision(p.other.id, p.other.revision, p.other.citekey)
        op = journal.begin(cat.conn, "merge", f"merge {p.keep.citekey} {p.other.citekey}")
        journal.before(cat.conn, op, [p.keep.id])
        [trashed] = cat.remove_ids([p.other.id], reason=f"merged into {p.keep.citekey}")
        journal.merged(cat.conn, op, p.other.id, p.other.citekey, trashed)
        for alias in p.aliases:
            cat.add_alias(p.keep.id, alias)
        user = [t for t in p.tags if t not in p.other.rule_tags]
        if user:
            cat.tag(p.keep.citekey, user)
        rule = [t for t in p.tags if t in p.other.rule_tags]
        if rule:
            cat.attach_rule_tags({p.keep.id: rule})
        if p.notes and p.other.notes:
            cat.set_notes(p.keep.citekey, f"(merged from {p.other.citekey})\n{p.other.notes.strip()}")
        journal.finish(cat.conn, op)
        p.keep = cat.get_id(p.keep.id)
    return p  # the render cache follows the change log: nothing to forget here


@dataclass
class UndoReport:
    kind: str = ""  # import, merge
    summary: str = ""  # "import bibtex refs.bib", "merge KEEP OTHER"
    at: str = ""
    trashed: list[str] = field(default_factory=list)  # entries it added, now in the trash
    restored: list[str] = field(default_factory=list)  # entries it changed, back as they were
    unaliased: list[tuple[str, str]] = field(default_factory=list)  # alias, the key it cited
    unmerged: list[str] = field(default_factory=list)  # merged-away entries back from the trash
    changed: list[str] = field(default_factory=list)  # entries changed since (undone with force)
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"operation": {"kind": self.kind, "summary": self.summary, "at": self.at},
                "trashed": self.trashed, "restored": self.restored,
                "unaliased": [{"alias": a, "cited": k} for a, k in self.unaliased],
                "unmerged": self.unmerged, "changed_since": self.changed, "dry_run": self.dry_run}


def _changed_since(lib: Library, op: Operation) -> list[str]:
    """What stops the undo: entries whose revision is not the one the operation left."""
    out = []
    for item in op.items:
        if item.action == "merged":
            if not lib.cat.conn.execute("SELECT 1 FROM trash WHERE id = ?", (int(item.detail or 0),)).fetchone():
                out.append(f"{item.citekey} (no longer in the trash)")
            continue
        row = lib.cat.conn.execute("SELECT revision, citekey FROM entries WHERE id = ?", (item.entry_id,)).fetchone()
        if row is None:
            out.append(f"{item.citekey} (removed since)")
        elif item.revision is not None and row[0] != item.revision:
            out.append(f"{row[1]} (edited since)")
    return list(dict.fromkeys(out))


def undo(lib: Library, *, force: bool = False, dry_run: bool = False) -> UndoReport:
    """Take back the last import or merge (see the module docstring)."""
    from papershelf.storage import journal

    cat = lib.cat
    op = journal.last(cat.conn)
    if op is None:
        raise UsageError("nothing to undo: no import or merge is recorded",
                         hint="undo takes back the last `import` or `merge` (the last 20 are kept)")
    report = UndoReport(op.kind, op.summary, op.at, dry_run=dry_run)
    report.changed = _changed_since(lib, op)
    if report.changed and not force:
        raise ConflictError(f"cannot undo {op.summary!r}: changed since: " + ", ".join(report.changed[:10])
                            + (" …" if len(report.changed) > 10 else ""),
                            hint="`papershelf undo --force` undoes it anyway (those changes are lost)")
    for item in op.items:
        {"added": report.trashed, "updated": report.restored, "merged": report.unmerged}.get(
            item.action, []).append(item.citekey)
    keys = cat.keys_of([i.entry_id for i in op.items if i.action == "aliased"])
    report.unaliased = [(i.detail or i.citekey, keys.get(i.entry_id, "?")) for i in op.items if i.action == "aliased"]
    if dry_run:
        return report
    lib.safeguard("undo")
    _take_back(lib, op)
    return report


def _take_back(lib: Library, op: Operation) -> list[int]:
    """Undo ``op``'s writes in one transaction; returns the row ids touched."""
    from papershelf.storage import journal, trash
    from papershelf.storage.fts import reindex

    cat = lib.cat
    conn = cat.conn
    touched: list[int] = []
    with cat.transaction():
        restored: set[int] = set()
        for item in op.items:  # each changed entry as it was, revision included (its aliases then, too)
            if item.before is None or item.entry_id in restored:
                continue
            restored.add(item.entry_id)
            row = conn.execute("SELECT revision FROM entries WHERE id = ?", (item.entry_id,)).fetchone()
            if row is not None:
                cat.remove_ids([item.entry_id], to_trash=False)
            entry_id = trash.write_back(conn, item.before)
            was = int(item.before["entry"].get("revision") or 0)
            now_at = max(was, int(row[0]) if row is not None else 0) + 1  # a revision is never given twice
            conn.execute("UPDATE entries SET revision = ? WHERE id = ?", (now_at, entry_id))
            journal.carry_revision(conn, entry_id, was, now_at)
            touched.append(entry_id)
        for item in op.items:
            if item.action == "aliased" and item.entry_id not in restored:
                conn.execute("DELETE FROM aliases WHERE alias = ? AND entry_id = ?", (item.detail, item.entry_id))
                cat.touch([item.entry_id])
                reindex(conn, [item.entry_id])
                touched.append(item.entry_id)
        added = [i.entry_id for i in op.items if i.action == "added"
                 and conn.execute("SELECT 1 FROM entries WHERE id = ?", (i.entry_id,)).fetchone()]
        if added:
            cat.remove_ids(added, reason=f"undo of {op.summary}")
            touched.extend(added)
        for item in op.items:  # after the aliases that held its key are gone
            if item.action == "merged":
                trash.restore(conn, int(item.detail or 0))
                touched.append(item.entry_id)
        journal.drop(conn, op.id)
    return touched
