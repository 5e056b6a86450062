"""A lab's shared library in git (``papershelf share``): the catalogue written as one canonical
text file per entry (``formats.share_text``) in a git repository, merged by git, and read back.

* ``init(lib, folder)``: make ``folder`` (a git work tree: new, or a clone) a share: the
  metadata file, the merge driver in ``.gitattributes`` and the repository's config, every entry
  file already there imported (a teammate's clone), every catalogued entry written; one commit.
* ``sync(lib)``: the entries changed since the last sync (the change log, ``storage.changes``)
  written and committed, ``git pull`` (a merge, unless ``pull.rebase`` says otherwise), the entry
  files the pull changed read back into the catalogue (through the door and ``Library``), the
  identity rule's findings over what came in, then ``git push``.
* ``status(lib)``: ahead, behind, files in conflict, entries with both values of a field, local
  changes not synced yet.
* ``merge_files``: the merge driver git runs for entry files.

Every file written is inside the share's folder; the catalogue is written only through the
``Library`` (``add`` for new entries: the door decides identity and keys).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papershelf.errors import ConflictError, PapershelfError, UsageError
from papershelf.formats import share_text
from papershelf.formats.share_text import CONFLICT, Shared, ShareFormatError
from papershelf.model.entry import Entry
from papershelf.services.share_git import Git, GitError, work_tree

if TYPE_CHECKING:
    from papershelf.services.library import Library

# the folder of entry files, ENTRIES/<last 2 digits of the id>/<share id>.entry: 256 folders, so a
# commit of one change writes a small tree (the root's 256 lines and one folder's), not a 10,000-line one
ENTRIES = "entries"
FILES = "files"  # with --with-files: attached files as FILES/<sha256><suffix>
META = "papershelf-share.json"
META_FORMAT = 1
ATTRIBUTES = f"{ENTRIES}/**/*.entry merge=papershelf"
MAX_META_BYTES = 64 * 1024
PUSH_TRIES = 3


class ShareError(PapershelfError):
    """A share that cannot be synced as it stands (no remote, not a share)."""


@dataclass
class Finding:
    """Something a sync found that the user should fix: the identity rule over what came in
    (one key for two works, one work under two keys), a field edited both ways, a file in a
    text conflict. ``fix`` is the command that fixes it."""

    kind: str
    message: str
    fix: str


@dataclass
class SyncReport:
    folder: str
    written: int = 0  # entry files written from local changes
    deleted: int = 0  # entry files removed (entries removed here)
    committed: bool = False
    pulled: str | None = None  # the commit pulled, when the remote had something new
    added: list[str] = field(default_factory=list)  # keys added here from the share
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    pushed: bool = False
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def verdict(self) -> PapershelfError | None:
        """How the run ends (``services.outcome``): a file in a text conflict, or one that is no
        entry file, is a ``ConflictError`` (exit 6) with its fix; identity findings are reported
        and the run succeeds."""
        bad = [f for f in self.findings if f.kind in ("text conflict", "unreadable")]
        if not bad:
            return None
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        return ConflictError(f"share sync stopped: {bad[0].message}{more}", hint=bad[0].fix)


@dataclass
class StatusReport:
    folder: str
    branch: str | None
    upstream: str | None
    ahead: int | None
    behind: int | None
    unsynced: int | None  # entries changed here since the last sync (None: the log cannot tell: all)
    uncommitted: list[str]  # entry files changed in the work tree and not committed
    in_conflict: list[str]  # files git left unmerged
    fields_in_conflict: list[tuple[str, list[str]]]  # (key, conflict-* fields) in the catalogue

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- the share's folder ----------------------------------------------------------------------

def _driver_command() -> str:
    """How git runs the merge driver: this papershelf's console script when it is beside the
    interpreter (a virtual environment), else ``papershelf`` on PATH."""
    import shlex

    beside = Path(sys.executable).parent / "papershelf"
    exe = str(beside) if beside.exists() else "papershelf"
    return f"{shlex.quote(exe)} share merge-driver %O %A %B %P"


def register_driver(git: Git) -> None:
    """The merge driver in ``.gitattributes`` (committed, so clones have it) and in the
    repository's own config (``.git/config``, which git never shares: each clone runs this)."""
    attrs = git.root / ".gitattributes"
    _refuse_link(attrs, git.root)
    text = attrs.read_text("utf-8") if attrs.exists() else ""
    if ATTRIBUTES not in text.splitlines():
        attrs.write_text(text + ("" if not text or text.endswith("\n") else "\n") + ATTRIBUTES + "\n", "utf-8")
    git.run("config", "merge.papershelf.name", "papershelf entry files (a three-way merge per field)")
    git.run("config", "merge.papershelf.driver", _driver_command())


