"""The bundled catalogue: the user's reading list with verified metadata (``data/catalogue.json``
inside the package), added through the one door on first use or by ``papershelf init``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from papershelf.model.entry import Entry
from papershelf.paths import bundled_data_dir

if TYPE_CHECKING:
    from papershelf.services.door import Door


def bundled_entries(path: Path | None = None) -> list[Entry]:
    path = path or bundled_data_dir() / "catalogue.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Entry.from_dict(item) for item in data["entries"]]


def load_bundled(door: Door) -> int:
    """Add the bundled entries through the door (``lib.door``; in reading-list order, in one
    transaction), tagged by the topic rules; returns how many were added."""
    return len(door.add(bundled_entries()).added)
