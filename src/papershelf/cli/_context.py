"""The state of one invocation (the global options) and opening the catalogue the user chose."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from papershelf.paths import DbLocation, resolve_db

if TYPE_CHECKING:
    from papershelf.services.library import Library


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
        _current = State(resolve_db(None), debug=env_debug())
    return _current


def env_debug() -> bool:
    return os.environ.get("PAPERSHELF_DEBUG", "") not in ("", "0", "false", "no")


@contextmanager
def open_library(*, create: bool = False, seed: bool = True) -> Iterator[Library]:
    """Open the catalogue the user chose.

    The default catalogue is created (and filled with the bundled reading list) on first use;
    one named with --db/PAPERSHELF_DB must exist unless the command creates it (``create``).
    """
    from papershelf.cli._output import info
    from papershelf.services.library import open_library as open_

    where = state().db
    lib, seeded = open_(where.path, create=create or not where.explicit,
                        seed=seed and not where.explicit)
    try:
        if seeded is not None:
            info(f"Created your catalogue at {where.path} with the {seeded} items of the bundled "
                 "reading list (papershelf init --empty starts blank).")
        yield lib
    finally:
        lib.close()
