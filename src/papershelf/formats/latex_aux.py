"""The citation keys a LaTeX run recorded in its ``.aux`` file (and the ``.aux`` files it includes).

BibTeX runs write ``\\citation{a,b}``; biblatex writes ``\\abx@aux@cite{a}`` (or
``\\abx@aux@cite{0}{a}`` since biblatex 3.15). ``\\nocite{*}`` appears as ``\\citation{*}`` (bibtex)
or ``\\abx@aux@nociteall`` (biblatex).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from papershelf.errors import UsageError

_CITE = re.compile(r"\\citation\{([^}]*)\}|\\abx@aux@cite(?:\{\d+\})?\{([^}]*)\}|\\abx@aux@nociteall()")
_INPUT = re.compile(r"\\@input\{([^}]*)\}")
_ANY = re.compile(f"{_CITE.pattern}|{_INPUT.pattern}")
# A LaTeX run writes one .aux per \include'd file, one level deep: more files than this is not
# a document but a loop or a trap.
MAX_AUX_FILES = 1000


@dataclass
class AuxCitations:
    keys: list[str]  # in first-citation order, without repeats; ``*`` if everything is cited
    files: list[Path]  # every .aux file read (the one given first): what a watcher polls


def cited_keys(path: Path) -> list[str]:
    """Keys in first-citation order, without repeats; ``*`` if everything is cited."""
    return read_aux(path).keys


def read_aux(path: Path) -> AuxCitations:
    """The keys ``path`` cites and the files that were read for them.

    An ``\\@input`` file is read where it appears, each file once (a cycle ends where it
    closes); the walk is iterative, and more than ``MAX_AUX_FILES`` files is refused."""
    path = Path(path)
    keys: list[str] = []
    seen: dict[Path, None] = {}
    stack: list[tuple[Path, Iterator[re.Match[str]]]] = []

    def enter(file: Path) -> None:
        resolved = file.resolve()
        if resolved in seen:
            return
        if len(seen) >= MAX_AUX_FILES:
            raise UsageError(f"{path} includes more than {MAX_AUX_FILES} .aux files; not reading them")
        seen[resolved] = None
        stack.append((file.parent, _ANY.finditer(file.read_text(encoding="utf-8", errors="replace"))))

    enter(path)
    while stack:
        folder, matches = stack[-1]
        m = next(matches, None)
        if m is None:
            stack.pop()
        elif m.group(3) is not None:  # \abx@aux@nociteall: biblatex's \nocite{*}
            keys.append("*")
        elif m.group(4):
            child = folder / m.group(4)
            if child.is_file():
                enter(child)
        else:
            keys.extend(k.strip() for k in (m.group(1) or m.group(2) or "").split(",") if k.strip())
    return AuxCitations(list(dict.fromkeys(keys)), list(seen))
