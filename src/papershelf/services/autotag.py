"""Applying the topic rules to catalogued entries (``papershelf autotag``), and what ``topics``
shows: the rules in force with the number of entries each tags."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from papershelf.services.door_changes import AutotagResult

if TYPE_CHECKING:
    from papershelf.services.library import Library
    from papershelf.topics.rules import Topic, TopicSet

__all__ = ["AutotagResult", "TopicsOverview", "autotag", "topics_overview"]


def autotag(lib: Library, refs: Sequence[str] = (), *, dry_run: bool = False,
            topics: TopicSet | None = None) -> AutotagResult:
    """Apply the topic rules to ``refs`` (default: every entry), in one transaction, through
    the door (``Door.autotag``).

    Tags an entry already has (the user's or the rules') and rule tags the user removed are
    left as they are, so running it twice adds nothing the second time.
    """
    return lib.door.autotag(refs, dry_run=dry_run, topics=topics)


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
