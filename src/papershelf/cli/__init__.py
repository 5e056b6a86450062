"""The ``papershelf`` command: the command registry and the entry point.

Each command lives in a small module of this package and is listed once in ``COMMANDS``; a run
imports only the module of the command it runs (see ``PapershelfGroup`` in ``_errors``). The
Typer app itself (the root, its global options) is in ``_app``, loaded by ``main`` and by the
names ``app``/``root`` of this package; a TAB is first offered to ``_quick``, which answers
completions of keys, tags and fixed values without loading Typer at all, and so is a bare
``papershelf --help`` (the text Typer prints, kept in ``_help_text``).
"""

from __future__ import annotations

# The command registry (``_commands``, where a command is added), imported by ``_app`` from there.
from papershelf.cli._commands import COMMANDS  # noqa: F401

TYPE_CHECKING = False  # not typing's: a TAB does not import typing (tests/test_startup.py)
if TYPE_CHECKING:
    from typing import Any


def main() -> None:
    """Console-script entry point."""
    import os
    import sys

    if sys.stderr is None:  # started with standard error closed (`2>&-`): notices go nowhere
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (for the whole run)
    if sys.stdout is None:  # standard output closed (`>&-`): no result could be printed
        sys.stderr.write("error: standard output is closed; nothing was done\n")
        sys.exit(1)
    if os.environ.get("_PAPERSHELF_COMPLETE"):
        from papershelf.cli._quick import answer

        answer()  # exits when it could answer; returns when Typer must

    if sys.argv[1:2] in (["search"], ["show"]):
        from papershelf.cli._quick import command

        command()  # exits when it printed what the command prints; returns when Typer must run it
    if sys.argv[1:] in (["--help"], ["-h"]):
        from papershelf.cli._quick import root_help

        root_help()  # exits when it printed what Typer prints; returns when Typer must
    from papershelf.cli._app import app
    from papershelf.cli._errors import run

    run(app)


def __getattr__(name: str) -> Any:
    """``app``, ``root`` and ``RootGroup`` load the Typer app on first use (PEP 562)."""
    if name in ("app", "root", "RootGroup"):
        from papershelf.cli import _app

        return getattr(_app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
