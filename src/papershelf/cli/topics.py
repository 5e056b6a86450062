"""Topics: ``topics`` lists the tagging rules, ``autotag`` applies them.

    papershelf topics                      every topic: aliases, rules, how many entries carry it
    papershelf autotag --dry-run           what the rules would add, entry by entry
    papershelf autotag                     add it (as rule tags; your own tags always win)
    papershelf autotag ho2020denoising     only these entries

The rules ship inside the package (papershelf/data/topics.toml); <config dir>/topics.toml adds or
overrides topics.
A rule tag you remove with `untag` is never put back; `list --tag 蒸餾` finds `distillation`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from papershelf.cli._library import open_library
from papershelf.cli._output import console, info, plural, print_json
from papershelf.cli._params import JsonOpt, SomeKeysArg


def topics(as_json: JsonOpt = False) -> None:
    """List the topics with their aliases, rules and the number of entries tagged with each.

    Examples:

      papershelf topics
      papershelf topics --json
    """
    from papershelf.services.autotag import topics_overview

    with open_library() as lib:
        overview = topics_overview(lib)
    counts = overview.counts
    if as_json:
        print_json([{**t.to_dict(), "count": counts.get(t.name, 0)} for t in overview.topics])
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    table.add_column("topic", style="bold")
    table.add_column("aliases")
    table.add_column("rules", overflow="fold")
    table.add_column("entries", justify="right")
    for t in overview.topics:
        table.add_row(escape(t.name), escape(", ".join(t.aliases)), escape(t.summary()),
                      str(counts.get(t.name, 0)))
    console().print(table)
    user = overview.user_rules
    info(f"Your rules: {user}" + ("" if user.exists() else " (not created; it adds or overrides topics)"))


def autotag(
    keys: SomeKeysArg = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="Show what would be added; change nothing.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Tag entries by the topic rules and show what was added.

    Tags an entry has keep their source; rule tags you removed are not put back.

    Examples:

      papershelf autotag
      papershelf autotag --dry-run
    """
    from papershelf.services.autotag import autotag as apply_rules

    with open_library() as lib:
        result = apply_rules(lib, keys or [], dry_run=dry_run)
    if as_json:
        print_json(result.to_dict())
        return
    verb = "would add" if dry_run else "added"
    for key, tags in result.added.items():
        console().print(f"{key}: {verb} " + " ".join(f"+{t}" for t in tags), markup=False, highlight=False)
    total = sum(len(t) for t in result.added.values())
    info(f"{plural(result.checked, 'entry', 'entries')} checked; {verb} {plural(total, 'tag')} to "
         f"{plural(len(result.added), 'entry', 'entries')}"
         + (" (dry run: nothing changed)" if dry_run else ""))
