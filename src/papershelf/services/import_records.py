"""``import csl-json`` and ``import ris``: records from the other reference managers (Zotero,
Mendeley, pandoc, EndNote, Web of Science, Scopus) through the one door, as ``import bibtex``
does (``import_entries``: one journaled operation, duplicates reported, keys kept)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from papershelf.errors import NotFoundError, PapershelfError
from papershelf.services.import_bibtex import ImportReport, import_entries

if TYPE_CHECKING:
    from papershelf.services.library import Library

MAX_BYTES = 200 * 1024 * 1024


def _text(path: Path) -> str:
    path = path.expanduser()
    if not path.is_file():
        raise NotFoundError(f"no file at {path}")
    if path.stat().st_size > MAX_BYTES:
        raise PapershelfError(f"{path} is over {MAX_BYTES // (1024 * 1024)} MB")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PapershelfError(f"{path} is not UTF-8 text", hint="save it as UTF-8 and try again") from None


def import_records(lib: Library, path: Path, kind: Literal["csl-json", "ris"], *, dry_run: bool = False,
                   autotag: bool = True) -> ImportReport:
    """Read ``path`` as ``kind`` and import its records; what could not be read is a problem."""
    if kind == "csl-json":
        from papershelf.formats.csljson_in import read_csljson as read
    else:
        from papershelf.formats.ris import read_ris as read
    got = read(_text(path))
    report = import_entries(lib, got.entries, dry_run=dry_run, autotag=autotag, journal=f"import {kind}")
    report.files = 1
    report.problems.extend({"file": str(path), "line": None, "key": None, "kind": "skipped-entry", "message": p}
                           for p in got.problems)
    return report
