"""What a researcher calls a paper, besides its title: the text the search index files under
``names`` and ``ids``.

    Denoising Diffusion Probabilistic Models       -> DDPM (initials of the significant words)
    Training data-efficient image transformers ... -> DeiT is not derivable: the ``aliases`` field
    LoRA: Low-Rank Adaptation of ...               -> LoRA (the short name the title gives)
    Adding Conditional Control ... (ControlNet)    -> ControlNet

``names`` holds the acronyms derived from the title, the short names the title itself gives,
and the ``shorthand``, ``shorttitle`` and ``aliases`` fields (``aliases`` is papershelf's own:
other names a paper goes by, filled by the user with ``papershelf set KEY 'aliases=…'`` and by
the bundled catalogue). ``ids`` holds the citation key and the keys merged into it, the arXiv
id, the DOI and the URL, so pasting any of them finds the entry.

Only plausible names are made, so the index is not flooded with noise: an acronym is built only
from a title (or the part of it before or after a colon) of three to five significant words,
and is three to five letters long; a short name must look like a name (an inner capital or a digit:
DreamBooth, LoRA, GPT-3), not an ordinary phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# Fields of ``Entry.extra`` whose text is a name of the work.
NAME_FIELDS = ("aliases", "shorthand", "shorttitle")

# Words an acronym skips (they are rarely in one: "Denoising Diffusion Probabilistic Models").
_MINOR = frozenset(
    "a an and are as at by for from in into is it its of on or over the through to toward towards "
    "under using via vs with without".split())
_WORD = re.compile(r"[^\W_]+(?:[-‐][^\W_]+)*")
_COLON = re.compile(r"\s*[:：]\s+")
_TRAILING_PAREN = re.compile(r"\(([^()]{2,40})\)\s*$")
MIN_ACRONYM, MAX_ACRONYM = 3, 5
MIN_WORDS, MAX_WORDS = 3, 5
MAX_SHORT_WORDS, MAX_SHORT_CHARS = 3, 30


def _initials(words: list[str], split_hyphens: bool) -> str:
    out: list[str] = []
    for word in words:
        parts = re.split(r"[-‐]", word) if split_hyphens else [word]
        out.extend(p[0] for p in parts if p)
    return "".join(out)


def acronyms(title: str) -> list[str]:
    """Acronyms a title plausibly stands for: ``Denoising Diffusion Probabilistic Models`` ->
    ``DDPM``. Made from the main title (before a colon), or from the part after the colon when
    the part before is a short name (``LoRA: …``). A hyphenated word gives one letter, or one
    per part (``Data-efficient Image Transformers`` -> ``DIT`` and ``DEIT``). Upper case, at most
    two."""
    segments = _COLON.split(title.strip(), maxsplit=1)
    segment = segments[1] if len(segments) == 2 and short_names(segments[0] + ": x") else segments[0]
    words = [w for w in _WORD.findall(segment) if w.lower() not in _MINOR]
    if not MIN_WORDS <= len(words) <= MAX_WORDS or not all(w[0].isalpha() and w.isascii() for w in words):
        return []
    found: list[str] = []
    for split in (False, True):
        acronym = _initials(words, split).upper()
        if MIN_ACRONYM <= len(acronym) <= MAX_ACRONYM and acronym not in found:
            found.append(acronym)
    return found


def _looks_like_a_name(text: str) -> bool:
    """An inner capital (DreamBooth, LoRA, ViT) or a digit (GPT-3, YOLOv3) in one of its words."""
    return any(any(c.isupper() for c in w[1:]) or any(c.isdigit() for c in w) for w in text.split())


def short_names(title: str) -> list[str]:
    """Names the title gives itself: ``DreamBooth: …``, ``LoRA: …``, ``… (ControlNet)``."""
    found: list[str] = []
    head = _COLON.split(title.strip(), maxsplit=1)
    candidates = [head[0]] if len(head) == 2 else []
    paren = _TRAILING_PAREN.search(title)
    if paren:
        candidates.append(paren.group(1))
    for text in candidates:
        text = text.strip()
        if (text and len(text) <= MAX_SHORT_CHARS and len(text.split()) <= MAX_SHORT_WORDS
                and _looks_like_a_name(text) and text not in found):
            found.append(text)
    return found


def names_text(title: str, extra: Mapping[str, str] | None = None) -> str:
    """The ``names`` column of an entry: its name fields, short names and acronyms."""
    parts = [v for v in ((extra or {}).get(k) for k in NAME_FIELDS) if v]
    parts += short_names(title)
    parts += acronyms(title)
    return " ; ".join(parts)


def ids_text(citekey: str, key_aliases: Iterable[str] = (), arxiv_id: str | None = None,
             doi: str | None = None, url: str | None = None) -> str:
    """The ``ids`` column of an entry: keys that cite it, arXiv id, DOI and URL (without its
    scheme; an arXiv or DOI link says no more than the id beside it, so it is left out, and
    ``search arxiv`` does not find every preprint by its link)."""
    link = re.sub(r"^[a-z]+://(www\.)?", "", url or "", flags=re.I)
    if re.match(r"(export\.)?arxiv\.org/|(dx\.)?doi\.org/", link, re.I):
        link = ""
    return " ; ".join(p for p in (citekey, *key_aliases, arxiv_id, doi, link) if p)
