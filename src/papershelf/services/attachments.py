"""Attach files to entries and detach them (``papershelf attach`` / ``detach``).

A file is checked first (it must start with ``%PDF-``: a Git LFS pointer or an HTML error page
saved as ``.pdf`` is refused), read in a capped child process (``pdf_worker.probe``: page count,
and whether it is encrypted or has no text layer), then copied into the catalogue's files folder
(``<catalogue>.files/<sha256>.pdf``: a stable name, the same for the same bytes) by a temporary
name, fsync and rename, and only then recorded, in one transaction; a failed transaction
removes the copy it made. ``--link`` records the file where it is instead.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from papershelf.errors import NotFoundError, UsageError

if TYPE_CHECKING:
    from papershelf.model.entry import Entry
    from papershelf.model.query import Filters
    from papershelf.storage.catalogue import Catalogue
    from papershelf.storage.files import AttachedFile
    from papershelf.storage.integrity import Finding

_CHUNK = 1 << 20


class Library(Protocol):
    """What this module uses of ``services.library.Library`` (which hands it its calls): a
    Protocol, so that this module does not import the library module back."""

    @property
    def cat(self) -> Catalogue: ...

    @property
    def path(self) -> Path: ...

    def get(self, ref: str) -> Entry: ...

    def search(self, query: str) -> list[Entry]: ...

    def list_entries(self, filters: Filters | None = None) -> list[Entry]: ...

    def files_of(self, ref: str) -> list[AttachedFile]: ...


@dataclass
class Attached:
    key: str
    file: AttachedFile
    note: str  # what extraction found, when it is not plain "ok"


def files_dir(lib: Library | Path) -> Path:
    """Where attached (copied) files live: a folder beside the catalogue."""
    path = lib if isinstance(lib, Path) else lib.path
    return path.parent / f"{path.name}.files"


def location(lib: Library | Path, f: AttachedFile) -> Path:
    return Path(f.name) if f.linked else files_dir(lib) / f.name


def not_a_pdf(path: Path) -> str | None:
    """Why ``path`` is not a PDF (by its first bytes), or None when it is one."""
    from papershelf.sources.pdfs import pdf_problem

    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    why = pdf_problem(head)
    if why is None:
        return None
    hint = {"a Git LFS pointer, not the PDF": " (run `git lfs pull` first)",
            "an HTML page, not a PDF": " (a login or error page saved as a file?)"}.get(why, "")
    return f"{path} is {why}{hint}"


def sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _copy_in(source: Path, target: Path) -> bool:
    """Copy ``source`` to ``target`` by a temporary name, fsync, rename; False if it was there."""
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with source.open("rb") as src, tmp.open("wb") as dst:
            while chunk := src.read(_CHUNK):
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def attach(lib: Library, ref: str, paths: list[Path], *, link: bool = False) -> list[Attached]:
    """Attach ``paths`` to the entry ``ref`` (all or none)."""
    from papershelf.services.pdf_worker import probe
    from papershelf.storage import files, fulltext
    from papershelf.storage.entry_state import now

    entry_id = lib.cat.resolve(ref)
    key = lib.cat.keys_of([entry_id])[entry_id]
    checked = []
    for path in paths:
        path = path.expanduser()
        if not path.is_file():
            raise NotFoundError(f"no file {path}")
        why = not_a_pdf(path)
        if why:
            raise UsageError(why)
        sha, size = sha256_of(path)
        checked.append((path, sha, size, probe(str(path))))
    known = {f.sha256 for f in files.of_entries(lib.cat.conn, [entry_id]).get(entry_id, [])}
    made: list[Path] = []
    out: list[Attached] = []
    try:
        with lib.cat.transaction():
            for path, sha, size, text in checked:
                if sha in known:
                    raise UsageError(f"{path} is already attached to {key}")
                known.add(sha)
                name = str(path.resolve()) if link else f"{sha}.pdf"
                if not link and _copy_in(path, files_dir(lib) / name):
                    made.append(files_dir(lib) / name)
                if text.texts and not fulltext.indexed(lib.cat.conn, sha):
                    fulltext.put(lib.cat.conn, sha, text.texts)
                row = files.insert(lib.cat.conn, entry_id, name=name, original=path.name, linked=link, size=size,
                                   pages=text.pages, sha256=sha, status=text.status, added=now())
                f = next(x for x in files.of_entries(lib.cat.conn, [entry_id])[entry_id] if x.id == row)
                out.append(Attached(key, f, text.message))
    except BaseException:
        for p in made:
            p.unlink(missing_ok=True)
        raise
    return out


def detach(lib: Library, ref: str, which: str | None = None) -> tuple[str, list[AttachedFile]]:
    """Detach the file ``which`` (its stored name, original name or path) or, when None, every
    file of ``ref``; a copied file no entry (or trashed entry) names any more is deleted, and
    its pages leave the full-text index."""
    from papershelf.storage import files, fulltext

    entry_id = lib.cat.resolve(ref)
    key = lib.cat.keys_of([entry_id])[entry_id]
    have = files.of_entries(lib.cat.conn, [entry_id]).get(entry_id, [])
    if not have:
        raise NotFoundError(f"{key} has no attached file")
    if which is not None:
        wanted = [f for f in have if which in (f.name, f.original, str(location(lib, f)), f.sha256)
                  or (len(which) >= 8 and f.sha256.startswith(which))]
        if not wanted:
            raise NotFoundError(f"{key} has no attached file {which!r}",
                                hint="`papershelf show " + key + "` lists its files")
        have = wanted
    with lib.cat.transaction():
        files.delete(lib.cat.conn, [f.id for f in have])
        fulltext.prune(lib.cat.conn)
    for f in have:
        if not f.linked and not files.name_in_use(lib.cat.conn, f.name):
            location(lib, f).unlink(missing_ok=True)
    return key, have


PENDING = ".purging"  # a stored file whose purge is being committed: .<name>.purging
ORPHANED = "orphaned"  # the folder (inside the files folder) `db check --repair` moves orphans to


@contextmanager
def releasing_files(cat: Catalogue) -> Iterator[None]:
    """A transaction (``cat.transaction``) after which the stored files it left named by no
    entry nor trashed entry are deleted from disk: the files of entries removed for good or
    purged from the trash. Never a ``--link``ed file (it is the user's own).

    Before the commit each such file is renamed to ``.<name>.purging`` (under the transaction's
    write lock, so a concurrent ``attach`` of the same bytes waits and then copies them afresh);
    after the commit the renamed files are deleted; if the transaction fails they are renamed
    back. Killed in between, ``db check`` reports the ``.purging`` file and ``--repair`` finishes
    the job (deleted when nothing names it, else renamed back). Inside another transaction
    nothing is deleted (the outer one decides; ``db check`` then reports the files as orphans).
    """
    from papershelf.storage import files

    conn = cat.conn
    nested = conn.in_transaction
    staged: list[tuple[Path, Path]] = []
    folder = files_dir(cat.path)
    try:
        with cat.transaction():
            before = set() if nested else files.stored_names(conn)
            yield
            for name in sorted(before - files.stored_names(conn)):
                final = folder / name
                pending = folder / f".{name}{PENDING}"
                if final.is_file():
                    os.replace(final, pending)
                    staged.append((final, pending))
    except BaseException:
        for final, pending in staged:
            os.replace(pending, final)
        raise
    for _, pending in staged:
        pending.unlink(missing_ok=True)


def pdf_of(lib: Library, ref: str) -> tuple[str, Path | None]:
    """The key and the first attached PDF of ``ref`` that is on disk (None when none is)."""
    from papershelf.storage import files

    entry_id = lib.cat.resolve(ref)
    key = lib.cat.keys_of([entry_id])[entry_id]
    for f in files.of_entries(lib.cat.conn, [entry_id]).get(entry_id, []):
        p = location(lib, f)
        if p.is_file():
            return key, p
    return key, None


_TMP_AGE = 3600.0  # a copy by temporary name older than this is a leftover, not an attach under way


def _strays(path: Path, conn: Any) -> tuple[list[Path], list[Path]]:
    """The files folder's stray files: orphans (stored files nothing names: neither a row nor a
    trashed entry) and leftovers (``.purging`` files of an interrupted purge, temporary copies
    older than an hour)."""
    import time

    from papershelf.storage import files

    folder = files_dir(path)
    if not folder.is_dir():
        return [], []
    names = files.stored_names(conn)
    orphans, leftovers = [], []
    for p in sorted(folder.iterdir()):
        if not p.is_file() or p.is_symlink():
            continue
        if p.name.endswith(PENDING) and p.name.startswith("."):
            leftovers.append(p)
        elif p.name.startswith(".") and p.name.endswith(".tmp"):
            try:
                if time.time() - p.stat().st_mtime > _TMP_AGE:
                    leftovers.append(p)
            except OSError:
                continue
        elif p.name not in names:
            orphans.append(p)
    return orphans, leftovers


def tidy_files(path: Path, conn: Any) -> int:
    """``db check --repair`` on stray files, in the caller's transaction (its write lock keeps
    ``attach`` out): an interrupted purge is finished (its ``.purging`` file deleted, or renamed
    back when an entry names it again), old temporary copies deleted, and each orphan moved —
    never deleted — into ``<catalogue>.files/orphaned/`` for the user to look at. Returns how
    many files were handled."""
    from papershelf.storage import files

    orphans, leftovers = _strays(path, conn)
    names = files.stored_names(conn)
    for p in leftovers:
        name = p.name[1:-len(PENDING)] if p.name.endswith(PENDING) else ""
        if name in names and not (p.parent / name).exists():
            os.replace(p, p.parent / name)
        else:
            p.unlink(missing_ok=True)
    if orphans:
        aside = files_dir(path) / ORPHANED
        aside.mkdir(exist_ok=True)
        for p in orphans:
            target, n = aside / p.name, 1
            while target.exists():
                target, n = aside / f"{p.stem}-{n}{p.suffix}", n + 1
            os.replace(p, target)
    return len(orphans) + len(leftovers)


def check_files(path: Path, conn: Any) -> tuple[list[Finding], list[AttachedFile]]:
    """``db check``'s findings on attached files: missing, changed since attached (sha256), or
    readable but not in the full-text index; stored files nothing names (orphans) and leftovers
    of an interrupted purge or copy; and the files ``--repair`` can index again."""
    from papershelf.storage import files, fulltext
    from papershelf.storage.integrity import Finding

    missing: list[str] = []
    changed: list[AttachedFile] = []
    unindexed: list[AttachedFile] = []
    for f in files.every(conn):
        where = location(path, f)
        if not where.is_file():
            if not (where.parent / f".{where.name}{PENDING}").is_file():  # else: a leftover, put back
                missing.append(str(where))
            continue
        if sha256_of(where)[0] != f.sha256:
            changed.append(f)
        elif f.status == "ok" and not fulltext.indexed(conn, f.sha256):
            unindexed.append(f)
    found = []
    if missing:
        found.append(Finding("files", f"{len(missing)} attached file(s) missing from disk", len(missing),
                             missing[:10], repairable=False))
    if changed:
        found.append(Finding("files", f"{len(changed)} attached file(s) changed since attached (sha256)",
                             len(changed), [str(location(path, f)) for f in changed[:10]], repairable=True))
    if unindexed:
        found.append(Finding("files", f"{len(unindexed)} attached file(s) not in the full-text index",
                             len(unindexed), [str(location(path, f)) for f in unindexed[:10]], repairable=True))
    orphans, leftovers = _strays(path, conn)
    if orphans:
        found.append(Finding("files", f"{len(orphans)} stored file(s) no entry nor trashed entry names (orphans; "
                                      f"--repair moves them to {files_dir(path) / ORPHANED})",
                             len(orphans), [str(p) for p in orphans[:10]], repairable=True))
    if leftovers:
        found.append(Finding("files", f"{len(leftovers)} file(s) left by an interrupted purge or copy "
                                      "(--repair finishes the purge or deletes the copy)",
                             len(leftovers), [str(p) for p in leftovers[:10]], repairable=True))
    return found, changed + unindexed


def reindex_files(path: Path, conn: Any, todo: list[AttachedFile]) -> int:
    """Read ``todo`` again and record what they are now (sha256, size, pages) and their pages,
    in the caller's transaction; returns how many were indexed."""
    from papershelf.services.pdf_worker import probe
    from papershelf.storage import files, fulltext

    done = 0
    for f in todo:
        where = location(path, f)
        sha, size = sha256_of(where)
        if sha != f.sha256 and files.held(conn, f.entry_id, sha):  # now the same bytes as its other file
            files.delete(conn, [f.id])
            continue
        text = probe(str(where))
        files.update(conn, f.id, sha256=sha, size=size, pages=text.pages, status=text.status)
        if text.texts:
            fulltext.put(conn, sha, text.texts)
            done += 1
    fulltext.prune(conn)
    return done
