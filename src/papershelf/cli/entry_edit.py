"""Changing an entry's BibTeX: ``edit`` (in $VISUAL/$EDITOR) and ``set`` (for scripts).

    papershelf edit hu2022lora                                  opens the entry as BibTeX
    papershelf set hu2022lora 'title={LoRA}: Low-Rank Adaptation' 'note=Oral'
    papershelf set hu2022lora doi=                              removes the field

Values are BibTeX, as they would stand between braces in a .bib file; they are stored as
written and exported unchanged. Exit codes: 2 text that cannot be read (nothing changed),
3 no such entry, 6 the entry changed meanwhile (nothing overwritten; `edit` saves your text
aside and says where).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from papershelf.cli._library import open_library
from papershelf.cli._output import info, print_json
from papershelf.cli._params import JsonOpt, KeyArg
from papershelf.errors import ConflictError, NotFoundError, UsageError

if TYPE_CHECKING:
    from papershelf.services.edit import EditResult


def _report(result: EditResult, as_json: bool) -> None:
    if as_json:
        print_json(result.to_dict())
        return
    if not result.changed and not result.rekeyed:
        info(f"{result.entry.citekey}: nothing changed.")
        return
    what = ", ".join(result.changed) or "no field"
    moved = f" (was {result.old_key})" if result.rekeyed else ""
    info(f"{result.entry.citekey}{moved}: changed {what}.")


def edit(key: KeyArg, as_json: JsonOpt = False) -> None:
    """Edit an entry as BibTeX in $VISUAL or $EDITOR. Only the fields you change are stored
    (as you wrote them); a new key renames the entry. Text that cannot be read is refused
    (on a terminal you may reopen it); if the entry changed meanwhile nothing is overwritten:
    your text is saved aside (exit 6).

    Examples:

      papershelf edit hu2022lora
      EDITOR=nano papershelf edit hu2022lora --json
    """
    from papershelf.cli.editor import EditorSession
    from papershelf.services.edit import BibSyntaxError, apply_text, entry_text

    with open_library() as lib:
        entry = lib.get(key)
        text = entry_text(entry)
        with EditorSession(entry.citekey, suffix=".bib", what="the entry was not changed") as session:
            while True:
                text = session.edit(text)
                try:
                    with session.keeping(text):
                        result = apply_text(lib, entry, text)
                    break
                except BibSyntaxError as exc:
                    if sys.stdin.isatty() and typer.confirm(f"{exc.message}. Reopen the editor?", default=True):
                        continue
                    raise UsageError(f"{exc.message}; nothing changed", hint=session.kept) from None
                except (ConflictError, NotFoundError) as exc:
                    raise ConflictError(f"{entry.citekey} changed while you were editing it; nothing was "
                                        "overwritten", hint=f"{session.kept}: run `papershelf edit "
                                                            f"{entry.citekey}` again and merge it") from exc
    _report(result, as_json)


def set_fields(
    key: KeyArg,
    assignments: Annotated[list[str], typer.Argument(
        metavar="FIELD=VALUE...", show_default=False,
        help="Fields to set, each FIELD=VALUE with the value in BibTeX (braces for case, LaTeX "
             "for accents and math); FIELD= removes the field.")],
    as_json: JsonOpt = False,
) -> None:
    """Set BibTeX fields of an entry from the command line (for scripts); values are stored as
    written and exported unchanged.

    Examples:

      papershelf set hu2022lora 'title={LoRA}: Low-Rank Adaptation of Large Language Models'
      papershelf set hu2022lora year=2022 month=apr doi=
      papershelf set ho2020denoising url=https://hojonathanho.github.io/diffusion/
    """
    from papershelf.services.edit import set_fields as set_

    with open_library() as lib:
        result = set_(lib, key, assignments)
    _report(result, as_json)
