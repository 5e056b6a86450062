"""Getting entries out: which entries an export holds, rendering them, and writing the file.

Selection (``select``): by key (in the order given), by what a LaTeX ``.aux`` file cites, or by
tag/type/year filters and a search query (in key order). Rendering goes to the writers of
``formats``; ``export_file.write_output`` writes the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papershelf.errors import NotFoundError, UsageError
from papershelf.model.entry import Entry
from papershelf.model.query import Filters

if TYPE_CHECKING:
    from papershelf.formats.bibtex.writer import WriteReport
    from papershelf.services.library import Library
    from papershelf.storage.render_cache import RenderCache


@dataclass
class Selection:
    entries: list[Entry]
    missing: list[str] = field(default_factory=list)  # cited keys not in the catalogue
    cited: list[str] = field(default_factory=list)  # the keys asked for (by name or by the .aux)


def degraded_type(kind: str) -> str:
    """The plain.bst type a ``kind`` entry lacking a required field is exported as (the writer's)."""
    from papershelf.formats.bibtex.shapes import degraded_type as written_as

    return written_as(kind)


def _by_key(entries: Sequence[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: e.citekey.lower())


def select(lib: Library, keys: Sequence[str] = (), filters: Filters | None = None,
           query: str | None = None, aux: Path | None = None, *, order: str = "key",
           parents: bool = False) -> Selection:
    """The entries to export (see the module docstring): ``select_ids``, loaded. ``order="added"``
    keeps the catalogue's own order when selecting by filters (the Markdown reading list)."""
    filters = filters or Filters()
    if order == "added" and not keys and not query and aux is None and not parents:
        return Selection(lib.list_entries(filters, sort="added"))
    chosen = select_ids(lib, keys, filters, query, aux, parents=parents)
    return Selection(lib.cat.load(chosen.ids), chosen.missing, chosen.cited)


@dataclass
class IdSelection:
    """What ``select`` chooses, as row ids (cheap), for the streamed export (``bibtex_chunks``)."""

    ids: list[int]
    missing: list[str] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)


def _ids_by_key(lib: Library, ids: Sequence[int]) -> list[int]:
    keys = lib.cat.keys_of(ids)
    return sorted(ids, key=lambda i: keys[i].lower())


def select_ids(lib: Library, keys: Sequence[str] = (), filters: Filters | None = None,
               query: str | None = None, aux: Path | None = None, *, aux_text: str | None = None,
               parents: bool = False) -> IdSelection:
    """``select`` (key order) without loading the entries: the same entries, in the same order.

    ``parents`` (a .bib export): the entries in the order they were imported (bibtex breaks
    ties of its sort by the order of the database, so alpha's ``a``/``b`` suffixes and plain's
    equal-name order stay as the files had them; keys given by name keep the order given), with
    every entry they need after them (``with_parents``: a crossref or xdata parent, a set's
    members). ``aux_text``: the text of an .aux file instead of its path (its ``\\@input``
    files unread)."""
    in_import_order = parents and (aux is not None or aux_text is not None or not keys)
    chosen = _select_ids(lib, keys, filters, query, aux, aux_text, by_key=not in_import_order)
    if parents:
        if in_import_order:
            chosen.ids = sorted(chosen.ids)  # row ids grow in import order
        chosen.ids = with_parents(lib, chosen.ids)
    return chosen


def _select_ids(lib: Library, keys: Sequence[str], filters: Filters | None, query: str | None,
                aux: Path | None, aux_text: str | None, *, by_key: bool = True) -> IdSelection:
    """The ids chosen, in key order (``by_key`` False: in any order, for the caller to sort)."""
    filters = filters or Filters()
    if aux is not None or aux_text is not None:
        from papershelf.formats.latex_aux import cited_in, cited_keys

        if aux is not None and not aux.exists():
            raise NotFoundError(f"no such file: {aux}")
        cited = cited_keys(aux) if aux is not None else cited_in(aux_text or "")
        if "*" not in cited:
            return select_cited(lib, [*keys, *cited])
    if keys:
        return IdSelection(list(dict.fromkeys(lib.cat.resolve(k) for k in keys)), cited=list(keys))
    if query:
        from papershelf.model.query import parse_query

        parsed = parse_query(query)
        merged = lib.filters(filters.merge(parsed.filters))
        found = lib.cat.search_ids(parsed.fts, merged)
        return IdSelection(_ids_by_key(lib, found) if by_key else found)
    found = lib.cat.list_ids(lib.filters(filters), sort="key")
    return IdSelection(_ids_by_key(lib, found) if by_key else found)


def select_cited(lib: Library, cited: Sequence[str]) -> IdSelection:
    """The entries a document cites (by key or alias, in key order), and the keys not found."""
    ids: list[int] = []
    missing: list[str] = []
    for key in cited:
        try:
            ids.append(lib.cat.resolve(key, exact=True, suggest=False))  # a \cite'd key, not a prefix
        except NotFoundError:
            missing.append(key)
    return IdSelection(_ids_by_key(lib, list(dict.fromkeys(ids))), missing, list(cited))


def with_parents(lib: Library, ids: Sequence[int]) -> list[int]:
    """``ids`` and every entry they need, each once: crossref and xdata parents (and theirs),
    the members of a biblatex ``@set``. The entries keep their order, added ones at the end,
    and a crossref parent moves after its children (bibtex reads it only after them; biber
    finds every kind anywhere, and breaks sort ties by the order of the file, so nothing else
    moves). A key no entry has is left to ``check`` (a dangling crossref)."""
    order = list(dict.fromkeys(ids))
    seen = set(order)
    edges: dict[int, list[int]] = {}
    frontier = order
    while frontier:
        needs = lib.cat.needs(frontier)
        found = lib.cat.ids_of_keys(list({k for keys in needs.values() for k, _ in keys}))
        frontier = []
        for entry_id, keys in needs.items():
            for key, after in keys:
                parent = found.get(key.lower())
                if parent is None or parent == entry_id:
                    continue
                if after:  # a crossref parent: bibtex reads it only after its children
                    edges.setdefault(entry_id, []).append(parent)
                if parent not in seen:
                    seen.add(parent)
                    order.append(parent)
                    frontier.append(parent)
    return _parents_after(order, edges) if edges else order


def _parents_after(order: list[int], edges: dict[int, list[int]]) -> list[int]:
    """``order`` with each entry another names moved to just after the last entry that names it
    (and no other move: biber breaks sort ties by the order of the file); a cycle keeps its
    place (bibtex reports it; no order satisfies it)."""

    def reaches(start: int, goal: int) -> bool:
        todo, seen = [start], {start}
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    edges = {child: kept for child, parents in edges.items()
             if (kept := [p for p in parents if not reaches(p, child)])}
    waiting = dict.fromkeys(order, 0)  # children not yet written, per entry
    for parents in edges.values():
        for parent in set(parents):
            waiting[parent] += 1
    out: list[int] = []
    written: set[int] = set()
    deferred: set[int] = set()

    def write(entry_id: int) -> None:
        stack = [entry_id]
        while stack:
            current = stack.pop()
            if current in written:
                continue
            written.add(current)
            out.append(current)
            ready = []
            for parent in dict.fromkeys(edges.get(current, ())):
                waiting[parent] -= 1
                if waiting[parent] == 0 and parent in deferred:
                    ready.append(parent)
            stack.extend(reversed(ready))

    for entry_id in order:
        if waiting[entry_id] > 0:
            deferred.add(entry_id)
        else:
            write(entry_id)
    return out + [i for i in order if i not in written]  # (none: every cycle was set aside above)


CHUNK = 500  # entries loaded and rendered at a time by the streamed export


def bibtex_chunks(lib: Library, ids: Sequence[int], style: str = "bibtex", *, minimal: bool = False,
                  keywords: str = "source", cited: Sequence[str] = (),
                  report: WriteReport | None = None, cache: RenderCache | None = None,
                  preamble: bool = True) -> Iterator[str]:
    """``bibtex`` of the entries ``ids`` names, as text pieces, reading ``CHUNK`` entries at a
    time: the same bytes, never every entry in memory. A first pass over the blocks table alone
    collects the @preamble blocks of the files the entries came from (``preamble`` False: none)
    and the @string definitions they use (written first, once each). Each entry's text is
    read back from the cache of rendered entries when its stored rows have not changed since it
    was rendered (``services.export_cache``; ``cache`` None: the user's). The ``report`` is
    complete once the pieces are exhausted."""
    from papershelf.formats.bibtex.writer import WriteReport, render_blocks
    from papershelf.services.export_cache import bibtex_texts

    check_style(style)
    check_keywords(keywords)
    from papershelf.storage.rows import blocks_of

    head = render_blocks(*blocks_of(lib.cat.conn, ids, preamble=preamble))  # the blocks tables only
    texts = bibtex_texts(lib, ids, style, minimal=minimal, keywords=keywords, cited=cited,
                         report=report if report is not None else WriteReport(), cache=cache, chunk=CHUNK)
    yield from _batched(_separated(head, texts))


def _separated(head: str, texts: Iterable[str]) -> Iterator[str]:
    """``head``, then the entries' texts with a blank line between (as ``writer.iter_bibtex``)."""
    if head:
        yield head
    first = True
    for text in texts:
        yield text if first and not head else "\n" + text
        first = False


def _batched(pieces: Iterable[str], n: int = CHUNK) -> Iterator[str]:
    """The pieces joined ``n`` at a time: one write (and one checksum update) per chunk of
    entries, not one per entry."""
    batch: list[str] = []
    for piece in pieces:
        batch.append(piece)
        if len(batch) >= n:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


@dataclass(frozen=True)
class BibtexRequest:
    """What a BibTeX export asks for (``export bibtex``, the MCP server's ``export`` tool):
    the selection (``select_ids``) and how to write it (``bibtex_chunks``)."""

    keys: Sequence[str] = ()
    filters: Filters | None = None
    query: str | None = None
    aux: Path | None = None  # a LaTeX .aux file: exactly what it cites
    aux_text: str | None = None  # or the text of one
    style: str = "bibtex"
    minimal: bool = False
    keywords: str = "source"
    preamble: bool = True  # the @preamble blocks of the entries' files


@dataclass
class BibtexExport:
    selection: IdSelection
    chunks: Iterator[str]  # the .bib text, rendered a chunk at a time as it is read
    report: WriteReport  # complete once ``chunks`` is exhausted


def export_bibtex(lib: Library, request: BibtexRequest) -> BibtexExport:
    """The BibTeX export use case: the entries chosen, and their text streamed with its report."""
    selection = select_ids(lib, request.keys, request.filters, request.query, request.aux,
                           aux_text=request.aux_text, parents=True)
    report = new_report()
    chunks = bibtex_chunks(lib, selection.ids, request.style, minimal=request.minimal,
                           keywords=request.keywords, cited=selection.cited, report=report,
                           preamble=request.preamble)
    return BibtexExport(selection, chunks, report)


def new_report() -> WriteReport:
    """An empty report for ``bibtex_chunks`` to fill."""
    from papershelf.formats.bibtex.writer import WriteReport

    return WriteReport()


def csljson_chunks(lib: Library, ids: Sequence[int]) -> Iterator[str]:
    """``csljson`` of the entries ``ids`` names, as text pieces, ``CHUNK`` entries at a time."""
    from papershelf.formats.csljson import iter_csljson

    yield from _batched(iter_csljson(lib.cat.iter_load(ids, CHUNK)))


def check_style(style: str | None) -> str:
    """The style to write: ``style`` if given, else the ``export.style`` setting (bibtex)."""
    from papershelf import config
    from papershelf.formats.bibtex.writer import STYLES

    style = config.value("export.style", style)
    if style not in STYLES:
        raise UsageError(f"unknown style {style!r}: choose bibtex or biblatex")
    return style


def check_grouping(group_by: str) -> None:
    from papershelf.formats.markdown import GROUPS

    if group_by not in GROUPS:
        raise UsageError(f"unknown grouping {group_by!r}: choose one of {', '.join(GROUPS)}")


def check_keywords(keywords: str) -> None:
    from papershelf.formats.bibtex.writer import KEYWORDS

    if keywords not in KEYWORDS:
        raise UsageError(f"unknown --keywords {keywords!r}: choose source, tags or both")


def bibtex(entries: Sequence[Entry], style: str = "bibtex", *, minimal: bool = False,
           keywords: str = "source", cited: Sequence[str] = (), preamble: bool = True) -> tuple[str, WriteReport]:
    """A .bib file for bibtex (LaTeX-encoded) or biblatex (UTF-8), and what had to be adapted.

    Entries read from a .bib file come back as written (see ``formats.bibtex.writer``);
    ``keywords`` says what goes into ``keywords``: the source's own (``source``), the tags
    (``tags``), or both. An alias among the ``cited`` keys (a merged-away key the document
    cites) gets a copy of its entry under that key in the ``bibtex`` style, which has no ``ids``."""
    from papershelf.formats.bibtex.writer import WriteReport, write_bibtex

    check_style(style)
    check_keywords(keywords)
    report = WriteReport()
    return write_bibtex(entries, style, minimal=minimal, report=report, keywords=keywords,
                        alias_copies=cited, preamble=preamble), report


def cite(lib: Library, keys: Sequence[str], style: str | None = None, *, minimal: bool = True,
         preamble: bool = True) -> tuple[str, WriteReport]:
    """``papershelf cite``: the .bib text of the entries ``keys`` name (by key, alias or a
    unique prefix) with every entry they need (``with_parents``), ready to paste."""
    style = check_style(style)
    ids = with_parents(lib, list(dict.fromkeys(lib.cat.resolve(k) for k in keys)))
    return bibtex(lib.cat.load(ids), style, minimal=minimal, cited=keys, preamble=preamble)


def markdown(entries: Sequence[Entry], group_by: str = "section", title: str = "Reading list") -> str:
    from papershelf.formats.markdown import write_markdown

    check_grouping(group_by)
    return write_markdown(entries, group_by, title)


def csljson(entries: Sequence[Entry]) -> str:
    from papershelf.formats.csljson import write_csljson

    return write_csljson(entries)
