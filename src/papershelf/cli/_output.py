"""Output for people and scripts: the stdout/stderr consoles, notices, warnings, JSON, errors.

Kept light: Rich's Console is imported on first use, renderables only where they are drawn.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import typer

from papershelf.cli._context import state
from papershelf.errors import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

_consoles: dict[bool, Console] = {}


def console(stderr: bool = False) -> Console:
    """Rich console on stdout (results) or stderr (everything meant for people only)."""
    current = sys.stderr if stderr else sys.stdout
    cached = _consoles.get(stderr)
    if cached is None or cached.file is not current:  # CliRunner swaps the streams per test
        from rich.console import Console

        cached = Console(file=current, stderr=stderr, highlight=False)
        _consoles[stderr] = cached
    return cached


def info(message: str) -> None:
    """A notice for people, on stderr (unless --quiet)."""
    if not state().quiet:
        console(stderr=True).print(message)


def warn(message: str) -> None:
    console(stderr=True).print(f"[yellow]warning:[/] {message}")


def print_json(data: Any) -> None:
    """JSON on stdout: the only thing a --json run prints there."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def out_line(line: str) -> None:
    """A result line on stdout: plain text, never wrapped (scripts read it)."""
    sys.stdout.write(line + "\n")


def report_error(message: str, hint: str | None = None) -> None:
    err = console(stderr=True)
    err.print(f"[bold red]error:[/] {message}", markup=True, highlight=False, soft_wrap=True)
    if hint:
        err.print(f"[dim]hint:[/] {hint}", soft_wrap=True)


def fail(message: str, *, hint: str | None = None, code: ExitCode = ExitCode.ERROR) -> typer.Exit:
    """Report and return an Exit to raise: ``raise fail("...")``."""
    report_error(message, hint)
    return typer.Exit(int(code))
