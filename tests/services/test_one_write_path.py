"""One write path (issue 18 part 2): every change to an entry goes through the door
(``services/door.py``, ``door_changes.py``, ``door_writes.py``); each bumps the entry's revision and
leaves a change event with the entry's id, written in its own transaction; identity is asked
whenever an identifier changes, by a refresh as by an edit."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

import papershelf
from papershelf.errors import SameWorkError
from papershelf.model.entry import Entry, Person
from papershelf.services.edit import set_fields
from papershelf.storage import changes

ROOT = Path(papershelf.__file__).parent
DOOR = {ROOT / "services" / name for name in ("door.py", "door_changes.py", "door_writes.py")}

# storage's entry writes (Catalogue methods) and its writing module functions
CATALOGUE_WRITES = {"insert_many", "update_many", "update_metadata", "set_notes", "rekey", "remove",
                    "remove_ids", "add_alias", "tag", "untag", "touch", "attach_rule_tags", "save_edit",
                    "record_topic_aliases", "take_back"}
MODULE_WRITES = {"trash": {"put", "restore", "write_back", "purge"},
                 "journal": {"begin", "before", "added", "aliased", "merged", "finish", "carry_revision", "drop"}}


def _storage_writes(tree: ast.AST) -> list[tuple[int, str]]:
    """Calls of a storage write: ``<…>.cat.X(…)``/``cat.X(…)`` for a catalogue write, and
    ``trash.X``/``journal.X`` for the writing functions of those storage modules."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, owner = node.func.attr, node.func.value
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if (owner_name == "cat" and name in CATALOGUE_WRITES) or name in MODULE_WRITES.get(owner_name, set()):
            found.append((node.lineno, ast.unparse(node.func)))
    return found


def test_the_scan_sees_a_storage_write():
    assert _storage_writes(ast.parse("lib.cat.tag('k', ['x'])\ncat.remove_ids([1])\ntrash.restore(c, 1)"))
    assert not _storage_writes(ast.parse("lib.tag('k', ['x'])\nlib.cat.get('k')\nlib.door.remove(['k'])"))


def test_only_the_door_calls_storage_writes():
    """No module outside storage/ and the door writes an entry itself (cli/, mcp_server/,
    services/: they call the door, through ``Library`` or ``lib.door``)."""
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if path in DOOR or path.is_relative_to(ROOT / "storage"):
            continue
        for line, call in _storage_writes(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(ROOT)}:{line}: {call}")
    assert offenders == [], "storage writes outside the door:\n" + "\n".join(offenders)


def _paper(key: str, title: str, type: str = "article", **more) -> Entry:
    return Entry(citekey=key, type=type, title=title, year=2020,
                 authors=[Person(family="Ho", given="Jonathan")], **more)


@pytest.fixture
def lib(library_of):
    return library_of([_paper("ho2020a", "Denoising Diffusion", "misc", arxiv_id="2006.11239", notes="first"),
                       _paper("ho2020b", "Score Matching", doi="10.1000/second"),
                       _paper("song2021", "Third Paper on Flows", "misc")])


def _event(lib, action, key: str) -> tuple[int, set[str]]:
    """Run ``action``; the entry's id, and the kinds of the change events logged for it."""
    entry_id = lib.cat.resolve(key) if key in lib.cat.citekeys(key) else None
    start = changes.position(lib.cat.conn)
    action()
    entry_id = entry_id if entry_id is not None else lib.cat.resolve(key)
    return entry_id, {c.kind for c in changes.since(lib.cat.conn, start) if c.entry_id == entry_id}


