"""Changing entries: ``tag``, ``untag``, ``tags``, ``note``, ``remove``, ``rekey``.

    papershelf tag hu2022lora peft fine-tuning
    papershelf tag --query 'lora year:2023..' peft        (every entry the search finds; asks)
    papershelf untag hu2022lora fine-tuning
    papershelf tags --json
    papershelf note ho2020denoising "read section 3 again"     (appends; --edit opens $EDITOR)
    papershelf remove zhang2023adding --yes                    (into the trash: `restore` undoes it)
    papershelf rekey ho2020denoising ddpm

A KEY may be a unique prefix of a key (``ho2020`` for ``ho2020denoising``); a mistyped one is
refused with the closest keys (``services.library`` / ``storage.catalogue.resolve``).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from papershelf.cli._library import open_library
from papershelf.cli._output import console, fail, info, plural, print_json
from papershelf.cli._params import JsonOpt, KeyArg, complete_citekey, complete_tag
from papershelf.cli.plain import printable
from papershelf.errors import ConflictError, ExitCode, NotFoundError

if TYPE_CHECKING:
    from papershelf.services.library import Library


def shown(text: str) -> str:
    """Stored or typed text inside a notice: control characters escaped, no Rich markup."""
    from rich.markup import escape

    return escape(printable(text))


QueryOpt = Annotated[str | None, typer.Option(
    "--query", help="Every entry this search finds (the language of `papershelf search`), instead of a KEY.",
    show_default=False)]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def _complete_first(ctx: typer.Context, incomplete: str) -> list[str]:
    """The first argument is a key, or with --query already a tag."""
    return (complete_tag if ctx.params.get("query") else complete_citekey)(ctx, incomplete)


FirstArg = Annotated[str | None, typer.Argument(
    help="Citation key (or a unique prefix of one, an arXiv id, a DOI); with --query, the first tag.",
    metavar="KEY", autocompletion=_complete_first, show_default=False)]
MoreTagsArg = Annotated[list[str] | None, typer.Argument(help="Tags.", metavar="TAG...", autocompletion=complete_tag,
                                                         show_default=False)]


def _interactive() -> bool:
    """Whether a person can answer a question (standard input is a terminal)."""
    return sys.stdin.isatty()


def confirm_targets(action: str, keys: list[str], yes: bool) -> None:
    """Show the entries a change would touch and ask; ``--yes`` skips the question. Without a
    terminal to ask on, refuse (one line, exit 2): a script says --yes."""
    if yes:
        return
    if not _interactive():
        raise fail(f"refusing to {action} without confirmation: add --yes (no terminal to ask on)",
                   code=ExitCode.USAGE)
    first = keys[:20]
    more = f" … and {len(keys) - len(first)} more" if len(keys) > len(first) else ""
    console(stderr=True).print(shown(" ".join(first) + more), soft_wrap=True)
    if not typer.confirm(f"{action[0].upper()}{action[1:]}?", err=True):
        info("Nothing changed.")
        raise typer.Exit(int(ExitCode.ERROR))


def _tags_and_targets(first: str | None, rest: list[str] | None, query: str | None) -> tuple[str | None, list[str]]:
    """(KEY or None with --query, the tags, normalised): the arguments of tag and untag."""
    from papershelf.model.tags import normalise_tag

    words = [w for w in [first, *(rest or [])] if w is not None]
    key = None if query is not None else (words.pop(0) if words else None)
    if query is not None and not query.strip():
        raise fail("--query is empty: give a search", hint="e.g. --query 'lora year:2023'", code=ExitCode.USAGE)
    if (query is None and key is None) or not words:
        raise fail("give a KEY (or --query SEARCH) and at least one TAG",
                   hint="papershelf tag hu2022lora peft  or  papershelf tag --query lora peft", code=ExitCode.USAGE)
    return key, list(dict.fromkeys(normalise_tag(w) for w in words))


def _matching(lib: Library, query: str) -> list[str]:
    """The keys of the entries ``query`` finds (the search service), best first."""
    return [e.citekey for e in lib.search(query)]


def tag(first: FirstArg = None, more: MoreTagsArg = None, query: QueryOpt = None, yes: YesOpt = False) -> None:
    """Add tags to an entry, or with --query to every entry a search finds (tags are
    lower-case; spaces become hyphens).

    Examples:

      papershelf tag hu2022lora peft "must read"

      papershelf tag --query 'lora year:2023..' peft --yes
    """
    key, names = _tags_and_targets(first, more, query)
    with open_library() as lib:
        if key is not None:
            added, entry = lib.tag(key, names)
            if added:
                info(shown(f"{entry.citekey}: added {', '.join(added)} — tags now: {' '.join(entry.tags)}"))
            else:
                info(shown(f"{entry.citekey} already has {', '.join(names)}: nothing changed."))
            return
        assert query is not None
        keys = _matching(lib, query)
        if not keys:
            info(shown(f"Nothing matches {query!r}: no entry tagged."))
            return
        confirm_targets(f"tag {plural(len(keys), 'entry', 'entries')} with {', '.join(names)}", keys, yes)
        done = lib.tag_all(keys, names)
    changed = [k for k, new in done if new]
    had = len(done) - len(changed)
    info(shown(f"Tagged {plural(len(changed), 'entry', 'entries')} with {', '.join(names)}"
                + (f" ({had} already had {'it' if len(names) == 1 else 'them'})" if had else "") + "."))


def untag(first: FirstArg = None, more: MoreTagsArg = None, query: QueryOpt = None, yes: YesOpt = False) -> None:
    """Remove tags from an entry, or with --query from every entry a search finds. Topic rules
    will not put a removed tag back.

    Examples:

      papershelf untag hu2022lora fine-tuning

      papershelf untag --query 'tag:to-read year:..2019' to-read --yes
    """
    key, names = _tags_and_targets(first, more, query)
    with open_library() as lib:
        if key is not None:
            removed, entry = lib.untag(key, names)
            missing = [t for t in names if t not in removed]
            hint = ""
            if missing and not removed:
                from papershelf.model.suggest import closest, did_you_mean

                hint = did_you_mean(closest(missing[0], entry.tags))
            if not removed:
                info(shown(f"{entry.citekey} has no {', '.join(missing)}{hint}: nothing changed."))
            else:
                info(shown(f"{entry.citekey}: removed {', '.join(removed)}"
                           + (f" (it had no {', '.join(missing)})" if missing else "")))
            return
        assert query is not None
        keys = _matching(lib, query)
        if not keys:
            info(shown(f"Nothing matches {query!r}: no entry untagged."))
            return
        confirm_targets(f"untag {', '.join(names)} from {plural(len(keys), 'entry', 'entries')}", keys, yes)
        done = lib.untag_all(keys, names)
    changed = [k for k, gone in done if gone]
    info(shown(f"Removed {', '.join(names)} from {plural(len(changed), 'entry', 'entries')}"
                + (f" ({len(done) - len(changed)} had none of {'it' if len(names) == 1 else 'them'})"
                   if len(changed) < len(done) else "") + "."))


def tags(as_json: JsonOpt = False) -> None:
    """List every tag with the number of entries that carry it.

    Examples:

      papershelf tags
      papershelf tags --json | jq '.[0]'
    """
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


def _read_stdin() -> str:
    """Standard input as UTF-8 text; anything else is refused with one line."""
    from papershelf.files import read_stream

    read = sys.stdin.buffer.read if hasattr(sys.stdin, "buffer") else lambda n: sys.stdin.read(n).encode("utf-8")
    raw = read_stream(read, 16 * 1024 * 1024)  # a note, not /dev/zero
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"standard input is not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start}); "
                   "nothing was saved", hint="convert it first, e.g. iconv -f latin1 -t utf-8",
                   code=ExitCode.USAGE) from None


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
    """Add to an entry's notes, or edit them in $EDITOR (notes are searchable).

    Examples:

      papershelf note ho2020denoising 're-read section 3'
      papershelf note ho2020denoising --edit
      echo 'from the reading group' | papershelf note hu2022lora -
    """
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
            from papershelf.cli.editor import EditorSession

            current = lib.get(key)
            old = current.notes or ""
            with EditorSession(current.citekey, suffix=".md", what="the notes were not changed") as session:
                new = session.edit(old).rstrip("\n")
                if new == old:
                    info("Notes unchanged.")
                    return
                if old.strip() and not new.strip() and not replace:
                    info("The editor left the notes empty: edit cancelled, nothing changed "
                         "(--edit --replace clears them).")
                    return
                try:  # compare-and-swap: only over the notes the editor showed
                    with session.keeping(new + "\n"):
                        entry = lib.set_notes(current.citekey, new, append=False, expect=current.revision)
                except (ConflictError, NotFoundError) as exc:
                    raise ConflictError(f"{printable(current.citekey)} changed while you were editing its notes "
                                        "(another process wrote, renamed or removed it); nothing was overwritten",
                                        hint=f"{session.kept}: run `papershelf note "
                                             f"{printable(current.citekey)} --edit` again and merge it") from exc
        else:
            assert text is not None  # checked above: TEXT or --edit
            entry = lib.set_notes(key, text.strip("\n"), append=not replace)
    info(f"{shown(entry.citekey)}: notes saved ({len(entry.notes or '')} characters).")


def remove(
    keys: Annotated[list[str] | None, typer.Argument(
        help="Citation keys (or unique prefixes of keys, arXiv ids, DOIs); or --query instead.",
        metavar="KEY...", autocompletion=complete_citekey, show_default=False)] = None,
    query: QueryOpt = None,
    yes: YesOpt = False,
) -> None:
    """Move entries to the trash (asks first; --yes to skip): `papershelf restore KEY` brings
    one back, unchanged, until the trash is emptied.

    Examples:

      papershelf remove zhang2023adding

      papershelf remove --query 'tag:to-read year:..2015' --yes
    """
    from papershelf.services.maintenance import trash_days

    if bool(keys) == (query is not None):
        raise fail("give either KEYs or --query SEARCH", hint="papershelf remove KEY…  or  papershelf remove "
                   "--query 'tag:old'", code=ExitCode.USAGE)
    if query is not None and not query.strip():
        raise fail("--query is empty: give a search", code=ExitCode.USAGE)
    days = trash_days()
    with open_library() as lib:
        targets = _matching(lib, query) if query is not None else [e.citekey for e in lib.get_many(keys or [])]
        if not targets:
            info(shown(f"Nothing matches {query!r}: nothing removed."))
            return
        confirm_targets(f"remove {plural(len(targets), 'entry', 'entries')}"
                        + (" (into the trash)" if days else " for good (PAPERSHELF_TRASH_DAYS=0)"), targets, yes)
        removed = lib.remove(targets)
    listed = ", ".join(removed[:20]) + (f" … and {len(removed) - 20} more" if len(removed) > 20 else "")
    if days:
        info(shown(f"Moved {plural(len(removed), 'entry', 'entries')} to the trash: {listed}. "
                    f"`papershelf restore {removed[0]}` brings {'it' if len(removed) == 1 else 'one'} back "
                    f"(kept {plural(days, 'day')})."))
    else:
        info(shown(f"Removed {plural(len(removed), 'entry', 'entries')} for good: {listed}."))


def rekey(
    old: KeyArg,
    new: Annotated[str, typer.Argument(help="The new citation key.", show_default=False)],
) -> None:
    """Rename an entry's citation key (refuses a key already in use).

    Examples:

      papershelf rekey ho2020denoising ddpm
    """
    with open_library() as lib:
        before, after = lib.rekey(old, new)
    info(shown(f"{before} is now {after}." if before != after else f"{before} already has that key."))
