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

from papershelf.cli._library import open_library
from papershelf.cli._output import finish, info, print_json, warn
from papershelf.cli._params import JsonOpt
from papershelf.errors import PapershelfError


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
    from papershelf.services.import_markdown import arxiv_fetcher, import_markdown, read_list

    text = read_list(path, sys.stdin.buffer.read)
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


@import_app.command("zotero")
def zotero(
    path: Annotated[Path | None, typer.Argument(
        help="A Zotero data directory or its zotero.sqlite (default: ~/Zotero, or the data "
             "directory Zotero's profile names).", show_default=False)] = None,
    library: Annotated[str | None, typer.Option(
        "--library", help="A group library, by name or id (default: the user's library).")] = None,
    list_libraries: Annotated[bool, typer.Option("--list-libraries", help="List the libraries and stop.")] = False,
    include_trash: Annotated[bool, typer.Option("--include-trash", help="Import items in Zotero's trash too.")] = False,
    no_files: Annotated[bool, typer.Option("--no-files", help="Attach no files (stored or linked).")] = False,
    base_dir: Annotated[Path | None, typer.Option(
        "--base-dir", help="Zotero's base directory for linked files (default: the profile's setting).",
        show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="Report, change nothing.")] = False,
    autotag: AutotagOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every notice and every missing file.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import a Zotero library, its citation keys intact, even while Zotero runs.

    The database is copied (with its write-ahead log) and the copy is read: Zotero's own files
    are never written or locked. Keys: Zotero's citationKey field, else Better BibTeX's
    database, else a `Citation Key:` line in Extra, else papershelf's pattern. Collections
    become tags (`thesis/chapter-2`), notes become notes. Stored and linked PDFs found on disk
    are attached (stored ones copied, linked ones linked; a linked file under Zotero's base
    directory is looked for in --base-dir, else where Zotero's settings say); missing files and
    files that are not PDFs are reported. Importing again adds new items, updates changed ones
    except the fields you edited here, adds tags new in Zotero and removes those it dropped (never
    one you added), and reports items gone from Zotero (with the `papershelf remove` that would
    take them out); an entry you removed here is not brought back.

    Examples:

      papershelf import zotero
      papershelf import zotero ~/Zotero --dry-run
      papershelf import zotero ~/Zotero/zotero.sqlite --library "Lab group"
      papershelf import zotero --list-libraries
      papershelf import zotero ~/Zotero --base-dir ~/Papers --verbose
      papershelf import zotero ~/Zotero --no-files --json
    """
    from papershelf.services.import_zotero import import_zotero
    from papershelf.services.import_zotero import list_libraries as libraries

    if list_libraries:
        db, libs = libraries(path)
        if as_json:
            print_json({"database": str(db), "libraries": libs})
        else:
            sys.stdout.write("".join(f"{lb['id']}\t{lb['kind']}\t{lb['name']}\n" for lb in libs))
        return
    with open_library() as lib:
        report = import_zotero(lib, path, library=library, include_trash=include_trash, dry_run=dry_run,
                               autotag=_autotag(autotag), files=not no_files, base_dir=base_dir)
    info(f"Zotero database {report.database} (userdata {report.userdata}), library {report.library}")
    _render_notices(report.imported.notices(), verbose=verbose)
    would = "would be " if dry_run else ""

    lines = ((report.refreshed, "fields", info, f"{would}updated from Zotero"),
             (report.kept, "fields", warn, "changed in Zotero in fields edited here, those kept as catalogued"),
             (report.tags_added, "tags", info, f"{would}given tags new in Zotero"),
             (report.tags_removed, "tags", info, f"{would}rid of tags Zotero no longer gives"))
    for rows, part, say, what in lines:
        if rows:
            say(f"{len(rows)} {what}: " + ", ".join(f"{r['key']} ({', '.join(r[part])})" for r in rows[:10])
                + (" …" if len(rows) > 10 else ""))
    for c in report.conflicts:
        warn(f"{c['key']}: not updated from Zotero: {c['why']}")
    if report.removed_here:
        info(f"{len(report.removed_here)} still in Zotero but removed here, not imported again: "
             + "; ".join(f"{r['key']}: {r['why']}" for r in report.removed_here[:10])
             + (" …" if len(report.removed_here) > 10 else ""))
    if report.gone:
        warn(f"{len(report.gone)} no longer in Zotero, kept here; to remove them: {report.remove_command}")
    for rows, what in ((report.files_missing, "attached file(s) missing"),
                       (report.files_skipped, "file(s) not attached")):
        if rows:
            warn(f"{len(rows)} {what}" + (": " + "; ".join(f"{m['key']}: {m['file']} ({m['why']})" for m in rows)
                                          if verbose else " (--verbose lists them)"))
    if as_json:
        print_json(report.to_dict())
    verb = "Would import" if dry_run else "Imported"
    added = len(report.imported.added)
    files = ("files not looked at (--no-files)" if no_files else
             f"{len(report.files_attached)} file(s) {'to attach' if dry_run else 'attached'}, "
             f"{report.files_known} attached before, {len(report.files_skipped)} not attached, "
             f"{len(report.files_missing)} missing")
    info(f"{verb} {added} entr{'y' if added == 1 else 'ies'} of {report.items} Zotero item(s) "
         f"({report.keys_kept} keys kept; {len(report.unchanged)} already imported, unchanged); {files}; "
         f"{report.changes} change(s)"
         + ("" if dry_run or report.imported.operation is None else "; `papershelf undo` takes the new entries back"))


def _records(kind: str, file: Path, dry_run: bool, autotag: bool | None, verbose: bool, as_json: bool) -> None:
    from papershelf.services.import_records import import_records

    with open_library() as lib:
        report = import_records(lib, file, kind, dry_run=dry_run, autotag=_autotag(autotag))  # type: ignore[arg-type]
    _render_notices(report.notices(), verbose=verbose)
    if as_json:
        print_json(report.to_dict())
    verb = "Would import" if dry_run else "Imported"
    info(f"{verb} {len(report.added)} entr{'y' if len(report.added) == 1 else 'ies'} from {file}; "
         f"{len(report.duplicates)} already in the catalogue"
         + ("" if dry_run or report.operation is None else "; `papershelf undo` takes it back"))



def _records_command(kind: str, doc: str) -> None:
    """Register ``import KIND FILE``: the same options for every record format."""

    def command(
        file: Annotated[Path, typer.Argument(help="The file to read.", show_default=False)],
        dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="Report, change nothing.")] = False,
        autotag: AutotagOpt = None,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every notice.")] = False,
        as_json: JsonOpt = False,
    ) -> None:
        _records(kind, file, dry_run, autotag, verbose, as_json)

    command.__doc__ = doc
    import_app.command(kind)(command)


_records_command("csl-json", """Import CSL-JSON (from Zotero, Mendeley, pandoc): the record's
    citation-key (else its id) is its key.

    Examples:

      papershelf import csl-json My-Library.json
      papershelf import csl-json refs.json --dry-run --json
    """)
_records_command("ris", """Import RIS (from Mendeley, EndNote, Web of Science, Scopus): ID, when present,
    is the key.

    Examples:

      papershelf import ris savedrecs.ris
      papershelf import ris export.ris --dry-run --json
    """)
