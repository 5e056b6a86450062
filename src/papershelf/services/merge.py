"""``merge`` and ``undo``: the user joins two entries of one work, or takes back the last
import or merge.

``Library.merge(plan(KEEP, OTHER))`` (``Door.merge``): OTHER goes to the trash marked "merged into KEEP"; its key and
aliases become aliases of KEEP (so a thesis citing OTHER now prints KEEP's record: ``plan``
shows that diff first); its tags and notes are added to KEEP; KEEP's fields stay as they are.
One transaction, after an automatic backup, recorded in the operations journal.

``Library.undo()`` (``Door.take_back``): the journal's last operation (``storage.journal``) taken back, in one
transaction: entries it added go to the trash, entries it changed get their whole record back,
aliases it added are removed, an entry merged away comes back from the trash with its key. An
entry changed since (its revision differs) stops the undo unless ``force``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from papershelf.errors import ConflictError, UsageError
from papershelf.services.door_changes import MergePlan

if TYPE_CHECKING:
    from papershelf.services.door import Door

__all__ = ["MergePlan", "UndoReport", "plan", "undo"]


def plan(door: Door, keep_ref: str, other_ref: str) -> MergePlan:
    """What ``merge`` would do; refuses to merge an entry with itself."""
    from papershelf.model.identity import field_diff

    keep, other = door.cat.get(keep_ref), door.cat.get(other_ref)
    if keep.id == other.id:
        raise UsageError(f"{keep_ref} and {other_ref} are one entry ({keep.citekey}): nothing to merge")
    return MergePlan(keep, other, field_diff(other, keep), [other.citekey, *other.aliases],
                     [t for t in other.tags if t not in keep.tags], bool(other.notes and other.notes.strip()))


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


def undo(door: Door, *, force: bool = False, dry_run: bool = False) -> UndoReport:
    """Take back the last import or merge (see the module docstring)."""
    from papershelf.storage import journal

    cat = door.cat
    op = journal.last(cat.conn)
    if op is None:
        raise UsageError("nothing to undo: no import or merge is recorded",
                         hint="undo takes back the last `import` or `merge` (the last 20 are kept)")
    report = UndoReport(op.kind, op.summary, op.at, dry_run=dry_run)
    report.changed = journal.changed_since(cat.conn, op)
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
    door.take_back(op)
    return report
