"""What every command shares: the global state, the consoles, opening the catalogue, the error
boundary, parameter aliases and completion callbacks.

Kept light: no Rich renderables, no arxiv/requests/bibtexparser (they load in the commands
that need them).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from papershelf.errors import ExitCode, PapershelfError
from papershelf.paths import DbLocation, resolve_db

if TYPE_CHECKING:
    from rich.console import Console

    from papershelf.storage.catalogue import Catalogue


@dataclass
class State:
    db: DbLocation
    debug: bool = False
    quiet: bool = False


_current: State | None = None


def set_state(new: State) -> State:
    """Called by the root callback on every invocation (so each CliRunner run starts afresh)."""
    global _current
    _current = new
    return new


def state() -> State:
    global _current
    if _current is None:
        _current = State(resolve_db(None), debug=_env_debug())
    return _current


def _env_debug() -> bool:
    return os.environ.get("PAPERSHELF_DEBUG", "") not in ("", "0", "false", "no")


# --- output ----------------------------------------------------------------------------------

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


# --- the catalogue ---------------------------------------------------------------------------

@contextmanager
def open_catalogue(*, create: bool = False, seed: bool = True) -> Iterator[Catalogue]:
    """Open the catalogue the user chose.

    The default catalogue is created (and filled with the bundled reading list) on first use;
    one named with --db/PAPERSHELF_DB must exist unless the command creates (``create``).
    """
    from papershelf.storage.catalogue import Catalogue

    where = state().db
    may_create = create or not where.explicit
    cat, created = Catalogue.open(where.path, create=may_create)
    try:
        if created and seed and not where.explicit:
            from papershelf.services.bundled import load_bundled

            n = load_bundled(cat)
            info(f"Created your catalogue at {where.path} with the {n} items of the bundled "
                 "reading list (papershelf init --empty starts blank).")
        yield cat
    finally:
        cat.close()


# --- the error boundary ----------------------------------------------------------------------

class PapershelfGroup(TyperGroup):
    """The root command group: every command runs inside this one error boundary."""

    def invoke(self, ctx: typer.Context) -> Any:
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
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # a bug: one line, unless --debug
            from typer._click.exceptions import ClickException

            if isinstance(exc, ClickException):
                raise
            if (isinstance(ctx.obj, State) and ctx.obj.debug) or _env_debug():
                raise
            report_error(f"unexpected {type(exc).__name__}: {exc}",
                         "this is a bug in papershelf; run again with --debug for the traceback")
            raise typer.Exit(int(ExitCode.ERROR)) from None


def report_error(message: str, hint: str | None = None) -> None:
    err = console(stderr=True)
    err.print(f"[bold red]error:[/] {message}", markup=True, highlight=False, soft_wrap=True)
    if hint:
        err.print(f"[dim]hint:[/] {hint}", soft_wrap=True)


def fail(message: str, *, hint: str | None = None, code: ExitCode = ExitCode.ERROR) -> typer.Exit:
    """Report and return an Exit to raise: ``raise fail("...")``."""
    report_error(message, hint)
    return typer.Exit(int(code))


# --- completion ------------------------------------------------------------------------------

def _complete_from_catalogue(ctx: typer.Context, fetch) -> list[str]:
    """Run a catalogue query for shell completion; never raise, never create a file."""
    try:
        from papershelf.storage.catalogue import Catalogue

        where = resolve_db(ctx.find_root().params.get("db"))
        if not where.path.exists():
            return []
        cat, _ = Catalogue.open(where.path, create=False)
        try:
            return fetch(cat)
        finally:
            cat.close()
    except Exception:
        return []


def complete_citekey(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete_from_catalogue(ctx, lambda cat: cat.citekeys(incomplete))


def complete_tag(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete_from_catalogue(
        ctx, lambda cat: [name for name, _, _ in cat.tags() if name.startswith(incomplete.lower())])


# --- parameter aliases -----------------------------------------------------------------------

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (stable keys, see README) instead of a table.")]
KeyArg = Annotated[str, typer.Argument(help="Citation key, arXiv id or URL, or DOI.",
                                       autocompletion=complete_citekey, show_default=False)]
KeysArg = Annotated[list[str], typer.Argument(help="Citation keys (or arXiv ids, DOIs).",
                                              autocompletion=complete_citekey, show_default=False)]
SomeKeysArg = Annotated[list[str] | None, typer.Argument(
    help="Citation keys (or arXiv ids, DOIs); none means every entry that fits.",
    autocompletion=complete_citekey, show_default=False)]
TagsArg = Annotated[list[str], typer.Argument(help="Tags.", autocompletion=complete_tag,
                                              show_default=False)]
TagOpt = Annotated[list[str] | None, typer.Option(
    "--tag", "-t", help="Only entries with this tag (repeat for all of several).",
    autocompletion=complete_tag)]
TypeOpt = Annotated[list[str] | None, typer.Option(
    "--type", help="Only entries of this type: article, inproceedings, book, misc, online…")]
YearOpt = Annotated[str | None, typer.Option(
    "--year", "-y", help="Only entries of this year or range: 2020, 2020..2023, ..2019, 2021..")]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", min=1, help="Show at most this many.")]


def build_filters(tag: list[str] | None, type_: list[str] | None, year: str | None):
    from papershelf.model.query import Filters, parse_years

    lo, hi = parse_years(year) if year else (None, None)
    return Filters(list(tag or []), [t.lower() for t in type_ or []], lo, hi)