def _refuse_link(path: Path, root: Path) -> None:
    """Refuse to write ``path`` when it, or a folder between the share's top and it, is a symbolic
    link (which could lead outside the share)."""
    at = path
    while True:
        if at.is_symlink():
            raise UsageError(f"{at} is a symbolic link: papershelf writes only files inside the share")
        if at == root or at.parent == at:
            break
        at = at.parent
    if not path.resolve().is_relative_to(root.resolve()):
        raise UsageError(f"{path} is outside the share {root}")


def _meta(git: Git) -> dict[str, Any]:
    path = git.root / META
    if not path.is_file() or path.is_symlink():
        raise ShareError(f"{git.root} is not a papershelf share (no {META})",
                         hint=f"papershelf share init {git.root}")
    if path.stat().st_size > MAX_META_BYTES:
        raise ShareError(f"{path} is over {MAX_META_BYTES // 1024} KiB: not a papershelf share file")
    try:
        data = json.loads(path.read_text("utf-8"))
    except ValueError:
        raise ShareError(f"{path} is not JSON", hint=f"git -C {git.root} log -p -- {META}") from None
    if not isinstance(data, dict) or data.get("format") != META_FORMAT:
        raise ShareError(f"{path} is of another format ({data.get('format') if isinstance(data, dict) else '?'}); "
                         f"this papershelf reads format {META_FORMAT}", hint="upgrade papershelf")
    return data


def _folder(lib: Library, folder: Path | None) -> Git:
    from papershelf.storage import share

    if folder is None:
        stored = share.get_state(lib.cat.conn, "folder")
        if stored is None:
            raise ShareError("this catalogue is not shared yet", hint="papershelf share init DIR")
        folder = Path(stored)
    git = work_tree(folder)
    _meta(git)
    return git


def _entry_path(git: Git, sid: str) -> Path:
    return git.root / ENTRIES / sid[-2:] / f"{sid}.entry"


def _sid_of(path: str) -> str | None:
    """The share id of a repository path ``entries/<xx>/<id>.entry`` (None: not an entry file)."""
    parts = path.split("/")
    if len(parts) != 3 or parts[0] != ENTRIES or not parts[2].endswith(".entry"):
        return None
    sid = parts[2][:-6]
    return sid if share_text.SHARE_ID.match(sid) and parts[1] == sid[-2:] else None


def _read(path: Path) -> str:
    if path.is_symlink() or not path.is_file():
        raise ShareFormatError(f"{path.name} is not a regular file")
    if path.stat().st_size > share_text.MAX_BYTES:
        raise ShareFormatError(f"{path.name} is over {share_text.MAX_BYTES // (1024 * 1024)} MiB: refused")
    return path.read_text("utf-8", errors="surrogateescape")


def _write(path: Path, text: str, root: Path) -> bool:
    """Write ``text`` at ``path`` (inside the share ``root``) unless it holds it already; whether it wrote."""
    _refuse_link(path, root)
    if path.is_file():
        try:
            if path.read_text("utf-8", errors="surrogateescape") == text:
                return False
        except OSError:
            pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, "utf-8", errors="surrogateescape")
    os.replace(tmp, path)
    return True


# -- writing entries ---------------------------------------------------------------------------

def _shared_of(lib: Library, git: Git, entries: list[Entry], sids: dict[int, str]) -> list[Shared]:
    """The entry files' contents of ``entries``: each with its attached files, plus the files the
    share already lists for it that are not attached here (a file is never dropped by a clone
    that lacks it)."""
    from papershelf.storage import files

    attached = files.of_entries(lib.cat.conn, [e.id for e in entries if e.id is not None])
    out = []
    for e in entries:
        assert e.id is not None
        sid = sids[e.id]
        listed = [(f.original or Path(f.name).name, f.sha256) for f in attached.get(e.id, [])]
        path = _entry_path(git, sid)
        if path.is_file():
            try:
                have = {h for _, h in listed}
                listed += [f for f in share_text.parse(_read(path)).files if f[1] not in have]
            except ShareFormatError:
                pass
        out.append(Shared(sid, e, listed))
    return out


