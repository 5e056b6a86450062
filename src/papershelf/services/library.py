"""The library: the public Python API over one catalogue.

A ``Library`` holds a ``Door`` (``services.door``, as ``lib.door``) and hands it ``add``,
``refresh``, ``save_edit`` and the identity look-ups: ``Library.add`` is how every entry enters
the catalogue, and the door's docstring says what it decides, in which order. Reads go through the
library too, so tag filters see topic aliases (``tag:蒸餾`` finds ``distillation``) without
storage knowing about topics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from papershelf.model.entry import Entry, Summary
from papershelf.model.query import Filters, parse_query
from papershelf.model.tags import normalise_tag
from papershelf.storage.catalogue import Catalogue, Stats

# The door (add, refresh) and its vocabulary, which callers import from here, load on first use
# (``Library.door``, ``__getattr__`` below): a command that only reads does not pay for them.
if TYPE_CHECKING:
    from papershelf.errors import PapershelfError
    from papershelf.model.snippets import Snippet
    from papershelf.services.attachments import Attached
    from papershelf.services.door import Door
    from papershelf.services.door_changes import MergePlan
    from papershelf.services.door_records import AddPolicy, AddResult, Duplicate, Progress  # noqa: F401
    from papershelf.services.merge import UndoReport
    from papershelf.services.pdf_fetch import FetchReport
    from papershelf.storage.files import AttachedFile
    from papershelf.storage.trash import Trashed


class Library:
    """One open catalogue and what can be done with it."""

    def __init__(self, cat: Catalogue):
        self.cat = cat
        self._door: Door | None = None

    @property
    def door(self) -> Door:
        """The one door every write goes through, made on first use."""
        if self._door is None:
            from papershelf.services.door import Door

            self._door = Door(self.cat)
        return self._door

    # -- the door (``services.door``): every new entry, every refresh and edit ---------------

    def add(self, entries: Iterable[Entry], policy: AddPolicy | None = None) -> AddResult:
        return self.door.add(entries) if policy is None else self.door.add(entries, policy)

    def refresh(self, updates: Sequence[tuple[int, Entry, Sequence[str]]],
                completed: Sequence[Entry] = (), *, also: Callable[[], object] | None = None) -> list[Entry]:
        return self.door.refresh(updates, completed, also=also)

    def save_edit(self, entry_id: int, revision: int, before: Entry, new: Entry, names: Sequence[str],
                  *, notes: bool = False) -> Entry:
        return self.door.save_edit(entry_id, revision, before, new, names, notes=notes)

    def existing(self, entries: Sequence[Entry]) -> list[tuple[int | None, str] | None]:
        return self.door.existing(entries)

    def find_arxiv(self, arxiv_ids: Iterable[str]) -> dict[str, Entry]:
        return self.door.find_arxiv(arxiv_ids)

    def safeguard(self, what: str) -> Path:
        return self.door.safeguard(what)

    @property
    def path(self) -> Path:
        return self.cat.path

    def close(self) -> None:
        self.cat.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------------------

    def filters(self, filters: Filters | None) -> Filters:
        """``filters`` with each tag matching its topic's aliases too."""
        filters = filters or Filters()
        if not filters.tags:
            return filters  # the topic rules (and their TOML reader) load only for tag filters
        from papershelf.topics.loader import tag_names_for

        return filters.with_tag_groups(lambda t: tag_names_for(normalise_tag(t)))

    def list_entries(self, filters: Filters | None = None, *, sort: str = "added", reverse: bool = False,
             limit: int | None = None) -> list[Entry]:
        return self.cat.list_entries(self.filters(filters), sort=sort, reverse=reverse, limit=limit)

    def iter_entries(self, filters: Filters | None = None, *, sort: str = "added", reverse: bool = False,
                     limit: int | None = None, chunk: int = 200) -> Iterator[Entry]:
        """``list_entries``, loaded ``chunk`` at a time as they are consumed (a table on a
        terminal shows its first screen before the last entry is read)."""
        ids = self.cat.list_ids(self.filters(filters), sort=sort, reverse=reverse, limit=limit)
        return self.cat.iter_load(ids, chunk)

    def listing(self, filters: Filters | None = None, *, sort: str = "added", reverse: bool = False,
                limit: int | None = None) -> Listing:
        """``iter_entries`` as ``list`` shows it: a report whose ``verdict`` (once consumed)
        is ``NothingFound`` saying why when it held nothing."""
        return Listing(self.iter_entries(filters, sort=sort, reverse=reverse, limit=limit),
                       lambda: self._why_nothing(filters or Filters()))

    def _why_nothing(self, filters: Filters) -> str:
        """Why a listing found nothing, with a way on: a tag no entry carries gets the closest."""
        from papershelf.model.suggest import did_you_mean

        for name in filters.tags:
            if not self.list_entries(Filters(tags=[name]), limit=1):
                close = self.close_tags(name)
                return (f"No entries tagged {name!r}{did_you_mean(close)}." if close else
                        f"No entries tagged {name!r}: `papershelf tags` lists the tags in use.")
        if self.count() == 0:
            return "The catalogue is empty: `papershelf add ID` or `papershelf import bibtex FILE` adds entries."
        return "No entries match these filters together (each finds some): drop one to see more."

    def search(self, query: str, filters: Filters | None = None, limit: int | None = None) -> list[Entry]:
        """Entries matching the search language (``model.query``), best first."""
        return self.search_hits(query, filters, limit, snippets=False).entries

    def search_hits(self, query: str, filters: Filters | None = None, limit: int | None = None, *,
                    snippets: bool = True) -> SearchResult[Entry]:
        """``search``, with why each entry matched: an extract with the hits marked. A word or
        phrase that is a topic's alias also finds what that topic tags (ranked last)."""
        return self._search(query, filters, limit, snippets, self.cat.load)

    def search_summaries(self, query: str, filters: Filters | None = None,
                         limit: int | None = None) -> SearchResult[Summary]:
        """``search_hits`` as ``search`` shows it: each hit read as a ``Summary`` (key, type,
        title, people, year, ids, tags, section), not a whole entry."""
        return self._search(query, filters, limit, True, self.cat.summaries)

    def _search(self, query: str, filters: Filters | None, limit: int | None, snippets: bool,
                load: Callable[[Sequence[int]], list[_Hit]]) -> SearchResult[_Hit]:
        from papershelf.model.query import fulltext_only
        from papershelf.model.snippets import Snippet

        inside = fulltext_only(query)
        parsed = parse_query(inside if inside is not None else query,
                             None if inside is not None else _topic_of(self.cat.topic_aliases()))
        merged = self.filters((filters or Filters()).merge(parsed.filters))
        ids = [] if inside is not None else self.cat.search_ids(parsed.fts, merged, limit, literal=parsed.literal)
        found: dict[str, Snippet] = {}
        pages: dict[int, tuple[int, Snippet]] = {}
        if parsed.fts and (limit is None or len(ids) < limit):  # the attached PDFs, below the metadata hits
            pages = self._page_hits(parsed.literal, merged, set(ids), None if limit is None else limit - len(ids),
                                    strict=inside is not None)
        entries = load(ids + list(pages))
        if snippets and parsed.fts and ids:  # an extract costs ~0.1 ms a column: only for the first ones
            marked = self.cat.search_snippets(parsed.fts, ids[:SNIPPET_ROWS])
            found = {e.citekey: Snippet.parse(marked[e.id][1], marked[e.id][0])
                     for e in entries if e.id in marked}
        by_id = {e.id: e.citekey for e in entries}
        for entry_id, (_, snippet) in pages.items():
            found[by_id[entry_id]] = snippet
        return SearchResult(entries, found, {by_id[i]: page for i, (page, _) in pages.items()}, query)

    def _page_hits(self, match: str, filters: Filters, skip: set[int], limit: int | None, *,
                   strict: bool) -> dict[int, tuple[int, Snippet]]:
        """Entries whose attached PDFs match ``match`` (not in ``skip``): their best page and its
        extract. ``strict``: a query the page index cannot run is the user's error (``fulltext:``),
        else it simply finds nothing there (a field search such as ``title:`` is metadata only)."""
        import sqlite3

        from papershelf.errors import QuerySyntaxError
        from papershelf.model.snippets import Snippet
        from papershelf.storage import fulltext

        try:
            hits = fulltext.search(self.cat.conn, match)
        except sqlite3.OperationalError as exc:
            if strict:
                raise QuerySyntaxError(f"cannot search the full text for that: {exc}",
                                       hint="fulltext: takes words, \"phrases\", prefix*, OR, NOT") from None
            return {}
        hits = [h for h in hits if h.entry_id not in skip]
        if hits and not filters.is_empty():
            allowed = set(self.cat.search_ids("", filters, None))
            hits = [h for h in hits if h.entry_id in allowed]
        if limit is not None:
            hits = hits[:limit]
        return {h.entry_id: (h.page, Snippet.parse(h.marked, f"page {h.page}")) for h in hits}

    def get(self, ref: str) -> Entry:
        return self.cat.get(ref)

    def get_many(self, refs: Iterable[str]) -> list[Entry]:
        """Entries by key (or arXiv id, DOI), in the order given, each once."""
        return self.cat.load(list(dict.fromkeys(self.cat.resolve(r) for r in refs)))

    def entries(self) -> list[Entry]:
        return self.cat.entries()

    def count(self) -> int:
        return self.cat.count()

    def stats(self) -> Stats:
        return self.cat.stats()

    def tags(self) -> list[tuple[str, int, int]]:
        return self.cat.tags()

    def info(self) -> dict[str, Any]:
        from papershelf.storage.db import applied_migrations
        from papershelf.storage.migrations import MIGRATION_NAMES

        applied = applied_migrations(self.cat.conn)
        return {"path": str(self.path), "bytes": self.path.stat().st_size, "entries": self.count(),
                "schema": applied[-1] if applied else None, "migrations": applied,
                "latest_schema": MIGRATION_NAMES[-1]}

    # -- changing (the door: ``services.door_changes``) ---------------------------------------

    def tag(self, ref: str, tags: Sequence[str]) -> tuple[list[str], Entry]:
        return self.door.tag(ref, tags)

    def untag(self, ref: str, tags: Sequence[str]) -> tuple[list[str], Entry]:
        return self.door.untag(ref, tags)

    def tag_all(self, refs: Sequence[str], tags: Sequence[str]) -> list[tuple[str, list[str]]]:
        """Tag several entries in one transaction; (key, the tags new on it) for each."""
        return self.door.tag_all(refs, tags)

    def untag_all(self, refs: Sequence[str], tags: Sequence[str]) -> list[tuple[str, list[str]]]:
        """Untag several entries in one transaction; (key, the tags it had) for each."""
        return self.door.tag_all(refs, tags, remove=True)

    def set_notes(self, ref: str, text: str, *, append: bool = True, expect: int | None = None) -> Entry:
        return self.door.set_notes(ref, text, append=append, expect=expect)

    def rekey(self, old: str, new: str) -> tuple[str, str]:
        return self.door.rekey(old, new)

    def remove(self, refs: Sequence[str]) -> list[str]:
        return self.door.remove(refs)

    def restore(self, keys: Sequence[str]) -> list[str]:
        return self.door.restore(keys)

    def empty_trash(self) -> int:
        return self.door.empty_trash()

    def trash(self) -> list[Trashed]:
        """What the trash holds, most recently removed first."""
        from papershelf.storage import trash

        return trash.listing(self.cat.conn)

    def merge_plan(self, keep: str, other: str) -> MergePlan:
        """What ``merge`` would do: the field diff OTHER's key will print after, its keys, tags."""
        from papershelf.services.merge import plan

        return plan(self.door, keep, other)

    def merge(self, plan: MergePlan) -> MergePlan:
        """Merge OTHER into KEEP as planned (one transaction, a backup first; ``undo`` takes it back)."""
        return self.door.merge(plan)

    def undo(self, *, force: bool = False, dry_run: bool = False) -> UndoReport:
        """Take back the last import or merge; ``ConflictError`` if an entry changed since."""
        from papershelf.services.merge import undo

        return undo(self.door, force=force, dry_run=dry_run)

    def web_page(self, ref: str) -> tuple[Entry, str]:
        """The entry and the page ``open`` shows: its arXiv abstract page, else its DOI
        (https://doi.org/…), else its URL — where a Markdown reading list links its title."""
        from papershelf.errors import NotFoundError
        from papershelf.formats.markdown import link_of

        entry = self.get(ref)
        url = link_of(entry)
        if url is None:
            raise NotFoundError(f"{entry.citekey} has no URL, DOI or arXiv id to open",
                                hint=f"add one: papershelf set {entry.citekey} 'url=https://…'")
        return entry, url

    # -- attached files (services.attachments) ------------------------------------------------

    def attach(self, ref: str, paths: Sequence[Path], *, link: bool = False) -> list[Attached]:
        from papershelf.services.attachments import attach

        return attach(self, ref, list(paths), link=link)

    def fetch_pdf(self, ref: str) -> FetchReport:
        """Download an open-access PDF of ``ref`` (arXiv, OpenAlex, Unpaywall, landing page) and attach it."""
        from papershelf.services.pdf_fetch import fetch

        return fetch(self, [ref])

    def fetch_pdfs(self, query: str | None) -> FetchReport:
        """``fetch_pdf`` for each entry a search finds (None: each without a file); per entry
        what was attached or why not."""
        from papershelf.services.pdf_fetch import fetch

        return fetch(self, query=query)

    def detach(self, ref: str, which: str | None = None) -> tuple[str, list[AttachedFile]]:
        from papershelf.services.attachments import detach

        return detach(self, ref, which)

    def files_of(self, ref: str) -> list[AttachedFile]:
        """The files attached to ``ref``, in the order they were attached."""
        from papershelf.storage import files

        entry_id = self.cat.resolve(ref)
        return files.of_entries(self.cat.conn, [entry_id]).get(entry_id, [])

    def file_path(self, f: AttachedFile) -> Path:
        from papershelf.services.attachments import location

        return location(self, f)

    def files_with_paths(self, ref: str) -> list[tuple[AttachedFile, Path]]:
        """``files_of`` with where each file is (``file_path``): what ``show`` lists."""
        return [(f, self.file_path(f)) for f in self.files_of(ref)]

    def pdf_of(self, ref: str) -> tuple[str, Path | None]:
        """The key and the first attached PDF of ``ref`` that is on disk (None when none is)."""
        from papershelf.services.attachments import pdf_of

        return pdf_of(self, ref)

    def close_tags(self, name: str) -> list[str]:
        """Tags of the catalogue whose name is close to ``name`` (for "did you mean")."""
        from papershelf.model.suggest import closest

        return closest(normalise_tag(name), self.cat.tag_names(limit=20000))

    def backup(self, to: Path | None = None) -> Path:
        """A consistent copy: beside the catalogue (timestamped), or at ``to`` (must not exist)."""
        return self.cat.backup("manual") if to is None else self.cat.backup_to(to)



