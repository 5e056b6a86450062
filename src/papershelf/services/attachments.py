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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papershelf.errors import NotFoundError, UsageError

if TYPE_CHECKING:
    from papershelf.services.library import Library
    from papershelf.sources.pdfs import ArxivPdfs
    from papershelf.storage.files import AttachedFile
    from papershelf.storage.integrity import Finding

_CHUNK = 1 << 20


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
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    if head.startswith(b"version https://git-lfs"):
        return f"{path} is a Git LFS pointer, not the PDF (run `git lfs pull` first)"
    if b"%PDF-" in head:
        return None
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<")):
        return f"{path} is an HTML page, not a PDF (a login or error page saved as a file?)"
    if not head:
        return f"{path} is empty"
    return f"{path} is not a PDF (it does not start with %PDF-)"


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


def check_files(path: Path, conn: Any) -> tuple[list[Finding], list[AttachedFile]]:
    """``db check``'s findings on attached files: missing, changed since attached (sha256), or
    readable but not in the full-text index; and the files ``--repair`` can index again."""
    from papershelf.storage import files, fulltext
    from papershelf.storage.integrity import Finding

    missing: list[str] = []
    changed: list[AttachedFile] = []
    unindexed: list[AttachedFile] = []
    for f in files.every(conn):
        where = location(path, f)
        if not where.is_file():
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


def fetch(lib: Library, ref: str, source: ArxivPdfs | None = None) -> list[Attached]:
    """Download an open-access copy of ``ref`` and attach it: arXiv's PDF for an arXiv entry.
    A download that is not a PDF (a login or error page) is refused like a file."""
    import tempfile

    from papershelf.sources.pdfs import ArxivPdfs

    if source is None:
        source = ArxivPdfs()
        try:
            return fetch(lib, ref, source)
        finally:
            source.close()
    entry = lib.get(ref)
    if not entry.arxiv_id:
        raise NotFoundError(f"no open-access copy known for {entry.citekey}: only arXiv entries are fetched",
                            hint=f"attach a file you have: papershelf attach {entry.citekey} FILE")
    body = source.get(entry.arxiv_id)
    with tempfile.TemporaryDirectory(prefix="papershelf-fetch-") as tmp:
        path = Path(tmp) / f"arXiv-{entry.arxiv_id.replace('/', '_')}.pdf"
        path.write_bytes(body)
        why = not_a_pdf(path)
        if why:
            raise UsageError(f"arXiv's answer for {entry.arxiv_id} is not a PDF ({why.split(' is ', 1)[-1]})")
        return attach(lib, entry.citekey, [path])


def fetch_many(lib: Library, query: str | None) -> list[tuple[str, list[Attached] | str]]:
    """``fetch`` for every entry ``query`` finds (every entry when None) that has no file yet,
    each in its own transaction: per entry what was attached, or one line saying why not."""
    from papershelf.errors import PapershelfError
    from papershelf.model.query import Filters
    from papershelf.sources.pdfs import ArxivPdfs

    entries = lib.search(query) if query is not None else lib.list_entries(Filters(has_pdf=False))
    out: list[tuple[str, list[Attached] | str]] = []
    source = ArxivPdfs()
    try:
        for entry in entries:
            if lib.files_of(entry.citekey):
                out.append((entry.citekey, "has a file already"))
                continue
            try:
                out.append((entry.citekey, fetch(lib, entry.citekey, source)))
            except PapershelfError as exc:
                out.append((entry.citekey, exc.message))
    finally:
        source.close()
    return out
