"""Getting entries out and in: ``export bibtex|markdown|csl-json``, ``cite``, ``import bibtex``.

    papershelf export bibtex -o refs.bib                      (everything, sorted by key)
    papershelf export bibtex --tag lora --style biblatex -o lora.bib
    papershelf export bibtex --aux thesis.aux -o refs.bib     (exactly what the thesis cites)
    papershelf export markdown --group-by section -o reading-list.md
    papershelf export csl-json -o refs.json
    papershelf cite ho2020denoising hu2022lora
    papershelf import bibtex old.bib --update
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from papershelf.cli._common import (
    JsonOpt,
    KeysArg,
    SomeKeysArg,
    TagOpt,
    TypeOpt,
    YearOpt,
    build_filters,
    info,
    open_catalogue,
    print_json,
    warn,
)
from papershelf.errors import NotFoundError, PartialFailure, UsageError

export_app = typer.Typer(
    name="export", no_args_is_help=True,
    help="Write entries as BibTeX/biblatex, a Markdown reading list, or CSL-JSON "
         "(all of them, or those chosen by key, tag, query or a LaTeX .aux file).")
import_app = typer.Typer(
    name="import", no_args_is_help=True,
    help="Bring entries in from files; duplicates are reported, not added twice.")

QueryOpt = Annotated[str | None, typer.Option(
    "--query", "-Q", help="Only entries matching this search (same language as `search`).")]
OutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Write to this file (default: standard output).", dir_okay=False)]


def _select(cat, keys, tag, type_, year, query, aux: Path | None = None):
    """The entries to export: by key (in the order given), by .aux, or by filters (key order)."""
    filters = build_filters(tag, type_, year)
    if aux is not None:
        from papershelf.formats.latex_aux import cited_keys

        if not aux.exists():
            raise NotFoundError(f"no such file: {aux}")
        cited = cited_keys(aux)
        if "*" not in cited:
            keys = list(keys or []) + cited
            missing = []
            ids = []
            for key in keys:
                try:
                    ids.append(cat.resolve(key))
                except NotFoundError:
                    missing.append(key)
            if missing:
                warn(f"{len(missing)} cited key(s) not in the catalogue: {', '.join(missing)}")
            entries = cat._load(list(dict.fromkeys(ids)))
            return sorted(entries, key=lambda e: e.citekey.lower())
    if keys:
        ids = list(dict.fromkeys(cat.resolve(k) for k in keys))
        return cat._load(ids)
    if query:
        entries = cat.search(query, filters)
    else:
        entries = cat.list(filters, sort="key")
    return sorted(entries, key=lambda e: e.citekey.lower())


def _write(text: str, output: Path | None, what: str, n: int) -> None:
    """Write atomically (a half-written refs.bib must never replace a good one)."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
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
    info(f"Wrote {n} {what} to {output}")


def _report_writer(report) -> None:
    if report.degraded:
        one = len(report.degraded) == 1
        warn(f"{len(report.degraded)} entr{'y lacks' if one else 'ies lack'} a field "
             "their type requires and were written as @misc: "
             + ", ".join(f"{k} ({t})" for k, t in sorted(report.degraded.items())))
    if report.incomplete:
        warn("missing fields biblatex requires (add them to the entries): " + "; ".join(
            f"{k}: {', '.join(v)}" for k, v in sorted(report.incomplete.items())))
    if report.dropped:
        names = sorted({n for v in report.dropped.values() for n in v})
        info(f"Left out {sum(map(len, report.dropped.values()))} field(s) biblatex has no place for "
             f"({', '.join(names[:8])}{', …' if len(names) > 8 else ''}).")


@export_app.command("bibtex")
def export_bibtex(
    keys: SomeKeysArg = None,
    tag: TagOpt = None,
    type_: TypeOpt = None,
    year: YearOpt = None,
    query: QueryOpt = None,
    aux: Annotated[Path | None, typer.Option(
        "--aux", help="Export exactly the keys this LaTeX .aux file cites (bibtex or biblatex); "
                      "warns about cited keys not in the catalogue.", dir_okay=False)] = None,
    style: Annotated[str, typer.Option(
        "--style", help="bibtex (LaTeX-encoded, for \\bibliographystyle) or biblatex "
                        "(UTF-8, for biber).")] = "bibtex",
    minimal: Annotated[bool, typer.Option(
        "--minimal", help="Leave out abstracts, keywords (tags) and notes.")] = False,
    output: OutputOpt = None,
) -> None:
    """Write entries as a .bib file that bibtex and biber read without a warning."""
    from papershelf.formats.bibtex.writer import STYLES, WriteReport, write_bibtex

    if style not in STYLES:
        raise UsageError(f"unknown style {style!r}: choose bibtex or biblatex")
    with open_catalogue() as cat:
        entries = _select(cat, keys, tag, type_, year, query, aux)
    report = WriteReport()
    text = write_bibtex(entries, style, minimal=minimal, report=report)
    _report_writer(report)
    _write(text, output, "entries", len(entries))


