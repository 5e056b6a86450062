"""A shared library in git: ``share init``, ``share sync``, ``share status``, ``share merge-driver``.

    papershelf share init ~/lab-library           (a git repository: new, or a teammate's clone)
    papershelf share sync                          (write, commit, pull, read back, push)
    papershelf share status --json
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from papershelf.cli._library import open_library
from papershelf.cli._output import info, plural, print_json
from papershelf.cli._params import JsonOpt

if TYPE_CHECKING:
    from papershelf.services.share import SyncReport

share_app = typer.Typer(
    name="share", no_args_is_help=True,
    help="Share the catalogue through a git repository: one text file per entry, merged by git "
         "field by field, read back after every pull.\n\nExamples:\n\n"
         "  papershelf share init ~/lab-library    (a git init or git clone first)\n"
         "  papershelf share sync\n"
         "  papershelf share status")

DirArg = Annotated[Path, typer.Argument(help="The top folder of a git work tree (git init or git clone first).",
                                        file_okay=False)]
DirOpt = Annotated[Path | None, typer.Option(
    "--dir", help="The share's folder (default: the one `share init` recorded in the catalogue).", file_okay=False)]


def _escape(text: str) -> str:
    if "[" not in text:
        return text
    from rich.markup import escape

    return escape(text)


def _show(report: SyncReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_dict())
    else:
        done = [f"{plural(report.written, 'entry file')} written", f"{report.deleted} removed"]
        if report.added or report.updated or report.removed:
            done.append(f"from the share: {len(report.added)} added, {len(report.updated)} updated, "
                        f"{len(report.removed)} removed")
        done.append("committed" if report.committed else "nothing to commit")
        if report.pushed:
            done.append("pushed")
        info(_escape(f"{report.folder}: " + "; ".join(done)))
        for f in report.findings:
            sys.stderr.write(f"{f.kind}: {f.message}\n  fix: {f.fix}\n")
    from papershelf.cli._output import finish

    finish(report)


@share_app.command("init")
def init(
    folder: DirArg,
    with_files: Annotated[bool, typer.Option(
        "--with-files", help="Copy attached PDFs into the repository too (files/SHA256.pdf); "
                             "without it only their names and hashes are shared (use git-lfs for the PDFs).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Make a git repository the catalogue's share: entry files written, merge driver registered.

    Run it in each clone: in a teammate's fresh clone it first imports every entry file, so the
    catalogue holds the share. Then `share sync` keeps both in step.

    Examples:

      git init ~/lab-library && papershelf share init ~/lab-library

      git clone /srv/git/lab.git lab && papershelf share init lab --with-files
    """
    from papershelf.services.share import init as share_init

    with open_library() as lib:
        _show(share_init(lib, folder, with_files=with_files), as_json)


@share_app.command("sync")
def sync(folder: DirOpt = None, as_json: JsonOpt = False) -> None:
    """Write the entries changed since the last sync, commit, pull, read back what came in, push.

    What the pull brought is checked by the identity rule: one key for two works, or one work
    under two keys, is reported with the command that fixes it. A field edited in two clones
    keeps both values (`show` lists the other one as conflict-FIELD; `edit` resolves it).
    A file left in a text conflict (merged where the driver did not run) stops the sync (exit 6).

    Examples:

      papershelf share sync

      papershelf share sync --json
    """
    from papershelf.services.share import sync as share_sync

    with open_library() as lib:
        _show(share_sync(lib, folder), as_json)


@share_app.command("status")
def status(
    folder: DirOpt = None,
    offline: Annotated[bool, typer.Option(
        "--offline", help="Do not fetch first: ahead/behind as last fetched.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Say what is ahead, behind, in conflict, and changed here since the last sync.

    Examples:

      papershelf share status

      papershelf share status --offline --json
    """
    from papershelf.services.share import status as share_status

    with open_library() as lib:
        report = share_status(lib, folder, fetch=not offline)
    if as_json:
        print_json(report.to_dict())
        return
    lines = [f"share: {report.folder} ({report.branch or 'no branch'}"
             + (f", tracking {report.upstream})" if report.upstream else ", no upstream yet)")]
    if report.ahead is not None:
        lines.append(f"ahead: {report.ahead} commit(s), behind: {report.behind}")
    lines.append("unsynced: " + ("every entry (first sync)" if report.unsynced is None
                                 else plural(report.unsynced, "entry", "entries") + " changed here"))
    if report.uncommitted:
        lines.append(f"uncommitted entry files: {len(report.uncommitted)}")
    for path in report.in_conflict:
        lines.append(f"in conflict: {path}")
    for key, names in report.fields_in_conflict:
        lines.append(f"both values kept: {key} ({', '.join(names)}): papershelf edit {key}")
    sys.stdout.write("\n".join(lines) + "\n")


@share_app.command("merge-driver")
def merge_driver(
    base: Annotated[Path, typer.Argument(help="%O: the common ancestor's version.")],
    ours: Annotated[Path, typer.Argument(help="%A: ours; the merged text is written here.")],
    theirs: Annotated[Path, typer.Argument(help="%B: theirs.")],
    name: Annotated[str, typer.Argument(help="%P: the file's path in the repository.")] = "entry file",
) -> None:
    """The merge driver git runs for entry files (`share init` registers it): a three-way merge
    per field; a field changed both ways keeps both values. Exit 0 when merged; 1 leaves the
    file to git's own conflict (a version that is no entry file).

    Examples:

      papershelf share merge-driver base.entry ours.entry theirs.entry entries/x.entry
    """
    from papershelf.services.share import merge_files

    both = merge_files(base, ours, theirs, name)
    if both:
        sys.stderr.write(f"papershelf: {name}: both values kept of {', '.join(both)}\n")
