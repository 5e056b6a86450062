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
    try:
        yield reporter(bar)
    finally:
        bar.stop()  # (nothing to stop if no stage was ever reported)


def reporter(bar: Progress) -> Callable[[str, int, int | None], None]:
    """The callback that moves ``bar``'s one task: each stage with its own total, or none (a
    stage whose total is not known yet, as an import read ahead before its count arrives).

    The bar, and the thread that redraws it, start with the first report, not before: an
    import that reads ahead forks its reading process first, and a process should not fork
    while a thread of it runs (the child could inherit a lock the thread held; Python 3.12+
    warns about it)."""
    task = bar.add_task("", total=None)

    def report(stage: str, done: int, total: int | None) -> None:
        if not bar.live.is_started:
            bar.start()
        if total is None:  # ``update`` keeps the last total when given None: not the unknown one
            for shown in bar.tasks:
                if shown.id == task:
                    shown.total = None
        bar.update(task, description=stage, completed=done, total=total)

    return report
