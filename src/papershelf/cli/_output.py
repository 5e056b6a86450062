"""Output for people and scripts: the stdout/stderr consoles, notices, warnings, JSON, errors.

Kept light: Rich's Console is imported on first use, renderables only where they are drawn,
and Typer only by ``fail``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from papershelf.cli._context import state
from papershelf.errors import ExitCode, PapershelfError

if TYPE_CHECKING:
    import typer
    from rich.console import Console

    from papershelf.services.outcome import Judged

_consoles: dict[bool, Console] = {}


def console(stderr: bool = False) -> Console:
    """Rich console on stdout (results) or stderr (everything meant for people only)."""
    current = sys.stderr if stderr else sys.stdout
    cached = _consoles.get(stderr)
    if cached is None or cached.file is not current:  # CliRunner swaps the streams per test
        from rich.console import Console

        from papershelf import config

        try:
            color = config.value("ui.color")  # auto: Rich decides (a terminal, NO_COLOR unset)
        except config.ConfigError:  # the error about the file itself must still be printable
            color = "auto"
        cached = Console(file=current, stderr=stderr, highlight=False,
                         force_terminal=True if color == "always" else None,
                         no_color=True if color == "never" else None)
        _consoles[stderr] = cached
    return cached


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 entry``, ``2 entries``, ``0 tags``: a count with its noun in the right number."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _plain(message: str) -> bool:
    """Whether a notice can go to stderr as it is: not a terminal (no colour to add, and no
    Rich import for it) and no markup in it (text from the catalogue arrives markup-escaped)."""
    return "[" not in message and not sys.stderr.isatty()


def info(message: str) -> None:
    """A notice for people, on stderr (unless --quiet)."""
    if state().quiet:
        return
    if _plain(message):
        sys.stderr.write(message + "\n")
    else:
        console(stderr=True).print(message)


def warn(message: str) -> None:
    if _plain(message):
        sys.stderr.write(f"warning: {message}\n")
    else:
        console(stderr=True).print(f"[yellow]warning:[/] {message}")


def print_json(data: Any) -> None:
    """JSON on stdout: the only thing a --json run prints there."""
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def write_stream(pieces: Iterable[str]) -> None:
    """Write ``pieces`` to stdout as they come, and close their generator however the writing
    ends. A streamed export's generator holds a cursor on the catalogue: when the reader of a
    pipe goes away (``| head``), the BrokenPipeError's traceback would keep it alive until after
    the catalogue is closed, and its cleanup would then fail on the closed database."""
    try:
        for piece in pieces:
            sys.stdout.write(piece)
        sys.stdout.flush()
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()


def out_line(line: str) -> None:
    """A result line on stdout: plain text, one line into a pipe (scripts read it). On a
    terminal a line wider than it is wrapped between words, and continues under its last
    column (columns are separated by two spaces: ``added  key  arXiv:…  Title``)."""
    if not sys.stdout.isatty():
        sys.stdout.write(line + "\n")
        return
    import shutil

    from papershelf.cli.cells import cell_width, wrap

    width = shutil.get_terminal_size().columns
    if cell_width(line) <= width:
        sys.stdout.write(line + "\n")
        return
    column = line.rfind("  ") + 2
    if column > 1 and cell_width(line[:column]) <= width - 30:  # room left for the last column
        head, indent = line[:column], " " * cell_width(line[:column])
        first, *rest = wrap(line[column:], width - len(indent))
        first = head + first
    else:  # the line as typed up to the last space that fits, the rest indented a little
        cut = max((i for i, ch in enumerate(line) if ch == " " and cell_width(line[:i]) <= width), default=0)
        indent = "    "
        first, rest = (line[:cut].rstrip(), wrap(line[cut:], width - len(indent))) if cut else (line, [])
    sys.stdout.write("\n".join([first, *(indent + piece for piece in rest)]) + "\n")


def out_rows(rows: list[list[str]]) -> None:
    """Result rows on stdout: tab-separated into a pipe (for cut and awk); on a terminal the
    columns aligned, two spaces apart, and the last one wrapped between words under itself
    (``out_line``): a tab's width is the terminal's to choose, so a line of tabs would be cut
    anywhere, inside a word."""
    if not sys.stdout.isatty():
        sys.stdout.write("".join("\t".join(row) + "\n" for row in rows))
        return
    from papershelf.cli.cells import cell_width

    widths = [max(cell_width(row[i]) for row in rows if i < len(row)) for i in range(max(map(len, rows), default=0))]
    for row in rows:
        cells = [cell + " " * (widths[i] - cell_width(cell)) for i, cell in enumerate(row[:-1])]
        out_line("  ".join([*cells, row[-1]]) if row else "")


def report_error(message: str, hint: str | None = None) -> None:
    """The one way an error reaches people: ``error: <message>`` on one line of stderr, then
    ``hint: <what to do>`` if there is one. The text is shown as it is: no Rich markup is read
    in it (``[section]`` stays), and control characters are escaped (``plain.printable``)."""
    from papershelf.cli.plain import printable

    message, hint = printable(" ".join(message.splitlines())), hint and printable(" ".join(hint.splitlines()))
    if not sys.stderr.isatty():
        sys.stderr.write(f"error: {message}\n" + (f"hint: {hint}\n" if hint else ""))
        return
    from rich.markup import escape

    err = console(stderr=True)
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    if hint:
        err.print(f"[dim]hint:[/] {escape(hint)}", highlight=False, soft_wrap=True)


def report_failure(exc: PapershelfError) -> int:
    """Say ``exc`` (unless the front-end has said it in its own words: ``shown``) and return
    the exit status it ends the command with."""
    if not exc.shown:
        report_error(exc.message, exc.hint)
    return int(exc.exit_code)


def report_bug(exc: BaseException) -> None:
    """What an unexpected exception (a bug) shows without --debug: one line and a hint."""
    report_error(f"unexpected {type(exc).__name__}: {exc}",
                 "this is a bug in papershelf; run again with --debug for the traceback")


def report_interrupted() -> None:
    """What Ctrl-C shows (exit ``ExitCode.INTERRUPTED``)."""
    report_error("interrupted; nothing half-written was kept")


def finish(report: Judged) -> None:
    """End a command the way its service report says (``services/outcome``): its verdict is raised."""
    error = report.verdict()
    if error is not None:
        raise error


def fail(message: str, *, hint: str | None = None, code: ExitCode = ExitCode.ERROR) -> typer.Exit:
    """Report and return an Exit to raise: ``raise fail("...")``."""
    import typer

    report_error(message, hint)
    return typer.Exit(int(code))


def quiet_stdout() -> None:
    """After the reader of a pipe went away: send what is still buffered for stdout nowhere,
    so that flushing at exit does not fail again (Python's documented recipe)."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (a test's captured stream)
        pass