def _copy_files(lib: Library, git: Git, ids: list[int]) -> None:
    """With --with-files: each attached file as FILES/<sha256><suffix> (once per content)."""
    from papershelf.services.attachments import location
    from papershelf.storage import files

    for flist in files.of_entries(lib.cat.conn, ids).values():
        for f in flist:
            src = location(lib, f)
            dest = git.root / FILES / f"{f.sha256}{Path(f.name).suffix.lower()}"
            _refuse_link(dest, git.root)
            if not dest.exists() and src.is_file():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)


def _export(lib: Library, git: Git, report: SyncReport, *, everything: bool = False) -> None:
    """Write the entry files of the entries changed since the last sync (all: ``everything``,
    or when the change log cannot tell), delete those of entries removed here."""
    from papershelf.storage import changes, share

    conn = lib.cat.conn
    pos = share.position_of(share.get_state(conn, "position"))
    log = None if everything or pos is None else changes.since(conn, pos)
    sids = share.ids(conn)
    if log is None:
        now = set(share.all_entry_ids(conn))
        gone = {e for e in sids if e not in now}
        recreated: set[int] = set()
        todo = sorted(now)
    else:
        touched: dict[int, set[str]] = {}
        for ch in log:
            touched.setdefault(ch.entry_id, set()).add(ch.kind)
        now = share.existing_ids(conn, touched)
        recreated = {e for e, kinds in touched.items() if "removed" in kinds and e in now}
        gone = {e for e in touched if e not in now and e in sids}
        todo = sorted(now)
    dead = [sids[e] for e in (gone | recreated) if e in sids]
    for sid in dead:
        path = _entry_path(git, sid)
        _refuse_link(path, git.root)
        if path.exists():
            path.unlink()
            report.deleted += 1
    share.forget(conn, dead)
    fresh = [(share.new_id(), e) for e in todo if e not in sids or e in recreated]
    share.assign(conn, fresh)
    sids = share.ids(conn)
    with_files = bool(_meta(git).get("with_files"))
    for start in range(0, len(todo), 500):
        chunk = todo[start:start + 500]
        for item in _shared_of(lib, git, lib.cat.load(chunk), sids):
            if _write(_entry_path(git, item.share_id), share_text.render(item), git.root):
                report.written += 1
        if with_files:
            _copy_files(lib, git, chunk)


def _commit(git: Git, message: str) -> bool:
    (git.root / ENTRIES).mkdir(exist_ok=True)
    git.run("add", "-A", "--", ENTRIES, META, ".gitattributes", *([FILES] if (git.root / FILES).exists() else []))
    if git.run("diff", "--cached", "--quiet", check=False).returncode == 0:
        return False
    git.run("commit", "-q", "--no-verify", "-m", message)
    return True


def _save_position(lib: Library) -> None:
    from papershelf.storage import changes, share

    share.set_state(lib.cat.conn, {"position": share.position_text(changes.position(lib.cat.conn))})


# -- reading entries -------------------------------------------------------------------------

def _import(lib: Library, git: Git, paths: dict[str, str], report: SyncReport) -> None:
    """Bring the catalogue in step with the entry files ``paths`` (path -> git status letter:
    A, M or D): removals to the trash, changes through the ``Library``, new entries through the
    door (``Library.add``), whose identity findings are reported with their fix. Files that the
    door's decisions changed (a key renamed, a duplicate's key made an alias) are written back."""
    from papershelf.storage import share

    conn = lib.cat.conn
    known = share.entry_of(conn, [s for s in (_sid_of(p) for p in paths) if s])
    alive = share.existing_ids(conn, known.values())
    removals: list[tuple[str, int]] = []
    updates: list[tuple[int, Shared, str]] = []
    new: list[tuple[Shared, str]] = []
    for path, status in sorted(paths.items()):
        sid = _sid_of(path)
        if sid is None:
            continue
        if status == "D":
            if sid in known and known[sid] in alive:
                removals.append((sid, known[sid]))
            continue
        _refuse_link(git.root / path, git.root)  # a linked folder could lead outside the share
        try:
            text = _read(git.root / path)
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
        for stored in _shared_of(lib, git, lib.cat.load(sorted(write_back)), sids):
            _write(_entry_path(git, stored.share_id), share_text.render(stored), git.root)
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
        for alias in incoming.aliases:
            if alias not in current.aliases and alias.lower() != key.lower():
                lib.cat.add_alias(entry_id, alias)
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
    path = _entry_path(git, drop)
    _refuse_link(path, git.root)
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

    if not _meta(git).get("with_files"):
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


