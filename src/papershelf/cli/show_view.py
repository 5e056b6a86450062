"""How ``show`` prints one entry: ``--json``, the entry's object (with ``files``); into a pipe,
plain ``label: value`` lines (``plain.detail_lines``); on a terminal, its fields laid out by
``table.detail_screen`` (no Rich). What is attached follows, one ``file:`` line each.

Typer-free: ``papershelf show KEY`` is answered before Typer loads (``cli._quick``) with this
same view.
"""

from __future__ import annotations

import sys

from papershelf.cli._output import out_line, print_json

TYPE_CHECKING = False  # not typing's (see cli._quick)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path
    from typing import Any

    from papershelf.model.entry import Entry


def show(entry: Entry, attached: Sequence[tuple[Any, Path]], as_json: bool) -> None:
    """``attached``: the entry's files with their paths (``Library.files_with_paths``)."""
    if as_json:
        data = entry.to_dict()
        if attached:
            data["files"] = [{**f.to_dict(), "path": str(p)} for f, p in attached]
        print_json(data)
        return
    if not sys.stdout.isatty():  # plain `label: value` lines, not a table wrapped at 80 columns
        from papershelf.cli.plain import detail_lines

        sys.stdout.write(detail_lines(entry))
    else:
        import shutil

        from papershelf.cli.pager import use_color
        from papershelf.cli.table import detail_screen

        for line in detail_screen(entry, shutil.get_terminal_size().columns, use_color()):
            sys.stdout.write(line + "\n")
    for f, p in attached:  # after the entry's own fields: what is attached, and where
        pages = "? pages" if f.pages is None else f"{f.pages} p."
        state = "" if f.status in ("ok", "") else f", {f.status}"
        gone = "" if p.is_file() else " (missing)"
        out_line(f"file: {p}{gone} ({pages}, {f.size:,} bytes{state})")
