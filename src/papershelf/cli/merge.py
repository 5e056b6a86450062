"""``merge`` (join two entries of one work) and ``undo`` (take back the last import or merge).

    papershelf merge Ho2020 Ho2020b          (shows what Ho2020b will print, asks)
    papershelf merge Ho2020 Ho2020b --yes
    papershelf undo --dry-run                (what the last import or merge would lose)
    papershelf undo
"""

from __future__ import annotations

from typing import Annotated

import typer

from papershelf.cli._library import open_library
from papershelf.cli._output import info, plural, print_json, warn
from papershelf.cli._params import JsonOpt, KeyArg
from papershelf.cli.edit import YesOpt
from papershelf.cli.plain import printable


def _clip(value: str | None) -> str:
    if value is None:
        return "(none)"
    value = printable(value)
    return value if len(value) <= 70 else value[:67] + "…"


def merge(keep: KeyArg, other: KeyArg, yes: YesOpt = False, as_json: JsonOpt = False) -> None:
    """Merge OTHER into KEEP: OTHER goes to the trash (marked as merged), its key and aliases
    keep citing as aliases of KEEP, its tags and notes are added to KEEP; KEEP's fields stay.

    A thesis citing OTHER then prints KEEP's record: the fields that change are shown first,
    and the merge asks (--yes to skip; without a terminal, --yes is required). A backup is
    taken first; `papershelf undo` takes the merge back.

    Examples:

      papershelf merge Ho2020 Ho2020b

      papershelf merge Ho2020 Ho2020b --yes --json
    """
    from papershelf.cli.edit import confirm_targets

    with open_library() as lib:
        plan = lib.merge_plan(keep, other)
        if not as_json or not yes:
            if plan.diff:
                warn(f"after the merge, {plan.other.citekey} prints {plan.keep.citekey}'s record; "
                     f"what changes ({plural(len(plan.diff), 'field')}):")
                for name, before, after in plan.diff:
                    warn(f"  {name}: {_clip(before)} → {_clip(after)}")
            else:
                info(f"{plan.other.citekey} and {plan.keep.citekey} print the same record.")
        confirm_targets(f"merge {plan.other.citekey} into {plan.keep.citekey}", [plan.other.citekey], yes)
        done = lib.merge(plan)
    if as_json:
        print_json(done.to_dict())
    info(f"Merged {done.other.citekey} into {done.keep.citekey}: "
         + ", ".join(done.aliases) + f" now cite{'s' if len(done.aliases) == 1 else ''} "
         + f"{done.keep.citekey}" + (f"; tags added: {', '.join(done.tags)}" if done.tags else "")
         + (f"; {done.other.citekey}'s notes appended" if done.notes else "")
         + ". `papershelf undo` takes it back.")


def undo(
    force: Annotated[bool, typer.Option("--force", help="Undo even if an entry changed since (those changes "
                                                        "are lost).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="Say what would be undone; change nothing.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Undo the last import or merge: entries it added go to the trash, entries it changed
    (`import --update`, the KEEP of a merge) get their fields back, aliases it added are
    removed, an entry merged away comes back with its key. Refuses when an entry changed since
    (exit 6), unless --force. Each run undoes one more (the last 20 are remembered).

    Examples:

      papershelf undo --dry-run

      papershelf undo

      papershelf undo --force --json
    """
    with open_library() as lib:
        report = lib.undo(force=force, dry_run=dry_run)
    if as_json:
        print_json(report.to_dict())
    would = "would " if dry_run else ""
    lines = [f"{'Would undo' if dry_run else 'Undid'} {report.summary!r} ({report.at}):"]
    if report.trashed:
        lines.append(f"  {plural(len(report.trashed), 'new entry', 'new entries')} {would}"
                     f"{'go' if dry_run else 'went'} to the trash: " + _few(report.trashed))
    if report.restored:
        lines.append(f"  {plural(len(report.restored), 'entry', 'entries')} {would}"
                     f"{'get' if dry_run else 'got'} their fields back: " + _few(report.restored))
    if report.unaliased:
        lines.append(f"  {plural(len(report.unaliased), 'alias', 'aliases')} {would}"
                     f"{'be ' if dry_run else ''}removed: " + _few([f"{a}→{k}" for a, k in report.unaliased]))
    if report.unmerged:
        lines.append(f"  {would}{'come' if dry_run else 'came'} back from the trash: " + _few(report.unmerged))
    if report.changed:
        lines.append("  changed since (overwritten): " + _few(report.changed))
    for line in lines:
        info(line)


def _few(keys: list[str], n: int = 10) -> str:
    return ", ".join(keys[:n]) + (f" … and {len(keys) - n} more" if len(keys) > n else "")
