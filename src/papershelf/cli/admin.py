"""The catalogue itself: ``init``, ``stats``, ``env``, ``db path|info|backup|backups|check|restore``.

    papershelf init                     the default catalogue, with the bundled reading list
    papershelf init --db thesis.db --empty
    papershelf stats
    papershelf db backup
    papershelf db check --repair
    papershelf db restore catalogue.20260101T120000Z.before-remove.bak.db
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from papershelf.cli._context import state
from papershelf.cli._library import open_library
from papershelf.cli._output import console, finish, info, out_rows, plural, print_json
from papershelf.cli._params import JsonOpt

db_app = typer.Typer(help="The catalogue file: where it is, what it holds, backups.\n\nExamples:\n\n"
                          "  papershelf db info\n  papershelf db backup\n  papershelf db check --repair",
                     no_args_is_help=True)


def init(
    empty: Annotated[bool, typer.Option("--empty", help="Start with no entries.")] = False,
) -> None:
    """Create a catalogue (at --db, or the default) with the bundled reading list.

    Examples:

      papershelf init
      papershelf init --db thesis.db --empty
    """
    from papershelf.services.bundled import load_bundled
    from papershelf.services.maintenance import prepare_init

    where = state().db
    prepare_init(where.path)  # refuses an existing catalogue; an empty file is taken over
    with open_library(create=True, seed=False) as lib:
        n = 0 if empty else load_bundled(lib.door)
    info(f"Created {where.path}" + (" (empty)." if empty else
                                    f" with {plural(n, 'entry', 'entries')} from the bundled reading list."))


def stats(as_json: JsonOpt = False) -> None:
    """Count entries by type, tag and year, as small bar charts.

    Examples:

      papershelf stats
      papershelf stats --json
    """
    with open_library() as lib:
        result = lib.stats()
    if as_json:
        print_json(result.to_dict())
        return
    from rich.columns import Columns

    from papershelf.cli.render import bar_chart

    out = console()
    out.print(f"[bold]{result.total}[/] {'entry' if result.total == 1 else 'entries'}" +
              (f", {result.needs_sync} waiting for `papershelf sync`" if result.needs_sync else ""))
    out.print(Columns([
        bar_chart("by type", result.by_type, width=16),
        bar_chart("by year", [(str(y) if y else "?", n) for y, n in result.by_year], width=16),
    ], padding=(1, 4)))
    if result.by_tag:
        out.print(bar_chart("by tag", result.by_tag, width=24))


def env(as_json: JsonOpt = False) -> None:
    """Show the paths papershelf uses and the environment variables it reads.

    Examples:

      papershelf env
      papershelf env --json
    """
    import os

    from papershelf.config import env_vars
    from papershelf.paths import config_dir, data_dir, default_db_path

    variables = env_vars()

    where = state().db
    data = {
        "db": str(where.path),
        "db_source": "--db/PAPERSHELF_DB" if where.explicit else
                     "default" if where.path == default_db_path() else "config.toml (catalogue.path)",
        "data_dir": str(data_dir()),
        "config_dir": str(config_dir()),
        "variables": {v.name: os.environ.get(v.name) for v in variables},
    }
    if as_json:
        print_json(data)
        return
    if not sys.stdout.isatty():  # a pipe: `label: value`, then NAME=value<TAB>meaning, unwrapped
        from papershelf.cli.plain import printable

        lines = [f"{label}: {data[label]}" for label in ("db", "db_source", "data_dir", "config_dir")]
        lines += [f"{var.name}={printable(os.environ.get(var.name, '(unset)'))}\t{var.meaning}" for var in variables]
        sys.stdout.write("\n".join(lines) + "\n")
        return
    out = console()
    for label in ("db", "db_source", "data_dir", "config_dir"):
        out.print(f"[bold]{label}[/]: {data[label]}")
    for var in variables:
        value = os.environ.get(var.name)
        out.print(f"[bold]{var.name}[/]={value if value is not None else '[dim](unset)[/]'}  [dim]{var.meaning}[/]")


@db_app.command("path")
def db_path() -> None:
    """Print the catalogue's path.

    Examples:

      papershelf db path
      sqlite3 "$(papershelf db path)" .tables
    """
    print(state().db.path)


@db_app.command("info")
def db_info(as_json: JsonOpt = False) -> None:
    """Show the catalogue's path, size, schema version and entry count.

    Examples:

      papershelf db info
      papershelf --db thesis.db db info --json
    """
    with open_library() as lib:
        data = lib.info()
    if as_json:
        print_json(data)
        return
    out = console()
    for key in ("path", "bytes", "entries", "schema"):
        out.print(f"[bold]{key}[/]: {data[key]}")


@db_app.command("backup")
def db_backup(
    to: Annotated[Path | None, typer.Argument(help="Where to write the copy (default: beside the catalogue).",
                                              show_default=False)] = None,
) -> None:
    """Write a consistent copy of the catalogue (SQLite VACUUM INTO).

    Examples:

      papershelf db backup
      papershelf db backup ~/backups/papers.db
    """
    with open_library() as lib:
        target = lib.backup(to)
    info(f"Backed up to {target}")
    print(target)


@db_app.command("backups")
def db_backups(as_json: JsonOpt = False) -> None:
    """List the backups beside the catalogue, newest first.

    Automatic backups (before remove, merges, sync, repairs, migrations) are pruned to the newest
    PAPERSHELF_BACKUPS (default 10); `db backup` copies are never pruned.

    Examples:

      papershelf db backups
      papershelf db backups --json
    """
    from papershelf.services.maintenance import list_backups

    found = list_backups(state().db.path)
    if as_json:
        print_json([b.to_dict() for b in found])
        return
    if not found:
        info(f"No backups beside {state().db.path}.")
        return
    out_rows([[b.time, b.label, str(b.bytes), str(b.path)] for b in found])  # tabs only into a pipe


@db_app.command("check")
def db_check(
    repair: Annotated[bool, typer.Option(
        "--repair", help="Back up first, then rebuild the search index and delete orphaned rows "
                         "(never an entry), and check again.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check the catalogue: SQLite integrity, the search index, orphaned rows, foreign keys, and
    the attached files (missing, changed, not indexed, stray files in the files folder).

    Exits 0 when the catalogue is clean, 1 when a problem remains.

    Examples:

      papershelf db check
      papershelf db check --repair
    """
    from papershelf.services.maintenance import check

    where = state().db
    if not where.path.exists():
        with open_library():  # the usual refusal (or the default catalogue, made on first use)
            pass
    report = check(where.path, repair=repair)
    if as_json:
        print_json(report.to_dict())
    else:
        _print_check(report)
    finish(report)


