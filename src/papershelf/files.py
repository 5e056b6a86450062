"""Writing a user's file, whole or not at all, and only where a file belongs; reading one
within a size limit, and only if it is a file.

Every command that writes a file a user named (``export -o``, ``export --watch``, ``db backup
FILE``) and every copy papershelf makes beside one (automatic backups) goes through here:

* ``check_target``: the path is a regular file or a new name in an existing directory, never a
  device (``/dev/full``), a FIFO (a write would block forever), a socket, a directory, or a
  symlink loop; anything else is one line, exit 2. A symlink to a regular file is written
  through (the link stays).
* ``temp_name``: the temporary sibling a file is first written to, named
  ``.<name>.papershelf-<pid>-<random>.tmp``: unique per process and per call, so two commands in
  the same second never share one, and recognisable, so ``clean_stale`` can remove what a
  killed process left (only names of that pattern, only when the process that made one is gone
  or it is a day old).
* ``atomic_write``: the pieces go to the temporary file, which is synced and renamed over the
  target in one step: a half-written file never replaces a good one.

Input files a user names (``import bibtex FILE``, ``add --file FILE``) are read by ``read_input``:
a regular file only (a FIFO, a device such as ``/dev/zero``, a directory: one line, exit 2, and
never a blocked read), at most ``limit`` bytes; standard input by ``read_stream``, within the same
kind of limit.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from papershelf.errors import NotFoundError, PapershelfError, UsageError

STALE_SECONDS = 24 * 3600  # a temporary file this old is stale whoever made it
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def check_target(path: Path, what: str = "the output") -> Path:
    """The regular file ``path`` names (through symlinks), or the new file it would create;
    a one-line ``UsageError`` (exit 2) for anything else (see the module docstring)."""
    path = Path(path).expanduser()
    try:
        st = os.stat(path)  # through symlinks
    except FileNotFoundError:  # a new file (or a symlink to one): its directory must exist
        target = Path(os.path.realpath(path))
        if not target.parent.is_dir():
            raise NotFoundError(f"no such directory: {target.parent}") from None
        return target
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UsageError(f"cannot write {what} to {path}: it is a symbolic link loop",
                             hint="give a regular file") from None
        if exc.errno == errno.ENOTDIR:
            raise NotFoundError(f"no such directory: {path.parent}") from None
        raise PapershelfError(f"cannot write {what} to {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"refusing to write {what} to {path}: it is {_kind(st.st_mode)}, not a regular file",
                         hint="give a regular file, or a new file name")
    return Path(os.path.realpath(path))


def temp_name(target: Path, suffix: str = ".tmp") -> Path:
    """A new, unique temporary sibling of ``target`` (see the module docstring)."""
    return target.with_name(f".{target.name}.papershelf-{os.getpid()}-{secrets.token_hex(4)}{suffix}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def clean_stale(target: Path, suffix: str = ".tmp", *, names: str | None = None) -> list[Path]:
    """Remove the temporary siblings of ``target`` that a killed or crashed process left: only
    names of ``temp_name``'s pattern, only when their process is gone or they are a day old (the
    older ``.<name>.<8 hex>.tmp`` names too, when a day old). ``names``, a regular expression,
    stands for the target's name to clean the temporary files of every file it matches (the
    backups beside a catalogue). Returns what was removed."""
    pattern = names if names is not None else re.escape(target.name)
    mine = re.compile(rf"\.(?:{pattern})\.papershelf-(\d+)-[0-9a-f]{{8}}{re.escape(suffix)}")
    older = re.compile(rf"\.(?:{pattern})\.[0-9a-f]{{8}}{re.escape(suffix)}")
    removed: list[Path] = []
    try:
        found = os.listdir(target.parent)
    except OSError:
        return removed
    now = time.time()
    for name in found:
        m = mine.fullmatch(name)
        if not m and not older.fullmatch(name):
            continue
        path = target.parent / name
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        if now - st.st_mtime < STALE_SECONDS and (m is None or _alive(int(m.group(1)))):
            continue
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            pass
    return removed


def write_all(fd: int, pieces: Iterable[bytes]) -> None:
    """Every byte of ``pieces`` to the open file ``fd`` (a short write is resumed), then synced."""
    for data in pieces:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    os.fsync(fd)


def atomic_write(target: Path, pieces: Iterable[bytes], *, what: str = "the file") -> None:
    """Write ``pieces`` to ``target`` (checked by ``check_target`` first) whole or not at all: a
    temporary sibling, synced, renamed over it. A replaced file keeps its mode, a new one gets
    the umask's. ``OSError`` becomes a one-line ``PapershelfError``."""
    target = check_target(target, what)
    clean_stale(target)
    try:
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    except OSError:
        mode = None
    tmp = temp_name(target)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            write_all(fd, pieces)
        finally:
            os.close(fd)
        check_target(target, what)  # still a file (or nothing) where it is replaced
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PapershelfError(f"cannot write {what} {target}: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_input(path: Path, limit: int, what: str = "the file") -> bytes:
    """The bytes of the regular file ``path`` (through symlinks), at most ``limit`` of them;
    ``NotFoundError`` if there is none, a one-line ``UsageError`` (exit 2) if it is not a regular
    file or is larger (see the module docstring)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise NotFoundError(f"no such file: {path}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UsageError(f"cannot read {what} {path}: it is a symbolic link loop") from None
        raise PapershelfError(f"cannot read {path}: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise UsageError(f"cannot read {what} {path}: it is {_kind(mode)}, not a regular file")
    os.set_blocking(fd, True)
    size = os.fstat(fd).st_size
    with os.fdopen(fd, "rb") as fh:
        # its size in one read: a large file is then never in memory twice (chunks, then joined)
        first = fh.read(min(size, limit) + 1)
        return _bounded(fh.read, limit, f"{path} is larger than {limit:,} bytes, the limit for {what}", first)


def read_stream(read: Callable[[int], bytes], limit: int, what: str = "standard input") -> bytes:
    """At most ``limit`` bytes from ``read`` (a binary stream's ``read``); a one-line
    ``UsageError`` when there are more (``/dev/zero`` piped in)."""
    return _bounded(read, limit, f"{what} holds more than {limit:,} bytes")


def _bounded(read: Callable[[int], bytes], limit: int, message: str, first: bytes = b"") -> bytes:
    chunks: list[bytes] = [first] if first else []
    size = len(first)
    if size > limit:
        raise UsageError(message)
    while True:
        chunk = read(min(1024 * 1024, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise UsageError(message)
