"""``papershelf config``: the effective settings and where each came from.

    papershelf config                 every setting: value, origin (default, file, env), where
                                      (into a pipe: setting, value, origin, tab-separated)
    papershelf config --json          the same for scripts
    papershelf config --path          the config file papershelf reads
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from papershelf.cli._output import console, print_json
from papershelf.cli._params import JsonOpt


def config(
    as_json: JsonOpt = False,
    path: Annotated[bool, typer.Option("--path", help="Print the config file's path and exit.")] = False,
) -> None:
    """Show the effective settings, each with where its value came from.

    Settings live in config.toml in the config dir (PAPERSHELF_CONFIG names another file);
    environment variables win over the file, options over both.

    [bold]Examples[/bold]

      papershelf config

      papershelf config --path

      $EDITOR "$(papershelf config --path)"
    """
    from papershelf import config as settings
    from papershelf.cli._context import check_settings

    if path:  # even when the file is broken: `$EDITOR "$(papershelf config --path)"` mends it
        print(settings.config_path())
        return
    check_settings()
    from papershelf.paths import default_db_path

    values = settings.effective()
    # What "no setting" means for the catalogue: the default file.
    values = [settings.Value(v.name, str(default_db_path()), v.origin) if v.name == "catalogue.path"
              and v.value is None else v for v in values]
    if as_json:
        print_json({"file": str(settings.config_path()),
                    "settings": [{"name": v.name, "value": ("(set)" if v.value else None)
                                  if settings.is_secret(v.name) else v.value,
                                  "origin": v.origin, "where": v.where} for v in values]})
        return
    rows = [(v.name, _shown(v.value, settings.is_secret(v.name)), v.origin + (f" ({v.where})" if v.where else ""))
            for v in values]
    if not sys.stdout.isatty():  # a pipe: setting, value, origin, tab-separated, one line each
        sys.stdout.write("".join("\t".join(row) + "\n" for row in rows))
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    table.add_column("setting", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_column("from", no_wrap=True)
    for name, shown, origin in rows:
        table.add_row(name, escape(shown), escape(origin))
    console().print(table)
    console().print(f"[dim]config file: {escape(str(settings.config_path()))}[/dim]")


def _shown(value: object, secret: bool = False) -> str:
    """A value as the config file would spell it: true/false, CONNECT,READ, (none) for no
    value; an API key only as (set)."""
    from papershelf.cli.plain import printable

    if value is None or value == "":
        return "(none)"
    if secret:
        return "(set)"
    if isinstance(value, tuple):
        return ",".join(f"{v:g}" for v in value)
    return ("true" if value else "false") if isinstance(value, bool) else printable(str(value))


config.checks_settings = True  # type: ignore[attr-defined]  # (see _errors._finish)
