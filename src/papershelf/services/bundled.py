"""The bundled catalogue: the user's reading list with verified metadata (``data/catalogue.json``)."""

from __future__ import annotations

import json
from pathlib import Path

from papershelf.model.entry import Entry
from papershelf.paths import bundled_data_dir
from papershelf.storage.catalogue import Catalogue


def bundled_entries(path: Path | None = None) -> list[Entry]:
    path = path or bundled_data_dir() / "catalogue.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Entry.from_dict(item) for item in data["entries"]]


def load_bundled(cat: Catalogue) -> int:
    """Add the bundled entries (in reading-list order, in one transaction), tagged by the
    topic rules (as rule tags); returns how many."""
    from papershelf.topics.rules import current_topics

    entries = bundled_entries()
    current_topics().tag_new(entries)
    cat.add_many(entries)
    return len(entries)
