"""Changing entries: ``tag``, ``untag``, ``tags``, ``note``, ``remove``, ``rekey``.

    papershelf tag hu2022lora peft fine-tuning
    papershelf untag hu2022lora fine-tuning
    papershelf tags --json
    papershelf note ho2020denoising "read section 3 again"     (appends; --edit opens $EDITOR)
    papershelf remove zhang2023adding --yes
    papershelf rekey ho2020denoising ddpm
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from typing import Annotated

import typer

from papershelf.cli._context import open_library
from papershelf.cli._output import console, fail, info, print_json
from papershelf.cli._params import JsonOpt, KeyArg, KeysArg, TagsArg
from papershelf.errors import ExitCode


def tag(key: KeyArg, tags: TagsArg) -> None:
    """Add tags to an entry (tags are lower-case; spaces become hyphens)."""
    with open_library() as lib:
        added, entry = lib.tag(key, tags)
    info(f"{entry.citekey}: " + (f"added {', '.join(added)}" if added else "no new tags")
         + f" — tags now: {' '.join(entry.tags)}")


def untag(key: KeyArg, tags: TagsArg) -> None:
    """Remove tags from an entry. Topic rules will not put a removed tag back."""
    with open_library() as lib:
        removed, entry = lib.untag(key, tags)
    missing = [t for t in tags if t.lower() not in removed]
    info(f"{entry.citekey}: " + (f"removed {', '.join(removed)}" if removed else "nothing removed")
         + (f" (it had no {', '.join(missing)})" if missing else ""))


def tags(as_json: JsonOpt = False) -> None:
    """List every tag with the number of entries that carry it."""
    with open_library() as lib:
        rows = lib.tags()
    if as_json:
        print_json([{"tag": name, "count": n, "by_rule": rule} for name, n, rule in rows])
        return
    if not rows:
        console(stderr=True).print("No tags yet: `papershelf tag KEY TAG` adds one.")
        return
    from papershelf.cli.render import bar_chart

    console().print(bar_chart("", [(name, n) for name, n, _ in rows]))


def _edit_in_editor(initial: str) -> str:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.NamedTemporaryFile("w+", suffix=".md", encoding="utf-8", delete=False) as fh:
        fh.write(initial)
        path = fh.name
    try:
        try:
            status = subprocess.call([*shlex.split(editor), path])
        except FileNotFoundError:
            raise fail(f"cannot start the editor {editor!r}", hint="set EDITOR to an editor on your PATH") from None
        if status != 0:
            raise fail(f"the editor exited with status {status}; the notes were not changed")
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    finally:
        os.unlink(path)


def note(
    key: KeyArg,
    text: Annotated[str | None, typer.Argument(help="Text to append to the notes ('-' reads stdin).",
                                               show_default=False)] = None,
    edit: Annotated[bool, typer.Option("--edit", "-e", help="Edit all the notes in $EDITOR.")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Replace the notes instead of appending.")] = False,
) -> None:
    """Add to an entry's notes, or edit them in $EDITOR (notes are searchable)."""
    if text == "-":
        text = sys.stdin.read()
    if edit == (text is not None):
        raise fail("give either TEXT or --edit", hint='papershelf note KEY "text"  or  papershelf note KEY --edit',
                   code=ExitCode.USAGE)
    with open_library() as lib:
        if edit:
            current = lib.get(key)
            new = _edit_in_editor(current.notes or "")
            if new.rstrip("\n") == (current.notes or ""):
                info("Notes unchanged.")
                return
            entry = lib.set_notes(key, new.rstrip("\n"), append=False)
        else:
            assert text is not None  # checked above: TEXT or --edit
            entry = lib.set_notes(key, text.strip("\n"), append=not replace)
    info(f"{entry.citekey}: notes saved ({len(entry.notes or '')} characters).")


def remove(
    keys: KeysArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove entries from the catalogue (asks first; --yes to skip)."""
    with open_library() as lib:
        entries = [lib.get(k) for k in keys]
        if not yes:
            if not sys.stdin.isatty():
                raise fail("refusing to remove without confirmation", hint="add --yes", code=ExitCode.USAGE)
            listing = ", ".join(e.citekey for e in entries)
            if not typer.confirm(f"Remove {len(entries)} entr{'y' if len(entries) == 1 else 'ies'} ({listing})?",
                                 err=True):
                info("Nothing removed.")
                raise typer.Exit(int(ExitCode.ERROR))
        removed = lib.remove([e.citekey for e in entries])
    info(f"Removed {', '.join(removed)}.")


def rekey(
    old: KeyArg,
    new: Annotated[str, typer.Argument(help="The new citation key.", show_default=False)],
) -> None:
    """Rename an entry's citation key (refuses a key already in use)."""
    with open_library() as lib:
        before, after = lib.rekey(old, new)
    info(f"{before} is now {after}." if before != after else f"{before} already has that key.")
