"""Long output on a terminal goes through a pager, as git does; never into a pipe.

The pager is ``ui.pager`` (``PAPERSHELF_PAGER``, or the config file), else ``$PAGER``, else
``less -FRX`` (which quits at once when the text fits on one screen). ``PAPERSHELF_PAGER=cat``
or ``--no-pager`` turns it off. Lines are written as they are made, so the first screen shows
before the last row is formatted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

DEFAULT_PAGER = "less -FRX"
_OFF = ("", "cat")


def pager_command(no_pager: bool = False) -> list[str] | None:
    """The pager to run, or None: --no-pager, standard output not a terminal, or turned off."""
    if no_pager or not sys.stdout.isatty():
        return None
    import shlex

    from papershelf import config

    chosen = config.value("ui.pager") or os.environ.get("PAGER", "").strip() or DEFAULT_PAGER
    if chosen.strip() in _OFF:
        return None
    return shlex.split(chosen)


def use_color() -> bool:
    """Colours on a terminal: ``ui.color`` (auto/always/never); auto is off with NO_COLOR or
    TERM=dumb."""
    from papershelf import config

    choice = config.value("ui.color")
    if choice in ("always", "never"):
        return choice == "always"
    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def page(lines: Iterable[str], *, no_pager: bool = False) -> None:
    """Write ``lines`` (without their newlines) to standard output, through the pager if any."""
    argv = pager_command(no_pager)
    if argv is not None:
        import subprocess

        env = dict(os.environ)
        env.setdefault("LESS", "FRX")  # as git: colours pass, short output is not paged
        env.setdefault("LV", "-c")
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env, text=True,
                                    encoding="utf-8", errors="replace")
        except OSError:  # no such pager: print directly, as if there were none
            argv = None
    if argv is None:
        out = sys.stdout
        for line in lines:
            out.write(line + "\n")
        return
    assert proc.stdin is not None
    try:
        for line in lines:
            proc.stdin.write(line + "\n")
        proc.stdin.close()
    except (BrokenPipeError, KeyboardInterrupt):  # the reader quit the pager (q, Ctrl-C)
        pass
    finally:
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
        while True:
            try:
                proc.wait()
                break
            except KeyboardInterrupt:  # Ctrl-C inside less is less's business
                continue
