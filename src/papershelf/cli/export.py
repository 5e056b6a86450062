"""Getting entries out: ``export bibtex|markdown|csl-json`` and ``cite``.

    papershelf export bibtex -o refs.bib                      (everything, sorted by key)
    papershelf export bibtex --tag lora --style biblatex -o lora.bib
    papershelf export bibtex --aux thesis.aux -o refs.bib     (exactly what the thesis cites)
    papershelf export markdown --group-by section -o reading-list.md
    papershelf export csl-json -o refs.json
    papershelf cite ho2020denoising hu2022lora
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from papershelf.cli._library import open_library
from papershelf.cli._output import info, out_line, plural, warn, write_stream
from papershelf.cli._params import (
    GROUPINGS,
    STYLES,
    KeysArg,
    SomeKeysArg,
    TagOpt,
    TypeOpt,
    YearOpt,
    build_filters,
    complete_choices,
)
from papershelf.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from papershelf.services.export import IdSelection, Selection, WriteReport
    from papershelf.services.export_watch import WatchEvent

export_app = typer.Typer(
    name="export", no_args_is_help=True,
    help="Write entries as BibTeX/biblatex, a Markdown reading list, or CSL-JSON "
         "(all of them, or those chosen by key, tag, query or a LaTeX .aux file).\n\nExamples:\n\n"
         "  papershelf export bibtex --aux thesis.aux -o refs.bib\n"
         "  papershelf export markdown --tag diffusion -o diffusion.md\n"
         "  papershelf export csl-json -o refs.json")

QueryOpt = Annotated[str | None, typer.Option(
    "--query", "-Q", help="Only entries matching this search (same language as `search`).")]
OutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", dir_okay=False,
    help="Write to this file (default: standard output). Never the catalogue; an existing file "
         "only if papershelf wrote it (or with --force). Replaced atomically, through a symlink, "
         "keeping its permissions.")]
ForceOpt = Annotated[bool, typer.Option(
    "--force", "-f", help="Let -o replace an existing file papershelf did not write.")]


def _check(output: Path | None, force: bool, catalogue: Path) -> None:
    """Refuse a bad -o before any work is done (``_write`` checks again when it writes)."""
    if output is not None:
        from papershelf.services.export_file import check_output

        check_output(output, force=force, catalogue=catalogue)


def _write(text: str | Iterable[str], output: Path | None, n: int, kind: str, *, force: bool,
           catalogue: Path) -> None:
    """Write the text, or its pieces as they come (a streamed export), to -o or standard output."""
    if output is None:
        write_stream([text] if isinstance(text, str) else text)
        return
    from papershelf.services.export_file import write_output

    written = write_output(text, output, kind, force=force, catalogue=catalogue)
    info(f"Wrote {plural(n, 'entry', 'entries')} to {written}")


def _warn_missing(selection: Selection | IdSelection | WatchEvent) -> None:
    if selection.missing:  # the count and the first 20: a runaway document prints one bounded line
        shown = ", ".join(selection.missing[:20]) + (f" … and {len(selection.missing) - 20} more"
                                                    if len(selection.missing) > 20 else "")
        warn(f"{len(selection.missing)} cited key(s) not in the catalogue: {shown}")


def _report_writer(report: WriteReport) -> None:
    if report.degraded:
        from papershelf.services.export import degraded_type

        one = len(report.degraded) == 1
        warn(f"{len(report.degraded)} entr{'y lacks' if one else 'ies lack'} a field "
             f"{'its' if one else 'their'} type requires and {'was' if one else 'were'} written as another type: "
             + ", ".join(f"{k} ({t}, as @{degraded_type(t)})" for k, t in sorted(report.degraded.items())))
    if report.incomplete:
        warn("missing fields biblatex requires (add them to the entries): " + "; ".join(
            f"{k}: {', '.join(v)}" for k, v in sorted(report.incomplete.items())))
    if report.cleaned:
        warn("removed control characters bibtex cannot read from: " + "; ".join(
            f"{k}: {', '.join(v)}" for k, v in sorted(report.cleaned.items())))
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
    style: Annotated[str | None, typer.Option(
        "--style", help="bibtex (LaTeX-encoded, for \\bibliographystyle) or biblatex "
                        "(UTF-8, for biber); default: the export.style setting, else bibtex.",
        autocompletion=complete_choices(*STYLES), show_default=False)] = None,
    minimal: Annotated[bool, typer.Option(
        "--minimal", help="Leave out abstracts, keywords and notes.")] = False,
    keywords: Annotated[str, typer.Option(
        "--keywords", help="What the keywords field holds: source (an imported entry's own "
                           "keywords, unchanged; none for entries papershelf made), tags "
                           "(papershelf's tags instead) or both.")] = "source",
    no_preamble: Annotated[bool, typer.Option(
        "--no-preamble", help="Leave out the @preamble blocks of the files the entries came from "
                              "(the @string definitions they use are still written).")] = False,
    output: OutputOpt = None,
    force: ForceOpt = False,
    watch: Annotated[bool, typer.Option(
        "--watch", help="With --aux and -o: keep the file in step with the .aux and the catalogue, "
                        "rewriting it only when its content changes, until Ctrl-C.")] = False,
    interval: Annotated[float, typer.Option(
        "--interval", min=0.05, max=3600, help="Seconds between two looks for --watch.")] = 1.0,
) -> None:
    """Write entries as a .bib file. Entries imported from a .bib come back as written
    (fields with their braces, quotes and macros; the @preamble of their files; the @string
    definitions they use); the others are written so bibtex and biber read them without a
    warning. Every entry an exported one needs comes too (crossref and xdata parents, a set's
    members), after it. With --aux, -o and --watch: a .bib that keeps itself in sync.

    Examples:

      papershelf export bibtex -o refs.bib
      papershelf export bibtex --tag lora --style biblatex -o lora.bib
      papershelf export bibtex --aux thesis.aux -o refs.bib --watch
      papershelf export bibtex --aux thesis.aux --no-preamble -o refs.bib
    """
    from papershelf.services import export

    style = export.check_style(style)
    export.check_keywords(keywords)
    if watch:
        if aux is None or output is None or keys or tag or type_ or year or query:
            raise UsageError("--watch follows a LaTeX .aux file: give it --aux and -o, and no keys or filters",
                             hint="papershelf export bibtex --aux thesis.aux -o refs.bib --watch")
        _watch(aux, output, style, minimal=minimal, keywords=keywords, force=force, interval=interval,
               preamble=not no_preamble)
        return
    with open_library() as lib:  # streamed: entries are loaded and written a chunk at a time
        _check(output, force, lib.path)
        done = export.export_bibtex(lib, export.BibtexRequest(
            keys or [], build_filters(tag, type_, year), query, aux, style=style, minimal=minimal,
            keywords=keywords, preamble=not no_preamble))
        _warn_missing(done.selection)
        _write(done.chunks, output, len(done.selection.ids), "bibtex", force=force, catalogue=lib.path)
    _report_writer(done.report)


def _watch(aux: Path, output: Path, style: str, *, minimal: bool, keywords: str, force: bool,
           interval: float, preamble: bool) -> None:
    """``export bibtex --watch``: one line per rewrite, the missing keys when they change; Ctrl-C
    ends it (exit 130)."""
    import time

    from papershelf.services.export_watch import BibWatch, watch

    def show(event: WatchEvent) -> None:
        if event.waiting:
            info(event.waiting)
            return
        count = plural(event.entries, "entry", "entries")
        if event.first:
            what = "Wrote" if event.wrote else "Up to date:"
            out_line(f"{what} {output} ({count}); watching {aux} and the catalogue (Ctrl-C stops)")
        elif event.wrote:
            parts = [f"{label} {', '.join(keys)}" for label, keys in
                     (("added", event.added), ("removed", event.removed), ("changed", event.changed)) if keys]
            out_line(f"{time.strftime('%H:%M:%S')} wrote {output} ({count}): "
                     + ("; ".join(parts) or "rewritten to match the catalogue"))
        if event.missing_changed:
            if event.missing:
                _warn_missing(event)
            elif not event.first:
                info("Every cited key is in the catalogue now.")
        if event.wrote and event.report is not None:
            _report_writer(event.report)
        sys.stdout.flush()

    with open_library() as lib:  # (closed while watching: each poll opens the catalogue)
        state = BibWatch(lib, aux, output, style, minimal=minimal, keywords=keywords, force=force,
                         preamble=preamble)
    try:
        watch(state, show, interval=interval)
    except KeyboardInterrupt:
        info(f"Stopped watching {aux}; {output} is complete.")
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None


@export_app.command("markdown")
def export_markdown(
    keys: SomeKeysArg = None,
    tag: TagOpt = None,
    type_: TypeOpt = None,
    year: YearOpt = None,
    query: QueryOpt = None,
    group_by: Annotated[str, typer.Option(
        "--group-by", "-g", help="section (the reading list's headings), tag, year, type or none.",
        autocompletion=complete_choices(*GROUPINGS))] = "section",
    title: Annotated[str, typer.Option("--title", help="The document's heading.")] = "Reading list",
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write a Markdown reading list: linked titles, authors, year, venue, tags and your notes.

    Under each entry a hidden `<!-- papershelf {…} -->` comment holds its key, type, people,
    year and identifiers: `papershelf import markdown` of the file gives the same entries back.

    Examples:

      papershelf export markdown -o reading-list.md
      papershelf export markdown --tag diffusion --group-by year
    """
    from papershelf.services import export

    export.check_grouping(group_by)
    with open_library() as lib:  # without keys or a query: the reading list's own order
        _check(output, force, lib.path)
        selection = export.select(lib, keys or [], build_filters(tag, type_, year), query, order="added")
    _write(export.markdown(selection.entries, group_by, title), output, len(selection.entries), "markdown",
           force=force, catalogue=lib.path)


