"""Reading an import's .bib files: in this process, or ahead of the door in a second one.

``read_bibliography`` reads the files as one bibliography (``formats.bibtex.reader``) and
hands the import its entries one at a time, the files it could not read, and afterwards what
the reader reported. A large import (``AHEAD_BYTES`` or more of .bib text, on a machine with
a second core and ``os.fork``; the ``import.read_ahead`` setting can say always or never) is
read by a forked child process: it parses the files a piece at a time, makes each piece's
entries as soon as they cannot change any more (``Bibliography.ready``), and streams them
(pickled, through a pipe that a thread of this process drains into a bounded queue: the child
waits while the door is far behind) to this process, whose door decides and writes them
meanwhile; how many there are follows once every file is read. The child also finds the topic
rules' tags of the entries while the door has ``DOOR_BEHIND`` messages waiting (a counter in
memory both processes share); otherwise the door finds them, so that work goes to whichever
process has time for it. On two cores that overlaps the reading with the writing: the entries,
their order, tags and problems are the same either way (``tests/services/test_read_ahead.py``
imports the same files both ways, with either process matching, and compares).

The child never touches this process's catalogue connection: it opens its own, read-only, to
ask whether a crossref parent no file holds is catalogued (the committed catalogue before the
import, as the in-process reader sees it). It ends with ``os._exit`` and never runs this
process's clean-up; this process kills and reaps it whatever happens. An error the child
meets reaches the import as the same error (a file it cannot decode is refused, as here).
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from papershelf.errors import NotFoundError, PapershelfError

if TYPE_CHECKING:
    from papershelf.formats.bibtex.reader import Bibliography
    from papershelf.model.entry import Entry
    from papershelf.services.door_records import Progress
    from papershelf.topics.rules import Prematched, TopicSet

AHEAD_BYTES = 4 * 1024 * 1024  # below this much .bib text a fork costs more than it saves
BATCH = 100  # entries a message carries
AHEAD_MESSAGES = 30  # messages read from the pipe and not yet taken: up to 3,000 entries ahead
_HEADER = struct.Struct("!I")
_COUNT = 0xFFFFFFFF  # a header that is no message's size: the count of entries follows it
_COUNTER = struct.Struct("=Q")
# The child matches the topic rules itself only while the door has this many messages of entries
# waiting; else it sends them unmatched and the door matches them (the same rules: the same tags).
# The matching so goes to whichever process has time for it, on any machine and any entries.
DOOR_BEHIND = 5


@dataclass
class Reading:
    """What reading the files gives: ``entries`` (taken once; how many will come: its ``len``,
    or ``known_count()`` once known), and once the entries are all taken, ``refused`` (a file
    that could not be read: its name and why) and ``problems()`` (what the reader worked
    around, per file read). ``topics`` is the rule set some entries were matched against as
    they were read (None: not matched)."""

    entries: Any
    refused: list[dict[str, str]]
    problems: Callable[[], list[dict[str, Any]]]
    topics: Prematched | None = None
    close: Callable[[], None] = lambda: None


def read_bibliography(files: Sequence[Path], *, encoding: str | None, known: Callable[[str], bool],
                      catalogue: Path | None, topics: TopicSet | None = None,
                      progress: Progress | None = None, ahead: bool | None = None) -> Reading:
    """Read ``files`` (see the module docstring). ``known`` says a key cites a catalogued
    entry (a crossref parent no file holds); ``catalogue`` is the file it reads, which a
    second process opens for itself. ``ahead``: True or False to choose, None to decide by
    the files' size and the machine."""
    if ahead is None:
        ahead = _worth_it(files)
    if ahead and catalogue is not None and hasattr(os, "fork"):
        return _read_ahead(files, encoding, catalogue, topics, progress)
    return _read_here(files, encoding, known, progress)


def _worth_it(files: Sequence[Path]) -> bool:
    """The ``import.read_ahead`` setting (``PAPERSHELF_READ_AHEAD``): always, never, or (auto)
    by the files' size, on a machine with a second core."""
    from papershelf import config

    chosen = config.value("import.read_ahead")
    if chosen != "auto":
        return bool(chosen == "always")
    if (os.cpu_count() or 1) < 2:
        return False
    total = 0
    for path in files:
        try:
            total += path.stat().st_size
        except OSError:
            continue
    return total >= AHEAD_BYTES


