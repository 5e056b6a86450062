"""``add``: papers and books by arXiv id, DOI, ISBN, DBLP key or ACL Anthology link, pasted BibTeX,
or a record typed by hand.

    papershelf add 2302.05543 10.1109/ICCV51070.2023.00355 978-1-4842-9993-7 conf/iccv/ZhangRA23
    papershelf add --file ids.txt --tag to-read        (or: cat ids.txt | papershelf add -)
    pbpaste | papershelf add -                         pasted BibTeX entries
    papershelf add --type book --title "…" --author "Ada Lovelace" --year 2024
    papershelf add --edit                              an empty BibTeX template in $EDITOR

One ``services.add.add_items`` call adds every id: arXiv ids go to arXiv, the rest to the metadata services:
a DOI to Crossref (DataCite when Crossref has no record), an ISBN to Open Library (Google Books
second), a DBLP key to DBLP. Every item is read before any request (exit 2 for one that is not an
id); exit 3 when none was found, 4 when a service could not answer, 5 when some were added and
some not. Nothing is written for an item that failed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from papershelf.cli._library import open_library
from papershelf.cli._output import finish, info, out_line, print_json, warn
from papershelf.cli._params import JsonOpt, complete_choices
from papershelf.errors import PapershelfError, UsageError
from papershelf.model.entry import ENTRY_TYPES

if TYPE_CHECKING:
    from papershelf.cli.editor import EditorSession
    from papershelf.services.add import AddReport

TagAddOpt = Annotated[list[str] | None, typer.Option(
    "--tag", "-t", help="Tag the entries added (repeat for several).")]


def _read_items(ids: list[str], file: Path | None) -> tuple[list[str], str | None]:
    """(the items named, pasted BibTeX or None): stdin ('-' or --file -) holds ids or BibTeX."""
    from papershelf.files import read_input, read_stream
    from papershelf.model.identifiers import ids_from_text
    from papershelf.services.add import looks_like_bibtex

    texts = [i for i in ids if i != "-"]
    pasted = None
    if "-" in ids or (file is not None and str(file) == "-"):
        text = _utf8(read_stream(sys.stdin.buffer.read, MAX_INPUT_BYTES), "standard input")
        if looks_like_bibtex(text):
            pasted = text
        else:
            texts += ids_from_text(text)
    if file is not None and str(file) != "-":  # a regular file of bounded size: never /dev/zero, a FIFO
        texts += ids_from_text(_utf8(read_input(file, MAX_INPUT_BYTES, "a list of ids"), str(file)))
    return texts, pasted


MAX_INPUT_BYTES = 64 * 1024 * 1024  # ids or pasted BibTeX read by `add` (stdin or --file)


def _utf8(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{where} is not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start}); "
                         "nothing was added", hint="convert it first, e.g. iconv -f latin1 -t utf-8") from None


def _print(report: AddReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_dict())
        return
    for o in report.outcomes:
        key = o.entry.citekey if o.entry is not None else "-"
        if o.status == "added" and o.entry is not None:
            source = f" [{o.source}]" if o.source else ""
            out_line(f"{'added':<9} {key:<24} {o.ref}  {o.entry.title}{source}".rstrip())
            if o.message:  # a probable duplicate of a catalogued entry: both kept
                warn(f"{key}: {o.message}")
        elif o.status == "exists":
            out_line(f"{'exists':<9} {key:<24} {o.ref}  {o.message}".rstrip())
    for o in report.failures if len(report.outcomes) > 1 else ():  # one item: the error line says it
        warn(f"{o.ref}: {'not found' if o.status == 'not_found' else 'failed'}: {o.message}")
    for o in report.outcomes:
        if o.warning:
            warn(f"{o.ref}: {o.warning}")
    for given, used, why in report.renamed:
        if given:
            info(f"{given} was stored as {used} ({why})")
    for problem in report.problems:
        warn(f"skipped: {problem}")
    if report.requests:
        asked = ", ".join(f"{n} to {name}" for name, n in sorted(report.requests.items()))
        info(f"[dim]requests: {asked}[/]")


def _edit_template(session: EditorSession) -> str:
    from papershelf.services.add import TEMPLATE

    text = session.edit(TEMPLATE)
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("%"))
    if text.strip() == TEMPLATE.strip() or not body.strip():
        raise PapershelfError("nothing added: the template was left as it was",
                              hint="fill in the fields and save before closing the editor")
    return body


def add(
    ids: Annotated[list[str] | None, typer.Argument(
        help="arXiv ids or links (2006.11239, arXiv:…, https://arxiv.org/abs/…), DOIs (10.…, doi:…, "
             "https://doi.org/…), ISBNs (10 or 13 digits, hyphens allowed), DBLP keys or links, ACL "
             "Anthology links. '-' reads ids, or pasted BibTeX entries, from stdin.",
        show_default=False)] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", "-f", help="Read ids from this file (one or more per line, # comments; '-' is stdin).",
        dir_okay=False)] = None,
    update: Annotated[bool, typer.Option(
        "--update", help="Refresh papers already in the catalogue from arXiv (keys, tags, notes stay).")] = False,
    entry_type: Annotated[str | None, typer.Option(
        "--type", help="Add a record by hand, of this BibTeX type (book, article, inproceedings, misc…).",
        show_default=False, autocompletion=complete_choices(*ENTRY_TYPES))] = None,
    title: Annotated[str | None, typer.Option("--title", help="With --type: the title.")] = None,
    author: Annotated[list[str] | None, typer.Option(
        "--author", help="With --type: an author, 'Given Family' (repeat in order).")] = None,
    year: Annotated[int | None, typer.Option("--year", help="With --type: the year.")] = None,
    venue: Annotated[str | None, typer.Option(
        "--venue", help="With --type: the journal (article) or proceedings (inproceedings).")] = None,
    publisher: Annotated[str | None, typer.Option("--publisher", help="With --type: the publisher.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="With --type: a link to the work.")] = None,
    edit: Annotated[bool, typer.Option(
        "--edit", help="Write the entry as BibTeX in $EDITOR, starting from an empty template.")] = False,
    tag: TagAddOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add papers and books: by arXiv id, DOI, ISBN or DBLP key (the record comes from arXiv,
    Crossref, DataCite, Open Library, Google Books or DBLP), pasted BibTeX, or by hand.

    Examples:

      papershelf add 2106.09685 10.1038/s42256-024-00832-8 978-1-4842-9993-7
      papershelf add conf/iccv/ZhangRA23 --tag controlnet
      papershelf add --type book --title 'Deep Learning' --author 'Goodfellow, Ian' --year 2016
    """
    from papershelf.model.tags import normalise_tag

    tags = [normalise_tag(t) for t in (tag or [])]
    manual = entry_type is not None
    if not manual and any(v is not None for v in (title, author, year, venue, publisher, url)):
        raise UsageError("--title, --author, --year, --venue, --publisher and --url describe a record "
                         "added by hand: give --type too", hint="e.g. add --type book --title … --author …")
    if manual or edit:
        if ids or file is not None or (manual and edit):
            raise UsageError("--type and --edit add one record by hand: give no ids with them, "
                             "and only one of the two")
        if manual and not title:
            raise UsageError("--type needs --title (and --author)")
        from papershelf.services.add import add_bibtex, add_manual

        if edit:  # what was typed is kept aside if it cannot be added (the editor session's rescue)
            from papershelf.cli.editor import EditorSession

            with EditorSession("new-entry", suffix=".bib", what="nothing was added") as session:
                text = _edit_template(session)
                with session.keeping(text):
                    with open_library() as lib:
                        report = add_bibtex(lib, text, tags=tags, source="the edited template")
                    _print(report, as_json)
                    finish(report)
            return
        with open_library() as lib:
            assert entry_type is not None and title is not None
            report = add_manual(lib, type_=entry_type, title=title, authors=list(author or []), year=year,
                                venue=venue, publisher=publisher, url=url, tags=tags)
        _print(report, as_json)
        finish(report)
        return
    texts, pasted = _read_items(list(ids or []), file)
    if pasted is not None:
        if texts:
            raise UsageError("stdin holds BibTeX: give no ids with it")
        from papershelf.services.add import add_bibtex

        with open_library() as lib:
            report = add_bibtex(lib, pasted, tags=tags)
        _print(report, as_json)
        finish(report)
        return
    from papershelf.services.add import split_references

    arxiv_texts, refs = split_references(texts)
    if update and refs:
        info("--update refreshes arXiv entries only; the other items are added when new, reported when not")
    if not arxiv_texts and not refs:
        raise UsageError("nothing to add", hint="give ids, '-' for stdin, --file, --type or --edit")
    _add_ids(texts, len(arxiv_texts), update=update, tags=tags, as_json=as_json)


def _add_ids(texts: list[str], arxiv_count: int, *, update: bool, tags: list[str], as_json: bool) -> None:
    """One ``add_items`` for every id; arXiv's papers shown first, then the other references;
    one exit status for the whole run."""
    from contextlib import nullcontext

    from papershelf.cli.arxiv import _client, show_added
    from papershelf.services.add import add_items

    arxiv = _client(arxiv_count, "Adding from arXiv") if arxiv_count else nullcontext((None, None))
    with open_library() as lib, arxiv as (client, progress):
        done = add_items(lib, texts, tags=tags, update=update, arxiv_client=client,
                         on_batch=progress.advance if progress is not None else None)
    report = done.others
    arxiv_json = None
    if done.arxiv is not None:
        arxiv_json = show_added(done.arxiv, as_json=as_json, emit_json=report is None)
        arxiv_error = done.arxiv.verdict()
        if report is not None and arxiv_error is not None:
            warn(arxiv_error.message)  # the other items are still reported; the exit status says what failed
    if report is not None:
        if as_json:
            print_json({**report.to_dict(), **({"arxiv": arxiv_json} if arxiv_json is not None else {})})
        else:
            _print(report, False)
    finish(done)
