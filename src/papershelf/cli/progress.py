"""A progress bar on stderr for long work (``import bibtex``), only on a terminal.

Into a pipe or a log, and with --quiet, nothing is drawn and the work is not slowed: the
callback is None. The services report ``(stage, done, total)``; total None means unknown.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from papershelf.cli._context import state

if TYPE_CHECKING:
    from rich.progress import Progress


@contextmanager
def stage_bar(label: str) -> Iterator[Callable[[str, int, int | None], None] | None]:
    """A callback that draws a transient Rich bar on stderr, or None off a terminal."""
    if state().quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from papershelf.cli._output import console

    bar = Progress(TextColumn(f"{label} {{task.description}}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=console(stderr=True), transient=True)
    with bar:
        yield reporter(bar)


def reporter(bar: Progress) -> Callable[[str, int, int | None], None]:
    """The callback that moves ``bar``'s one task: each stage with its own total, or none (a
    stage whose total is not known yet, as an import read ahead before its count arrives)."""
    task = bar.add_task("", total=None)

    def report(stage: str, done: int, total: int | None) -> None:
        if total is None:  # ``update`` keeps the last total when given None: not the unknown one
            for shown in bar.tasks:
                if shown.id == task:
                    shown.total = None
        bar.update(task, description=stage, completed=done, total=total)

    return report
