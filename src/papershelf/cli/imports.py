"""Bringing entries in: ``import bibtex`` and ``import markdown``.

    papershelf import bibtex old.bib --update              duplicates merged instead of reported
    papershelf import bibtex refs.bib --verbose            every notice, and each probable duplicate's diff
    papershelf import markdown my-list.md                  arXiv metadata if arXiv answers, else placeholders
    papershelf import markdown my-list.md --offline        placeholders only; `papershelf sync` completes them
    papershelf import markdown my-list.md --dry-run --json

Every entry enters through the one door (``services.library``): duplicates of catalogued works
are reported, not added twice. For a reading list: arXiv papers, PMLR/proceedings papers, books
(O'Reilly and publisher links, ISBN from the URL) become entries; the headings and parent
bullets above an item are its section, the bullets nested under it its notes (verbatim) and
links. Other web pages become `online` entries. What could not be read is listed on stderr
(and under "problems" in --json).
Exit codes of ``import markdown``: 0 done (problems listed), 3 no such file, 4 --online and
arXiv could not be reached (the placeholders are stored).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from papershelf.cli._context import open_library
from papershelf.cli._output import finish, info, print_json, warn
from papershelf.cli._params import JsonOpt
from papershelf.errors import NotFoundError, PapershelfError


def _autotag(option: bool | None) -> bool:
    """--autotag/--no-autotag, else PAPERSHELF_AUTOTAG, else the config file, else true."""
    from papershelf import config

    return bool(config.value("import.autotag", option))


AutotagOpt = Annotated[bool | None, typer.Option(
    "--autotag/--no-autotag", show_default=False,
    help="Give the new entries the tags the topic rules earn them (default: the import.autotag "
         "setting, true unless PAPERSHELF_AUTOTAG=0 or the config file says false).")]

import_app = typer.Typer(
    name="import", no_args_is_help=True,
    help="Bring entries in from files; duplicates are reported, not added twice.\n\nExamples:\n\n"
         "  papershelf import bibtex old.bib more.bib\n"
         "  papershelf import markdown my-list.md --dry-run")


@import_app.command("bibtex")
def import_bibtex(
    files: Annotated[list[Path], typer.Argument(
        help=".bib files, read as one bibliography in the order given (as \\bibliography{a,b,c}).",
        show_default=False, dir_okay=False)],
    update: Annotated[bool, typer.Option(
        "--update", help="Merge duplicates: the file's fields overwrite the stored ones "
                         "(key, notes, section and tags stay; the file's tags are added).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="Report, change nothing.")] = False,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="Read the files in this encoding (default: UTF-8, UTF-16 with a BOM, "
                           "or what a JabRef '% Encoding:' header says).")] = None,
    autotag: AutotagOpt = None,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="List every notice, and each probable duplicate's field diff "
                                "(default: what changes what a bibliography prints, then counts per kind).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import BibTeX/biblatex files. Exit 5 if a file could not be read (the rest is imported);
    exit 2 if a file is over the size limit (then nothing is imported).

    Every field is kept as written, in its form (braces, quotes, macros), with its file's
    @preamble and the @string definitions it uses, so `papershelf export bibtex` gives the
    entries back unchanged. The files are one bibliography: a macro an earlier file defines
    applies in later ones, a crossref parent may be in any of them. Two keys are two entries;
    a record is merged into a catalogued one only on certain evidence (same DOI or arXiv id)
    when it prints the same (--update: always, the file's fields win). The report says
    first what changes what a bibliography prints (merges, renamed keys, probable
    duplicates, undefined macros, dangling crossrefs, skipped entries), then counts per kind.
    `papershelf undo` takes the import back.

    Examples:

      papershelf import bibtex abbrv.bib literatur.bib crossref.bib
      papershelf import bibtex old.bib --update
      papershelf import bibtex *.bib --dry-run --json
      papershelf import bibtex refs.bib --verbose
    """
    from papershelf.cli.progress import stage_bar
    from papershelf.services.import_bibtex import import_files

    with open_library() as lib, stage_bar("import") as progress:
        report = import_files(lib, files, update=update, dry_run=dry_run, encoding=encoding,
                              autotag=_autotag(autotag), progress=progress)
    for refused in report.refused:
        warn(refused["error"])
    _render_notices(report.notices(), verbose=verbose)
    if report.duplicates and not update:
        info(f"{len(report.duplicates)} already in the catalogue, not added (--update merges them): "
             + ", ".join(f"{k}={e}" for k, e, _ in report.duplicates[:10])
             + (" …" if len(report.duplicates) > 10 else ""))
    if as_json:
        print_json(report.to_dict())
    verb = "Would import" if dry_run else "Imported"
    info(f"{verb} {len(report.added)} entr{'y' if len(report.added) == 1 else 'ies'} from "
         f"{report.files} file(s)"
         + (f"; {'would update' if dry_run else 'updated'} {len(report.updated)}" if update else "")
         + ("" if dry_run or report.operation is None else "; `papershelf undo` takes it back"))
    finish(report)