def _read(files: Sequence[Path], encoding: str | None,
          progress: Progress | None) -> tuple[Bibliography, list[Path], list[dict[str, str]]]:
    from papershelf.formats.bibtex.reader import Bibliography

    bib = Bibliography()  # the files are one bibliography, in the order given
    read_from: list[Path] = []
    refused: list[dict[str, str]] = []
    for _ in _reading(bib, files, encoding, progress, read_from, refused):
        pass
    return bib, read_from, refused


def _reading(bib: Bibliography, files: Sequence[Path], encoding: str | None, progress: Progress | None,
             read_from: list[Path], refused: list[dict[str, str]]) -> Iterator[None]:
    """Read ``files`` into ``bib``, stopping after each piece (``Bibliography.reading_file``);
    the files read go to ``read_from``, those that could not be read to ``refused``."""
    from papershelf.formats.bibtex.reader import BibEncodingError

    for done, path in enumerate(files):
        if progress is not None:
            progress(f"reading {path.name}", done, len(files))
        try:
            yield from bib.reading_file(path, encoding=encoding)
        except (BibEncodingError, NotFoundError) as exc:  # raised before any of the file is read
            refused.append(_refusal(path, exc))
            continue
        read_from.append(path)


def _refusal(path: Path, exc: PapershelfError) -> dict[str, str]:
    """A file the import could not read, as its report lists it."""
    return {"file": str(path), "error": exc.message + (f" ({exc.hint})" if exc.hint else "")}


def _problems(bib: Bibliography, read_from: list[Path]) -> list[dict[str, Any]]:
    return [{"file": str(path), "line": p.line, "key": p.key, "message": p.message, "kind": p.kind}
            for path, read in zip(read_from, bib.results, strict=True) for p in read.problems]


def _read_here(files: Sequence[Path], encoding: str | None, known: Callable[[str], bool],
               progress: Progress | None) -> Reading:
    bib, read_from, refused = _read(files, encoding, progress)
    made = bib.entries(known=known)  # a parent catalogued before; entries made as the door takes them
    return Reading(made, refused, lambda: _problems(bib, read_from))


# --- the second process ------------------------------------------------------------------------

def _send(out: BinaryIO, message: tuple) -> None:
    blob = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_HEADER.pack(len(blob)))
    out.write(blob)


def _send_count(out: BinaryIO, count: int) -> None:
    """How many entries the child sends in all (read by the pump thread as soon as it comes,
    ahead of the entries queued before it)."""
    out.write(_HEADER.pack(_COUNT))
    out.write(_HEADER.pack(count))


def _receive(source: BinaryIO) -> bytes | int | None:
    """One message as it came, or the count (an int; see ``_send_count``); None: the pipe ended."""
    try:
        head = source.read(_HEADER.size)
        if len(head) < _HEADER.size:
            return None  # the child is gone
        size, = _HEADER.unpack(head)
        if size == _COUNT:
            body = source.read(_HEADER.size)
            return _HEADER.unpack(body)[0] if len(body) == _HEADER.size else None
        blob = source.read(size)
    except (OSError, ValueError):  # closed under us: we are stopping
        return None
    return blob if len(blob) == size else None


def _match_as_the_door_will(topics: TopicSet, entry: Entry) -> list[str] | None:
    """The rule tags of ``entry`` as the door will see it (its tags in their normal form);
    None when the door must find them itself (a tag it will refuse)."""
    from papershelf.model.tags import normalise_tag

    given = entry.tags
    try:
        entry.tags = list(dict.fromkeys(normalise_tag(t) for t in given))
    except PapershelfError:
        return None
    try:
        return topics.match(entry)
    finally:
        entry.tags = given


class _Taken:
    """How many messages of entries the door has taken, in memory both processes share (an
    anonymous shared mapping made before the fork): the door counts, the child reads."""

    def __init__(self) -> None:
        import mmap

        self._mem = mmap.mmap(-1, _COUNTER.size)

    def add(self) -> None:
        _COUNTER.pack_into(self._mem, 0, self.get() + 1)

    def get(self) -> int:
        return int(_COUNTER.unpack_from(self._mem, 0)[0])

    def close(self) -> None:
        self._mem.close()