@export_app.command("csl-json")
def export_csljson(
    keys: SomeKeysArg = None,
    tag: TagOpt = None,
    type_: TypeOpt = None,
    year: YearOpt = None,
    query: QueryOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write CSL-JSON, for pandoc --citeproc and Zotero.

    Examples:

      papershelf export csl-json -o refs.json
      papershelf export csl-json --tag diffusion | jq length
    """
    from papershelf.services import export

    with open_library() as lib:  # streamed: entries are loaded and written a chunk at a time
        _check(output, force, lib.path)
        selection = export.select_ids(lib, keys or [], build_filters(tag, type_, year), query)
        _write(export.csljson_chunks(lib, selection.ids), output, len(selection.ids), "csl-json",
               force=force, catalogue=lib.path)


def cite(
    keys: KeysArg,
    style: Annotated[str | None, typer.Option(
        "--style", help="bibtex or biblatex (default: the export.style setting, else bibtex).",
        autocompletion=complete_choices(*STYLES), show_default=False)] = None,
    minimal: Annotated[bool, typer.Option(
        "--minimal/--full", help="Only the fields a bibliography prints (default), or also "
                                 "abstract, keywords and notes.")] = True,
    no_preamble: Annotated[bool, typer.Option(
        "--no-preamble", help="Leave out the @preamble blocks of the files the entries came from.")] = False,
) -> None:
    """Print the BibTeX of some entries, ready to paste into a .bib file, with the entries they
    need (crossref and xdata parents, a set's members) and the @string definitions they use.

    Examples:

      papershelf cite ho2020denoising hu2022lora
      papershelf cite hu2022lora --style biblatex | pbcopy
      papershelf cite ho2020denoising hu2022lora --no-preamble
    """
    from papershelf.services import export

    with open_library() as lib:
        text, report = export.cite(lib, keys, style, minimal=minimal, preamble=not no_preamble)
    sys.stdout.write(text)
    _report_writer(report)
