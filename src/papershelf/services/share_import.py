"""Reading a shared library's entry files back into the catalogue (``services.share``): what a
pull changed, through the ``Library`` (``add`` for new entries: the door decides keys and
identity, and its findings are reported with the command that fixes them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from papershelf.errors import PapershelfError, UsageError
from papershelf.formats import share_text
from papershelf.formats.share_text import CONFLICT, Shared, ShareFormatError
from papershelf.services.share_files import (
    FILES,
    Finding,
    SyncReport,
    entry_path,
    meta,
    read_entry_file,
    refuse_link,
    shared_of,
    sid_of,
    write_file,
)
from papershelf.services.share_git import Git

if TYPE_CHECKING:
    from papershelf.services.library import Library

def import_paths(lib: Library, git: Git, paths: dict[str, str], report: SyncReport) -> None:
    """Bring the catalogue in step with the entry files ``paths`` (path -> git status letter:
    A, M or D): removals to the trash, changes through the ``Library``, new entries through the
    door (``Library.add``), whose identity findings are reported with their fix. Files that the
    door's decisions changed (a key renamed, a duplicate's key made an alias) are written back."""
    from papershelf.storage import share

    conn = lib.cat.conn
    known = share.entry_of(conn, [s for s in (sid_of(p) for p in paths) if s])
    alive = share.existing_ids(conn, known.values())
    removals: list[tuple[str, int]] = []
    updates: list[tuple[int, Shared, str]] = []
    new: list[tuple[Shared, str]] = []
    for path, status in sorted(paths.items()):
        sid = sid_of(path)
        if sid is None:
            continue
        if status == "D":
            if sid in known and known[sid] in alive:
                removals.append((sid, known[sid]))
            continue
        refuse_link(git.root / path, git.root)  # a linked folder could lead outside the share
        try:
            text = read_entry_file(git.root / path)
            item = share_text.parse(text, path)
        except (ShareFormatError, OSError) as exc:
            report.findings.append(Finding("unreadable", str(exc), _fix_text_conflict(git, path)))
            continue
        if item.share_id != sid:
            report.findings.append(Finding("unreadable", f"{path} says its id is {item.share_id}",
                                           f"git -C {git.root} log -p -- {path}"))
            continue
        if sid in known and known[sid] in alive:
            updates.append((known[sid], item, text))
        else:
            new.append((item, text))
    if removals and new:  # a file replaced by another of the same key (two files of one record made one)
        keys = lib.cat.keys_of([e for _, e in removals])
        by_key = {item.entry.citekey.lower(): (item, text) for item, text in new}
        for sid, entry_id in list(removals):
            hit = by_key.get(keys[entry_id].lower())
            if hit is not None:
                removals.remove((sid, entry_id))
                new.remove(hit)
                share.forget(conn, [sid])
                share.assign(conn, [(hit[0].share_id, entry_id)])
                updates.append((entry_id, hit[0], hit[1]))
    if removals:
        keys = lib.cat.keys_of([e for _, e in removals])
        report.removed += lib.remove([keys[e] for _, e in removals])
        share.forget(conn, [s for s, _ in removals])
    write_back: set[int] = set()
    for entry_id, item, _ in updates:
        _update(lib, entry_id, item, report, write_back)
    if new:
        _add(lib, git, new, report, write_back)
    for _, item, _ in updates:
        _conflicts(item, report)
    for item, _ in new:
        _conflicts(item, report)
    if write_back:
        sids = share.ids(conn)
        for stored in shared_of(lib, git, lib.cat.load(sorted(write_back)), sids):
            write_file(entry_path(git, stored.share_id), share_text.render(stored), git.root)
    if any(item.files for _, item, _ in updates) or any(item.files for item, _ in new):
        _attach_shared_files(lib, git, [item for _, item, _ in updates] + [item for item, _ in new], report)


def _fix_text_conflict(git: Git, path: str) -> str:
    return (f"edit {git.root / path}: keep both values of each conflicting field (one line each), "
            f"remove the <<<<<<< ======= >>>>>>> lines, git add and git commit, then papershelf share sync")


def _conflicts(item: Shared, report: SyncReport) -> None:
    both = sorted(k[len(CONFLICT):] for k in item.entry.extra if k.startswith(CONFLICT))
    if both:
        report.findings.append(Finding(
            "both values kept", f"{item.entry.citekey}: {', '.join(both)} edited in two clones; the other "
            f"value is in {', '.join(CONFLICT + b for b in both)}", f"papershelf edit {item.entry.citekey}"))


_UPDATABLE = ("extra", "links", "needs_sync")


def _update(lib: Library, entry_id: int, item: Shared, report: SyncReport, write_back: set[int]) -> None:
    """Make the catalogued entry what its file says: fields, verbatim source, key and notes in
    one edit (``Library.save_edit``, where the identity rule is asked when an identifier
    changes), then tags and aliases."""
    import copy

    from papershelf.storage.rows import BIBLIOGRAPHIC, VERBATIM

    current = lib.cat.get_id(entry_id)
    incoming = item.entry
    names = [n for n in (*BIBLIOGRAPHIC, *_UPDATABLE) if getattr(incoming, n) != getattr(current, n)]
    verbatim = any(getattr(incoming, n) != getattr(current, n) for n in VERBATIM)
    notes = (incoming.notes or None) != (current.notes or None)
    rekey = incoming.citekey != current.citekey
    try:
        if names or verbatim or notes or rekey:
            new = copy.deepcopy(current)
            for n in (*names, *VERBATIM, "citekey", "notes"):
                setattr(new, n, copy.deepcopy(getattr(incoming, n)))
            if rekey and lib.cat.key_taken(new.citekey, other_than=entry_id):
                raise UsageError(f"the share renames {current.citekey} to {new.citekey}, which cites another "
                                 "entry here", hint=f"papershelf rekey {new.citekey} NEWKEY, then share sync")
            lib.save_edit(entry_id, current.revision, current, new, names, notes=notes)
        key = incoming.citekey if rekey else current.citekey
        added = [t for t in incoming.tags if t not in current.tags]
        gone = [t for t in current.tags if t not in incoming.tags]
        if added:
            lib.tag(key, added)
        if gone:
            lib.untag(key, gone)
        lib.door.add_aliases(entry_id, [a for a in incoming.aliases
                                        if a not in current.aliases and a.lower() != key.lower()])
    except PapershelfError as exc:
        report.findings.append(Finding("not updated", f"{current.citekey}: {exc}",
                                       exc.hint or f"papershelf show {current.citekey}"))
        return
    report.updated.append(key)


def _add(lib: Library, git: Git, new: list[tuple[Shared, str]], report: SyncReport, write_back: set[int]) -> None:
    """New entries from the share, through the door: keys as the files say unless taken (the
    door renames, reported), the identity rule asked for each (one work under two keys is
    reported, with ``merge``); no topic tags added, so the entry is what its file says. A file
    that is the same work as an unshared entry here is that entry: the two are merged field by
    field (both values kept where they differ, as a merge of two clones)."""
    import copy

    from papershelf.services.door import AddPolicy
    from papershelf.storage import share

    records = [copy.deepcopy(item.entry) for item, _ in new]
    for r in records:
        r.id = None
    result = lib.add(records, AddPolicy(source_keys=True, autotag=False))
    ids_by_key = {e.citekey.lower(): e.id for e in result.added if e.id is not None}
    pairs: list[tuple[str, int]] = []
    for (item, _), record in zip(new, records, strict=True):
        entry_id = ids_by_key.get(record.citekey.lower())
        if entry_id is not None:
            pairs.append((item.share_id, entry_id))
            report.added.append(record.citekey)
            if record.citekey != item.entry.citekey or record.arxiv_id != item.entry.arxiv_id:
                write_back.add(entry_id)
    for given, key, _why in result.renamed:
        report.findings.append(Finding(
            "one key, two works", f"{given} from the share is another work than the {given} here: "
            f"it was added as {key} (every clone gets that key at its next sync)", f"papershelf rekey {key} NEWKEY"))
    sids_here = share.ids(lib.cat.conn)
    taken = set(sids_here)
    for dup in result.duplicates:
        found = next((it for (it, _), r in zip(new, records, strict=True) if r is dup.entry), None)
        if found is None or dup.existing_id is None:
            continue
        held = sids_here.get(dup.existing_id)
        if held is not None and dup.why.startswith("the same record") and held != found.share_id:
            _one_file(lib, git, found, dup.existing_id, held, report)
            write_back.add(dup.existing_id)
            continue
        if dup.existing_id in taken or any(e == dup.existing_id for _, e in pairs):
            report.findings.append(Finding(
                "one work, two entry files", f"{found.entry.citekey} from the share is the same work as "
                f"{dup.existing_key} here ({dup.why}): not added again", f"papershelf merge {dup.existing_key} "
                f"{found.entry.citekey} in the clone that has both, or remove one"))
            continue
        item = found
        pairs.append((item.share_id, dup.existing_id))  # the unshared entry here is this file's entry
        share.assign(lib.cat.conn, [(item.share_id, dup.existing_id)])
        _merge_into(lib, git, item, dup.existing_id, report)
        write_back.add(dup.existing_id)
        if dup.entry.citekey.lower() != dup.existing_key.lower():
            report.findings.append(Finding(
                "one work, two keys", f"{item.entry.citekey} from the share is {dup.existing_key} here "
                f"({dup.why}): {item.entry.citekey} now cites it too", f"papershelf show {dup.existing_key}"))
    for dup in result.probable:
        report.findings.append(Finding(
            "same work?", f"{dup.entry.citekey} (from the share) and {dup.existing_key} ({dup.why})",
            f"papershelf merge {dup.existing_key} {dup.entry.citekey}"))
    for key, other, ident in result.shared_ids:
        report.findings.append(Finding(
            "one arXiv id, two entries", f"{key} and {other} both say arXiv {ident}; {key} keeps it as eprint only",
            f"papershelf merge {other} {key}"))
    share.assign(lib.cat.conn, pairs)


def _one_file(lib: Library, git: Git, item: Shared, entry_id: int, held: str, report: SyncReport) -> None:
    """The same record (key and fields) shared twice, from two clones that each shared it before
    they synced: one file is kept, the one with the smaller id (every clone decides alike), the
    other removed from the share; the two merged field by field (tags, notes: both kept)."""
    from papershelf.storage import share

    keep, drop = sorted((item.share_id, held))
    _merge_into(lib, git, item, entry_id, report)
    share.assign(lib.cat.conn, [(keep, entry_id)])
    path = entry_path(git, drop)
    refuse_link(path, git.root)
    if path.exists():
        path.unlink()
    report.findings.append(Finding(
        "one record, two entry files", f"{item.entry.citekey} was shared from two clones: kept as one file "
        f"({keep}), tags and notes of both kept", f"papershelf show {item.entry.citekey}"))


def _merge_into(lib: Library, git: Git, item: Shared, entry_id: int, report: SyncReport) -> None:
    """An unshared entry here that a new file of the share is: the two merged field by field
    (no common ancestor: a field that differs keeps ours, the other value in conflict-NAME)."""
    local = lib.cat.get_id(entry_id)
    ours = share_text.render(Shared(item.share_id, local, []))
    merged, _ = share_text.merge("", ours, share_text.render(item))
    _update(lib, entry_id, share_text.parse(merged), report, set())


def _attach_shared_files(lib: Library, git: Git, items: list[Shared], report: SyncReport) -> None:
    """With --with-files: the files the share holds for an entry that this clone lacks, attached."""
    from papershelf.storage import files, share

    if not meta(git).get("with_files"):
        return
    ids = share.entry_of(lib.cat.conn, [i.share_id for i in items])
    have = files.of_entries(lib.cat.conn, list(ids.values()))
    for item in items:
        entry_id = ids.get(item.share_id)
        if entry_id is None:
            continue
        shas = {f.sha256 for f in have.get(entry_id, [])}
        for name, sha in item.files:
            if sha in shas:
                continue
            found = sorted((git.root / FILES).glob(f"{sha}*")) if (git.root / FILES).is_dir() else []
            if not found:
                continue
            try:
                lib.attach(lib.cat.keys_of([entry_id])[entry_id], [found[0]])
            except PapershelfError as exc:
                report.findings.append(Finding("file not attached", f"{name}: {exc}",
                                               f"papershelf attach KEY {found[0]}"))
