"""The state of one invocation (the global options) and opening the catalogue the user chose.

Below ``cli._output`` (which reads the state): nothing here prints."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papershelf.config import ConfigError
    from papershelf.paths import DbLocation
    from papershelf.services.library import Library


@dataclass
class State:
    db: DbLocation
    debug: bool = False
    quiet: bool = False
    # A config file or setting that cannot be used: raised when a command starts
    # (``check_settings``), after --help had its chance.
    config_error: ConfigError | None = None


_current: State | None = None


def new_state(db_option: os.PathLike[str] | str | None, *, debug: bool = False, quiet: bool = False) -> State:
    """The state of a run with these global options; a bad config file is kept for later.
    (The config is imported here, not above: ``papershelf --help`` loads this module and
    never reads a setting.)"""
    from papershelf.config import ConfigError, resolve_db
    from papershelf.paths import DbLocation

    try:
        return State(resolve_db(db_option), debug=debug, quiet=quiet)
    except ConfigError as exc:
        return State(DbLocation(Path(), False), debug=debug, quiet=quiet, config_error=exc)


def check_settings() -> None:
    """Every command starts here: a config file or variable that cannot be used stops it with
    one line (exit 2), whether or not the command reads that setting (as git does)."""
    from papershelf import config

    if state().config_error is not None:
        raise state().config_error  # type: ignore[misc]
    config.effective()


def set_state(new: State) -> State:
    """Called by the root callback on every invocation (so each CliRunner run starts afresh)."""
    global _current
    _current = new
    return new


def state() -> State:
    global _current
    if _current is None:
        _current = new_state(None, debug=env_debug())
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
def opened_library(*, create: bool = False, seed: bool = True) -> Iterator[tuple[Library, str | None]]:
    """Open the catalogue the user chose, with the notice to print when it was made just now
    (``cli._library.open_library`` prints it; this module prints nothing).

    The default catalogue is created (and filled with the bundled reading list) on first use;
    one named with --db/PAPERSHELF_DB must exist unless the command creates it (``create``).
    """
    from papershelf.services.library import opened

    where = state().db
    with opened(where.path, create=create or not where.explicit, seed=seed and not where.explicit) as (lib, seeded):
        notice = None
        if seeded is not None:
            notice = (f"Created your catalogue at {where.path} with the {seeded} items of the bundled "
                      "reading list (papershelf init --empty starts blank).")
        yield lib, notice
