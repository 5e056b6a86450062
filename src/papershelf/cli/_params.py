"""Parameters several commands share (Annotated aliases), their completion, and filters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from papershelf.config import resolve_db
from papershelf.model.entry import ENTRY_TYPES
from papershelf.model.query import Filters, parse_years


def _db_of(ctx: typer.Context) -> Path:
    """The catalogue a TAB completes from: --db after the command, else before it, else the default."""
    return resolve_db(ctx.meta.get("papershelf.db") or ctx.find_root().params.get("db")).path


def complete_citekey(ctx: typer.Context, incomplete: str) -> list[str]:
    """Citekeys from the catalogue, opened read-only: a TAB never changes or migrates it."""
    from papershelf.services.completion import complete_keys

    try:
        return complete_keys(_db_of(ctx), incomplete)
    except Exception:  # TAB must never print a traceback
        return []


def complete_tag(ctx: typer.Context, incomplete: str) -> list[str]:
    from papershelf.services.completion import complete_tags

    try:
        return complete_tags(_db_of(ctx), incomplete)
    except Exception:
        return []


def complete_choices(*values: str) -> Callable[[str], list[str]]:
    """TAB completion for an option with fixed values (``--sort``, ``--style``…): the values,
    not file names. Each command still checks the value it gets."""
    def complete(incomplete: str) -> list[str]:
        return [v for v in values if v.startswith(incomplete)]

    return complete


# The values the services accept (tests/cli/test_completions.py checks they stay in step).
SORTS = ("added", "year", "title", "key", "author")
GROUPINGS = ("section", "tag", "year", "type", "none")
STYLES = ("bibtex", "biblatex")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (stable keys, see README) instead of a table.")]
KeyArg = Annotated[str, typer.Argument(help="Citation key (or a unique prefix of one), arXiv id or URL, or DOI.",
                                       autocompletion=complete_citekey, show_default=False)]
KeysArg = Annotated[list[str], typer.Argument(help="Citation keys (or arXiv ids, DOIs).",
                                              autocompletion=complete_citekey, show_default=False)]
SomeKeysArg = Annotated[list[str] | None, typer.Argument(
    help="Citation keys (or arXiv ids, DOIs); none means every entry that fits.",
    autocompletion=complete_citekey, show_default=False)]
TagsArg = Annotated[list[str], typer.Argument(help="Tags.", autocompletion=complete_tag,
                                              show_default=False)]
TagOpt = Annotated[list[str] | None, typer.Option(
    "--tag", "-t", help="Only entries with this tag (repeat for all of several).",
    autocompletion=complete_tag)]
TypeOpt = Annotated[list[str] | None, typer.Option(
    "--type", help="Only entries of this type: article, inproceedings, book, misc, online…",
    autocompletion=complete_choices(*ENTRY_TYPES))]
YearOpt = Annotated[str | None, typer.Option(
    "--year", "-y", help="Only entries of this year or range: 2020, 2020..2023, ..2019, 2021..")]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", min=1, help="Show at most this many.")]


def build_filters(tag: list[str] | None, type_: list[str] | None, year: str | None) -> Filters:
    lo, hi = parse_years(year) if year else (None, None)
    return Filters(list(tag or []), [t.lower() for t in type_ or []], lo, hi)