# -- the use cases ------------------------------------------------------------------------------

def init(lib: Library, folder: Path, *, with_files: bool = False) -> SyncReport:
    """Make ``folder`` a share of this catalogue (see the module docstring); one commit."""
    from papershelf.storage import share

    git = work_tree(folder)
    meta_path = git.root / META
    _refuse_link(meta_path, git.root)
    if meta_path.exists():
        meta = _meta(git)
        with_files = with_files or bool(meta.get("with_files"))
    _write(meta_path, json.dumps({"format": META_FORMAT, "entries": ENTRIES, "with_files": with_files,
                                  "files": FILES if with_files else "not shared (use git-lfs or --with-files)"},
                                 indent=2) + "\n", git.root)
    register_driver(git)
    _check_tree(git)
    report = SyncReport(str(git.root))
    share.set_state(lib.cat.conn, {"folder": str(git.root)})
    entries_dir = git.root / ENTRIES
    if entries_dir.is_dir():
        present = {p.relative_to(git.root).as_posix(): "A" for p in sorted(entries_dir.glob("*/*.entry"))}
        known = share.entry_of(lib.cat.conn, [s for s in map(_sid_of, present) if s])
        _import(lib, git, {p: s for p, s in present.items() if _sid_of(p) not in known}, report)
    _export(lib, git, report, everything=True)
    report.committed = _commit(git, f"papershelf share: {report.written} entries written")
    _save_position(lib)
    return report


def sync(lib: Library, folder: Path | None = None) -> SyncReport:
    """Write, commit, pull, read back, push (see the module docstring)."""
    git = _folder(lib, folder)
    register_driver(git)  # a clone's config lacks it until it runs here: never a silent text merge
    report = SyncReport(str(git.root))
    if git.merging() or git.unmerged():
        raise ConflictError(f"{git.root} is in the middle of a merge", hint=_merge_hint(git))
    _check_tree(git)
    hand = _hand_edits(git)
    if hand:  # entry files edited in the work tree: the catalogue takes them first
        _import(lib, git, hand, report)
        _save_position(lib)
    _export(lib, git, report)
    report.committed = _commit(git, f"papershelf: {report.written} entries written, {report.deleted} removed")
    _save_position(lib)
    if not git.remotes():
        raise ShareError(f"{git.root} has no remote: committed here, nothing pulled or pushed",
                         hint=f"git -C {git.root} remote add origin URL (a bare repository, GitHub, a shared disk)")
    for _ in range(PUSH_TRIES):
        _pull(lib, git, report)
        if report.findings and any(f.kind == "text conflict" for f in report.findings):
            break
        if _push(git):
            report.pushed = True
            break
    return report


def _check_tree(git: Git) -> None:
    """Refuse a share whose entries folder, or one of its 256 folders, is a symbolic link (it
    could lead reads and writes outside the share); linked files are refused where read."""
    top = git.root / ENTRIES
    _refuse_link(top, git.root)
    if top.is_dir():
        for child in os.scandir(top):
            if child.is_symlink():
                raise UsageError(f"{child.path} is a symbolic link: papershelf writes only files inside the share",
                                 hint="replace it with the folder it points to, then share sync")


def _hand_edits(git: Git) -> dict[str, str]:
    """Entry files changed in the work tree and not committed (path -> A, M or D)."""
    out = {}
    for line in git.run("status", "--porcelain", "-uall", "--", ENTRIES).stdout.splitlines():
        code, path = line[:2], line[3:]
        if not path:
            continue
        out[path] = "A" if code == "??" else "D" if "D" in code else "M"
    return out


def _merge_hint(git: Git) -> str:
    return (f"finish it: resolve the files `git -C {git.root} status` lists (keep both values), git add, "
            f"git commit; or git -C {git.root} merge --abort; then papershelf share sync")


