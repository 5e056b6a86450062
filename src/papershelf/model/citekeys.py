"""Citation keys in the Google Scholar style: ``{family}{year}{first significant title word}``.

``Ho 2020 "Denoising Diffusion…"`` → ``ho2020denoising``. Keys are lower-case ASCII (accents
transliterated); a key already taken gets ``a``, ``b``, … appended. A key, once given, never
changes: only ``papershelf rekey`` renames one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from papershelf.errors import CiteKeyError
from papershelf.model.entry import Entry
from papershelf.model.text import to_ascii

# Words Google Scholar skips when it picks the title word of a key.
STOPWORDS = frozenset(
    """a an the on of in for and or to with from by at via as is are be into onto over under
    towards toward using what when where why how do does can its it this that these those
    vs versus about""".split()
)

VALID_KEY = re.compile(r"^[A-Za-z0-9_:.\-+/]+$")


def _word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", to_ascii(text).lower())


# Parts of a web address that say nothing about the work (titles of web pages are often links).
WEB_NOISE = frozenset("http https www com org net edu io html htm php pdf tw cn".split())


def _title_words(title: str) -> list[str]:
    """Significant title words: no stopwords, no bits of web addresses, and no bare numbers
    unless the title has nothing else ("2022 Midjourney" → midjourney; "0" → 0)."""
    words = [_word(raw) for raw in re.split(r"[\s\-–—:/._()【】\[\]]+", title)]
    words = [w for w in words if w and w not in STOPWORDS and w not in WEB_NOISE]
    return [w for w in words if not w.isdigit()] or words


def base_key(entry: Entry) -> str:
    """The key before collision suffixes.

    With no author or editor (a web page, a talk), the first title word takes the author's
    place: "2022 Midjourney" → ``midjourney2022``, "Stable_Diffusion" → ``stable2022diffusion``.
    """
    people = entry.authors or entry.editors
    year = str(entry.year) if entry.year else ""
    words = iter(_title_words(entry.title or ""))
    if people:
        # "Zhu (Shudong Zhu)" is cited as Zhu: a parenthesis is an alternative name.
        author = _word(people[0].family.split("(")[0])
    else:
        author = next(words, "")
    key = f"{author}{year}{next(words, '')}"
    return key or "anon"


def suffixes() -> Iterable[str]:
    """``a`` … ``z``, then ``aa`` … ``zz``: what tells apart keys that would be equal."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    yield from letters
    for first in letters:
        for second in letters:
            yield first + second


def unique_key(base: str, taken: Callable[[str], bool]) -> str:
    """``base`` if free, else the first of ``base``\\ a, ``base``\\ b, … that is free."""
    if not taken(base):
        return base
    for suffix in suffixes():
        if not taken(base + suffix):
            return base + suffix
    raise CiteKeyError(f"no free citation key left for {base!r}")


def check_key(key: str) -> str:
    """Refuse keys BibTeX and biber cannot cite (spaces, commas, braces, quotes, %, #)."""
    if not key or not VALID_KEY.match(key):
        raise CiteKeyError(
            f"{key!r} is not a usable citation key",
            hint="use letters, digits and _ : . - + / only",
        )
    return key
