"""Citation keys in the Google Scholar style: ``{family}{year}{first significant title word}``.

``Ho 2020 "Denoising Diffusion…"`` → ``ho2020denoising``. Keys are lower-case ASCII (accents
transliterated); a key already taken gets ``a``, ``b``, … appended. A key, once given, never
changes: only ``papershelf rekey`` renames one.
"""

from __future__ import annotations

import itertools
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

# What bibtex and biber read as a key and a LaTeX document can \\cite (checked against the real
# tools by tests/formats/test_key_grammar.py): bibtex's scanner (bibtex.web, "Scan the entry's
# database key") ends a key at a comma, white space or the closing brace; LaTeX cannot write
# ``%`` ``#`` ``\\`` ``~`` ``{`` ``}`` into the ``.aux`` as they are; ``"`` and ``=`` end the key
# for biber and for the .bib reader. Everything else is a key: ``O'Keeffe_1967``, ``a:b/c+d``,
# ``(x)``, non-ASCII letters (``Müller2001``, ``李2020``). biber refuses ``'`` ``(`` ``)``, bibtex
# takes them: a key either tool cites is kept.
FORBIDDEN_KEY_CHARS = ',{}%#\\~"='
VALID_KEY = re.compile(r'^[^\s,{}%#\\~"=\x00-\x1f\x7f-\x9f]+$')


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


DEFAULT_PATTERN = "{author}{year}{title}"
_PATTERN_FIELD = re.compile(r"\{([A-Za-z]+)\}")


def base_key(entry: Entry, pattern: str = DEFAULT_PATTERN) -> str:
    """The key before collision suffixes, by ``pattern`` (the ``keys.pattern`` setting; fields
    ``{author}`` ``{Author}`` ``{authors}`` ``{year}`` ``{title}`` ``{Title}`` ``{shorttitle}``).

    With no author or editor (a web page, a talk), the first title word takes the author's
    place: "2022 Midjourney" → ``midjourney2022``, "Stable_Diffusion" → ``stable2022diffusion``.
    """
    people = entry.authors or entry.editors
    words = _title_words(entry.title or "")
    # "Zhu (Shudong Zhu)" is cited as Zhu: a parenthesis is an alternative name.
    families = [_word(p.family.split("(")[0]) for p in people]
    families = [f for f in families if f]
    if not families and people:
        families = [""]
    if not people:
        families = words[:1]
        words = words[1:]
    first = families[0] if families else ""
    two = families[:2] if len(families) <= 2 else [first, "etal"]
    fields = {
        "author": first,
        "Author": first.capitalize(),
        "authors": "".join(two[:1] + [f.capitalize() for f in two[1:]]),
        "year": str(entry.year) if entry.year else "",
        "title": words[0] if words else "",
        "Title": words[0].capitalize() if words else "",
        "shorttitle": "".join(w.capitalize() for w in words[:3]),
    }
    key = _PATTERN_FIELD.sub(lambda m: fields.get(m.group(1), ""), pattern)
    key = re.sub(r"[^A-Za-z0-9_:.\-+]", "", key)
    return key if any(ch.isalnum() for ch in key) else "anon"


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def nth_suffix(n: int) -> str:
    """The ``n``-th suffix (from 0): ``a`` … ``z``, ``aa`` … ``zz``, ``aaa`` …, without end."""
    out = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = _LETTERS[rest] + out
    return out


def suffixes() -> Iterable[str]:
    """``a`` … ``z``, ``aa`` … ``zz``, ``aaa`` …, without end: what tells apart keys that
    would be equal (however many works share a base key, the next one gets a suffix)."""
    for length in itertools.count(1):
        for combo in itertools.product(_LETTERS, repeat=length):
            yield "".join(combo)


def unique_key(base: str, taken: Callable[[str], bool]) -> str:
    """``base`` if free, else the first of ``base``\\ a, ``base``\\ b, … ``base``\\ z that is free;
    past ``z``, a free suffix found in a few probes (doubling, then halving the step): the
    first free one when the taken suffixes run without a gap, as they do when works pile up."""
    if not taken(base):
        return base
    for suffix in itertools.islice(suffixes(), 26):
        if not taken(base + suffix):
            return base + suffix
    lo, step = 25, 1  # nth_suffix(lo) is taken
    while taken(base + nth_suffix(lo + step)):
        lo, step = lo + step, step * 2
    hi = lo + step  # free
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if taken(base + nth_suffix(mid)):
            lo = mid
        else:
            hi = mid
    return base + nth_suffix(hi)


def check_key(key: str) -> str:
    """Refuse keys BibTeX and biber cannot cite (``VALID_KEY``: white space, control characters
    and ``, { } % # \\ ~ " =``)."""
    if not key or not VALID_KEY.match(key):
        raise CiteKeyError(
            f"{key!r} is not a usable citation key",
            hint="a key holds no white space and none of , { } % # \\ ~ \" =",
        )
    return key


def placeholder_key(arxiv_id: str) -> str:
    """The key of an arXiv paper known only by its id (``arxiv2006.11239``) until it is synced;
    sync never changes a key, so it stays unless the user runs ``rekey``."""
    return "arxiv" + arxiv_id.replace("/", "_")


_UNUSABLE = re.compile(r'[\s,{}%#\\~"=\x00-\x1f\x7f-\x9f]')


def usable_key(key: str) -> str:
    """``key`` with what BibTeX and biber cannot cite taken out (``VALID_KEY``)."""
    return _UNUSABLE.sub("", key)


def choose_key(entry: Entry, taken: Callable[[str], bool], *, source_keys: bool,
               pattern: str = DEFAULT_PATTERN) -> tuple[str, str | None]:
    """The key a new entry gets, and why it is not the one it came with (None: it is).

    A key the source gave (``source_keys``: a .bib file) is kept when BibTeX can cite it and no
    other entry uses it (keys compare without case, as BibTeX does); otherwise it is cleaned
    up or suffixed. Records without a key get the key ``pattern`` makes (Google Scholar's style
    by default), or
    ``placeholder_key`` for an arXiv paper still waiting for its metadata.
    """
    given = entry.citekey
    start: str
    why: str | None
    if given and VALID_KEY.match(given) and not taken(given):
        return given, None
    if given:
        why = "not a key BibTeX can cite" if not VALID_KEY.match(given) else "key already used by another entry"
        start = usable_key(given) or base_key(entry, pattern)
    else:
        why = "no key in the file" if source_keys else None
        start = base_key(entry, pattern)
        if entry.needs_sync and entry.arxiv_id and not taken(placeholder_key(entry.arxiv_id)):
            start = placeholder_key(entry.arxiv_id)
    return unique_key(start, taken), why
