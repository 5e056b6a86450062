"""``add``: papers and books by arXiv id, DOI, ISBN, DBLP key or ACL Anthology link, pasted BibTeX,
or a record typed by hand.

    papershelf add 2302.05543 10.1109/ICCV51070.2023.00355 978-1-4842-9993-7 conf/iccv/ZhangRA23
    papershelf add --file ids.txt --tag to-read        (or: cat ids.txt | papershelf add -)
    pbpaste | papershelf add -                         pasted BibTeX entries
    papershelf add --type book --title "…" --author "Ada Lovelace" --year 2024
    papershelf add --edit                              an empty BibTeX template in $EDITOR

arXiv ids go to arXiv (``services.arxiv``); the rest to the metadata services (``services.add``):
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

from papershelf.cli._context import open_library
from papershelf.cli._output import info, out_line, print_json, warn
from papershelf.cli._params import JsonOpt, complete_choices
from papershelf.errors import NotFoundError, PapershelfError, UsageError
from papershelf.model.entry import ENTRY_TYPES

if TYPE_CHECKING:
    from papershelf.services.add import AddReport

TagAddOpt = Annotated[list[str] | None, typer.Option(
    "--tag", "-t", help="Tag the entries added (repeat for several).")]


def _read_items(ids: list[str], file: Path | None) -> tuple[list[str], str | None]:
    """(the items named, pasted BibTeX or None): stdin ('-' or --file -) holds ids or BibTeX."""
    from papershelf.model.identifiers import ids_from_text
    from papershelf.services.add import looks_like_bibtex

    texts = [i for i in ids if i != "-"]
    pasted = None
    if "-" in ids or (file is not None and str(file) == "-"):
        text = sys.stdin.read()
        if looks_like_bibtex(text):
            pasted = text
        else:
            texts += ids_from_text(text)
    if file is not None and str(file) != "-":
        try:
            texts += ids_from_text(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise NotFoundError(f"cannot read {file}: {exc.strerror or exc}") from None
    return texts, pasted


def _split(texts: list[str]) -> tuple[list[str], list]:
    """arXiv ids apart from the other references; every unreadable item reported at once."""
    from papershelf.model.identifiers import parse as parse_arxiv
    from papershelf.services.add import classify

    arxiv, others, bad = [], [], []
    for text in texts:
        if parse_arxiv(text) is not None:
            arxiv.append(text)
            continue
        ref = classify(text)
        if ref is None:
            bad.append(text)
        else:
            others.append(ref)
    if bad:
        shown = ", ".join(repr(b) for b in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise UsageError(f"not an arXiv id, DOI, ISBN or DBLP key: {shown}",
                         hint="e.g. 2006.11239, 10.1109/ICCV51070.2023.00355, 978-1-4842-9993-7, "
                              "conf/iccv/ZhangRA23; anything else: add --type book --title … --author …")
    return arxiv, others


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
    for o in report.failures:
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


def _edit_template() -> str:
    from papershelf.cli.edit import _edit_in_editor
    from papershelf.services.add import TEMPLATE

    text = _edit_in_editor(TEMPLATE)
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
    Crossref, DataCite, Open Library, Google Books or DBLP), pasted BibTeX, or by hand."""
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
        text = _edit_template() if edit else None
        from papershelf.services.add import add_bibtex, add_manual

        with open_library() as lib:
            if text is not None:
                report = add_bibtex(lib, text, tags=tags, source="the edited template")
            else:
                assert entry_type is not None and title is not None
                report = add_manual(lib, type_=entry_type, title=title, authors=list(author or []), year=year,
                                    venue=venue, publisher=publisher, url=url, tags=tags)
        _print(report, as_json)
        report.raise_for_failures()
        return
    texts, pasted = _read_items(list(ids or []), file)
    if pasted is not None:
        if texts:
            raise UsageError("stdin holds BibTeX: give no ids with it")
        from papershelf.services.add import add_bibtex

        with open_library() as lib:
            report = add_bibtex(lib, pasted, tags=tags)
        _print(report, as_json)
        report.raise_for_failures()
        return
    arxiv_texts, refs = _split(texts)
    if update and refs:
        info("--update refreshes arXiv entries only; the other items are added when new, reported when not")
    if not arxiv_texts and not refs:
        raise UsageError("nothing to add", hint="give ids, '-' for stdin, --file, --type or --edit")
    if not refs:
        from papershelf.cli.arxiv import add_arxiv

        add_arxiv(arxiv_texts, update=update, tags=tags, as_json=as_json)
        return
    _add_mixed(arxiv_texts, refs, update=update, tags=tags, as_json=as_json)


def _add_mixed(arxiv_texts: list[str], refs: list, *, update: bool, tags: list[str], as_json: bool) -> None:
    """arXiv ids (if any) first, then the other references; one exit status for the whole run."""
    from papershelf.errors import PartialFailure
    from papershelf.services.add import add_references, open_clients

    arxiv_json = None
    arxiv_error: PapershelfError | None = None
    if arxiv_texts:
        from papershelf.cli.arxiv import add_arxiv

        try:
            arxiv_json = add_arxiv(arxiv_texts, update=update, tags=tags, as_json=as_json, emit_json=False)
        except PapershelfError as exc:
            warn(exc.message)  # the other items are still added; the exit status says what failed
            arxiv_error = exc
    with open_library() as lib, open_clients() as clients:
        report = add_references(lib, refs, clients, tags=tags)
    if as_json:
        print_json({**report.to_dict(), **({"arxiv": arxiv_json} if arxiv_json is not None else {})})
    else:
        _print(report, False)
    arxiv_some = bool(arxiv_texts) and (arxiv_error is None or isinstance(arxiv_error, PartialFailure))
    if (report.failures and arxiv_some) or (arxiv_error is not None and report.successes):
        raise PartialFailure("some items could not be added; the others were", hint="the ones listed above")
    if report.failures or arxiv_error is None:
        report.raise_for_failures()
        return
    raise arxiv_error
