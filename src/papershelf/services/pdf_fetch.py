"""``papershelf attach --fetch``: an open-access PDF for each entry, from the sources
``sources.pdfs`` tries in order (arXiv, OpenAlex's locations, Unpaywall, the landing page's
``citation_pdf_url``), attached by ``services.attachments.attach``; a ``FetchReport`` per run,
whose ``verdict()`` is ``outcome.batch_verdict``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papershelf.errors import NotFoundError, PapershelfError
from papershelf.services.attachments import Attached, Library, attach

if TYPE_CHECKING:
    from papershelf.model.entry import Entry
    from papershelf.sources.pdfs import Found, PdfFinder, Tried


@dataclass
class Fetched:
    """What ``attach --fetch`` did for one entry: what it attached and from where, or why not
    (each open-access source tried and its reason)."""

    key: str
    attached: list[Attached] = field(default_factory=list)
    source: str = ""  # arXiv, OpenAlex, Unpaywall, landing page
    url: str = ""
    tried: list[Tried] = field(default_factory=list)  # the sources that gave nothing, in order
    why: str = ""  # nothing attached: why, in one line
    skipped: bool = False  # it has a file already; nothing was asked

    @property
    def failed(self) -> bool:
        return not self.attached and not self.skipped

    def to_dict(self) -> dict[str, Any]:
        return {"citekey": self.key, "attached": [a.file.to_dict() for a in self.attached],
                "source": self.source or None, "url": self.url or None,
                "tried": [t.to_dict() for t in self.tried], "why": self.why or None, "skipped": self.skipped}


@dataclass
class FetchReport:
    outcomes: list[Fetched] = field(default_factory=list)

    def verdict(self) -> PapershelfError | None:
        """How the run ends (``services/outcome``): partial when some entries got no PDF and
        others did; when none did, network (4) if no source answered, else not found (3)."""
        from papershelf.errors import NetworkError
        from papershelf.services.outcome import batch_verdict

        asked = [o for o in self.outcomes if not o.skipped]
        failures = [o for o in asked if o.failed]

        def all_failed() -> PapershelfError:
            if len(asked) == 1:
                first = failures[0]
                cls = NetworkError if _network_only(first) else NotFoundError
                return cls(f"no open-access PDF for {first.key}",
                           hint=f"attach a file you have: papershelf attach {first.key} FILE")
            if all(_network_only(o) for o in failures):
                return NetworkError(f"no open-access source answered for any of these {len(asked)} entries")
            return NotFoundError(f"no open-access PDF found for any of these {len(asked)} entries")

        return batch_verdict(len(failures), len(asked), succeeded=len(failures) < len(asked), done="fetched",
                             all_failed=all_failed)


def _network_only(o: Fetched) -> bool:
    """Nothing was found because the sources that could have had it did not answer."""
    asked = [t for t in o.tried if not t.skipped]
    return bool(asked) and all(t.network for t in asked)


def _file_name(found: Found, key: str) -> str:
    """The attached file's original name: arXiv-<id>.pdf, the link's own .pdf name, or <key>.pdf."""
    from urllib.parse import unquote, urlsplit

    if found.source == "arXiv":
        return "arXiv-" + found.url.rsplit("/pdf/", 1)[-1].replace("/", "_") + ".pdf"
    last = unquote(urlsplit(found.url).path.rsplit("/", 1)[-1])
    last = "".join(c for c in last if c.isalnum() or c in "._-")[:120]
    return last if last.lower().endswith(".pdf") and len(last) > 4 else f"{key}.pdf"


def _fetch_one(lib: Library, entry: Entry, finder: PdfFinder) -> Fetched:
    import tempfile

    from papershelf.errors import PapershelfError

    found, tried = finder.find(arxiv_id=entry.arxiv_id, doi=entry.doi, url=entry.url)
    if found is None:
        return Fetched(entry.citekey, tried=tried, why="; ".join(str(t) for t in tried))
    with tempfile.TemporaryDirectory(prefix="papershelf-fetch-") as tmp:
        path = Path(tmp) / _file_name(found, entry.citekey)
        path.write_bytes(found.body)
        try:
            done = attach(lib, entry.citekey, [path])
        except PapershelfError as exc:
            return Fetched(entry.citekey, source=found.source, url=found.url, tried=tried,
                           why=f"{found.source} gave {found.url}, but {exc.message}")
    return Fetched(entry.citekey, done, found.source, found.url, tried)


def fetch(lib: Library, refs: list[str] | None = None, query: str | None = None) -> FetchReport:
    """Download an open-access copy of each entry and attach it (``sources.pdfs.PdfFinder``:
    arXiv, OpenAlex, Unpaywall, the landing page's citation_pdf_url, the first that is a PDF):
    ``refs``, else every entry ``query`` finds, else every entry without a file. Each entry is its
    own transaction; an entry that has a file already is skipped (unless named in ``refs``)."""
    from papershelf.model.query import Filters
    from papershelf.paths import cache_dir
    from papershelf.sources.pdfs import PdfFinder

    if refs is not None:
        entries = [lib.get(r) for r in refs]
    else:
        entries = lib.search(query) if query is not None else lib.list_entries(Filters(has_pdf=False))
    report = FetchReport()
    finder = PdfFinder(cache_dir())
    try:
        for entry in entries:
            if refs is None and lib.files_of(entry.citekey):
                report.outcomes.append(Fetched(entry.citekey, skipped=True, why="has a file already"))
                continue
            report.outcomes.append(_fetch_one(lib, entry, finder))
    finally:
        finder.close()
    return report