def _pull(lib: Library, git: Git, report: SyncReport) -> None:
    old = git.head()
    if git.upstream() is None:
        remote = git.remotes()[0]
        branch = git.out("rev-parse", "--abbrev-ref", "HEAD")
        fetched = git.run("fetch", "-q", remote, check=False, network=True)
        if fetched.returncode != 0 or git.run("rev-parse", "-q", "--verify", f"{remote}/{branch}",
                                              check=False).returncode != 0:
            return  # an empty remote: nothing to pull yet
        args = ["pull", "--no-edit", remote, branch]
    else:
        args = ["pull", "--no-edit"]
    rebase = git.config("pull.rebase")
    args.insert(1, "--rebase" if rebase and rebase.lower() not in ("false", "0", "no") else "--no-rebase")
    done = git.run(*args, check=False, network=True)
    if done.returncode != 0:
        unmerged = git.unmerged()
        if not unmerged:
            raise GitError(f"git pull failed: {(done.stderr or done.stdout).strip().splitlines()[-1:] or ['?']}")
        _resolve_modify_delete(git, unmerged, report)
        left = git.unmerged()
        if left:
            report.findings.append(Finding(
                "text conflict", f"{len(left)} file(s) in a text conflict (the merge driver did not run): "
                f"{', '.join(left[:3])}", _merge_hint(git)))
            return
        git.run("commit", "-q", "--no-edit", "--no-verify")
    new = git.head()
    if new == old or new is None:
        return
    report.pulled = new
    diff = git.out("diff", "--name-status", "--no-renames", f"{old}..{new}", "--", ENTRIES) if old else \
        "\n".join(f"A\t{p}" for p in git.out("ls-files", "--", ENTRIES).splitlines())
    paths = {}
    for line in diff.splitlines():
        status, _, path = line.partition("\t")
        paths[path] = status[:1]
    _import(lib, git, paths, report)
    if _commit(git, "papershelf: the catalogue's decisions after a merge (keys, aliases)"):
        report.committed = True
    _save_position(lib)


def _resolve_modify_delete(git: Git, unmerged: list[str], report: SyncReport) -> None:
    """An entry file removed in one clone and changed in another: kept (with the change), so no
    value is lost; reported (remove it again if it should go)."""
    for path in unmerged:
        stages = {line.split()[2] for line in git.out("ls-files", "-u", "--", path).splitlines() if line}
        if not ({"2", "3"} <= stages) and (git.root / path).is_file():
            git.run("add", "--", path)
            sid = _sid_of(path) or path
            report.findings.append(Finding("removed here, changed there", f"{sid}: kept, with the change",
                                           "papershelf remove KEY (then share sync) if it should go"))


def _push(git: Git) -> bool:
    """Push; False when the remote moved meanwhile (pull again)."""
    args = ["push", "-q"] if git.upstream() else ["push", "-q", "-u", git.remotes()[0], "HEAD"]
    done = git.run(*args, check=False, network=True)
    if done.returncode == 0:
        return True
    text = done.stderr.lower()
    if "rejected" in text or "fetch first" in text or "non-fast-forward" in text:
        return False
    raise GitError(f"git push failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")


def status(lib: Library, folder: Path | None = None, *, fetch: bool = True) -> StatusReport:
    from papershelf.storage import changes, share

    git = _folder(lib, folder)
    conn = lib.cat.conn
    upstream = git.upstream()
    if fetch and git.remotes():
        git.run("fetch", "-q", check=False, network=True)
    ahead = behind = None
    if upstream:
        counts = git.out("rev-list", "--left-right", "--count", "HEAD...@{u}").split()
        ahead, behind = int(counts[0]), int(counts[1])
    pos = share.position_of(share.get_state(conn, "position"))
    ids = None if pos is None else changes.changed_ids(conn, pos)
    porcelain = [line for line in git.run("status", "--porcelain", "-uall", "--", ENTRIES).stdout.splitlines() if line]
    branch = git.run("rev-parse", "--abbrev-ref", "HEAD", check=False).stdout.strip() or None
    return StatusReport(str(git.root), branch, upstream, ahead, behind, None if ids is None else len(ids),
                        [line[3:] for line in porcelain if line[:2] not in ("UU", "AA", "DU", "UD")],
                        git.unmerged(), share.conflicted(conn, CONFLICT))


def merge_files(base: Path, ours: Path, theirs: Path, name: str) -> list[str]:
    """The merge driver: the three versions of one entry file merged into ``ours`` (git's %A);
    returns the fields edited both ways (both values kept). ``ShareFormatError`` when a version
    is not an entry file: git then leaves the file in conflict."""
    texts = []
    for path in (base, ours, theirs):
        texts.append(_read(path) if path.exists() and path.stat().st_size else "")
    merged, both = share_text.merge(texts[0], texts[1], texts[2], name)
    tmp = ours.with_name(f".{ours.name}.{os.getpid()}.tmp")
    tmp.write_text(merged, "utf-8", errors="surrogateescape")
    os.replace(tmp, ours)
    return both
