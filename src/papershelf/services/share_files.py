"""The files of a shared library (``services.share``): the share's folder (its metadata file,
the merge driver's registration, entry file paths: ``entries/XX/<id>.entry``), reading and
writing entry files without ever leaving the folder, and writing the entries changed since the
last sync (``export``)."""

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
from papershelf.formats.share_text import Shared, ShareFormatError
from papershelf.model.entry import Entry
from papershelf.services.share_git import Git, work_tree

if TYPE_CHECKING:
    from papershelf.services.library import Library

ENTRIES = "entries"
FILES = "files"  # with --with-files: attached files as FILES/<sha256><suffix>
META = "papershelf-share.json"
META_FORMAT = 1
ATTRIBUTES = f"{ENTRIES}/**/*.entry merge=papershelf"
MAX_META_BYTES = 64 * 1024



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
    refuse_link(attrs, git.root)
    text = attrs.read_text("utf-8") if attrs.exists() else ""
    if ATTRIBUTES not in text.splitlines():
        attrs.write_text(text + ("" if not text or text.endswith("\n") else "\n") + ATTRIBUTES + "\n", "utf-8")
    git.run("config", "merge.papershelf.name", "papershelf entry files (a three-way merge per field)")
    git.run("config", "merge.papershelf.driver", _driver_command())


def refuse_link(path: Path, root: Path) -> None:
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


def meta(git: Git) -> dict[str, Any]:
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


def folder_of(lib: Library, folder: Path | None) -> Git:
    from papershelf.storage import share

    if folder is None:
        stored = share.get_state(lib.cat.conn, "folder")
        if stored is None:
            raise ShareError("this catalogue is not shared yet", hint="papershelf share init DIR")
        folder = Path(stored)
    git = work_tree(folder)
    meta(git)
    return git


def entry_path(git: Git, sid: str) -> Path:
    return git.root / ENTRIES / sid[-2:] / f"{sid}.entry"


def sid_of(path: str) -> str | None:
    """The share id of a repository path ``entries/<xx>/<id>.entry`` (None: not an entry file)."""
    parts = path.split("/")
    if len(parts) != 3 or parts[0] != ENTRIES or not parts[2].endswith(".entry"):
        return None
    sid = parts[2][:-6]
    return sid if share_text.SHARE_ID.match(sid) and parts[1] == sid[-2:] else None


def read_entry_file(path: Path) -> str:
    if path.is_symlink() or not path.is_file():
        raise ShareFormatError(f"{path.name} is not a regular file")
    if path.stat().st_size > share_text.MAX_BYTES:
        raise ShareFormatError(f"{path.name} is over {share_text.MAX_BYTES // (1024 * 1024)} MiB: refused")
    return path.read_text("utf-8", errors="surrogateescape")


def write_file(path: Path, text: str, root: Path) -> bool:
    """Write ``text`` at ``path`` (inside the share ``root``) unless it holds it already; whether it wrote."""
    refuse_link(path, root)
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


def check_tree(git: Git) -> None:
    """Refuse a share whose entries folder, or one of its 256 folders, is a symbolic link (it
    could lead reads and writes outside the share); linked files are refused where read."""
    top = git.root / ENTRIES
    refuse_link(top, git.root)
    if top.is_dir():
        for child in os.scandir(top):
            if child.is_symlink():
                raise UsageError(f"{child.path} is a symbolic link: papershelf writes only files inside the share",
                                 hint="replace it with the folder it points to, then share sync")


# -- writing entries ---------------------------------------------------------------------------

def shared_of(lib: Library, git: Git, entries: list[Entry], sids: dict[int, str]) -> list[Shared]:
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
        path = entry_path(git, sid)
        if path.is_file():
            try:
                have = {h for _, h in listed}
                listed += [f for f in share_text.parse(read_entry_file(path)).files if f[1] not in have]
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
            refuse_link(dest, git.root)
            if not dest.exists() and src.is_file():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)


def export(lib: Library, git: Git, report: SyncReport, *, everything: bool = False) -> None:
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
        path = entry_path(git, sid)
        refuse_link(path, git.root)
        if path.exists():
            path.unlink()
            report.deleted += 1
    share.forget(conn, dead)
    fresh = [(share.new_id(), e) for e in todo if e not in sids or e in recreated]
    share.assign(conn, fresh)
    sids = share.ids(conn)
    with_files = bool(meta(git).get("with_files"))
    for start in range(0, len(todo), 500):
        chunk = todo[start:start + 500]
        for item in shared_of(lib, git, lib.cat.load(chunk), sids):
            if write_file(entry_path(git, item.share_id), share_text.render(item), git.root):
                report.written += 1
        if with_files:
            _copy_files(lib, git, chunk)


def commit(git: Git, message: str) -> bool:
    (git.root / ENTRIES).mkdir(exist_ok=True)
    git.run("add", "-A", "--", ENTRIES, META, ".gitattributes", *([FILES] if (git.root / FILES).exists() else []))
    if git.run("diff", "--cached", "--quiet", check=False).returncode == 0:
        return False
    git.run("commit", "-q", "--no-verify", "-m", message)
    return True


def save_position(lib: Library) -> None:
    from papershelf.storage import changes, share

    share.set_state(lib.cat.conn, {"position": share.position_text(changes.position(lib.cat.conn))})