def _print_check(report) -> None:  # a maintenance.CheckReport
    if report.repaired is not None:
        for f in report.before:
            info(f"found: [{f.check}] {f.problem}")
        info(f"Backed up to {report.backup}")
        fixed = report.repaired
        info(f"Repaired: search index rebuilt for {plural(fixed.fts_rows, 'entry', 'entries')}"
             + "".join(f"; {n} orphaned rows of {t} deleted" for t, n in fixed.orphans.items())
             + "".join(f"; table {t} (the render cache's) dropped" for t in fixed.dropped)
             + (f"; {plural(fixed.files, 'attached file')} read again" if fixed.files else "")
             + (f"; {plural(fixed.stray_files, 'stray file')} tidied (orphans moved to "
                "<catalogue>.files/orphaned/, interrupted purges finished)" if fixed.stray_files else ""))
    for f in report.findings:
        sample = f" (e.g. {', '.join(map(str, f.sample[:5]))})" if f.sample else ""
        print(f"problem: [{f.check}] {f.problem}{sample}")
    if report.clean:
        print(f"ok: {report.path}: {plural(report.entries or 0, 'entry', 'entries')}, no problems found")


@db_app.command("restore")
def db_restore(
    backup: Annotated[Path, typer.Argument(help="The backup to put back (see `papershelf db backups`).",
                                           show_default=False)],
    as_json: JsonOpt = False,
) -> None:
    """Put a backup in the place of the catalogue; the current one is kept aside, renamed.

    The backup is checked first; refused while another process has the catalogue open.

    Examples:

      papershelf db backups
      papershelf db restore catalogue.20260101T120000Z.before-remove.bak.db
    """
    from papershelf.services.maintenance import restore

    report = restore(state().db.path, backup)
    if as_json:
        print_json(report.to_dict())
    else:
        if report.replaced is not None:
            info(f"The catalogue it replaced is kept at {report.replaced}")
        info(f"Restored {plural(report.check.entries or 0, 'entry', 'entries')} from {backup}")
        print(report.path)
    finish(report.check)