MAX_READING_LIST_BYTES = 64 * 1024 * 1024  # a reading list of 100,000 links is about 10 MB


EXAMPLES = 3  # notices shown of each kind that does not change what a bibliography prints


def _render_notices(notices: list[dict], *, verbose: bool) -> None:
    """What changes what a bibliography prints, each on its own line, first; then the rest
    summarised per kind (a count and a few examples) unless ``verbose``."""
    from papershelf.services.import_bibtex import OUTPUT_CHANGING

    first = [n for n in notices if n["kind"] in OUTPUT_CHANGING]
    rest = [n for n in notices if n["kind"] not in OUTPUT_CHANGING]
    if first:
        warn(f"{len(first)} notice{'s' if len(first) != 1 else ''} of what changes what a bibliography prints:")
        for n in first:
            warn(f"  {n['kind']}: {n['message']}")
            if verbose:
                for d in n.get("diff", []):
                    warn(f"      {d['field']}: {d['this'] if d['this'] is not None else '(none)'}"
                         f"  |  {n.get('existing', '')}: {d['other'] if d['other'] is not None else '(none)'}")
    if not rest:
        return
    if verbose:
        for n in rest:
            warn(f"  {n['kind']}: {n['message']}")
        return
    kinds: dict[str, list[dict]] = {}
    for n in rest:
        kinds.setdefault(n["kind"], []).append(n)
    warn(f"{len(rest)} other notice{'s' if len(rest) != 1 else ''} (--verbose lists them all):")
    for kind, group in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        warn(f"  {kind}: {len(group)}, e.g. " + "; ".join(n["message"] for n in group[:EXAMPLES])
             + (" …" if len(group) > EXAMPLES else ""))


def _read_text(path: str) -> str:
    from papershelf.files import read_input, read_stream

    if path == "-":
        raw = read_stream(sys.stdin.buffer.read, MAX_READING_LIST_BYTES)
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PapershelfError("standard input is not UTF-8 text",
                                  hint="save the list as UTF-8 and try again") from None
    file = Path(path).expanduser()
    if not file.exists() and not file.is_symlink():
        raise NotFoundError(f"no reading list at {file}")
    try:  # a regular file of bounded size: never /dev/zero, a FIFO
        return read_input(file, MAX_READING_LIST_BYTES, "a reading list").decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PapershelfError(f"{file} is not UTF-8 text", hint="save the list as UTF-8 and try again") from None


@import_app.command("markdown")
def markdown(
    path: Annotated[str, typer.Argument(help="The Markdown reading list ('-' reads stdin).", show_default=False)],
    online: Annotated[bool | None, typer.Option(
        "--online/--offline",
        help="Fetch arXiv metadata now (--online), or only add placeholders for `papershelf sync` "
             "(--offline). Default: try arXiv, fall back to placeholders.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="Show what would be added; change nothing.")] = False,
    autotag: AutotagOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a Markdown reading list: papers, books and links, with sections and notes.

    A list papershelf exported comes back with its keys, people, years, types and identifiers.

    Examples:

      papershelf import markdown my-list.md
      papershelf import markdown my-list.md --offline
      papershelf import markdown - < list.md
    """
    from papershelf.services.import_markdown import arxiv_fetcher, import_markdown

    text = _read_text(path)
    fetch = None if online is False else arxiv_fetcher(
        auto=online is None, on_start=lambda n: info(f"Asking arXiv about {n} papers…"))
    if online and fetch is None:
        raise PapershelfError("--online needs the arXiv client, which is not installed")
    with open_library() as lib:
        report = import_markdown(lib, text, fetch=fetch, dry_run=dry_run, autotag=_autotag(autotag),
                                 online=bool(online))
    if as_json:
        print_json(report.to_dict())
    else:
        verb = "would add" if dry_run else "added"
        sys.stdout.write("".join(
            f"{verb}\t{e.citekey or '-'}\t{e.type}\t{e.section or ''}\t{e.title}"
            f"{' (needs sync)' if e.needs_sync else ''}\n" for e in report.added))
    for p in report.problems:
        warn(f"line {p.line}: {p.reason}: {p.text}")
    if report.network_error:
        warn(f"arXiv could not be asked ({report.network_error}); the papers were added as "
             "placeholders: `papershelf sync` completes them")
    info(f"{len(report.added)} {'to add' if dry_run else 'added'} ({report.placeholders} arXiv "
         f"placeholders, {report.fetched} with arXiv metadata), {len(report.existing)} already in the "
         f"catalogue, {len(report.problems)} not understood (listed above)")
    finish(report)
