"""What the door (``services.door``) is asked and answers: ``AddPolicy``, ``AddResult``,
``Duplicate``, ``Diff``, ``Progress``. A module of their own, below the door and its chunk writer
(``services.door_writes``), so that neither imports the other for its types; ``services.door``
re-exports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from papershelf.model.entry import Entry

if TYPE_CHECKING:
    from papershelf.topics.rules import TopicSet

# Progress of long work, for a bar: (stage, done, total or None when unknown).
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class AddPolicy:
    """What ``Library.add`` does beyond adding new works."""

    on_duplicate: Literal["skip", "update"] = "skip"  # update: the record's fields overwrite the stored ones
    source_keys: bool = False  # records carry keys their source chose (a .bib): a missing one is reported
    autotag: bool = True  # give new entries the tags the topic rules earn them
    tags: tuple[str, ...] = ()  # user tags for every new entry
    dry_run: bool = False  # decide and report, write nothing
    progress: Progress | None = None  # told ("checking", done, total) as records are decided
    journal: str | None = None  # record the add in the operations journal (``undo``) as this
    # told each chunk's result once it is written; the door then forgets that chunk's entries
    # (an import keeps keys, not entries: its memory stays one chunk's, whatever its size)
    report: Callable[[AddResult], None] | None = None
    # with ``autotag``: the rules to tag with (default: the current ones); an import read
    # ahead passes the ones its reading process already matched the entries against
    topics: TopicSet | None = None


Diff = list[tuple[str, "str | None", "str | None"]]  # field, the record's value, the other's


@dataclass
class Duplicate:
    entry: Entry  # the record (not added, for a duplicate; added all the same, for a probable one)
    existing_key: str
    existing_id: int | None  # None: an earlier record of the same batch
    why: str  # the evidence: "arXiv id 2006.11239", "DOI …", "title, year and first author"
    diff: Diff = field(default_factory=list)  # what the bibliography shows differently


@dataclass
class AddResult:
    added: list[Entry] = field(default_factory=list)
    updated: list[Entry] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # key given, key used, why
    aliased: list[tuple[str, str]] = field(default_factory=list)  # merged-away key, the key it cites
    probable: list[Duplicate] = field(default_factory=list)  # maybe the same work: reported, both kept
    # the record's key is catalogued for the same work with other fields: not changed (--update does)
    differs: list[Duplicate] = field(default_factory=list)
    # a different work already carries the record's arXiv id (a bogus eprint copied into two
    # papers): the record is added without it (its .bib eprint stays verbatim). key, other key, id
    shared_ids: list[tuple[str, str, str]] = field(default_factory=list)
    operation: int | None = None  # the journal's operation (``undo``), when one was recorded
