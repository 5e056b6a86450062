"""One editor session for ``note --edit`` and ``edit``: run $VISUAL/$EDITOR on a temporary file,
read back what the user wrote, and never lose it.

``editor_command`` is the one parser of $VISUAL/$EDITOR (``shlex``; an unbalanced quote or an
empty value is a one-line error). ``EditorSession.edit`` writes the text to a private temporary
file, runs the editor and reads the file back as bytes, whatever the editor left: a file that is not
UTF-8, a deleted file, a directory, a FIFO or a symlink in its place, a file too large to be a
note. Whenever the text cannot be used, the bytes the user left are kept (``save_aside``) and
the one-line error says where; the temporary file is removed only once its bytes are safe.

``save_aside`` keeps text papershelf could not store (an edit conflict, unreadable BibTeX) under
``$XDG_STATE_HOME/papershelf/unsaved/``, else the temporary directory, else the home directory,
in a file named after the key, cut to a bounded length and followed by a hash of the whole key:
a key of any length or any characters gives a valid file name.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from papershelf.errors import PapershelfError, UsageError
from papershelf.files import write_all

MAX_EDIT_BYTES = 16 * 1024 * 1024  # more than this read back from the editor is not a note or an entry
_NAME_CHARS = 40  # characters of the key kept in a rescue file's name (then a hash of the whole key)


def editor_command() -> tuple[str, list[str]]:
    """The editor to run, as (the variable that named it, argv): $VISUAL, else $EDITOR, else vi."""
    for var in ("VISUAL", "EDITOR"):
        value = os.environ.get(var)
        if value:
            try:
                argv = shlex.split(value)
            except ValueError as exc:
                raise UsageError(f"cannot read the editor command in {var} ({value!r}): {exc}",
                                 hint=f"fix {var}, e.g. {var}=nano") from None
            if not argv:
                raise UsageError(f"{var} names no editor",
                                 hint=f"set {var} to an editor on your PATH, e.g. {var}=nano")
            return var, argv
    return "EDITOR", ["vi"]


def rescue_name(key: str, suffix: str) -> str:
    """A file name for text written about ``key``: at most ``_NAME_CHARS`` safe characters of
    the key, a hash of the whole key, the time and ``suffix``."""
    from datetime import datetime, timezone

    safe = re.sub(r"[^A-Za-z0-9_+-]", "_", key)[:_NAME_CHARS] or "entry"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{safe}-{digest}.{stamp}{suffix}"


def _rescue_folders() -> list[Path]:
    from papershelf.paths import state_dir

    folders = [state_dir() / "unsaved", Path(tempfile.gettempdir())]
    try:
        folders.append(Path.home())
    except RuntimeError:  # no home directory known
        pass
    return folders


def save_aside(key: str, data: str | bytes, suffix: str = ".txt") -> Path:
    """Keep ``data`` (text the user wrote that papershelf could not store) in a new private file;
    its path. Tries the state directory, then the temporary directory, then the home directory;
    raises ``OSError`` only when none of them takes it."""
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    last: OSError | None = None
    for folder in _rescue_folders():
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            last = exc
            continue
        for attempt in range(100):
            target = folder / rescue_name(key, f"-{attempt}{suffix}" if attempt else suffix)
            try:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except FileExistsError:
                continue
            except OSError as exc:
                last = exc
                break
            try:
                try:
                    write_all(fd, [raw])
                finally:
                    os.close(fd)
                return target
            except OSError as exc:  # a full disk: this copy is incomplete, try the next folder
                last = exc
                target.unlink(missing_ok=True)
                break
    raise last or FileExistsError("no free file name")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISLNK, "a symbolic link"),
                       (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return name
    return "not a regular file"


def _read_back(path: Path) -> bytes:
    """The bytes of the regular file at ``path`` (not through a symlink; never blocking on a
    FIFO; at most ``MAX_EDIT_BYTES`` + 1). ``OSError``/``ValueError`` say why not."""
    st = os.lstat(path)
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"the editor left {_kind(st.st_mode)} in place of the file")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("the editor left something else than a file in its place")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_EDIT_BYTES:
            chunk = os.read(fd, 1024 * 1024)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


class EditorSession:
    """One editing of ``key``'s text in $VISUAL/$EDITOR (see the module docstring); a context
    manager: the temporary file goes when the session ends, unless it holds the only copy of
    what the user wrote.

    ``what`` says what stays as it was, in messages ("the notes were not changed"). ``edit`` raises a one-line
    ``PapershelfError`` when the editor cannot start, exits with an error, or leaves bytes that
    cannot be text, with whatever the user wrote saved aside and the message saying where;
    ``rescue(text)`` saves text the caller could not store and says where.
    """

    def __init__(self, key: str, *, suffix: str, what: str):
        self.key, self.suffix, self.what = key, suffix, what
        self.path: Path | None = None
        self.keep = False  # True: the temporary file holds the user's only copy; never remove it
        self.kept = ""  # the last ``rescue`` message: where the user's text is

    def __enter__(self) -> EditorSession:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.path is not None and not self.keep:
            _remove(self.path)

    def rescue(self, data: str | bytes) -> str:
        """``your text is saved in PATH``: ``data`` kept aside (``save_aside``), else in the
        editor's own file, which is then left in place."""
        try:
            self.kept = f"your text is saved in {save_aside(self.key, data, self.suffix)}"
        except OSError as exc:
            if self.path is None or not self.path.is_file():
                raise PapershelfError(f"your text could not be saved anywhere ({exc.strerror or exc})") from None
            self.keep = True
            self.kept = f"your text is kept in {self.path} (it could not be copied aside: {exc.strerror or exc})"
        return self.kept

    @contextmanager
    def keeping(self, text: str) -> Iterator[None]:
        """Store ``text`` inside this block; if anything fails there, ``text`` is saved aside first
        and the error says where (a ``PapershelfError`` in its hint, anything else on stderr)."""
        try:
            yield
        except BaseException as exc:
            kept = self.rescue(text)
            if isinstance(exc, PapershelfError):
                exc.hint = f"{kept}; {exc.hint}" if exc.hint else kept
            else:
                sys.stderr.write(f"papershelf: {kept}\n")
            raise

    def _write(self, text: str) -> Path:
        if self.path is None:
            fd, name = tempfile.mkstemp(prefix="papershelf-", suffix=self.suffix)
            self.path = Path(name)
        else:  # reopened: the same name, written afresh
            _remove(self.path)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(text.encode("utf-8", "surrogateescape"))
        except OSError as exc:
            raise PapershelfError(f"cannot write the file for the editor ({exc.strerror or exc})",
                                  hint="check the temporary directory (TMPDIR)") from None
        return self.path

    def edit(self, initial: str) -> str:
        """What the user made of ``initial`` in the editor, as text."""
        var, argv = editor_command()
        path = self._write(initial)
        try:
            status = subprocess.call([*argv, str(path)])
        except OSError as exc:  # not found, not executable
            raise PapershelfError(f"cannot start the editor {argv[0]!r} named by {var}: {exc.strerror or exc}",
                                  hint=f"set {var} to an editor on your PATH") from None
        what = self.what
        try:
            raw = _read_back(path)
        except FileNotFoundError:
            raise PapershelfError(f"the editor removed the file it was given; {what}") from None
        except (OSError, ValueError) as exc:
            self.keep = True
            why = exc if isinstance(exc, ValueError) else (exc.strerror or exc)
            raise PapershelfError(f"cannot read back what the editor wrote ({why}); {what}",
                                  hint=f"whatever it wrote is left in {path}") from None
        if len(raw) > MAX_EDIT_BYTES:
            self.keep = True
            raise PapershelfError(f"the editor left more than {MAX_EDIT_BYTES // (1024 * 1024)} MB; "
                                  f"{what}", hint=f"the file is left in {path}")
        if status != 0:
            changed = raw != initial.encode("utf-8", "surrogateescape")
            raise PapershelfError(f"the editor exited with status {status}; {what}"
                                  + (f"; {self.rescue(raw)}" if changed else ""))
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PapershelfError(f"the editor saved text that is not UTF-8 (byte {raw[exc.start]:#04x} at "
                                  f"offset {exc.start}); {what}; {self.rescue(raw)}") from None


def _remove(path: Path) -> None:
    """Remove the temporary file (whatever the editor made of it: a directory too, if empty)."""
    try:
        st = os.lstat(path)
    except OSError:
        return
    try:
        if stat.S_ISDIR(st.st_mode):
            os.rmdir(path)
        else:
            os.unlink(path)
    except OSError:
        pass
