"""`export bibtex --aux … -o … --watch` as a service: the .bib is rewritten when the .aux or the
catalogue changes what it would hold, never otherwise (same bytes, same mtime), in key order,
re-rendering only the entries that changed; missing keys are reported."""

from __future__ import annotations

import os
import threading
import time

import pytest

from papershelf.errors import PapershelfError
from papershelf.model.entry import Entry, Person
from papershelf.services import export, export_file
from papershelf.services.export_watch import BibWatch, watch
from papershelf.services.library import open_library


def _entries() -> list[Entry]:
    return [Entry(title=f"Paper {name}", citekey=key, type="article", journal="J. Tests", year=2020,
                  authors=[Person(name, "Ana")])
            for key, name in (("zeta2020", "Zeta"), ("alpha2020", "Alpha"), ("Mid2020", "Mid"),
                              ("other2020", "Other"))]


@pytest.fixture
def lib(library_of):
    return library_of(_entries())


def _aux(path, *keys, include=None):
    lines = ["\\relax"] + [f"\\citation{{{k}}}" for k in keys]
    if include:
        lines.append(f"\\@input{{{include}}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # a LaTeX rerun within the same clock tick must still count as a change
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))


def _other_process(lib):
    """A second connection, as another `papershelf` process would write through."""
    other, _ = open_library(lib.path)
    return other


def _settled(state):
    """The event of the poll after a .aux changed: the first poll only sees it change (LaTeX may
    still be writing it), the next one, with the file unchanged, reads it."""
    assert state.poll() is None
    return state.poll()


def _stamp(path):
    st = path.stat()
    return st.st_mtime_ns, st.st_ino, path.read_bytes()


def test_first_poll_writes_what_export_aux_writes_in_import_order(lib, tmp_path):
    aux, out = tmp_path / "thesis.aux", tmp_path / "refs.bib"
    _aux(aux, "zeta2020", "alpha2020", "Mid2020", "nosuch")
    state = BibWatch(lib, aux, out)
    event = state.poll()
    assert event is not None and event.wrote and event.first
    assert event.entries == 3 and event.missing == ["nosuch"] and event.missing_changed
    selection = export.select_ids(lib, aux=aux, parents=True)
    export_file.write_output(export.bibtex_chunks(lib, selection.ids, cited=selection.cited), tmp_path / "once.bib",
                        "bibtex")
    assert out.read_bytes() == (tmp_path / "once.bib").read_bytes()
    text = out.read_text()
    # in the order they were added (bibtex breaks sort ties by database order), not by key
    assert text.index("{zeta2020,") < text.index("{alpha2020,") < text.index("{Mid2020,")


def test_nothing_changed_means_no_poll_work_and_no_write(lib, tmp_path):
    aux, out = tmp_path / "thesis.aux", tmp_path / "refs.bib"
    _aux(aux, "alpha2020")
    state = BibWatch(lib, aux, out)
    assert state.poll().wrote
    before = _stamp(out)
    assert state.poll() is None and state.poll() is None
    _aux(aux, "alpha2020")  # LaTeX reran: the .aux is rewritten with the same citations
    event = _settled(state)
    assert event is not None and not event.wrote and not (event.added or event.removed or event.changed)
    assert _stamp(out) == before


def test_a_catalogue_change_outside_the_citations_renders_nothing_and_writes_nothing(lib, tmp_path):
    aux, out = tmp_path / "thesis.aux", tmp_path / "refs.bib"
    _aux(aux, "alpha2020", "zeta2020")
    state = BibWatch(lib, aux, out, keywords="tags")
    state.poll()
    before, renders = _stamp(out), state.renders
    other = _other_process(lib)
    other.tag("other2020", ["unrelated"])
    event = state.poll()  # the catalogue changed (data_version), but not what the file holds
    assert event is not None and not event.wrote
    assert state.renders == renders and _stamp(out) == before
    other.tag("zeta2020", ["cited-now"])
    event = state.poll()
    assert event.wrote and event.changed == ["zeta2020"] and not event.added and not event.removed
    assert state.renders == renders + 1  # only the entry that changed was rendered again
    assert "cited-now" in out.read_text()
    other.close()


def test_a_new_citation_in_an_included_aux_is_added_and_a_dropped_one_removed(lib, tmp_path):
    aux, chapter, out = tmp_path / "thesis.aux", tmp_path / "ch1.aux", tmp_path / "refs.bib"
    _aux(chapter, "zeta2020")
    _aux(aux, "alpha2020", include="ch1.aux")
    state = BibWatch(lib, aux, out)
    assert state.poll().entries == 2
    _aux(chapter, "Mid2020", "missing2021")
    event = _settled(state)
    assert event.wrote and event.added == ["Mid2020"] and event.removed == ["zeta2020"]
    assert event.missing == ["missing2021"] and event.missing_changed
    text = out.read_text()
    assert "{Mid2020," in text and "{zeta2020," not in text
    _aux(aux, "alpha2020", "Mid2020", include="ch1.aux")  # the same keys again: no rewrite
    event = _settled(state)
    assert not event.wrote and not event.missing_changed


def test_a_removed_entry_leaves_the_file_and_is_reported_missing(lib, tmp_path):
    aux, out = tmp_path / "thesis.aux", tmp_path / "refs.bib"
    _aux(aux, "alpha2020", "zeta2020")
    state = BibWatch(lib, aux, out)
    state.poll()
    other = _other_process(lib)
    other.remove(["zeta2020"])
    event = state.poll()
    assert event.wrote and event.removed == ["zeta2020"] and event.missing == ["zeta2020"]
    other.close()


def test_watch_refuses_a_file_papershelf_did_not_write(lib, tmp_path):
    aux, out = tmp_path / "thesis.aux", tmp_path / "refs.bib"
    _aux(aux, "alpha2020")
    out.write_text("% my own bibliography\n")
    with pytest.raises(PapershelfError, match="papershelf did not write it"):
        BibWatch(lib, aux, out)
    assert out.read_text() == "% my own bibliography\n"
    BibWatch(lib, aux, out, force=True).poll()
    assert "{alpha2020," in out.read_text()


def test_a_missing_aux_is_waited_for(lib, tmp_path):
    aux, out = tmp_path / "thesis.aux", tmp_path / "refs.bib"
    state = BibWatch(lib, aux, out)
    event = state.poll()
    assert event.waiting and not out.exists()
    assert state.poll() is None  # said once
    _aux(aux, "alpha2020")
    assert _settled(state).wrote and out.exists()


def test_watch_loop_stops_after_max_polls_and_on_the_stop_event(lib, tmp_path):
    aux, out = tmp_path / "thesis.aux", tmp_path / "refs.bib"
    _aux(aux, "alpha2020")
    events = []
    watch(BibWatch(lib, aux, out), events.append, interval=0.01, max_polls=3)
    assert len(events) == 1 and events[0].wrote
    stop = threading.Event()
    seen = []
    timer = threading.Timer(0.2, stop.set)  # another thread ends the watch (as a signal would)
    timer.start()
    started = time.monotonic()
    watch(BibWatch(lib, aux, out), seen.append, interval=0.01, stop=stop)
    timer.join()
    assert time.monotonic() - started < 5
    assert len(seen) == 1 and not seen[0].wrote  # the file already held these bytes
