"""``attach`` / ``detach``: PDFs kept with their entries.

    papershelf attach hu2022lora ~/Downloads/2106.09685.pdf
    papershelf attach hu2022lora paper.pdf --link     (record it where it is, no copy)
    papershelf detach hu2022lora                      (every file of the entry)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from papershelf.cli._library import open_library
from papershelf.cli._output import info, out_line, plural, warn
from papershelf.cli._params import KeyArg, complete_citekey
from papershelf.errors import ExitCode

if TYPE_CHECKING:
    from papershelf.services.attachments import Attached
    from papershelf.services.pdf_fetch import FetchReport


def attach(
    key: Annotated[str | None, typer.Argument(help="Citation key (or a unique prefix of one), arXiv id or DOI.",
                                              autocompletion=complete_citekey, show_default=False)] = None,
    files: Annotated[list[Path] | None, typer.Argument(help="PDF files to attach.", dir_okay=False,
                                                       show_default=False)] = None,
    link: Annotated[bool, typer.Option("--link", help="Keep the file where it is (record its path) "
                                                      "instead of copying it into papershelf's files folder.")] = False,
    fetch: Annotated[bool, typer.Option("--fetch", help="Download an open-access copy and attach it: arXiv's "
                                                        "PDF, then OpenAlex's locations (with an API key), "
                                                        "Unpaywall's (with PAPERSHELF_MAILTO), the landing "
                                                        "page's citation_pdf_url; the first that is a PDF.")] = False,
    query: Annotated[str | None, typer.Option("--query", help="With --fetch: every entry this search finds "
                                                              "(instead of KEY).", show_default=False)] = None,
    every: Annotated[bool, typer.Option("--all", help="With --fetch: every entry without a PDF.")] = False,
) -> None:
    """Attach PDF files to an entry: copied beside the catalogue under a stable name, with their
    size, page count and sha256. A file that is not a PDF (a Git LFS pointer, an HTML page) is
    refused; an encrypted or image-only PDF is attached and said so.

    Examples:

      papershelf attach hu2022lora ~/Downloads/2106.09685v2.pdf

      papershelf attach hu2022lora lora.pdf lora-supplement.pdf

      papershelf attach hu2022lora ~/papers/lora.pdf --link

      papershelf attach hu2022lora --fetch

      PAPERSHELF_MAILTO=me@example.org papershelf attach --fetch --query 'year:2024'

      papershelf attach --fetch --all     (exit 5 when some entries got no PDF, 3 or 4 when none did)
    """
    from papershelf.cli._output import fail

    if query is not None or every:
        if not fetch or key is not None or files or (query is not None and every):
            raise fail("--query and --all go with --fetch alone (no KEY, no FILE, not both)",
                       hint="papershelf attach --fetch --query 'tag:lora'", code=ExitCode.USAGE)
        with open_library() as lib:
            _render_fetched(lib.fetch_pdfs(query))
        return
    if key is None:
        raise fail("give a KEY (or --fetch with --query/--all)", code=ExitCode.USAGE)
    if fetch == bool(files):
        raise fail("give FILE… or --fetch (one of them)",
                   hint="papershelf attach KEY FILE… | papershelf attach KEY --fetch", code=ExitCode.USAGE)
    with open_library() as lib:
        if fetch:
            _render_fetched(lib.fetch_pdf(key))
            return
        done = lib.attach(key, files or [], link=link)
    for a in done:
        _attached(a)


def _attached(a: Attached, where: str = "") -> None:
    """The one "attached" line: ``KEY: attached NAME (N pages, B bytes)[ from SOURCE URL]``."""
    pages = "? pages" if a.file.pages is None else plural(a.file.pages, "page")
    out_line(f"{a.key}: attached {a.file.original} ({pages}, {a.file.size:,} bytes){where}")
    if a.note:
        warn(f"{a.file.original}: {a.note}")


def _render_fetched(report: FetchReport) -> None:
    """One line per entry on stdout (attached from where, or why not: each source and its
    reason); for an entry found after others gave nothing, what they said goes to stderr."""
    from papershelf.cli._output import finish

    got = 0
    for o in report.outcomes:
        if o.skipped:
            out_line(f"{o.key}: {o.why}")
        elif o.attached:
            got += 1
            for a in o.attached:
                _attached(a, f" from {o.source} {o.url}")
            if o.tried:
                info(f"{o.key}: before that, " + "; ".join(str(t) for t in o.tried))
        else:
            out_line(f"{o.key}: no open-access PDF ({o.why})")
    if len(report.outcomes) > 1:
        info(f"{plural(got, 'PDF')} fetched for {plural(len(report.outcomes), 'entry', 'entries')}")
    finish(report)


def detach(
    key: KeyArg,
    file: Annotated[str | None, typer.Argument(help="The file to detach (its name as `show` lists it); "
                                                    "default: every file of the entry.")] = None,
) -> None:
    """Detach files from an entry; a copied file no other entry holds is deleted.

    Examples:

      papershelf detach hu2022lora

      papershelf detach hu2022lora lora-supplement.pdf
    """
    with open_library() as lib:
        key, gone = lib.detach(key, file)
    for f in gone:
        out_line(f"{key}: detached {f.original or f.name}")
    info(f"{plural(len(gone), 'file')} detached")

