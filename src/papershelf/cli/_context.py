"""The state of one invocation (the global options) and opening the catalogue the user chose."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from papershelf.config import resolve_db
from papershelf.paths import DbLocation

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


_DEBUG_ON = ("1", "true", "yes", "on")
_DEBUG_OFF = ("", "0", "false", "no", "off")
_warned_debug: set[str] = set()


def env_debug() -> bool:
    """Whether ``PAPERSHELF_DEBUG`` asks for debug: 1/true/yes/on (any case) do, 0/false/no/off
    or empty do not; any other value is warned about (once) and leaves debug off."""
    value = os.environ.get("PAPERSHELF_DEBUG", "").strip().lower()
    if value in _DEBUG_ON:
        return True
    if value not in _DEBUG_OFF and value not in _warned_debug:
        import sys

        _warned_debug.add(value)
        sys.stderr.write(f"warning: PAPERSHELF_DEBUG={os.environ.get('PAPERSHELF_DEBUG', '')!r} is not "
                         "1/true/yes/on or 0/false/no/off; debug stays off\n")
    return False


@contextmanager
def open_library(*, create: bool = False, seed: bool = True) -> Iterator[Library]:
    """Open the catalogue the user chose.

    The default catalogue is created (and filled with the bundled reading list) on first use;
    one named with --db/PAPERSHELF_DB must exist unless the command creates it (``create``).
    """
    from papershelf.cli._output import info
    from papershelf.services.library import opened

    where = state().db
    with opened(where.path, create=create or not where.explicit, seed=seed and not where.explicit) as (lib, seeded):
        if seeded is not None:
            info(f"Created your catalogue at {where.path} with the {seeded} items of the bundled "
                 "reading list (papershelf init --empty starts blank).")
        yield lib
