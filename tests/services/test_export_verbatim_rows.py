"""The first export writes a .bib entry with nothing to generate straight from its rows
(``export_cache._verbatim_texts``: no ``Entry`` built); every other entry is loaded and rendered
whole. Both must print the same bytes, with the same report, as rendering every entry whole.

Checked over a catalogue of the real .bib files of the shared corpus (``../shared/data/bib``,
imported into one catalogue, so entries of several files merge and get aliases), with some
entries edited (fields to generate), tagged and given control characters."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from papershelf.services import export, export_cache

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "bib"
_LARGE = 400_000
_ALL = (os.environ.get("PAPERSHELF_TEST_LARGE") or os.environ.get("CI") or "").lower() not in ("", "0", "false", "no")
FILES = sorted(p for p in SHARED.rglob("*.bib") if _ALL or p.stat().st_size <= _LARGE) if SHARED.is_dir() else []


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A catalogue of every shared .bib file that imports, some entries then changed."""
    from papershelf.formats.bibtex.reader import BibEncodingError, read_file
    from papershelf.services.import_bibtex import import_entries
    from papershelf.services.library import open_library

    lib, _ = open_library(tmp_path_factory.mktemp("corpus") / "corpus.db", create=True)
    for path in FILES:
        try:
            read = read_file(path)
        except BibEncodingError:
            continue  # refused on import too (documented)
        import_entries(lib, read.entries, autotag=False)
    ids = lib.cat.list_ids()
    with lib.cat.conn:  # straight into the rows: what later edits leave behind
        conn = lib.cat.conn
        conn.execute("UPDATE entries SET edited = '[\"title\"]', title = 'A Changed Title' "
                     "WHERE id IN (SELECT id FROM entries WHERE source_type IS NOT NULL AND id % 7 = 0)")
        conn.execute("UPDATE entries SET edited = '[\"@type\"]', type = 'misc' "
                     "WHERE id IN (SELECT id FROM entries WHERE source_type IS NOT NULL AND id % 11 = 0)")
        conn.execute("UPDATE entries SET edited = '[\"note\"]' "  # edited, and the file wrote it since
                     "WHERE id IN (SELECT id FROM entries WHERE source_fields LIKE '%\"note\"%' AND id % 5 = 0)")
        conn.execute("UPDATE entries SET source_fields = json_set(source_fields, '$.title', "
                     "'Bell' || char(7) || 'ed' || char(127)) "
                     "WHERE id IN (SELECT id FROM entries WHERE source_type IS NOT NULL AND id % 13 = 0)")
    for entry_id in ids[::17]:
        lib.cat.add_alias(entry_id, f"zz-alias-{entry_id}")
    yield lib, ids
    lib.close()


@pytest.mark.skipif(not FILES, reason=f"the shared corpus is not at {SHARED}")
@pytest.mark.parametrize("style", ["bibtex", "biblatex"])
@pytest.mark.parametrize("minimal", [False, True])
def test_entries_written_from_their_rows_print_the_bytes_of_whole_entries(corpus, style, minimal, monkeypatch):
    lib, listed = corpus
    ids = export.with_parents(lib, listed)
    cited = [f"zz-alias-{listed[17]}", f"zz-alias-{listed[34]}"]  # written twice in bibtex
    fast_report = export.new_report()
    fast = "".join(export.bibtex_chunks(lib, ids, style, minimal=minimal, cited=cited,
                                        report=fast_report, cache=_no_cache()))
    written_from_rows = []
    real = export_cache._verbatim_texts

    def counted(*args, **kwargs):
        found = real(*args, **kwargs)
        written_from_rows.extend(found)
        return found

    monkeypatch.setattr(export_cache, "_verbatim_texts", counted)
    "".join(export.bibtex_chunks(lib, ids, style, minimal=minimal, cited=cited, cache=_no_cache()))
    assert len(written_from_rows) > len(ids) / 2  # most entries took the fast path
    assert len(written_from_rows) < len(ids)  # and the edited, papershelf-made and cited ones did not
    assert len(ids) > 1000
    monkeypatch.setattr(export_cache, "_verbatim_texts", lambda *args, **kwargs: {})
    whole_report = export.new_report()
    whole = "".join(export.bibtex_chunks(lib, ids, style, minimal=minimal, cited=cited,
                                         report=whole_report, cache=_no_cache()))
    assert fast == whole
    assert fast_report == whole_report
    assert fast_report.cleaned  # the control characters were removed, and said
    text, report = export.bibtex(lib.cat.load(ids), style, minimal=minimal, cited=cited)
    assert fast == text
    assert fast_report == report


@pytest.mark.skipif(not FILES, reason=f"the shared corpus is not at {SHARED}")
def test_other_keywords_render_whole_entries(corpus):
    """Tags among the keywords need the entry's tags: no entry is written from its rows alone."""
    lib, ids = corpus
    text, _ = export.bibtex(lib.cat.load(ids[:300]), keywords="both")
    assert "".join(export.bibtex_chunks(lib, ids[:300], keywords="both", cache=_no_cache())) == text


def _no_cache():
    from papershelf.storage.render_cache import RenderCache

    return RenderCache(None, 0)


@pytest.mark.skipif(not FILES, reason=f"the shared corpus is not at {SHARED}")
def test_texts_written_from_rows_are_kept_and_read_back_the_same(corpus):
    from papershelf.storage.render_cache import RenderCache

    lib, ids = corpus
    ids = export.with_parents(lib, ids)
    text, report = export.bibtex(lib.cat.load(ids), "bibtex")
    cache = RenderCache(None, 7, memory=True)
    for _ in range(2):  # rendered (and kept), then read back
        again = export.new_report()
        assert "".join(export.bibtex_chunks(lib, ids, report=again, cache=cache)) == text
        assert again == report