SNIPPET_ROWS = 100  # search results that say why they matched (the rest: the entry alone)


_Hit = TypeVar("_Hit", Entry, Summary)


@dataclass
class SearchResult(Generic[_Hit]):
    """What ``Library.search_hits`` (entries) or ``search_summaries`` (summaries) found, best
    first, and per key why it matched."""

    entries: list[_Hit]
    snippets: dict[str, Snippet] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)  # key -> page, for a hit in an attached PDF
    query: str = ""

    def verdict(self) -> PapershelfError | None:
        """Nothing found is exit 1 (grep's convention), said as ``search`` says it."""
        from papershelf.errors import NothingFound

        return None if self.entries else NothingFound(f"Nothing matches {self.query!r}.")


class Listing:
    """What ``Library.listing`` found, loaded as it is consumed (a table on a terminal shows its
    first screen before the last entry is read); ``verdict`` counts what was consumed."""

    def __init__(self, entries: Iterator[Entry], why_nothing: Callable[[], str]):
        self._entries = entries
        self._why_nothing = why_nothing
        self.count = 0

    def __iter__(self) -> Iterator[Entry]:
        for entry in self._entries:
            self.count += 1
            yield entry

    def verdict(self) -> PapershelfError | None:
        from papershelf.errors import NothingFound

        return None if self.count else NothingFound(self._why_nothing())


