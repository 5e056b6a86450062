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
``Library`` (``add`` for new entries: the door decides identity and keys). ``share_files`` holds
the folder, the entry files and writing them; ``share_import`` reading them back; ``share_git``
the git subprocess.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papershelf.errors import ConflictError
from papershelf.formats import share_text
from papershelf.formats.share_text import CONFLICT
from papershelf.services.share_files import (
    ENTRIES,
    FILES,
    META,
    META_FORMAT,
    Finding,
    ShareError,
    SyncReport,
    check_tree,
    commit,
    export,
    folder_of,
    meta,
    read_entry_file,
    refuse_link,
    register_driver,
    save_position,
    sid_of,
    write_file,
)
from papershelf.services.share_git import Git, GitError, work_tree
from papershelf.services.share_import import import_paths

if TYPE_CHECKING:
    from papershelf.services.library import Library

__all__ = ["Finding", "ShareError", "StatusReport", "SyncReport", "init", "merge_files", "status", "sync"]

PUSH_TRIES = 3


@dataclass
class StatusReport:
    folder: str
    branch: str | None
    upstream: str | None
    ahead: int | None
    behind: int | None
    unsynced: int | None  # entries changed here since the last sync (None: the log cannot tell: all)
    uncommitted: list[str]  # entry files changed in the work tree and not committed
    in_conflict: list[str]  # files git left unmerged, or holding the markers of a text merge
    fields_in_conflict: list[tuple[str, list[str]]]  # (key, conflict-* fields) in the catalogue

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- the use cases ------------------------------------------------------------------------------

def init(lib: Library, folder: Path, *, with_files: bool = False) -> SyncReport:
    """Make ``folder`` a share of this catalogue (see the module docstring); one commit."""
    from papershelf.storage import share

    git = work_tree(folder)
    meta_path = git.root / META
    refuse_link(meta_path, git.root)
    if meta_path.exists():
        with_files = with_files or bool(meta(git).get("with_files"))
    write_file(meta_path, json.dumps({"format": META_FORMAT, "entries": ENTRIES, "with_files": with_files,
                                  "files": FILES if with_files else "not shared (use git-lfs or --with-files)"},
                                 indent=2) + "\n", git.root)
    register_driver(git)
    check_tree(git)
    report = SyncReport(str(git.root))
    share.set_state(lib.cat.conn, {"folder": str(git.root)})
    entries_dir = git.root / ENTRIES
    if entries_dir.is_dir():
        present = {p.relative_to(git.root).as_posix(): "A" for p in sorted(entries_dir.glob("*/*.entry"))}
        known = share.entry_of(lib.cat.conn, [s for s in map(sid_of, present) if s])
        import_paths(lib, git, {p: s for p, s in present.items() if sid_of(p) not in known}, report)
    export(lib, git, report, everything=True)
    report.committed = commit(git, f"papershelf share: {report.written} entries written")
    save_position(lib)
    return report


def sync(lib: Library, folder: Path | None = None) -> SyncReport:
    """Write, commit, pull, read back, push (see the module docstring)."""
    git = folder_of(lib, folder)
    register_driver(git)  # a clone's config lacks it until it runs here: never a silent text merge
    report = SyncReport(str(git.root))
    if git.merging() or git.unmerged():
        raise ConflictError(f"{git.root} is in the middle of a merge", hint=merge_hint(git))
    check_tree(git)
    hand = _hand_edits(git)
    if hand:  # entry files edited in the work tree: the catalogue takes them first
        import_paths(lib, git, hand, report)
        save_position(lib)
    export(lib, git, report)
    report.committed = commit(git, f"papershelf: {report.written} entries written, {report.deleted} removed")
    save_position(lib)
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


def _hand_edits(git: Git) -> dict[str, str]:
    """Entry files changed in the work tree and not committed (path -> A, M or D)."""
    out = {}
    for line in git.run("status", "--porcelain", "-uall", "--", ENTRIES).stdout.splitlines():
        code, path = line[:2], line[3:]
        if not path:
            continue
        out[path] = "A" if code == "??" else "D" if "D" in code else "M"
    return out


def merge_hint(git: Git) -> str:
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
                f"{', '.join(left[:3])}", merge_hint(git)))
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
    import_paths(lib, git, paths, report)
    if commit(git, "papershelf: the catalogue's decisions after a merge (keys, aliases)"):
        report.committed = True
    save_position(lib)


def _resolve_modify_delete(git: Git, unmerged: list[str], report: SyncReport) -> None:
    """An entry file removed in one clone and changed in another: kept (with the change), so no
    value is lost; reported (remove it again if it should go)."""
    for path in unmerged:
        stages = {line.split()[2] for line in git.out("ls-files", "-u", "--", path).splitlines() if line}
        if not ({"2", "3"} <= stages) and (git.root / path).is_file():
            git.run("add", "--", path)
            sid = sid_of(path) or path
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

    git = folder_of(lib, folder)
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
                        sorted(set(git.unmerged()) | set(_with_markers(git, upstream))),
                        share.conflicted(conn, CONFLICT))


def _with_markers(git: Git, upstream: str | None) -> list[str]:
    """Entry files holding the markers of a text merge (committed by a merge that had no driver),
    here or in the upstream branch (where the next pull would bring them from)."""
    pattern = ("grep", "-l", "-E", "^(<<<<<<<|>>>>>>>)( |$)")
    found = git.run(*pattern, "--", ENTRIES, check=False).stdout.splitlines()
    if upstream:
        there = git.run(*pattern, "@{u}", "--", ENTRIES, check=False).stdout.splitlines()
        found += [p.split(":", 1)[-1] for p in there]
    return [p for p in found if p]


def merge_files(base: Path, ours: Path, theirs: Path, name: str) -> list[str]:
    """The merge driver: the three versions of one entry file merged into ``ours`` (git's %A);
    returns the fields edited both ways (both values kept). ``ShareFormatError`` when a version
    is not an entry file: git then leaves the file in conflict."""
    texts = []
    for path in (base, ours, theirs):
        texts.append(read_entry_file(path) if path.exists() and path.stat().st_size else "")
    merged, both = share_text.merge(texts[0], texts[1], texts[2], name)
    tmp = ours.with_name(f".{ours.name}.{os.getpid()}.tmp")
    tmp.write_text(merged, "utf-8", errors="surrogateescape")
    os.replace(tmp, ours)
    return both
