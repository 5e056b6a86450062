"""Getting entries out: which entries an export holds, rendering them, and writing the file.

Selection (``select``): by key (in the order given), by what a LaTeX ``.aux`` file cites, or by
tag/type/year filters and a search query (in key order). Rendering goes to the writers of
``formats``; ``write_output`` replaces a file atomically, so a half-written refs.bib never
replaces a good one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papershelf.errors import NotFoundError, UsageError
from papershelf.model.entry import Entry
from papershelf.model.query import Filters

if TYPE_CHECKING:
    from papershelf.formats.bibtex.writer import WriteReport
    from papershelf.services.library import Library


@dataclass
class Selection:
    entries: list[Entry]
    missing: list[str] = field(default_factory=list)  # cited keys not in the catalogue


def _by_key(entries: Sequence[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: e.citekey.lower())


def select(lib: Library, keys: Sequence[str] = (), filters: Filters | None = None,
           query: str | None = None, aux: Path | None = None, *, order: str = "key") -> Selection:
    """The entries to export (see the module docstring). ``order="added"`` keeps the
    catalogue's own order when selecting by filters (the Markdown reading list)."""
    filters = filters or Filters()
    if aux is not None:
        from papershelf.formats.latex_aux import cited_keys

        if not aux.exists():
            raise NotFoundError(f"no such file: {aux}")
        cited = cited_keys(aux)
        if "*" not in cited:
            ids: list[int] = []
            missing: list[str] = []
            for key in [*keys, *cited]:
                try:
                    ids.append(lib.cat.resolve(key))
                except NotFoundError:
                    missing.append(key)
            return Selection(_by_key(lib.cat.load(list(dict.fromkeys(ids)))), missing)
    if keys:
        return Selection(lib.get_many(keys))
    if query:
        return Selection(_by_key(lib.search(query, filters)))
    if order == "added":
        return Selection(lib.list_entries(filters, sort="added"))
    return Selection(_by_key(lib.list_entries(filters, sort="key")))


def check_style(style: str) -> None:
    from papershelf.formats.bibtex.writer import STYLES

    if style not in STYLES:
        raise UsageError(f"unknown style {style!r}: choose bibtex or biblatex")


def check_grouping(group_by: str) -> None:
    from papershelf.formats.markdown import GROUPS

    if group_by not in GROUPS:
        raise UsageError(f"unknown grouping {group_by!r}: choose one of {', '.join(GROUPS)}")


def bibtex(entries: Sequence[Entry], style: str = "bibtex", *, minimal: bool = False) -> tuple[str, WriteReport]:
    """A .bib file for bibtex (LaTeX-encoded) or biblatex (UTF-8), and what had to be adapted."""
    from papershelf.formats.bibtex.writer import WriteReport, write_bibtex

    check_style(style)
    report = WriteReport()
    return write_bibtex(entries, style, minimal=minimal, report=report), report


def markdown(entries: Sequence[Entry], group_by: str = "section", title: str = "Reading list") -> str:
    from papershelf.formats.markdown import write_markdown

    check_grouping(group_by)
    return write_markdown(entries, group_by, title)


def csljson(entries: Sequence[Entry]) -> str:
    from papershelf.formats.csljson import write_csljson

    return write_csljson(entries)


def write_output(text: str, output: Path) -> Path:
    """Write ``text`` to ``output`` atomically (a temporary file beside it, then a rename)."""
    output = output.expanduser()
    fd, tmp = tempfile.mkstemp(dir=output.parent if str(output.parent) else ".",
                               prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return output