def _topic_of(aliases: dict[str, str]) -> Callable[[str], str | None] | None:
    """For the search language: the topic a word or phrase is an alias of (not the topic's own
    name, which the tags already hold). ``aliases`` is what the catalogue recorded when entries
    were last added or autotagged, so a search never loads the rules."""
    if not aliases:
        return None
    from papershelf.model.tags import tag_form
    from papershelf.model.text import script_variants

    def topic_of(text: str) -> str | None:
        for variant in script_variants(text):  # an alias written in the other Chinese script too
            form = tag_form(variant)
            topic = aliases.get(form)
            if topic and topic != form:
                return topic
        return None

    return topic_of


def open_library(path: Path, *, create: bool = False, seed: bool = False,
                 readonly: str | None = None) -> tuple[Library, int | None]:
    """Open the catalogue at ``path`` (creating it when ``create``). A catalogue created just
    now gets the bundled reading list when ``seed``; returns how many entries that added.
    ``readonly``: for reading only (never created, migrated or written; a write is refused
    with this reason)."""
    cat, created = Catalogue.open(path, create=create, readonly=readonly)
    lib = Library(cat)
    seeded = None
    if created and seed:
        from papershelf.services.bundled import load_bundled

        try:
            seeded = load_bundled(lib.door)
        except BaseException:
            lib.close()
            raise
    return lib, seeded


@contextmanager
def opened(path: Path, *, create: bool = False, seed: bool = False,
           readonly: str | None = None) -> Iterator[tuple[Library, int | None]]:
    """``open_library`` for one command (or one call of the MCP server), closed after it; a
    failure of the file itself (locked, full, read-only, damaged) is a one-line error."""
    try:
        lib, seeded = open_library(path, create=create, seed=seed, readonly=readonly)
    except Exception as exc:
        from papershelf.services.safety import storage_error

        raise storage_error(exc, path) or exc from None
    try:
        yield lib, seeded
    except Exception as exc:
        from papershelf.services.safety import storage_error

        raise storage_error(exc, path, lib.cat) or exc from None
    finally:
        lib.close()


_DOOR_NAMES = ("AddPolicy", "AddResult", "Duplicate", "Progress")


def __getattr__(name: str) -> Any:
    """The door's vocabulary (``services.door_records``), which callers import from here; loaded
    when first asked for, so a command that only reads does not import the writers."""
    if name in _DOOR_NAMES:
        from papershelf.services import door_records

        return getattr(door_records, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
