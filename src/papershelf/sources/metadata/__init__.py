"""Metadata sources beyond arXiv: one client per service over the shared HTTP layer and one cache.

``Clients(settings, cache_folder)`` opens them all (lazily, each on first use) and closes them
together; each lookup returns ``model.works.Work`` objects (or None: "no such record"). A service
that is down, keeps answering 429 past the retries, or answers badly raises ``SourceUnavailable``
(``papershelf.errors``) naming it: callers report that and ask the others.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from papershelf.sources.http import Event
from papershelf.sources.metadata.books import GoogleBooks, OpenLibrary
from papershelf.sources.metadata.cache import AnswerCache
from papershelf.sources.metadata.crossref import Crossref
from papershelf.sources.metadata.datacite import DataCite
from papershelf.sources.metadata.dblp import Dblp
from papershelf.sources.metadata.openalex import OpenAlex
from papershelf.sources.metadata.s2 import SemanticScholar
from papershelf.sources.metadata.service import Service
from papershelf.sources.metadata.settings import Settings

__all__ = ["AnswerCache", "Clients", "Crossref", "DataCite", "Dblp", "GoogleBooks", "OpenAlex", "OpenLibrary",
           "SemanticScholar", "Service", "Settings"]

_CLASSES: dict[str, type[Service]] = {c.name: c for c in (Crossref, DataCite, Dblp, SemanticScholar, OpenAlex,
                                                          OpenLibrary, GoogleBooks)}


class Clients:
    """Every metadata client, sharing one cache; use as a context manager."""

    def __init__(self, settings: Settings | None = None, cache_folder: Path | None = None, *,
                 refresh: bool = False, on_event: Callable[[Event], None] | None = None):
        self.settings = settings or Settings.from_env()
        self.cache = AnswerCache(cache_folder, self.settings.cache_days, refresh=refresh)
        self._on_event = on_event
        self._open: dict[str, Service] = {}

    def get(self, name: str) -> Any:
        if name not in self._open:
            self._open[name] = _CLASSES[name](self.settings, self.cache, on_event=self._on_event)
        return self._open[name]

    @property
    def crossref(self) -> Crossref:
        return self.get("crossref")

    @property
    def datacite(self) -> DataCite:
        return self.get("datacite")

    @property
    def dblp(self) -> Dblp:
        return self.get("dblp")

    @property
    def s2(self) -> SemanticScholar:
        return self.get("s2")

    @property
    def openalex(self) -> OpenAlex:
        return self.get("openalex")

    @property
    def openlibrary(self) -> OpenLibrary:
        return self.get("openlibrary")

    @property
    def googlebooks(self) -> GoogleBooks:
        return self.get("googlebooks")

    def requests(self) -> dict[str, int]:
        """Network requests per service so far (cache hits not counted)."""
        return {name: client.requests for name, client in self._open.items()}

    def cache_hits(self) -> dict[str, int]:
        return {name: client.cache_hits for name, client in self._open.items()}

    def close(self) -> None:
        for client in self._open.values():
            client.close()
        self._open.clear()
        self.cache.close()

    def __enter__(self) -> Clients:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
