"""The catalogue a command works on: opened as the global options say (``cli._context``), the
notice of a catalogue made on first use printed (``cli._output``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from papershelf.cli._context import opened_library
from papershelf.cli._output import info

if TYPE_CHECKING:
    from papershelf.services.library import Library


@contextmanager
def open_library(*, create: bool = False, seed: bool = True) -> Iterator[Library]:
    """Open the catalogue the user chose (see ``cli._context.opened_library``), closed after."""
    with opened_library(create=create, seed=seed) as (lib, notice):
        if notice is not None:
            info(notice)
        yield lib
