"""arXiv: what ``add`` did with arXiv ids (``cli/add.py`` shows them here, with arXiv's
progress bar), ``sync`` arXiv entries, ``arxiv search`` from the terminal.

    papershelf add 2302.05543 https://arxiv.org/abs/2106.09685v2 arXiv:2208.12242
    papershelf add --file ids.txt --tag to-read        (or: cat ids.txt | papershelf add -)
    papershelf sync --dry-run                          what would change, nothing written
    papershelf sync ho2020denoising                    just these entries
    papershelf arxiv search 'ti:controlnet AND cat:cs.CV' --max 20 --add 1,3

Requests go to PAPERSHELF_ARXIV_URL (default the real API), one every PAPERSHELF_ARXIV_DELAY
seconds (default 3), 100 ids per request. Exit codes: 0 done, 2 bad ids or options (nothing
asked), 3 arXiv knows none of the ids, 4 arXiv unreachable or answering badly, 5 partial
(the good ones were stored, the rest listed), 130 Ctrl-C (batches already written are kept whole).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from papershelf.cli._context import state
from papershelf.cli._library import open_library
from papershelf.cli._output import console, finish, info, out_line, plural, print_json, warn
from papershelf.cli._params import JsonOpt, SomeKeysArg, complete_choices
from papershelf.errors import UsageError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from papershelf.services.arxiv import Outcome, Report

arxiv_app = typer.Typer(help="Talk to arXiv directly: search it from the terminal.\n\nExamples:\n\n"
                             "  papershelf arxiv search 'ti:controlnet AND cat:cs.CV'\n"
                             "  papershelf arxiv search 'au:hinton' --sort submitted --max 5",
                        no_args_is_help=True)

TagAddOpt = Annotated[list[str] | None, typer.Option(
    "--tag", "-t", help="Tag the papers added (repeat for several).")]


# --- progress on stderr ----------------------------------------------------------------------

class _Progress:
    """A Rich bar on stderr (only on a terminal, and not with --quiet): ids done, requests
    made, and the wait the rate limit imposes."""

    def __init__(self, total: int, label: str):
        self.total = total
        self.label = label
        self.requests = 0
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> _Progress:
        if self.total > 1 and not state().quiet and sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
                                console=console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=self.total, status="")
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()

    def event(self, ev) -> None:
        self.requests = ev.requests
        if self.bar is None:
            if ev.kind == "retry":
                info(f"[dim]{ev.reason}; retrying in {ev.seconds:.1f} s[/]")
            return
        requests = f"{ev.requests} request{'s' if ev.requests != 1 else ''}"
        if ev.kind == "wait":
            status = f"{requests} · waiting {ev.seconds:.1f} s (arXiv rate limit)"
        elif ev.kind == "retry":
            status = f"{requests} · {ev.reason}; retrying in {ev.seconds:.1f} s"
        else:
            status = f"{requests} · asking arXiv"
        if self.task is not None:
            self.bar.update(self.task, status=status)

    def advance(self, n: int) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, advance=n)


@contextmanager
def _client(total: int, label: str):
    from papershelf.services.arxiv import open_client

    with _Progress(total, label) as progress:
        client = open_client(on_event=progress.event)
        try:
            yield client, progress
        finally:
            client.close()


# --- reporting -------------------------------------------------------------------------------

def _line(status: str, outcome: Outcome, detail: str) -> str:
    key = outcome.entry.citekey if outcome.entry and outcome.entry.citekey else "-"
    version = f"v{outcome.entry.arxiv_version}" if outcome.entry and outcome.entry.arxiv_version else ""
    return f"{status:<9} {key:<24} arXiv:{outcome.arxiv_id}{version}  {detail}".rstrip()


def _print_failures(report: Report) -> None:
    """One warning per failed paper; none for a batch of one, whose error line says it."""
    if len(report.outcomes) == 1:
        return
    for o in report.failures:
        what = {"not_found": "not found", "conflict": "not written"}.get(o.status, "failed")
        warn(f"arXiv:{o.arxiv_id}: {what}: {o.message}")


def show_added(report: Report, *, as_json: bool, emit_json: bool = True) -> dict | None:
    """What ``add`` did with arXiv ids (``cli/add.py``): one line per paper, or the JSON object
    (printed, or returned when ``emit_json`` is False, for a run that added more); the exit
    status it earns is the report's ``verdict()``, for the caller to ``finish`` with."""
    doc = {"requests": report.requests, "papers": [o.to_dict() for o in report.outcomes]}
    if as_json and emit_json:
        print_json(doc)
    elif not as_json:
        for o in report.outcomes:
            if o.status == "added" and o.entry is not None:
                out_line(_line("added", o, o.entry.title))
            elif o.status == "exists":
                out_line(_line("exists", o, "already in the catalogue (--update refreshes it)"))
            elif o.ok:
                detail = "; ".join(c.describe() for c in o.changes) or "unchanged"
                out_line(_line(o.status, o, detail))
    _print_failures(report)
    if report.requests:
        info(f"[dim]{report.requests} request{'s' if report.requests != 1 else ''} to arXiv[/]")
    return doc if as_json else None


