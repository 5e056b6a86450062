"""arXiv identifiers in every form people paste them, reduced to ``(id, version)``.

New style: ``YYMM.NNNN`` (2007–2014) and ``YYMM.NNNNN`` (2015 on), old style:
``archive[.SUBJ]/YYMMNNN`` (``hep-th/9901001``, ``math.GT/0309136``); each with an optional
``vN``. Accepted wrappers: ``arXiv:``, ``https://arxiv.org/abs/…``, ``…/pdf/….pdf``,
``export.arxiv.org``, ``www.arxiv.org``, ``browse.arxiv.org``, and arXiv's own DOIs
(``10.48550/arXiv.2006.11239``, bare, ``doi:``-prefixed or as a doi.org link). Pure string work,
no network.

An old-style id written with its subject class (``math.GT/0309136``) keeps it in ``id``;
``canonical`` drops it (``math/0309136``), which is the form the arXiv API answers with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from papershelf.errors import UsageError

_NEW = r"(?P<new>(?P<yymm>\d{4})\.(?P<num>\d{4,5}))"
_OLD = r"(?P<old>[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})"
_ID = rf"(?:{_NEW}|{_OLD})(?:v(?P<version>\d+))?"
_URL = re.compile(
    rf"^(?:https?://)?(?:www\.|export\.|browse\.)?arxiv\.org/(?:abs|pdf|html|format)/{_ID}(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_BARE = re.compile(rf"^(?:arxiv:\s*)?{_ID}$", re.IGNORECASE)
# "arXiv:2006.11239" written inside other text (a reading list's "(arXiv:2006.11239)Title").
IN_TEXT = re.compile(rf"\barXiv:\s*{_ID}", re.IGNORECASE)
_DOI = re.compile(
    rf"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?10\.48550/arxiv\.{_ID}$", re.IGNORECASE)


@dataclass(frozen=True)
class ArxivId:
    id: str  # without version
    version: int | None = None

    def __str__(self) -> str:
        return f"{self.id}v{self.version}" if self.version else self.id

    @property
    def canonical(self) -> str:
        """The id as arXiv writes it: ``math.GT/0309136`` → ``math/0309136``."""
        return canonical(self.id)


def canonical(ident: str) -> str:
    """Drop an old-style id's subject class (``math.GT/0309136`` → ``math/0309136``)."""
    if "/" in ident:
        archive, number = ident.split("/", 1)
        return f"{archive.split('.')[0]}/{number}"
    return ident


def parse(text: str) -> ArxivId | None:
    """The arXiv id in ``text``, or None when it is not one."""
    text = text.strip()
    match = _URL.match(text) or _BARE.match(text) or _DOI.match(text)
    if not match:
        return None
    if match.group("new"):
        yymm, num = match.group("yymm"), match.group("num")
        month = int(yymm[2:])
        year = int(yymm[:2])
        if not 1 <= month <= 12:
            return None
        five_digit_era = year >= 15
        if (len(num) == 5) != five_digit_era or (year < 7 or (year == 7 and month < 4)):
            return None
        ident = match.group("new")
    else:
        archive, number = match.group("old").split("/")
        # the archive is lower-case, the subject class upper-case: math.GT, hep-th
        if "." in archive:
            arch, subj = archive.split(".")
            archive = f"{arch.lower()}.{subj.upper()}"
        else:
            archive = archive.lower()
        ident = f"{archive}/{number}"
    version = match.group("version")
    return ArxivId(ident, int(version) if version else None)


def abs_url(ident: str) -> str:
    """The abstract page of an arXiv paper, the one URL papershelf writes for it."""
    return f"https://arxiv.org/abs/{canonical(ident)}"


def canonical_arxiv(text: str | None) -> str | None:
    """Any way of writing an arXiv id (old-style with subject class, a link, a DOI) as the
    canonical version-less id, or None when ``text`` is not one."""
    if not text:
        return None
    aid = parse(text)
    return aid.canonical if aid else None


# --- DOIs --------------------------------------------------------------------------------------

_DOI_IN = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
ARXIV_DOI_PREFIX = "10.48550/"


def doi_of(text: str) -> str | None:
    """The DOI in ``text`` (bare, ``doi:``-prefixed, or a doi.org URL), as written, or None."""
    m = _DOI_IN.match(text.strip())
    return m.group(1) if m else None


def normalise_doi(text: str | None) -> str | None:
    """A DOI in the form used to compare two of them: no ``doi:`` prefix or resolver, lower
    case (DOIs are case-insensitive). None when ``text`` is empty."""
    if not text:
        return None
    # As written in a DOI field, even when it is not a well-formed DOI: what the user wrote
    # there still identifies the record.
    bare = re.sub(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", "", text.strip(), flags=re.IGNORECASE)
    return bare.lower().rstrip(".") or None


def is_arxiv_doi(doi: str | None) -> bool:
    """arXiv's own DataCite DOIs (10.48550/arXiv.…) name the preprint, not a venue."""
    return bool(doi) and doi.lower().startswith(ARXIV_DOI_PREFIX)  # type: ignore[union-attr]


# --- ISBNs -------------------------------------------------------------------------------------

def normalise_isbn(text: str | None) -> str | None:
    """An ISBN-10 or ISBN-13 (hyphens, spaces, an ``ISBN`` label allowed) as its ISBN-13
    digits, so both forms of one book compare equal; None when the check digit is wrong."""
    if not text:
        return None
    raw = re.sub(r"(?i)^\s*isbn(?:-1[03])?:?\s*", "", text)
    digits = re.sub(r"[\s\-]", "", raw).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        if total % 11:
            return None
        core = "978" + digits[:9]
    elif re.fullmatch(r"97[89]\d{10}", digits):
        core = digits[:12]
        if _isbn13_check(core) != digits[12]:
            return None
    else:
        return None
    return core + _isbn13_check(core)


def _isbn13_check(first12: str) -> str:
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(first12))
    return str((10 - total % 10) % 10)


# --- lists of ids -----------------------------------------------------------------------------

def parse_arxiv_ids(texts: Iterable[str]) -> list[ArxivId]:
    """Every text as an arXiv id; all the unreadable ones are reported at once, before any request."""
    parsed: list[ArxivId] = []
    bad: list[str] = []
    for text in texts:
        aid = parse(text)
        if aid is None:
            bad.append(text)
        else:
            parsed.append(aid)
    if bad:
        raise UsageError(
            f"not an arXiv id: {some_of(bad)}",
            hint="use forms like 2006.11239, 2006.11239v2, arXiv:2006.11239, hep-th/9901001 "
                 "or https://arxiv.org/abs/2006.11239")
    if not parsed:
        raise UsageError("no arXiv ids given", hint="pass ids as arguments, or a file with --file")
    return parsed


def some_of(items: Sequence[str], n: int = 5) -> str:
    """``'a', 'b' and 3 more``: the first ``n`` of the items a message names."""
    return ", ".join(repr(i) for i in items[:n]) + (f" and {len(items) - n} more" if len(items) > n else "")


def ids_from_text(text: str) -> list[str]:
    """Ids in a file or on stdin: separated by whitespace or commas; ``#`` starts a comment."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0] if not line.lstrip().startswith("http") else line
        out.extend(w for w in line.replace(",", " ").split() if w)
    return out
