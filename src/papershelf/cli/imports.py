"""``import markdown``: add what a Markdown reading list links.

    papershelf import markdown my-list.md             arXiv metadata if arXiv answers, else placeholders
    papershelf import markdown my-list.md --offline   placeholders only ("needs sync"); `papershelf sync` completes them
    papershelf import markdown my-list.md --dry-run --json

arXiv papers, PMLR/proceedings papers, books (O'Reilly and publisher links, ISBN from the URL)
become entries; the headings and parent bullets above an item are its section, the bullets
nested under it its notes (verbatim) and links. Other web pages become `online` entries.
What could not be read is listed on stderr (and under "problems" in --json). Items already in
the catalogue are left alone, so importing the same list twice adds nothing.
Exit codes: 0 done (problems listed), 3 no such file, 4 --online and arXiv could not be reached
(the placeholders are stored).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from papershelf.cli._common import JsonOpt, fail, info, open_catalogue, print_json, warn
from papershelf.errors import ExitCode, NotFoundError, PapershelfError


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    file = Path(path).expanduser()
    if not file.is_file():
        raise NotFoundError(f"no reading list at {file}")
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PapershelfError(f"{file} is not UTF-8 text", hint="save the list as UTF-8 and try again") from None


def _arxiv_fetcher(auto: bool):
    """A fetch function over the arXiv client, or None when the client is not installed."""
    try:
        from papershelf.sources.arxiv.client import ArxivClient, Settings
    except ImportError:
        return None

    def fetch(ids):
        settings = Settings.from_env()
        if auto:  # only trying: fail fast when there is no network
            from dataclasses import replace

            settings = replace(settings, retries=min(settings.retries, 1),
                               connect_timeout=min(settings.connect_timeout, 5.0))
        info(f"Asking arXiv about {len(ids)} papers…")
        with ArxivClient(settings) as client:
            result = client.fetch(ids)
        error = result.error.message if result.error else None
        if error is None and result.failed:
            error = "; ".join(f"{i}: {why}" for i, why in list(result.failed.items())[:3])
        return result.found, result.missing, error

    return fetch


def markdown(
    path: Annotated[str, typer.Argument(help="The Markdown reading list ('-' reads stdin).", show_default=False)],
    online: Annotated[bool | None, typer.Option(
        "--online/--offline",
        help="Fetch arXiv metadata now (--online), or only add placeholders for `papershelf sync` "
             "(--offline). Default: try arXiv, fall back to placeholders.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="Show what would be added; change nothing.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import a Markdown reading list: papers, books and links, with sections and notes."""
    from papershelf.services.import_markdown import import_markdown

    text = _read_text(path)
    fetch = None if online is False else _arxiv_fetcher(auto=online is None)
    if online and fetch is None:
        raise PapershelfError("--online needs the arXiv client, which is not installed")
    with open_catalogue() as cat:
        report = import_markdown(cat, text, fetch=fetch, dry_run=dry_run)
    if as_json:
        print_json(report.to_dict())
    else:
        verb = "would add" if dry_run else "added"
        sys.stdout.write("".join(
            f"{verb}\t{e.citekey or '-'}\t{e.type}\t{e.section or ''}\t{e.title}"
            f"{' (needs sync)' if e.needs_sync else ''}\n" for e in report.added))
    for p in report.problems:
        warn(f"line {p.line}: {p.reason}: {p.text}")
    if report.network_error:
        warn(f"arXiv could not be asked ({report.network_error}); the papers were added as "
             "placeholders: `papershelf sync` completes them")
    info(f"{len(report.added)} {'to add' if dry_run else 'added'} ({report.placeholders} arXiv "
         f"placeholders, {report.fetched} with arXiv metadata), {len(report.existing)} already in the "
         f"catalogue, {len(report.problems)} not understood (listed above)")
    if report.network_error and online:
        raise fail("arXiv could not be reached", code=ExitCode.NETWORK)
