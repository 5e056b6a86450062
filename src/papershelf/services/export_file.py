"""Writing an export to a file (``export -o``): atomically (a half-written refs.bib never
replaces a good one), starting with papershelf's header line, and never over the catalogue, an
SQLite database or a file papershelf did not write (unless forced). A CSL-JSON file, which has
no comments, is recognised by the checksum papershelf remembers of it."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from papershelf.errors import PapershelfError, UsageError

# The first line of every .bib and .md file ``export -o`` writes: how papershelf recognises a file
# it may replace without --force. Fixed text (no date), so re-exports stay byte-identical;
# bibtex and biber skip text outside entries, Markdown renderers skip an HTML comment.
HEADERS = {
    "bibtex": "% Written by papershelf export: replaced by the next `papershelf export -o` of this file.\n\n",
    "markdown": "<!-- Written by papershelf export: replaced by the next `papershelf export -o` of this file. -->\n\n",
}
# CSL-JSON has no comments: papershelf remembers a checksum of each CSL-JSON file it wrote (in
# the state directory) and replaces the file without --force only while it still has those bytes.
KINDS = ("bibtex", "markdown", "csl-json")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_CATALOGUE_FILES = ("", "-wal", "-shm", "-journal")


def _manifest_path() -> Path:
    from papershelf.paths import state_dir

    return state_dir() / "exports.json"


def _read_manifest() -> dict[str, str]:
    import json

    try:
        data = json.loads(_manifest_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _remember(target: Path, digest: str) -> None:
    """Record the checksum (sha256 hex) of a CSL-JSON file just written (best effort: never
    fails the export)."""
    import json

    manifest = _read_manifest()
    manifest[str(target)] = digest
    path = _manifest_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def written_by_papershelf(path: Path) -> bool:
    """Whether ``path`` is a file ``export -o`` wrote: it starts with one of the ``HEADERS``,
    or it holds exactly the bytes of a CSL-JSON export papershelf wrote there."""
    import hashlib

    try:
        with open(path, "rb") as fh:
            head = fh.read(200)
            if any(head.startswith(h.encode("utf-8").rstrip(b"\n")) for h in HEADERS.values()):
                return True
            recorded = _read_manifest().get(str(Path(os.path.realpath(path))))
            if recorded is None:
                return False
            fh.seek(0)
            return hashlib.sha256(fh.read()).hexdigest() == recorded
    except OSError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        sa, sb = a.stat(), b.stat()
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def check_output(output: Path, *, force: bool = False, catalogue: Path | None = None) -> Path:
    """The file ``output`` names (through a symlink), if papershelf may write it; else a clear error.

    Never the catalogue or its -wal/-shm/-journal files, nor any SQLite database; an existing
    file only with ``force`` or when papershelf wrote it (``written_by_papershelf``)."""
    from papershelf.files import check_target

    output = output.expanduser()
    target = check_target(output, "the export")  # a regular file or a new name, else exit 2
    if catalogue is not None:
        for suffix in _CATALOGUE_FILES:
            if _same_file(target, Path(f"{catalogue}{suffix}")):
                raise UsageError(f"refusing to write the export to {output}: it is the catalogue "
                                 f"{'file' if not suffix else suffix + ' file'} ({catalogue})",
                                 hint="choose another file with -o")
    if target.exists():
        try:
            with open(target, "rb") as fh:
                magic = fh.read(len(_SQLITE_MAGIC))
        except OSError as exc:
            raise PapershelfError(f"cannot read {output}: {exc.strerror}") from None
        if magic == _SQLITE_MAGIC:
            raise UsageError(f"refusing to write the export to {output}: it is an SQLite database "
                             "(a catalogue?)", hint="choose another file with -o")
        if not force and not written_by_papershelf(target):
            raise PapershelfError(f"{output} already exists and papershelf did not write it; "
                                  "it was left untouched",
                                  hint="add --force to replace it, or choose another file with -o")
    return target


def write_output(text: str | Iterable[str], output: Path, kind: str, *, force: bool = False,
                 catalogue: Path | None = None) -> Path:
    """Write an export of ``kind`` (``KINDS``) to ``output`` safely; returns the path given.

    ``text`` is the whole text or an iterable of pieces, written as they come (a streamed
    export never holds the whole file).

    Checked first (``check_output``). ``.bib`` and ``.md`` files start with their ``HEADERS``
    line. The bytes go to a temporary file in the target's directory, which then replaces the
    target in one rename: a half-written file never replaces a good one (``files.atomic_write``:
    only a regular file or a new name; a killed export's temporary file is removed by the next). A symlink is written
    through (its target is replaced, the link stays); a replaced file keeps its mode, a new one
    gets the umask's."""
    if kind not in KINDS:
        raise ValueError(f"unknown export kind {kind!r}")
    import hashlib

    from papershelf.files import atomic_write

    target = check_output(output, force=force, catalogue=catalogue)
    pieces: Iterable[str] = [text] if isinstance(text, str) else text
    digest = hashlib.sha256()
    remembered = kind == "csl-json"  # the others are recognised by their header: no checksum

    def encoded() -> Iterator[bytes]:
        for piece in itertools.chain([HEADERS.get(kind, "")], pieces):
            data = piece.encode("utf-8")
            if remembered:
                digest.update(data)
            yield data

    atomic_write(target, encoded(), what="the export")
    if remembered:
        _remember(target, digest.hexdigest())
    return output.expanduser()