@export_app.command("markdown")
def export_markdown(
    keys: SomeKeysArg = None,
    tag: TagOpt = None,
    type_: TypeOpt = None,
    year: YearOpt = None,
    query: QueryOpt = None,
    group_by: Annotated[str, typer.Option(
        "--group-by", "-g", help="section (the reading list's headings), tag, year, type or none.")] = "section",
    title: Annotated[str, typer.Option("--title", help="The document's heading.")] = "Reading list",
    output: OutputOpt = None,
) -> None:
    """Write a Markdown reading list: linked titles, authors, year, venue, tags and your notes."""
    from papershelf.formats.markdown import GROUPS, write_markdown

    if group_by not in GROUPS:
        raise UsageError(f"unknown grouping {group_by!r}: choose one of {', '.join(GROUPS)}")
    with open_catalogue() as cat:
        if keys or query:
            entries = _select(cat, keys, tag, type_, year, query)
        else:  # the reading list's own order
            entries = cat.list(build_filters(tag, type_, year), sort="added")
    _write(write_markdown(entries, group_by, title), output, "entries", len(entries))


@export_app.command("csl-json")
def export_csljson(
    keys: SomeKeysArg = None,
    tag: TagOpt = None,
    type_: TypeOpt = None,
    year: YearOpt = None,
    query: QueryOpt = None,
    output: OutputOpt = None,
) -> None:
    """Write CSL-JSON, for pandoc --citeproc and Zotero."""
    from papershelf.formats.csljson import write_csljson

    with open_catalogue() as cat:
        entries = _select(cat, keys, tag, type_, year, query)
    _write(write_csljson(entries), output, "entries", len(entries))


def cite(
    keys: KeysArg,
    style: Annotated[str, typer.Option("--style", help="bibtex or biblatex.")] = "bibtex",
    minimal: Annotated[bool, typer.Option(
        "--minimal/--full", help="Only the fields a bibliography prints (default), or also "
                                 "abstract, keywords and notes.")] = True,
) -> None:
    """Print the BibTeX of some entries, ready to paste into a .bib file."""
    from papershelf.formats.bibtex.writer import STYLES, WriteReport, write_bibtex

    if style not in STYLES:
        raise UsageError(f"unknown style {style!r}: choose bibtex or biblatex")
    with open_catalogue() as cat:
        entries = cat._load(list(dict.fromkeys(cat.resolve(k) for k in keys)))
    report = WriteReport()
    sys.stdout.write(write_bibtex(entries, style, minimal=minimal, report=report))
    _report_writer(report)


@import_app.command("bibtex")
def import_bibtex(
    files: Annotated[list[Path], typer.Argument(help=".bib files.", show_default=False,
                                                dir_okay=False)],
    update: Annotated[bool, typer.Option(
        "--update", help="Merge duplicates: the file's fields overwrite the stored ones "
                         "(key, notes, section and tags stay; the file's tags are added).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="Report, change nothing.")] = False,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="Read the files in this encoding (default: UTF-8, UTF-16 with a BOM, "
                           "or what a JabRef '% Encoding:' header says).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import BibTeX/biblatex files. Exit 5 if a file could not be read (the rest is imported)."""
    from papershelf.formats.bibtex.reader import BibEncodingError, read_file
    from papershelf.services.import_bibtex import import_entries

    entries, problems, refused = [], [], []
    for path in files:
        try:
            result = read_file(path, encoding=encoding)
        except (BibEncodingError, NotFoundError) as exc:
            refused.append({"file": str(path), "error": exc.message})
            warn(exc.message + (f" ({exc.hint})" if exc.hint else ""))
            continue
        entries.extend(result.entries)
        for p in result.problems:
            problems.append({"file": str(path), "line": p.line, "key": p.key, "message": p.message})
            warn(f"{path}:{p}")
    with open_catalogue() as cat:
        report = import_entries(cat, entries, update=update, dry_run=dry_run)
    for old, new, why in report.renamed:
        warn(f"{old or '(no key)'} → {new}: {why}")
    if report.duplicates and not update:
        info(f"{len(report.duplicates)} already in the catalogue, not added (--update merges them): "
             + ", ".join(f"{k}={e}" for k, e, _ in report.duplicates[:10])
             + (" …" if len(report.duplicates) > 10 else ""))
    if as_json:
        print_json({**report.to_dict(), "problems": problems, "refused": refused,
                    "dry_run": dry_run})
    verb = "Would import" if dry_run else "Imported"
    info(f"{verb} {len(report.added)} entr{'y' if len(report.added) == 1 else 'ies'} from "
         f"{len(files) - len(refused)} file(s)"
         + (f"; {'would update' if dry_run else 'updated'} {len(report.updated)}" if update else "")
         + (f"; {len(problems)} problem(s) reported above" if problems else ""))
    if refused:
        raise PartialFailure(f"{len(refused)} file(s) could not be read: "
                             + ", ".join(r["file"] for r in refused))
