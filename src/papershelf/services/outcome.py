"""What a batch of work earns: the one rule every report's ``verdict()`` follows.

Each service report (``add``, ``arxiv`` add/sync, ``sync --venues``, ``check``, ``import``) keeps
its own per-item outcomes and says, through ``verdict()``, the error the run ends with — ``None``
when it succeeded. Front-ends render the report and then raise that error (the CLI's
``_output.finish``); none decides an exit status itself. The exit statuses are the README's table:
some items failed and others were done → partial (5); everything failed because nothing was
found → not found (3); because a source did not answer → network (4).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from papershelf.errors import PapershelfError, PartialFailure


class Judged(Protocol):
    """A report that says how its run ends."""

    def verdict(self) -> PapershelfError | None: ...


def batch_verdict(failed: int, total: int, *, succeeded: bool, done: str,
                  all_failed: Callable[[], PapershelfError]) -> PapershelfError | None:
    """The rule for a batch of items: no failure → ``None``; some done → partial (``2 of 5 could
    not be {done}; the other 3 were``); none done → what ``all_failed`` says."""
    if not failed:
        return None
    if succeeded:
        return PartialFailure.of(failed, total, done)
    return all_failed()