def sync(
    keys: SomeKeysArg = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="Show what would change; write nothing.")] = False,
    venues: Annotated[bool, typer.Option(
        "--venues", help="Find where arXiv preprints were published (Semantic Scholar, DBLP, OpenAlex, "
                         "Crossref) and make them published entries; keys and your edits stay.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Refresh arXiv entries and report what changed: versions, titles, authors, venues.

    Citation keys, tags, notes and sections never change; placeholders get their metadata.
    With --venues, the metadata services are asked where each preprint was published instead.

    Examples:

      papershelf sync
      papershelf sync ho2020denoising --dry-run
      papershelf sync --venues --json
    """
    from papershelf.services.arxiv import Report, sync_entries, sync_targets

    if venues:
        _sync_venues(keys or [], dry_run, as_json)
        return
    with open_library() as lib:
        entries = sync_targets(lib, keys or [])
        if not entries:
            info("No arXiv entries to sync.")
            return
        report = Report()
        try:
            with _client(len(entries), "Syncing with arXiv") as (client, progress):
                sync_entries(lib, client, entries, dry_run=dry_run, report=report,
                             on_batch=progress.advance)
        except KeyboardInterrupt:
            if not dry_run:
                info(f"{plural(report.written, 'entry was', 'entries were')} updated before the interruption; the "
                     "catalogue is consistent (sync again to finish)")
            raise
    if as_json:
        print_json({"dry_run": dry_run, "requests": report.requests,
                    "entries": [o.to_dict() for o in report.outcomes]})
    else:
        for o in report.outcomes:
            if o.status in ("changed", "completed"):
                head, *rest = [c.describe() for c in o.changes] or ["updated"]
                out_line(_line(o.status, o, head))
                for text in rest:
                    out_line(f"{'':<9} {'':<24} {text}")
    _print_failures(report)
    changed = report.count("changed") + report.count("completed")
    info(f"Checked {plural(len(report.outcomes), 'entry', 'entries')} with {report.requests} "
         f"request{'s' if report.requests != 1 else ''}: {changed} changed, "
         f"{report.count('unchanged')} unchanged"
         + (f", {len(report.failures)} not synced" if report.failures else "")
         + (" (dry run: nothing written)." if dry_run else "."))
    finish(report)


def _sync_venues(keys: list[str], dry_run: bool, as_json: bool) -> None:
    """``sync --venues``: one line per entry, the services skipped, the requests made."""
    from papershelf.services.venues import open_clients, sync_venues, venue_targets

    with open_library() as lib:
        entries = venue_targets(lib, keys)
        if not entries:
            info("No arXiv preprints to look up (every arXiv entry already names a venue).")
            return
        with _Progress(len(entries), "Looking for published versions") as progress, open_clients() as clients:
            report = sync_venues(lib, clients, entries, dry_run=dry_run, notify=warn, on_entry=progress.advance)
    if as_json:
        print_json(report.to_dict())
    else:
        for o in report.outcomes:
            key = o.entry.citekey or "-"
            out_line(f"{o.status:<10} {key:<24} arXiv:{o.entry.arxiv_id}  {o.message}".rstrip())
    asked = {s: n for s, n in report.requests.items() if n}
    spent = ", ".join(f"{n} to {s}" for s, n in asked.items()) or "none (all from the cache)"
    info(f"{report.count('published')} published, {report.count('kept')} left as you edited them, "
         f"{report.count('none')} without a published version, {report.count('conflict')} disputed; "
         f"requests: {spent}" + (" (dry run: nothing written)." if dry_run else "."))
    if "openalex" in report.unavailable:
        info(f"[dim]{report.unavailable['openalex']}[/]")
    finish(report)


def _results_table(results):
    """The numbered results, in the columns of ``table.layout`` (the id as the key, the primary
    class as the tags): the title gets the room and wraps between words, never inside one."""
    from rich.text import Text

    from papershelf.cli._output import console
    from papershelf.cli.plain import printable, short_authors
    from papershelf.cli.render import layout_table
    from papershelf.cli.table import GAP, layout

    ids = [printable(f"{e.arxiv_id}{'v' + str(e.arxiv_version) if e.arxiv_version else ''}") for e in results]
    names = [printable(short_authors(e)) for e in results]
    classes = [printable(e.primary_class or "") for e in results]
    number = len(str(len(results)))
    lay = layout(console().width - number - GAP, ids, names, [[c] if c else [] for c in classes])
    rows = [(ids[i], e.year, names[i], Text(printable(" ".join(e.title.split()))), classes[i])
            for i, e in enumerate(results)]
    return layout_table(lay, rows, key="arXiv", tags="class", numbered=number)


def _selection(text: str, n: int) -> list[int]:
    """``all`` or ``1,3,5-7`` → 0-based indices below ``n``."""
    text = text.strip().lower()
    if text == "all":
        return list(range(n))
    chosen: list[int] = []
    for part in text.replace(" ", "").split(","):
        lo, _, hi = part.partition("-")
        if not lo.isdigit() or (hi and not hi.isdigit()):
            raise UsageError(f"--add takes 'all' or result numbers like 1,3,5-7, not {text!r}")
        for number in range(int(lo), int(hi or lo) + 1):
            if not 1 <= number <= n:
                raise UsageError(f"there is no result {number} (the search found {n})")
            chosen.append(number - 1)
    return list(dict.fromkeys(chosen))


@arxiv_app.command("search")
def arxiv_search(
    query: Annotated[str, typer.Argument(
        help="arXiv query: words, ti:, au:, abs:, cat:cs.CV, AND / OR / ANDNOT, \"phrases\".",
        show_default=False)],
    max_results: Annotated[int, typer.Option("--max", "-m", min=1, max=2000,
                                             help="How many results to fetch.")] = 20,
    sort: Annotated[str, typer.Option(
        "--sort", help="relevance, submitted or updated (newest first).",
        autocompletion=complete_choices("relevance", "submitted", "updated"))] = "relevance",
    add_: Annotated[str | None, typer.Option(
        "--add", help="Add results to the catalogue: 'all', or numbers like 1,3,5-7.")] = None,
    tag: TagAddOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Search arXiv and show the results as a numbered table; --add stores some of them.

    Examples:

      papershelf arxiv search 'ti:controlnet AND cat:cs.CV' --max 20
      papershelf arxiv search 'au:ho diffusion' --add 1,3 --tag diffusion
    """
    from papershelf.services.arxiv import add_entries, search

    if add_ is not None and add_.strip().lower() != "all":
        _selection(add_, 10**9)  # a malformed selection is refused before any request
    with _client(1, "Searching arXiv") as (client, _):
        results = search(client, query, max_results, sort)
    added: dict[str, str] = {}
    report = None
    if add_ is not None and results:
        chosen = [results[i] for i in _selection(add_, len(results))]
        tags = list(tag or [])
        with open_library() as lib:
            report = add_entries(lib, chosen, tags=tags)
        added = {o.arxiv_id: o.entry.citekey for o in report.outcomes if o.entry}
    if as_json:
        print_json([{"n": n, "arxiv_id": e.arxiv_id, "version": e.arxiv_version, "title": e.title,
                     "authors": e.author_names, "year": e.year, "primary_class": e.primary_class,
                     "journal_ref": e.journal_ref, "doi": e.doi, "citekey": added.get(e.arxiv_id or "")}
                    for n, e in enumerate(results, 1)])
    elif results:
        console().print(_results_table(results))
    if not results:
        info(f"arXiv found nothing for {query!r}.")
    if report is not None and not as_json:
        for o in report.outcomes:
            what = "added" if o.status == "added" else "exists"
            title = o.entry.title if o.entry is not None else ""
            console(stderr=True).print(_line(what, o, title if what == "added" else "already in the catalogue"),
                                       markup=False, highlight=False, soft_wrap=True)
