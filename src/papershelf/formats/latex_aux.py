"""The citation keys a LaTeX run recorded in its ``.aux`` file (and the ``.aux`` files it includes).

BibTeX runs write ``\\citation{a,b}``; biblatex writes ``\\abx@aux@cite{a}`` (or
``\\abx@aux@cite{0}{a}`` since biblatex 3.15). ``\\nocite{*}`` appears as ``\\citation{*}`` (bibtex)
or ``\\abx@aux@nociteall`` (biblatex).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from papershelf.errors import NotFoundError, UsageError

_CITE = re.compile(r"\\citation\{([^}]*)\}|\\abx@aux@cite(?:\{\d+\})?\{([^}]*)\}|\\abx@aux@nociteall()")
_INPUT = re.compile(r"\\@input\{([^}]*)\}")
_ANY = re.compile(f"{_CITE.pattern}|{_INPUT.pattern}")
# A LaTeX run writes one .aux per \include'd file, one level deep: more files than this, or
# deeper, is not a document but a loop or a trap.
MAX_AUX_FILES = 1000
MAX_AUX_DEPTH = 32
# Real .aux files are kilobytes (a 900-page book: a few MB); these bound a hostile or runaway one
# (/dev/zero, a 1.5 GB file, a 300 MB line) in memory and time.
MAX_AUX_BYTES = 64 * 1024 * 1024  # per file
MAX_AUX_TOTAL_BYTES = 256 * 1024 * 1024  # all the files of one document
MAX_AUX_LINE = 1024 * 1024  # LaTeX writes one \citation per line
MAX_CITED_KEYS = 50_000  # distinct keys one document cites (a long survey: a few thousand)


@dataclass
class AuxCitations:
    keys: list[str]  # in first-citation order, without repeats; ``*`` if everything is cited
    files: list[Path]  # every .aux file read (the one given first): what a watcher polls


def cited_keys(path: Path) -> list[str]:
    """Keys in first-citation order, without repeats; ``*`` if everything is cited."""
    return read_aux(path).keys


def cited_in(text: str) -> list[str]:
    """``cited_keys`` of an .aux file's text (the files it ``\\@input``s are not read)."""
    return list(dict.fromkeys(k for m in _CITE.finditer(text) for k in _keys(m)))


def _keys(m: re.Match[str]) -> list[str]:
    """The keys of one ``\\citation`` (or biblatex's ``\\abx@aux@cite``)."""
    return [k.strip() for k in (m.group(1) or m.group(2) or "").split(",") if k.strip()]


def _open_aux(file: Path) -> BinaryIO:
    """``file`` opened for reading if it is a regular file (through symlinks); a FIFO, a device,
    a directory or a socket is a one-line ``UsageError`` and never blocks."""
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise NotFoundError(f"no such file: {file}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UsageError(f"{file} is not a regular file (a .aux file is one)",
                             hint="give the .aux file LaTeX wrote beside the document")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class _Budget:
    """Bytes read so far, over every file of one document."""

    def __init__(self) -> None:
        self.total = 0


def _matches(file: Path, root: Path, budget: _Budget) -> Iterator[re.Match[str]]:
    """The citations and inputs of ``file``, read a line at a time within the limits."""
    with _open_aux(file) as fh:
        if os.fstat(fh.fileno()).st_size > MAX_AUX_BYTES:  # known at once for a regular file
            raise UsageError(f"{file} is larger than {MAX_AUX_BYTES // (1024 * 1024)} MB; not a LaTeX .aux file")
        size = 0
        number = 0
        while True:
            raw = fh.readline(MAX_AUX_LINE + 1)
            if not raw:
                return
            number += 1
            size += len(raw)
            budget.total += len(raw)
            if len(raw) > MAX_AUX_LINE:
                raise UsageError(f"{file}: line {number} is longer than {MAX_AUX_LINE // 1024} KB; "
                                 "not a LaTeX .aux file")
            if size > MAX_AUX_BYTES:
                raise UsageError(f"{file} is larger than {MAX_AUX_BYTES // (1024 * 1024)} MB; "
                                 "not a LaTeX .aux file")
            if budget.total > MAX_AUX_TOTAL_BYTES:
                raise UsageError(f"the .aux files of {root} hold more than "
                                 f"{MAX_AUX_TOTAL_BYTES // (1024 * 1024)} MB; not reading them")
            if b"\\" in raw:
                yield from _ANY.finditer(raw.decode("utf-8", errors="replace"))


def read_aux(path: Path) -> AuxCitations:
    """The keys ``path`` cites and the files that were read for them.

    An ``\\@input`` file is read where it appears, each file once (a cycle ends where it
    closes); the walk is iterative. Only regular files are read, a line at a time: more than
    ``MAX_AUX_FILES`` files or ``MAX_AUX_DEPTH`` levels, a file over ``MAX_AUX_BYTES`` (all of
    them over ``MAX_AUX_TOTAL_BYTES``), a line over ``MAX_AUX_LINE`` or more than
    ``MAX_CITED_KEYS`` distinct keys is refused (``UsageError``, exit 2)."""
    path = Path(path)
    keys: dict[str, None] = {}
    seen: dict[Path, None] = {}
    budget = _Budget()
    stack: list[tuple[Path, Iterator[re.Match[str]]]] = []

    def enter(file: Path) -> None:
        resolved = Path(os.path.realpath(file))  # never raises, on a symlink loop neither
        if resolved in seen:
            return
        if len(seen) >= MAX_AUX_FILES:
            raise UsageError(f"{path} includes more than {MAX_AUX_FILES} .aux files; not reading them")
        if len(stack) >= MAX_AUX_DEPTH:
            raise UsageError(f"{path} includes .aux files more than {MAX_AUX_DEPTH} levels deep; not reading them")
        seen[resolved] = None
        stack.append((file.parent, _matches(file, path, budget)))

    try:
        enter(path)
        while stack:
            folder, matches = stack[-1]
            m = next(matches, None)
            if m is None:
                stack.pop()
            elif m.group(3) is not None:  # \abx@aux@nociteall: biblatex's \nocite{*}
                keys["*"] = None
            elif m.group(4):
                child = folder / m.group(4)
                if child.is_file():
                    enter(child)
            else:
                for k in _keys(m):
                    keys[k] = None
                if len(keys) > MAX_CITED_KEYS:
                    raise UsageError(f"{path} cites more than {MAX_CITED_KEYS:,} different keys; not a "
                                     "document papershelf exports for")
    finally:
        for _, matches in stack:
            close = getattr(matches, "close", None)
            if close is not None:
                close()
    return AuxCitations(list(keys), list(seen))
