"""The entries of a streamed .bib export, rendered once and then read back (``storage.render_cache``).

``keyed_texts`` first lets the cache ``follow`` the catalogue's change log (``storage.changes``:
kept by SQLite triggers, so a change made by any program is in it): the texts of entries added,
changed or removed since the cache last looked are dropped, or all of the catalogue's when the
log cannot tell (another file's history, a pruned point). Then every entry whose text is kept
is served from the cache and only the others are read and rendered (and kept for the next
export). The texts are kept per catalogue (its random id) and per *scope* (``_scope``): its
applied migrations, the style, ``minimal``, ``keywords``, papershelf's version, and the size and
modification time of every module the text comes from (a new version, or an edited checkout,
renders everything again). So a text read back is the text rendering would give, byte for byte.
The writer's report (degraded types, dropped fields, ...) is kept with each text and merged as
rendering fills it.

An entry with a cited alias in the ``bibtex`` style (written twice, the copy under the alias)
is rendered every time; such entries are few.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from papershelf import config

if TYPE_CHECKING:
    import sqlite3

    from papershelf.formats.bibtex.writer import WriteReport
    from papershelf.services.library import Library
    from papershelf.storage.render_cache import RenderCache

DEFAULT_DAYS: float = config.default("cache.days")  # the watch's cache in memory keeps as long
FORMAT = b"papershelf-rendered-2"  # bump when what a cached row holds changes
_REPORT_PARTS = ("degraded", "dropped", "incomplete", "cleaned")


def cache_days() -> float:
    """``cache.days`` (``PAPERSHELF_CACHE_DAYS``, default 7; 0: no cache)."""
    return float(config.value("cache.days"))


def open_cache() -> RenderCache:
    """The cache of rendered entries in the cache directory (off when the days are 0)."""
    from papershelf.paths import cache_dir
    from papershelf.storage.render_cache import RenderCache

    return RenderCache(cache_dir(), cache_days())


def _code_stamp() -> bytes:
    """papershelf's version and the size and modification time of each module the text of an
    entry comes from (the writers, the model, the row reader): an edited module (a development
    checkout) or a new version never reads texts the old code rendered."""
    import papershelf

    root = Path(papershelf.__file__).resolve().parent
    parts = [papershelf.__version__]
    files = [root / "storage" / "rows.py", root / "services" / "export_cache.py"]
    for folder in (root / "formats", root / "model"):
        files += sorted(folder.rglob("*.py"))
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        parts.append(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts).encode("utf-8")


def _scope(lib: Library, style: str, minimal: bool, keywords: str) -> bytes:
    """What the texts of one export depend on besides each entry and the catalogue it is in (see
    the module docstring), as a digest."""
    import hashlib

    from papershelf.storage.db import applied_migrations

    parts = [FORMAT.decode(), *applied_migrations(lib.cat.conn), style, str(minimal), keywords]
    return hashlib.blake2b("\0".join(parts).encode("utf-8") + b"\0" + _code_stamp(), digest_size=20).digest()


def _report_json(report: WriteReport, one: WriteReport) -> str:
    """What rendering one entry added to its own report ``one``, merged into ``report`` and as
    kept with the text ("" for nothing: most entries)."""
    if not (one.degraded or one.dropped or one.incomplete or one.cleaned):
        return ""
    parts = {name: getattr(one, name) for name in _REPORT_PARTS if getattr(one, name)}
    for name, values in parts.items():
        getattr(report, name).update(values)
    return json.dumps(parts, ensure_ascii=False)


def _merge(report: WriteReport, stored: str) -> None:
    if stored:
        for name, values in json.loads(stored).items():
            getattr(report, name).update(values)


def bibtex_texts(lib: Library, ids: Sequence[int], style: str, *, minimal: bool, keywords: str,
                 cited: Sequence[str], report: WriteReport, cache: RenderCache | None = None,
                 chunk: int = 500) -> Iterator[str]:
    """The text of each entry of ``ids`` (in that order; an entry's alias copies after it), as
    ``writer.entry_to_bibtex`` renders it, filling ``report``; ``chunk`` entries read at a time.
    ``cache`` None opens the user's (``open_cache``)."""
    for _, text, _ in keyed_texts(lib, ids, style, minimal=minimal, keywords=keywords, cited=cited,
                                  report=report, cache=cache, chunk=chunk):
        yield text


def keyed_texts(lib: Library, ids: Sequence[int], style: str, *, minimal: bool, keywords: str,
                cited: Sequence[str], report: WriteReport, cache: RenderCache | None = None,
                chunk: int = 500) -> Iterator[tuple[str, str, bool]]:
    """``bibtex_texts`` as (the entry's citekey, text, whether it was rendered now): an alias
    copy comes right after its entry, under the entry's citekey.

    An entry not in the cache that was read from a .bib file and has nothing to generate
    (``writer.generates``) is written from its verbatim rows alone (``rows.verbatim_rows``,
    ``writer.verbatim_to_bibtex``) when the source's own keywords are asked for; any other is
    loaded whole and rendered by ``writer.entry_to_bibtex``. Both give the same bytes."""
    from papershelf.formats.bibtex.writer import WriteReport, entry_to_bibtex, with_aliases
    from papershelf.storage import rows

    own = cache is None
    cache = open_cache() if cache is None else cache
    at = cache.follow(lib.cat.conn)
    scope = _scope(lib, style, minimal, keywords) if at is not None else b""
    wanted = frozenset(cited) if style == "bibtex" else frozenset()
    cur = lib.cat.conn.cursor()
    cur.row_factory = None
    try:
        for start in range(0, len(ids), chunk):
            part = ids[start:start + chunk]
            hits = cache.get(at, scope, part) if at is not None else {}
            if wanted and hits:  # an entry written again under a cited alias: rendered each time
                for entry_id, alias in cur.execute(
                        f"SELECT entry_id, alias FROM aliases WHERE entry_id IN ({', '.join('?' * len(hits))})",
                        list(hits)).fetchall():
                    if alias in wanted:
                        hits.pop(entry_id, None)
            keys = lib.cat.keys_of([i for i in part if i in hits]) if hits else {}
            misses = [i for i in part if i not in hits or i not in keys]
            quick = _verbatim_texts(cur, misses, minimal, wanted, report) \
                if misses and keywords == "source" else {}
            rest = [i for i in misses if i not in quick]
            raw = rows.read_chunk(cur, rest, blocks=False) if rest else None  # (a text never shows blocks)
            new: list[tuple[int, str, str]] = []
            for i in part:
                found = hits.get(i)
                if found is not None and i in keys:
                    _merge(report, found[1])
                    yield keys[i], found[0], False
                    continue
                done = quick.get(i)
                if done is not None:
                    if at is not None:
                        new.append((i, done[1], done[2]))
                    yield done[0], done[1], True
                    continue
                if raw is None or i not in raw.entries:  # removed meanwhile
                    continue
                entry = rows.built(raw, i)
                for n, e in enumerate(with_aliases([entry], style, wanted)):
                    one = WriteReport()
                    text = entry_to_bibtex(e, style, minimal=minimal, report=one, keywords=keywords)
                    kept_report = _report_json(report, one)
                    if n == 0 and at is not None:
                        new.append((i, text, kept_report))
                    yield entry.citekey, text, True
            if new and at is not None:
                cache.put(at, scope, new)
    finally:
        cur.close()
        if own:
            cache.close()


def _verbatim_texts(cur: sqlite3.Cursor, ids: Sequence[int], minimal: bool, wanted: frozenset[str],
                    report: WriteReport) -> dict[int, tuple[str, str, str]]:
    """(citekey, text, its report as kept) of each entry of ``ids`` that is written from its
    verbatim rows alone (see ``keyed_texts``); an entry with an alias among ``wanted`` (written
    again under it) is not."""
    from papershelf.formats.bibtex.writer import WriteReport, generates, verbatim_to_bibtex
    from papershelf.storage import rows

    found = rows.verbatim_rows(cur, ids)
    if not found:
        return {}
    by_id = {row[0]: row for row in found}
    aliases = rows.aliases_of(cur, ids)
    out: dict[int, tuple[str, str, str]] = {}
    one = WriteReport()
    for i, key, source_type, kind, fields, raw, edited in (by_id[i] for i in ids if i in by_id):
        names = aliases.get(i, [])
        if (edited and generates(edited, fields)) or (wanted and not wanted.isdisjoint(names)):
            continue
        text = verbatim_to_bibtex(key, source_type or kind or "misc", fields, raw, names,
                                  minimal=minimal, report=one)
        kept_report = _report_json(report, one)
        if kept_report:
            one = WriteReport()
        out[i] = (key, text, kept_report)
    return out
