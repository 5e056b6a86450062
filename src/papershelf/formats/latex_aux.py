"""The citation keys a LaTeX run recorded in its ``.aux`` file (and the ``.aux`` files it includes).

BibTeX runs write ``\\citation{a,b}``; biblatex writes ``\\abx@aux@cite{a}`` (or
``\\abx@aux@cite{0}{a}`` since biblatex 3.15). ``\\nocite{*}`` appears as ``\\citation{*}``.
"""

from __future__ import annotations

import re
from pathlib import Path

_CITE = re.compile(r"\\citation\{([^}]*)\}|\\abx@aux@cite(?:\{\d+\})?\{([^}]*)\}")
_INPUT = re.compile(r"\\@input\{([^}]*)\}")


def cited_keys(path: Path, _seen: set[Path] | None = None) -> list[str]:
    """Keys in first-citation order, without repeats; ``*`` if everything is cited."""
    seen = _seen if _seen is not None else set()
    path = Path(path)
    if path.resolve() in seen:
        return []
    seen.add(path.resolve())
    text = path.read_text(encoding="utf-8", errors="replace")
    keys: list[str] = []
    for m in re.finditer(f"{_CITE.pattern}|{_INPUT.pattern}", text):
        if m.group(3):
            child = path.parent / m.group(3)
            if child.exists():
                keys.extend(cited_keys(child, seen))
            continue
        for key in (m.group(1) or m.group(2) or "").split(","):
            if key.strip():
                keys.append(key.strip())
    return list(dict.fromkeys(keys))
