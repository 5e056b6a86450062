"""Applying the topic rules to catalogued entries (``papershelf autotag``), and what ``topics``
shows: the rules in force with the number of entries each tags."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from papershelf.services.library import Library
    from papershelf.storage.catalogue import Catalogue
    from papershelf.topics.rules import Topic, TopicSet


@dataclass
class AutotagResult:
    added: dict[str, list[str]]  # citekey -> tags added (or that would be, in a dry run)
    checked: int
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "dry_run": self.dry_run,
                "added": [{"citekey": k, "tags": v} for k, v in self.added.items()]}


def autotag(lib: Library, refs: Sequence[str] = (), *, dry_run: bool = False,
            topics: TopicSet | None = None) -> AutotagResult:
    """Apply the topic rules to ``refs`` (default: every entry), in one transaction.

    Tags an entry already has (the user's or the rules') and rule tags the user removed are
    left as they are, so running it twice adds nothing the second time.
    """
    return autotag_catalogue(lib.cat, refs, dry_run=dry_run, topics=topics)


def autotag_catalogue(cat: Catalogue, refs: Sequence[str] = (), *, dry_run: bool = False,
                      topics: TopicSet | None = None) -> AutotagResult:
    """``autotag`` on a catalogue (what the door calls inside its own transaction)."""
    from papershelf.topics.loader import current_topics

    topics = topics or current_topics()
    if refs:
        entries = list({e.id: e for e in (cat.get(r) for r in refs)}.values())
    else:
        entries = cat.entries()
    ids = [e.id for e in entries if e.id is not None]
    dismissed = cat.dismissed_tags(ids)
    wanted: dict[int, list[str]] = {}
    keys: dict[int, str] = {}
    for entry in entries:
        assert entry.id is not None
        have = set(entry.tags) | dismissed.get(entry.id, set())
        new = [name for name in topics.match(entry) if name not in have]
        if new:
            wanted[entry.id] = new
            keys[entry.id] = entry.citekey
    if not dry_run:
        cat.record_topic_aliases(topics.aliases)  # what search needs of the rules
    added: dict[int, list[str]] = wanted if dry_run else cat.attach_rule_tags(dict(wanted))
    return AutotagResult({keys[i]: tags for i, tags in added.items() if tags}, len(entries), dry_run)


@dataclass
class TopicsOverview:
    topics: list[Topic]
    counts: dict[str, int]  # tag -> entries carrying it
    user_rules: Path  # where the user's own rules file is (or would be)


def topics_overview(lib: Library) -> TopicsOverview:
    from papershelf.topics.loader import current_topics, user_rules_path

    rules = current_topics()
    counts = {name: n for name, n, _ in lib.tags()}
    return TopicsOverview(list(rules.topics), counts, user_rules_path())
