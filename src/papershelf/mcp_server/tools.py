"""What each tool of ``papershelf mcp`` does: parse, call one service, render compact text.

Plain functions over the catalogue, no SDK: ``server`` wraps them as MCP tools. Each call opens
the catalogue (``services.library.opened``) and closes it after, so a CLI writing meanwhile is
seen at the next call and no lock is held between calls. Read-only (the default), the catalogue
is opened so that it cannot be written, and the tools that write refuse before doing anything.
Answers are JSON without spaces (agents pay for every token) or, for BibTeX, the text itself.

A tool ends as the CLI's command does: by its service report's ``verdict()`` (``services/outcome``).
A verdict that is a fault of the run (some or all items not done: partial, not found, no network)
is a tool error (``judged``): the CLI's one line, then the answer, so the agent sees what was done
too. A verdict that is the answer itself (nothing found, problems found: the CLI's exit 1) is no
error here: the answer says it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papershelf.errors import ExitCode, PapershelfError, UsageError
from papershelf.model.entry import short_authors

if TYPE_CHECKING:
    from papershelf.model.entry import Entry
    from papershelf.services.library import Library
    from papershelf.services.outcome import Judged

MAX_LIMIT = 100
MAX_FINDINGS = 100  # of check: an agent reads them all, at a price per token
READ_ONLY = "the MCP server runs read-only"
WRITE_HINT = ("start it with `papershelf mcp --allow-write` (the args of its entry in the MCP client's "
              "settings) to let agents add, tag and note")
NETWORK_HINT = "start it with `papershelf mcp --allow-network` to let check ask Crossref, DataCite, DBLP and arXiv"


@dataclass(frozen=True)
class Options:
    db: Path
    allow_write: bool = False
    allow_network: bool = False  # check --online (add asks its sources whenever writing is allowed)


class Tools:
    def __init__(self, options: Options):
        self.options = options

    @contextmanager
    def library(self) -> Iterator[Library]:
        from papershelf.services.library import opened

        readonly = None if self.options.allow_write else f"{READ_ONLY} ({WRITE_HINT})"
        with opened(self.options.db, readonly=readonly) as (lib, _):
            yield lib

    def _writable(self, tool: str) -> None:
        if not self.options.allow_write:
            raise PapershelfError(f"{tool} changes the catalogue, and {READ_ONLY}", hint=WRITE_HINT)

    # -- reading --------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 10) -> str:
        limit = _limit(limit)
        with self.library() as lib:
            found = lib.search_hits(query, None, limit)
        rows = []
        for e in found.entries:
            row = _summary(e)
            snippet = found.snippets.get(e.citekey)
            if snippet is not None and snippet.column != "title":
                row["snippet"] = f"{snippet.column}: {snippet.text}"
            rows.append(row)
        return _json(rows)

    def get(self, key: str, format: str = "fields") -> str:
        from papershelf.services import export

        with self.library() as lib:
            entry = lib.get(key)
            if format in ("bibtex", "biblatex"):  # as `papershelf cite`: with its parents and @strings
                return export.cite(lib, [entry.citekey], format, minimal=False)[0]
        if format == "fields":
            return _json({k: v for k, v in entry.to_dict().items()
                          if v not in (None, "", [], {}) and k not in ("author_parts", "editor_parts")})
        if format == "csl-json":
            return export.csljson([entry])
        raise UsageError(f"unknown format {format!r}: choose fields, bibtex, biblatex or csl-json")

    def resolve(self, reference: str) -> str:
        from papershelf.services.resolve import resolve_reference

        with self.library() as lib:
            found = resolve_reference(lib, reference)
        if found.entry is not None:
            return _json({"found": _summary(found.entry), "by": found.by})
        return _json({"found": None, "why": found.note, "candidates": [_summary(e) for e in found.candidates]})

    def export(self, keys: Sequence[str] = (), aux: str = "", style: str | None = None) -> str:
        from papershelf.services import export

        if not keys and not aux.strip():
            raise UsageError("give keys, or the text of a LaTeX .aux file",
                             hint="every entry: `papershelf export bibtex` in a terminal")
        request = export.BibtexRequest(list(keys), aux_text=aux if aux.strip() else None,
                                       style=export.check_style(style))
        with self.library() as lib:
            done = export.export_bibtex(lib, request)
            text = "".join(done.chunks)
        if done.selection.missing:
            text += f"\n% not in the catalogue: {', '.join(done.selection.missing)}\n"
        return text

    def check(self, keys: Sequence[str] = (), online: bool = False) -> str:
        from papershelf.services.check import check

        if online and not self.options.allow_network:
            raise PapershelfError("check online asks metadata services, and the MCP server was started "
                                  "without network access", hint=NETWORK_HINT)
        with self.library() as lib:
            report = check(lib, list(keys), online=online)
        out: dict[str, Any] = {"checked": report.checked, "findings": [
            [f.kind, f.key, f.message, f.todo] for f in report.findings[:MAX_FINDINGS]]}
        if len(report.findings) > MAX_FINDINGS:  # the rest: `papershelf check` in a terminal
            out["more"] = len(report.findings) - MAX_FINDINGS
        if report.unverified:
            out["unverified"] = report.unverified
        return judged(_json(out), report)

    # -- writing --------------------------------------------------------------------------------

    def add(self, refs: Sequence[str] = (), bibtex: str = "", tags: Sequence[str] = (),
            dry_run: bool = False) -> str:
        from papershelf.services.add import add_items

        self._writable("add")
        with self.library() as lib:
            report = add_items(lib, list(refs), bibtex=bibtex or None, tags=list(tags), dry_run=dry_run)
        rows = [{k: v for k, v in r.items() if v is not None} for r in report.rows()]
        out: dict[str, Any] = {"dry_run": True} if dry_run else {}
        out["items"] = rows
        if report.others is not None and report.others.problems:
            out["skipped"] = report.others.problems
        return judged(_json(out), report)

    def tag(self, keys: Sequence[str], tags: Sequence[str]) -> str:
        self._writable("tag")
        if not keys or not [t for t in tags if t.strip()]:
            raise UsageError("give keys and tags")
        with self.library() as lib:
            done = lib.tag_all(list(keys), [t for t in tags if t.strip()])
        return _json([{"key": key, "added": added} for key, added in done])

    def note(self, key: str, text: str) -> str:
        self._writable("note")
        if not text.strip():
            raise UsageError("an empty note")
        with self.library() as lib:
            entry = lib.set_notes(key, text.strip("\n"), append=True)
        return _json({"key": entry.citekey, "notes": len(entry.notes or "")})


FAULTS = (ExitCode.NOT_FOUND, ExitCode.NETWORK, ExitCode.PARTIAL)  # verdicts that make a tool error


class Judgement(PapershelfError):
    """A report's verdict that is a fault of the run, with the tool's answer (what was done)."""

    def __init__(self, verdict: PapershelfError, answer: str):
        super().__init__(verdict.message, hint=verdict.hint, exit_code=verdict.exit_code)
        self.answer = answer


def judged(answer: str, report: Judged) -> str:
    """``answer``, or ``Judgement`` when the report's verdict is a fault (see the module docstring)."""
    verdict = report.verdict()
    if verdict is not None and verdict.exit_code in FAULTS:
        raise Judgement(verdict, answer)
    return answer


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be 1 to {MAX_LIMIT}, not {limit}")
    return limit


def _summary(e: Entry) -> dict[str, Any]:
    return {"key": e.citekey, "title": e.title, "authors": short_authors(e), "year": e.year}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def one_line(exc: PapershelfError) -> str:
    """The error as the CLI prints it, without the ``error:`` the client adds anyway (and, for a
    ``Judgement``, the answer on the next line)."""
    line = exc.message + (f" (hint: {exc.hint})" if exc.hint else "")
    return line + "\n" + exc.answer if isinstance(exc, Judgement) else line
