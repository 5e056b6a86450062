"""The catalogue itself: ``init``, ``stats``, ``env``, ``db path|info|backup``.

    papershelf init                     the default catalogue, with the bundled reading list
    papershelf init --db thesis.db --empty
    papershelf stats
    papershelf db backup
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from papershelf.cli._context import open_library, state
from papershelf.cli._output import console, info, print_json
from papershelf.cli._params import JsonOpt
from papershelf.errors import PapershelfError

db_app = typer.Typer(help="The catalogue file: where it is, what it holds, backups.",
                     no_args_is_help=True)


def init(
    empty: Annotated[bool, typer.Option("--empty", help="Start with no entries.")] = False,
) -> None:
    """Create a catalogue (at --db, or the default) with the bundled reading list."""
    from papershelf.services.bundled import load_bundled

    where = state().db
    if where.path.exists():
        raise PapershelfError(f"a catalogue already exists at {where.path}",
                              hint="use it as it is, or pick another path with --db")
    with open_library(create=True, seed=False) as lib:
        n = 0 if empty else load_bundled(lib)
    info(f"Created {where.path}" + (" (empty)." if empty else f" with {n} entries from the bundled reading list."))


def stats(as_json: JsonOpt = False) -> None:
    """Count entries by type, tag and year, as small bar charts."""
    with open_library() as lib:
        result = lib.stats()
    if as_json:
        print_json(result.to_dict())
        return
    from rich.columns import Columns

    from papershelf.cli.render import bar_chart

    out = console()
    out.print(f"[bold]{result.total}[/] entries" +
              (f", {result.needs_sync} waiting for `papershelf sync`" if result.needs_sync else ""))
    out.print(Columns([
        bar_chart("by type", result.by_type, width=16),
        bar_chart("by year", [(str(y) if y else "?", n) for y, n in result.by_year], width=16),
    ], padding=(1, 4)))
    if result.by_tag:
        out.print(bar_chart("by tag", result.by_tag, width=24))


def env(as_json: JsonOpt = False) -> None:
    """Show the paths papershelf uses and the environment variables it reads."""
    import os

    from papershelf.paths import ENV_VARS, config_dir, data_dir

    where = state().db
    data = {
        "db": str(where.path),
        "db_source": "--db/PAPERSHELF_DB" if where.explicit else "default",
        "data_dir": str(data_dir()),
        "config_dir": str(config_dir()),
        "variables": {v.name: os.environ.get(v.name) for v in ENV_VARS},
    }
    if as_json:
        print_json(data)
        return
    out = console()
    for label in ("db", "db_source", "data_dir", "config_dir"):
        out.print(f"[bold]{label}[/]: {data[label]}")
    for var in ENV_VARS:
        value = os.environ.get(var.name)
        out.print(f"[bold]{var.name}[/]={value if value is not None else '[dim](unset)[/]'}  [dim]{var.meaning}[/]")


@db_app.command("path")
def db_path() -> None:
    """Print the catalogue's path."""
    print(state().db.path)


@db_app.command("info")
def db_info(as_json: JsonOpt = False) -> None:
    """Show the catalogue's path, size, schema version and entry count."""
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
    """Write a consistent copy of the catalogue (SQLite VACUUM INTO)."""
    with open_library() as lib:
        target = lib.backup(to)
    info(f"Backed up to {target}")
    print(target)
