"""Tags: the one normal form of a tag name.

Tags are lower-case, without surrounding space, inner runs of whitespace become one hyphen
(``"Fine Tuning"`` → ``fine-tuning``). Topic names and their aliases are tags too, so the
topic rules and the catalogue compare them in this same form.
"""

from __future__ import annotations

import unicodedata

from papershelf.errors import UsageError


def tag_form(name: str) -> str:
    """The normal form of ``name`` (may be empty; see ``normalise_tag`` for the checked one)."""
    return "-".join(name.strip().lower().split())


def normalise_tag(tag: str) -> str:
    """The normal form of a tag a user or a file gave; refuses what cannot be a tag."""
    clean = tag_form(tag)
    if not clean or "," in clean:
        raise UsageError(f"{tag!r} is not a usable tag: tags are non-empty and contain no commas")
    if any(unicodedata.category(ch) == "Cc" for ch in clean):
        raise UsageError(f"{tag!r} is not a usable tag: it contains control characters")
    return clean