def _child(out: BinaryIO, files: Sequence[Path], encoding: str | None, catalogue: Path,
           topics: TopicSet | None, taken: _Taken) -> None:
    """Read the files and send their entries: each piece's as soon as it is parsed
    (``Bibliography.ready``), the rest (from the first crossref/xdata child on) once every
    file is read, then how many there were, then the problems."""
    from papershelf.formats.bibtex.reader import Bibliography
    from papershelf.storage.catalogue import Catalogue

    batch: list[tuple[Entry, list[str] | None]] = []
    sent = batches = 0
    matching = False

    def send(entries: Iterable[Entry]) -> None:
        nonlocal batch, sent, batches, matching
        for entry in entries:
            if not batch:  # each batch: match the rules here only while the door is behind
                matching = topics is not None and batches - taken.get() >= DOOR_BEHIND
            batch.append((entry, _match_as_the_door_will(topics, entry) if matching and topics else None))
            sent += 1
            if len(batch) >= BATCH:
                _send(out, ("entries", batch))
                batches += 1
                batch = []

    def progress(stage: str, done: int, total: int | None) -> None:
        _send(out, ("progress", stage, done, total))

    bib = Bibliography()
    read_from: list[Path] = []
    refused: list[dict[str, str]] = []
    for _ in _reading(bib, files, encoding, progress, read_from, refused):
        send(bib.ready())
    cat = Catalogue.open_readonly(catalogue)
    try:
        made = bib.entries(known=cat.key_taken)
    finally:
        cat.close()
    _send_count(out, sent + len(made))
    out.flush()  # the door's progress learns its total now
    send(made)
    _send(out, ("entries", batch))
    _send(out, ("done", _problems(bib, read_from), refused))


def _run_child(write_fd: int, files: Sequence[Path], encoding: str | None, catalogue: Path,
               topics: TopicSet | None, taken: _Taken) -> int:
    import signal
    import traceback

    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the child; the parent reports it
    # Fresh standard streams: a thread of the parent (a progress bar's) may have held theirs
    # at the fork, and its lock would stay held here. The child prints nothing of its own.
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (until os._exit)
    sys.stderr = os.fdopen(os.dup(2), "w", encoding="utf-8", errors="replace")
    out = os.fdopen(write_fd, "wb", buffering=1 << 16)
    try:
        try:
            _child(out, files, encoding, catalogue, topics, taken)
        except PapershelfError as exc:
            _send(out, ("error", _picklable(exc), exc.message, exc.hint, int(exc.exit_code)))
        except BrokenPipeError:
            return 1  # the parent stopped reading: nothing to tell it
        except BaseException:
            _send(out, ("crash", traceback.format_exc()))
        out.flush()
    except BrokenPipeError:
        return 1
    return 0


def _picklable(exc: PapershelfError) -> bytes | None:
    try:
        blob = pickle.dumps(exc)
        pickle.loads(blob)  # our own bytes
    except Exception:  # an error whose class cannot be rebuilt: its message and code travel
        return None
    return blob


def _read_ahead(files: Sequence[Path], encoding: str | None, catalogue: Path, topics: TopicSet | None,
                progress: Progress | None) -> Reading:
    from papershelf.topics.rules import Prematched

    taken = _Taken()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read, send, and leave without running anything of the parent's
        code = 1
        try:
            os.close(read_fd)
            code = _run_child(write_fd, files, encoding, catalogue, topics, taken)
        finally:
            os._exit(code)
    os.close(write_fd)
    ahead = _Ahead(os.fdopen(read_fd, "rb", buffering=1 << 16), pid,
                   None if topics is None else Prematched(topics), progress, taken)
    try:
        ahead.start()
    except BaseException:
        ahead.close()
        raise
    return Reading(ahead, ahead.refused, ahead.problems, ahead.topics, ahead.close)


