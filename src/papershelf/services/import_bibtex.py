"""``import bibtex``: read .bib files and bring their entries in through the one door.

Every file is read (a file that cannot be decoded is refused and reported, the others go on),
then all their entries enter in one ``Library.add``: duplicates of catalogued works (by the one
identity rule) are reported, or merged with ``update``; two keys are two entries, and a record
that would make a key print another record is kept and reported as a probable duplicate; keys
are kept as written unless BibTeX cannot cite them or another entry uses them (then the report
says what each became). The report (``ImportReport.notices``) puts first what changes what a
bibliography prints (``OUTPUT_CHANGING``); the import is one operation of the journal. Each entry
keeps what its file said verbatim, its file's @preamble blocks and the @string definitions it
uses, so an export gives them back unchanged. The files are one bibliography, read in the order
given (as ``\\bibliography{a,b,c}`` reads them): an @string an earlier file defines applies in
later ones, a crossref or xdata parent may be in any of them (or already catalogued; otherwise
the child is reported, kind ``dangling-crossref``). A file over the reader's size limit
(``MAX_INPUT_BYTES``) refuses the whole import before any file is read (``BibTooLargeError``,
exit 2).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papershelf.errors import NotFoundError, PapershelfError, PartialFailure
from papershelf.services.library import AddPolicy

if TYPE_CHECKING:
    from papershelf.model.entry import Entry
    from papershelf.services.library import AddResult, Library, Progress
    from papershelf.topics.rules import TopicSet


# Kinds of notice that change what a bibliography prints: an import reports them first.
OUTPUT_CHANGING = frozenset({"merged", "key-renamed", "probable-duplicate", "differs", "undefined-macro",
                             "dangling-crossref", "crossref-cycle", "skipped-entry", "skipped-string",
                             "shared-arxiv-id"})


def _diff(diff: Sequence[tuple[str, str | None, str | None]]) -> list[dict[str, str | None]]:
    return [{"field": name, "this": this, "other": other} for name, this, other in diff]


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # key, existing key, why
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # old key, new key, why
    problems: list[dict[str, Any]] = field(default_factory=list)  # file, line, key, message, kind
    refused: list[dict[str, str]] = field(default_factory=list)  # file, error
    aliases: list[tuple[str, str]] = field(default_factory=list)  # key kept as an alias, key it cites
    probable: list[tuple[str, str, str]] = field(default_factory=list)  # key, maybe-same key, why
    # per probable duplicate (same order) and per record whose key holds other fields: the diff
    probable_diffs: list[list[tuple[str, str | None, str | None]]] = field(default_factory=list)
    differs: list[tuple[str, str, str, list[tuple[str, str | None, str | None]]]] = field(default_factory=list)
    files: int = 0
    dry_run: bool = False
    operation: int | None = None  # the journal's operation: ``undo`` takes it back

    def verdict(self) -> PapershelfError | None:
        """How an import ends: partial when some files could not be read."""
        if self.refused:
            return PartialFailure(f"{len(self.refused)} file(s) could not be read: "
                                  + ", ".join(r["file"] for r in self.refused))
        return None

    def notices(self) -> list[dict[str, Any]]:
        """Every notice as one list of dicts with a ``kind`` and a ``message``: those that change
        what a bibliography prints first (``OUTPUT_CHANGING``), in the order found, then the rest."""
        out: list[dict[str, Any]] = []
        for alias, key in self.aliases:
            out.append({"kind": "merged", "key": alias, "message":
                        f"{alias} now cites {key}, as an alias" + (" (the file's fields won)" if key in self.updated
                                                                   else " (they print the same)")})
        for old, new, why in self.renamed:
            out.append({"kind": "key-renamed", "key": old,
                        "message": f"{old or '(no key)'} → {new}: {why}; a \\cite{{{old}}} now finds the "
                                   f"other entry or nothing" if old else f"(no key) → {new}: {why}"})
        for (key, other, why), diff in zip(self.probable, self.probable_diffs or [[]] * len(self.probable),
                                           strict=False):
            shows = ", ".join(name for name, _, _ in diff)
            out.append({"kind": "probable-duplicate", "key": key, "existing": other, "diff": _diff(diff),
                        "message": f"{key} may be the same work as {other} ({why}): both kept"
                                   + (f"; they differ in {shows}" if shows else "")
                                   + f" (`papershelf merge {other} {key}` if they are one)"})
        for key, other, why, diff in self.differs:
            shows = ", ".join(name for name, _, _ in diff)
            out.append({"kind": "differs", "key": key, "existing": other, "diff": _diff(diff),
                        "message": f"{key} is already in the catalogue ({why}) with other {shows}: "
                                   "kept as catalogued (--update takes the file's)"})
        for p in self.problems:
            where = f"{Path(p['file']).name}:{'line ' + str(p['line']) if p['line'] else '?'}: " \
                if p.get("file") else ""
            out.append({**p, "message": f"{where}{p['key'] + ': ' if p.get('key') else ''}{p['message']}"})
        return sorted(out, key=lambda n: n["kind"] not in OUTPUT_CHANGING)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added, "updated": self.updated,
            "duplicates": [{"key": k, "existing": e, "same": why} for k, e, why in self.duplicates],
            "renamed": [{"from": o, "to": n, "why": why, "kind": "key-renamed"} for o, n, why in self.renamed],
            "problems": self.problems, "refused": self.refused, "dry_run": self.dry_run,
            "aliases": [{"alias": a, "cites": k} for a, k in self.aliases],
            "probable": [{"key": k, "existing": e, "same": why, "diff": _diff(d)} for (k, e, why), d
                         in zip(self.probable, self.probable_diffs or [[]] * len(self.probable), strict=False)],
            "differs": [{"key": k, "existing": e, "same": why, "diff": _diff(d)} for k, e, why, d in self.differs],
            "notices": self.notices(), "operation": self.operation,
        }


def import_entries(lib: Library, entries: Iterable[Entry], *, update: bool = False,
                   dry_run: bool = False, autotag: bool = True, progress: Progress | None = None,
                   journal: str = "import", topics: TopicSet | None = None) -> ImportReport:
    """Add read entries through the door; the report names keys, not objects (it takes them
    from each chunk the door writes, so no entry is held after its chunk). ``autotag``
    False: the topic rules tag none of them (``topics``: the rules, default the current
    ones). The import is one operation of the journal (``journal`` says what it was), which
    ``undo`` takes back."""
    report = ImportReport(dry_run=dry_run)

    def take(result: AddResult) -> None:
        report.added.extend(e.citekey for e in result.added)
        report.updated.extend(e.citekey for e in result.updated)
        report.duplicates.extend((d.entry.citekey, d.existing_key, d.why) for d in result.duplicates)
        report.renamed.extend(result.renamed)
        report.aliases.extend(result.aliased)
        report.probable.extend((d.entry.citekey, d.existing_key, d.why) for d in result.probable)
        report.probable_diffs.extend(list(d.diff) for d in result.probable)
        report.differs.extend((d.entry.citekey, d.existing_key, d.why, list(d.diff)) for d in result.differs)
        report.problems.extend(
            {"file": None, "line": None, "key": key, "kind": "shared-arxiv-id",
             "message": f"arXiv id {ident} is also on {other}: kept there only (one entry per "
                        "arXiv id; the eprint field stays as written)"}
            for key, other, ident in result.shared_ids)
        report.operation = result.operation if result.operation is not None else report.operation

    result = lib.add(entries, AddPolicy(on_duplicate="update" if update else "skip",
                                        source_keys=True, dry_run=dry_run, autotag=autotag,
                                        progress=progress, journal=journal, topics=topics,
                                        report=None if dry_run else take))
    if dry_run:
        take(result)
    return report


def import_files(lib: Library, files: Sequence[Path], *, update: bool = False, dry_run: bool = False,
                 encoding: str | None = None, autotag: bool = True,
                 progress: Progress | None = None, read_ahead: bool | None = None) -> ImportReport:
    """Read ``files`` and import what they hold (see the module docstring). ``progress`` is
    told each stage: ("reading NAME", files done, files), then ``Library.add``'s. A large
    import is read ahead, in a second process, while the door writes (``services.read_ahead``;
    ``read_ahead`` True or False chooses, None decides by size)."""
    from papershelf.formats.bibtex.reader import check_size
    from papershelf.services.read_ahead import read_bibliography

    for path in files:  # a file over the size limit refuses the whole import (exit 2), up front
        try:
            check_size(path)
        except NotFoundError:
            pass  # reported with the other unreadable files below
    topics = None
    if autotag:
        from papershelf.topics.loader import current_topics

        topics = current_topics()  # a bad rules file stops us before anything is read
    # What is alive now (modules, the rules) is left out of the garbage collector's passes
    # during the import (a full pass went over all of it a few times an import), and out of
    # the reading process's copy-on-write pages; it is collectable again afterwards.
    froze = gc.get_freeze_count() == 0  # (a caller's own freeze is left as it is)
    if froze:
        gc.freeze()
    try:
        reading = read_bibliography(files, encoding=encoding, known=lib.cat.key_taken, catalogue=lib.cat.path,
                                    topics=topics, progress=progress, ahead=read_ahead)
        try:
            report = import_entries(lib, reading.entries, update=update, dry_run=dry_run, autotag=autotag,
                                    progress=progress, topics=reading.topics or topics,
                                    journal="import bibtex " + " ".join(p.name for p in files))
        finally:
            reading.close()
    finally:
        if froze:
            gc.unfreeze()
    report.problems = [*reading.problems(), *report.problems]
    report.refused, report.files = reading.refused, len(files) - len(reading.refused)
    return report
