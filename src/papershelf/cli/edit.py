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
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from papershelf.cli._context import open_library
from papershelf.cli._output import console, fail, info, print_json
from papershelf.cli._params import JsonOpt, KeyArg, KeysArg, TagsArg
from papershelf.cli.plain import printable
from papershelf.errors import ConflictError, ExitCode, NotFoundError


def _shown(text: str) -> str:
    """Stored or typed text inside a notice: control characters escaped, no Rich markup."""
    from rich.markup import escape

    return escape(printable(text))


def tag(key: KeyArg, tags: TagsArg) -> None:
    """Add tags to an entry (tags are lower-case; spaces become hyphens)."""
    with open_library() as lib:
        added, entry = lib.tag(key, tags)
    info(_shown(f"{entry.citekey}: " + (f"added {', '.join(added)}" if added else "no new tags")
                + f" — tags now: {' '.join(entry.tags)}"))


def untag(key: KeyArg, tags: TagsArg) -> None:
    """Remove tags from an entry. Topic rules will not put a removed tag back."""
    with open_library() as lib:
        removed, entry = lib.untag(key, tags)
    missing = [t for t in tags if t.lower() not in removed]
    info(_shown(f"{entry.citekey}: " + (f"removed {', '.join(removed)}" if removed else "nothing removed")
                + (f" (it had no {', '.join(missing)})" if missing else "")))


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


def _editor_command() -> tuple[str, list[str]]:
    """The editor to run, as (the variable that named it, argv): $VISUAL, else $EDITOR, else vi."""
    for var in ("VISUAL", "EDITOR"):
        value = os.environ.get(var)
        if value:
            try:
                argv = shlex.split(value)
            except ValueError as exc:
                raise fail(f"cannot read the editor command in {var} ({value!r}): {exc}",
                           hint=f"fix {var}, e.g. {var}=nano") from None
            if not argv:
                raise fail(f"{var} names no editor", hint=f"set {var} to an editor on your PATH, e.g. {var}=nano")
            return var, argv
    return "EDITOR", ["vi"]


def _edit_in_editor(initial: str) -> str:
    var, argv = _editor_command()
    with tempfile.NamedTemporaryFile("w+", suffix=".md", encoding="utf-8", delete=False) as fh:
        fh.write(initial)
        path = fh.name
    try:
        try:
            status = subprocess.call([*argv, path])
        except OSError as exc:  # not found, not executable
            raise fail(f"cannot start the editor {argv[0]!r} named by {var}: {exc.strerror or exc}",
                       hint=f"set {var} to an editor on your PATH") from None
        if status != 0:
            raise fail(f"the editor exited with status {status}; the notes were not changed")
        with open(path, "rb") as fh:
            raw = fh.read()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise fail(f"the editor saved text that is not UTF-8 (byte {raw[exc.start]:#04x} at offset "
                       f"{exc.start}); the notes were not changed") from None
    finally:
        os.unlink(path)


def _read_stdin() -> str:
    """Standard input as UTF-8 text; anything else is refused with one line."""
    raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"standard input is not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start}); "
                   "nothing was saved", hint="convert it first, e.g. iconv -f latin1 -t utf-8",
                   code=ExitCode.USAGE) from None


def _save_aside(key: str, text: str) -> Path:
    """Keep text the user wrote but papershelf could not store, in the state directory."""
    from datetime import datetime, timezone

    from papershelf.paths import state_dir

    folder = state_dir() / "unsaved-notes"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # the state directory cannot be made: the temporary directory still keeps it
        folder = Path(tempfile.gettempdir())
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    name = re.sub(r"[^A-Za-z0-9_.+-]", "_", key)
    target = folder / f"{name}.{stamp}.md"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{name}.{stamp}-{n}.md"
    target.write_text(text + "\n", encoding="utf-8")
    return target


def note(
    key: KeyArg,
    text: Annotated[str | None, typer.Argument(help="Text to append to the notes ('-' reads stdin, UTF-8).",
                                               show_default=False)] = None,
    edit: Annotated[bool, typer.Option(
        "--edit", "-e", help="Edit all the notes in $VISUAL or $EDITOR. If the entry changes meanwhile "
                             "nothing is overwritten: your text is saved aside (exit 6).")] = False,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Replace the notes instead of appending; with --edit, let an emptied file "
                          "clear them (otherwise an empty file cancels the edit).")] = False,
) -> None:
    """Add to an entry's notes, or edit them in $EDITOR (notes are searchable)."""
    if text == "-":
        text = _read_stdin()
    elif text is not None:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # bytes the locale could not decode (surrogate escapes)
            raise fail("the note text is not valid UTF-8; nothing was saved", code=ExitCode.USAGE) from None
    if edit == (text is not None):
        raise fail("give either TEXT or --edit", hint='papershelf note KEY "text"  or  papershelf note KEY --edit',
                   code=ExitCode.USAGE)
    with open_library() as lib:
        if edit:
            current = lib.get(key)
            old = current.notes or ""
            new = _edit_in_editor(old).rstrip("\n")
            if new == old:
                info("Notes unchanged.")
                return
            if old.strip() and not new.strip() and not replace:
                info("The editor left the notes empty: edit cancelled, nothing changed "
                     "(--edit --replace clears them).")
                return
            try:  # compare-and-swap: only over the notes the editor showed
                entry = lib.set_notes(current.citekey, new, append=False, expect=current.revision)
            except (ConflictError, NotFoundError) as exc:
                saved = _save_aside(current.citekey, new)
                raise ConflictError(f"{printable(current.citekey)} changed while you were editing its notes "
                                    "(another process wrote, renamed or removed it); nothing was overwritten",
                                    hint=f"your text is saved in {saved}: run `papershelf note "
                                         f"{printable(current.citekey)} --edit` again and merge it") from exc
        else:
            assert text is not None  # checked above: TEXT or --edit
            entry = lib.set_notes(key, text.strip("\n"), append=not replace)
    info(f"{_shown(entry.citekey)}: notes saved ({len(entry.notes or '')} characters).")


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
    info(_shown(f"{before} is now {after}." if before != after else f"{before} already has that key."))
