"""``export bibtex --aux thesis.aux -o refs.bib --watch``: a .bib that keeps itself in step with
what a LaTeX document cites.

``BibWatch.poll`` looks at cheap signals: the size and modification time of the ``.aux`` file
and of every ``.aux`` file it includes (``formats.latex_aux.read_aux``), the catalogue file's
identity (device and inode: sync tools replace a file by renaming a new one over it), and where
the catalogue's change log stands (``storage.changes.position``: the catalogue's random id and
its last change; SQLite's triggers log every change to an entry, whoever made it). The
catalogue is opened for each poll and closed after it, never held between two: a connection
held open across a rename keeps reading the old file, and its ``-wal``/``-shm`` files, left
behind under the catalogue's name, would be read as the new file's. Only when a signal moved
(and the .aux files held still for a poll: LaTeX writes them while it runs) does it select the
cited entries again, and it renders only the entries the change log names since they were last
rendered: the cache of rendered entries ``export bibtex`` keeps (``services.export_cache``), or
one in memory when that is turned off. The file is written as ``export -o`` writes it
(``write_output``: the papershelf header, atomically, never over a file papershelf did not
write unless forced) and only when its bytes would change, in key order, so a document's .bib
changes only where its citations or their entries did. ``watch`` polls until stopped.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from papershelf.errors import UsageError
from papershelf.services.export import check_keywords, check_style, select_cited
from papershelf.services.export_cache import DEFAULT_DAYS, open_cache
from papershelf.services.export_file import HEADERS, check_output
from papershelf.storage.render_cache import RenderCache

if TYPE_CHECKING:
    from papershelf.formats.bibtex.writer import WriteReport
    from papershelf.services.library import Library


@dataclass
class WatchEvent:
    """What one poll found: a sync of the file (``wrote`` says whether its bytes changed), or
    ``waiting`` for the .aux file (it does not exist, e.g. before the first LaTeX run)."""

    wrote: bool = False
    first: bool = False  # the first sync of this watch
    entries: int = 0  # entries in the file
    added: list[str] = field(default_factory=list)  # keys (since the last sync)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # cited keys not in the catalogue, now
    missing_changed: bool = False  # ``missing`` differs from the last sync's
    report: WriteReport | None = None
    waiting: str | None = None


class BibWatch:
    """The state of one watch: the signals last seen and the entries rendered so far. ``lib``
    names the catalogue; it is opened again for each poll (see the module docstring), so the
    caller may close it."""

    def __init__(self, lib: Library, aux: Path, output: Path, style: str = "bibtex", *,
                 minimal: bool = False, keywords: str = "source", force: bool = False, preamble: bool = True):
        check_style(style)
        check_keywords(keywords)
        check_output(output, force=force, catalogue=lib.path)  # refuse a bad -o before watching
        self.path, self.aux, self.output, self.style = lib.path, Path(aux), Path(output), style
        self._lib: Library | None = None  # open during a poll or a sync
        self.minimal, self.keywords, self.force, self.preamble = minimal, keywords, force, preamble
        self._aux_files: list[Path] = [self.aux]
        self._signals: tuple[object, ...] | None = None  # at the last sync
        self._aux_seen: tuple[object, ...] | None = None  # at the last poll
        self._cache = open_cache()  # the export's own cache of rendered entries; else one in memory
        if not self._cache.enabled:
            self._cache = RenderCache(None, DEFAULT_DAYS, memory=True)
        self._written: dict[str, str] | None = None  # key -> its text in the file, after a sync
        self._missing: list[str] | None = None
        self.renders = 0  # entries rendered so far (the cache's misses), for the tests

    def _stat(self) -> tuple[object, ...]:
        out: list[object] = []
        for path in self._aux_files:
            try:
                st = os.stat(path)
                out.append((str(path), st.st_mtime_ns, st.st_size))
            except OSError:
                out.append((str(path), None))
        return tuple(out)

    @property
    def lib(self) -> Library:
        if self._lib is None:
            raise RuntimeError("the catalogue is open only during a poll or a sync")
        return self._lib

    @contextmanager
    def _opened(self) -> Iterator[Library]:
        """The catalogue, open for one poll or sync, then closed (a sync within a poll shares it)."""
        from papershelf.services.library import open_library

        if self._lib is not None:
            yield self._lib
            return
        self._lib, _ = open_library(self.path)
        try:
            yield self._lib
        finally:
            lib, self._lib = self._lib, None
            lib.close()

    def poll(self) -> WatchEvent | None:
        """Sync the file if the .aux or the catalogue changed since the last sync; None if
        neither did (nothing is read then but the signals). LaTeX writes the .aux during
        its run, so a changed .aux is read only once it has held still for one poll (the
        first poll reads it at once)."""
        from papershelf.storage.changes import position

        aux = self._stat()
        settled = aux == self._aux_seen or self._signals is None
        self._aux_seen = aux
        if not settled:
            return None
        try:
            st = os.stat(self.path)
        except OSError:
            return None  # the catalogue is being replaced: the next poll looks again
        with self._opened() as lib:
            signals = (aux, st.st_dev, st.st_ino, position(lib.cat.conn))
            if signals == self._signals:
                return None
            self._signals = signals
            if not self.aux.is_file():
                if self.aux.exists():  # a FIFO, a device, a directory: never waited for, never read
                    raise UsageError(f"{self.aux} is not a regular file (a .aux file is one)")
                return WatchEvent(waiting=f"Waiting for {self.aux} (run LaTeX once)")
            return self.sync()

    def sync(self) -> WatchEvent:
        """Select what the .aux cites, render what changed, write the file if its bytes change."""
        with self._opened():
            return self._sync()

    def _sync(self) -> WatchEvent:
        from papershelf.formats.latex_aux import read_aux
        from papershelf.services.export import select_ids, with_parents
        from papershelf.services.export_file import write_output

        citations = read_aux(self.aux)
        self._aux_files = citations.files
        if "*" in citations.keys:  # \nocite{*}: the whole catalogue, as export --aux does
            selection = select_ids(self.lib, aux=self.aux, parents=True)
        else:
            selection = select_cited(self.lib, citations.keys)
            selection.ids = with_parents(self.lib, sorted(selection.ids))  # as export --aux: import order, parents
        head, texts, report = self._render(selection.ids, selection.cited)
        body = "\n".join(texts.values())
        text = head + ("\n" if head and body else "") + body
        first = self._written is None
        event = WatchEvent(first=first, entries=len(texts), missing=list(selection.missing), report=report)
        event.missing_changed = selection.missing != self._missing
        self._missing = list(selection.missing)
        before = self._written or {}
        if _current(self.output) != (HEADERS["bibtex"] + text).encode("utf-8"):
            write_output(text, self.output, "bibtex", force=self.force, catalogue=self.lib.path)
            event.wrote = True
        if not first:
            event.added = [k for k in texts if k not in before]
            event.removed = [k for k in before if k not in texts]
            event.changed = [k for k in texts if k in before and before[k] != texts[k]]
        self._written = texts
        return event

    def _render(self, ids: Sequence[int], cited: Sequence[str]) -> tuple[str, dict[str, str], WriteReport]:
        """The @preamble/@string head and each entry's text by key (its alias copies with it),
        rendering only the entries the change log names since they were rendered
        (``export_cache.keyed_texts``); the writer's report for all of them."""
        from papershelf.formats.bibtex.writer import WriteReport, render_blocks
        from papershelf.services.export_cache import keyed_texts
        from papershelf.storage import rows

        total = WriteReport()
        texts: dict[str, str] = {}
        for key, text, rendered in keyed_texts(self.lib, ids, self.style, minimal=self.minimal,
                                               keywords=self.keywords, cited=cited, report=total,
                                               cache=self._cache):
            if key in texts:  # an alias copy, right after its entry
                texts[key] += "\n" + text
                continue
            texts[key] = text
            self.renders += rendered
        return render_blocks(*rows.blocks_of(self.lib.cat.conn, ids, preamble=self.preamble)), texts, total


def _current(path: Path) -> bytes | None:
    try:
        return path.expanduser().read_bytes()
    except OSError:
        return None


def watch(state: BibWatch, on_event: Callable[[WatchEvent], None], *, interval: float = 1.0,
          stop: threading.Event | None = None, max_polls: int | None = None) -> None:
    """Poll every ``interval`` seconds and hand each event to ``on_event``, until ``stop`` is
    set or after ``max_polls`` polls (for tests); Ctrl-C (KeyboardInterrupt) ends it too."""
    stop = stop or threading.Event()
    polls = 0
    while not stop.is_set():
        event = state.poll()
        if event is not None:
            on_event(event)
        polls += 1
        if max_polls is not None and polls >= max_polls:
            return
        stop.wait(interval)
