"""The one error boundary: every command runs inside ``PapershelfGroup.invoke``.

A ``PapershelfError`` becomes ``error: <message>`` (and its hint) on stderr and its exit code;
Ctrl-C exits 130; anything else is a bug: one line, and the traceback with --debug.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from papershelf.cli._context import State, env_debug
from papershelf.cli._output import report_error
from papershelf.errors import ExitCode, PapershelfError


class PapershelfGroup(TyperGroup):
    """The root command group: every command runs inside this one error boundary."""

    def invoke(self, ctx: Any) -> Any:  # typer's Context: the one Typer passes
        try:
            return super().invoke(ctx)
        except PapershelfError as exc:
            if isinstance(ctx.obj, State) and ctx.obj.debug:
                raise
            report_error(exc.message, exc.hint)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            report_error("interrupted; nothing half-written was kept")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except (typer.Exit, typer.Abort, TyperException):  # Typer's own usage errors and exits
            raise
        except Exception as exc:  # a bug: one line, unless --debug
            if (isinstance(ctx.obj, State) and ctx.obj.debug) or env_debug():
                raise
            from papershelf.services.maintenance import storage_error

            known = storage_error(exc, ctx.obj.db.path) if isinstance(ctx.obj, State) else None
            if known is not None:  # the catalogue file failed (locked, full, damaged): not a bug
                report_error(known.message, known.hint)
                raise typer.Exit(int(known.exit_code)) from None
            report_error(f"unexpected {type(exc).__name__}: {exc}",
                         "this is a bug in papershelf; run again with --debug for the traceback")
            raise typer.Exit(int(ExitCode.ERROR)) from None