@pytest.mark.parametrize(("name", "key", "action", "kinds"), [
    ("tag", "ho2020a", lambda lib: lib.tag("ho2020a", ["mine"]), {"changed"}),
    ("untag", "ho2020a", lambda lib: (lib.tag("ho2020a", ["mine"]), lib.untag("ho2020a", ["mine"])), {"changed"}),
    ("tag_all", "ho2020b", lambda lib: lib.tag_all(["ho2020a", "ho2020b"], ["both"]), {"changed"}),
    ("note", "ho2020a", lambda lib: lib.set_notes("ho2020a", "more"), {"changed"}),
    ("rekey", "ho2020a", lambda lib: lib.rekey("ho2020a", "ho2020first"), {"changed"}),
    ("set", "ho2020b", lambda lib: set_fields(lib, "ho2020b", ["title=Second, retitled"]), {"changed"}),
    ("refresh", "ho2020b", lambda lib: lib.refresh(
        [(lib.get("ho2020b").id, _paper("x", "Score Matching, Refreshed"), ["title"])]), {"changed"}),
    ("autotag", "song2021", lambda lib: lib.door.autotag(
        ["song2021"], topics=_topics_tagging("Third")), {"changed"}),
    ("remove", "song2021", lambda lib: lib.remove(["song2021"]), {"removed"}),
    ("restore", "song2021", lambda lib: (lib.remove(["song2021"]), lib.restore(["song2021"])),
     {"removed", "added"}),
    ("merge", "ho2020a", lambda lib: lib.merge(lib.merge_plan("ho2020a", "song2021")), {"changed"}),
    ("undo", "ho2020a", lambda lib: (lib.merge(lib.merge_plan("ho2020a", "song2021")), lib.undo()),
     {"changed", "added", "removed"}),
])
def test_every_writer_bumps_the_revision_and_logs_a_change(lib, name, key, action, kinds):
    before = lib.get(key).revision
    entry_id, logged = _event(lib, lambda: action(lib), key)
    assert kinds <= logged, f"{name}: logged {logged}"
    if name == "restore":  # the same record back, at the revision it had: the log says "added"
        assert lib.cat.revision(entry_id) == before
    elif name != "remove":
        assert lib.cat.revision(entry_id) > before, name


def _topics_tagging(word: str):
    from papershelf.topics.rules import Topic, TopicSet

    topics = [Topic(name="third", terms={"title": [word.lower()]})]
    for topic in topics:
        topic.compile()
    return TopicSet(topics)


def test_a_merge_logs_the_entry_merged_away_as_removed(lib):
    other = lib.cat.resolve("song2021")
    start = changes.position(lib.cat.conn)
    lib.merge(lib.merge_plan("ho2020a", "song2021"))
    assert (other, "removed") in {(c.entry_id, c.kind) for c in changes.since(lib.cat.conn, start)}


def test_a_refresh_that_would_give_a_doi_another_entry_holds_is_refused_naming_it(lib):
    """A preprint refreshed with the DOI of the article catalogued as another entry."""
    a = lib.get("ho2020a")
    start = changes.position(lib.cat.conn)
    record = dataclasses.replace(a, doi="10.1000/SECOND", title="Denoising Diffusion, Published")
    with pytest.raises(SameWorkError, match=r"ho2020a would be the same work as ho2020b \(DOI"):
        lib.refresh([(a.id, record, ["doi", "title"])])
    assert changes.since(lib.cat.conn, start) == [] and lib.get("ho2020a").title == "Denoising Diffusion"
    assert lib.door.conflicts([(a.id, record, ["title"])]) == {}  # the DOI not taken: nothing asked
    assert set(lib.door.conflicts([(a.id, record, ["doi"])])) == {a.id}


def test_a_refresh_that_would_give_an_arxiv_id_another_entry_holds_is_refused(lib):
    b = lib.get("ho2020b")
    record = dataclasses.replace(b, arxiv_id="2006.11239")
    with pytest.raises(SameWorkError, match=r"arXiv id 2006\.11239 is already ho2020a's"):
        lib.refresh([(b.id, record, ["arxiv_id"])])
    assert lib.get("ho2020b").arxiv_id is None


def test_two_updates_of_one_refresh_that_would_become_one_work_are_refused(lib):
    a, c = lib.get("ho2020a"), lib.get("song2021")
    found = lib.door.conflicts([(a.id, dataclasses.replace(a, doi="10.1000/new"), ["doi"]),
                                (c.id, dataclasses.replace(c, doi="10.1000/NEW"), ["doi"])])
    assert list(found) == [c.id] and "same work as ho2020a" in str(found[c.id])


def test_set_eprint_or_doi_of_another_entry_is_a_one_line_conflict(run, default_db, tmp_path):
    bib = tmp_path / "two.bib"
    bib.write_text("@misc{one, title={Denoising}, year=2020, eprint={2006.11239}, archiveprefix={arXiv}}\n"
                   "@article{two, title={Score Matching}, year=2021, doi={10.1000/two}}\n", encoding="utf-8")
    assert run("init", "--empty").exit_code == 0
    assert run("import", "bibtex", str(bib)).exit_code == 0
    for assignment, other in (("eprint=2006.11239", "one"), ("doi=10.1000/two", "two")):
        target = "two" if other == "one" else "one"
        result = run("set", target, assignment)
        assert result.exit_code == 1, result.stderr
        lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(lines) == 1 and other in lines[0] and "IntegrityError" not in result.stderr