@dataclass
class _Ahead:
    """The parent's end: the entries as the child sends them (``len``: how many it will)."""

    source: BinaryIO
    pid: int
    topics: Prematched | None
    progress: Progress | None
    taken: _Taken
    refused: list[dict[str, str]] = field(default_factory=list)
    count: int | None = None  # how many entries will come: known once every file is read
    _problems: list[dict[str, Any]] | None = None
    _closed: bool = False
    _status: int | None = None  # the child's, once reaped
    _queue: Any = None  # messages the pump thread took from the pipe, not yet read
    _pump: Any = None

    def start(self) -> None:
        """Start a thread that keeps draining the pipe into ``_queue`` (up to
        ``AHEAD_MESSAGES``), so the child reads on while the door writes a chunk instead of
        waiting on a full pipe."""
        import queue
        import threading

        self._queue = queue.Queue(maxsize=AHEAD_MESSAGES)
        self._pump = threading.Thread(target=self._drain, name="papershelf-read-ahead", daemon=True)
        self._pump.start()

    def known_count(self) -> int | None:
        """How many entries will come (None until the child has read every file): the door's
        progress total."""
        return self.count

    def __iter__(self) -> Iterator[Entry]:
        found = self.topics.found if self.topics is not None else None
        while True:
            message = self._next()
            if message[0] == "entries":
                self.taken.add()
                for entry, names in message[1]:
                    if found is not None:  # set, or cleared: an id a dropped entry had is reused
                        if names is not None:
                            found[id(entry)] = names
                        else:
                            found.pop(id(entry), None)
                    yield entry
            elif message[0] == "done":
                _, self._problems, refused = message
                self.refused.extend(refused)
                self.close(finished=True)
                return
            else:
                raise self._unexpected(message)

    def problems(self) -> list[dict[str, Any]]:
        return list(self._problems or [])

    def _drain(self) -> None:
        import queue

        while True:
            blob = _receive(self.source)
            if isinstance(blob, int):
                self.count = blob
                continue
            while True:  # a full queue: the door is behind; wait, unless we are stopping
                try:
                    self._queue.put(blob, timeout=0.2)
                    break
                except queue.Full:
                    if self._closed:
                        return
            if blob is None:
                return

    def _next(self) -> tuple:
        while True:
            blob = self._queue.get()
            if blob is None:
                raise PapershelfError(f"reading the .bib files stopped: the reading process {self._ended()}")
            message = pickle.loads(blob)  # our own child's messages, through our own pipe
            if message[0] == "progress":
                if self.progress is not None:
                    self.progress(*message[1:])
                continue
            return message

    def _unexpected(self, message: tuple) -> BaseException:
        self.close()
        if message[0] == "error":
            _, blob, text, hint, code = message
            if blob is not None:
                exc = pickle.loads(blob)  # our own child's bytes
                if isinstance(exc, BaseException):
                    return exc
            from papershelf.errors import ExitCode

            return PapershelfError(text, hint=hint, exit_code=ExitCode(code))
        if message[0] == "crash":
            return RuntimeError(f"the .bib reading process failed:\n{message[1]}")
        return RuntimeError(f"the .bib reading process sent {message[0]!r} out of turn")

    def _ended(self) -> str:
        self.close()
        status = self._status
        if status is not None and os.WIFSIGNALED(status):
            import signal

            return f"was killed by {signal.Signals(os.WTERMSIG(status)).name}"
        return "ended early" if status is None else f"ended with status {os.waitstatus_to_exitcode(status)}"

    def close(self, *, finished: bool = False) -> None:
        """Reap the child (``finished``: it sent everything and is ending; else it is stopped
        first if it still runs), close the pipe; stopped, forget pending matches (finished,
        the door still tags its last chunk with them)."""
        if self._closed:
            return
        self._closed = True
        import signal

        if not finished:  # a child still writing is stopped (the pump then sees the pipe end)
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self._pump is not None:
            self._pump.join()
        self.source.close()
        self.taken.close()

        try:
            pid, status = os.waitpid(self.pid, 0 if finished else os.WNOHANG)
            if pid == 0:
                os.kill(self.pid, signal.SIGKILL)
                pid, status = os.waitpid(self.pid, 0)
            self._status = status
        except ChildProcessError:
            pass
        if self.topics is not None and not finished:
            self.topics.found.clear()
