"""The trash: ``trash`` (list or empty it) and ``restore`` (bring entries back).

    papershelf trash                      (what `remove` put there, newest first)
    papershelf trash --json
    papershelf restore zhang2023adding    (unchanged: same key, tags, notes, source)
    papershelf trash --empty --yes        (delete for good)

Entries stay ``trash.days`` days (``PAPERSHELF_TRASH_DAYS``, default 30) and are purged by a later ``remove``
or ``restore``. A key in the trash is free: a new entry may take it, and ``restore`` then
refuses, naming that entry (keys never change behind the user's back).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from papershelf.cli._library import open_library
from papershelf.cli._output import info, out_rows, plural, print_json
from papershelf.cli._params import JsonOpt
from papershelf.cli.plain import printable


def trash(
    as_json: JsonOpt = False,
    empty: Annotated[bool, typer.Option("--empty", help="Delete everything in the trash for good "
                                                        "(asks first; a backup is taken).")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --empty: do not ask.")] = False,
) -> None:
    """List the entries `remove` moved to the trash, newest first, or empty it.

    Examples:

      papershelf trash

      papershelf restore zhang2023adding

      papershelf trash --empty --yes
    """
    from papershelf.cli.edit import confirm_targets
    from papershelf.services.maintenance import trash_days, trash_expiry

    days = trash_days()
    with open_library() as lib:
        held = lib.trash()
        if empty:
            if not held:
                info("The trash is already empty: nothing changed.")
                return
            confirm_targets(f"delete {plural(len(held), 'entry', 'entries')} in the trash for good",
                            [t.citekey for t in held], yes)
            purged = lib.empty_trash()
            info(f"Deleted {plural(purged, 'entry', 'entries')} from the trash for good.")
            return
    if as_json:
        print_json([{**t.to_dict(), "expires": trash_expiry(t.removed, days)} for t in held])
        return
    if not held:
        info("The trash is empty: `papershelf remove KEY` puts entries there.")
        return
    # One row per entry: key, when removed, when it is purged, year, title (tab-separated
    # into a pipe, aligned on a terminal).
    out_rows([[printable(" ".join(str(v).split())) for v in (
        t.citekey, t.removed, trash_expiry(t.removed, days), t.year or "",
        t.title + (f" ({t.reason})" if t.reason else ""))] for t in held])
    if sys.stdout.isatty():
        info(f"{plural(len(held), 'entry', 'entries')} in the trash, each kept {plural(days, 'day')} "
             "(trash.days); `papershelf restore KEY` brings one back.")


def restore(
    keys: Annotated[list[str], typer.Argument(help="Keys of entries in the trash (`papershelf trash` lists them).",
                                              show_default=False)],
) -> None:
    """Bring removed entries back from the trash, unchanged: the same key, fields, tags and
    notes. Refuses when a key has been taken since, naming the entry that holds it.

    Examples:

      papershelf restore zhang2023adding

      papershelf restore ho2020denoising hu2022lora
    """
    from papershelf.cli.edit import shown

    with open_library() as lib:
        restored = lib.restore(keys)
    info(shown(f"Restored {', '.join(restored)}."))
