"""What a typed field value may be: the one check of ``year``, ``month``, ``doi``, ``isbn``,
``eprint`` (an arXiv id) and ``url`` before ``set`` or ``edit`` stores them.

Values arrive as BibTeX writes them, without their outer braces (``2020``, ``mar``,
``10.1000/xyz``). Only these fields are checked, and only when the user changes them, so an
imported entry with an odd value can still be edited elsewhere. What real .bib files hold is
accepted: ``2001a``, ``1995--1996``, ``forthcoming`` and ``n.d.`` as years; ``mar``, ``March``,
``3``, ``mar~15`` as months; several ISBNs separated by commas; an ``eprint`` of another archive
when ``archiveprefix``/``eprinttype`` names it. Pure string work, no network.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from papershelf.errors import UsageError
from papershelf.model import identifiers

MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")


class FieldValueError(UsageError):
    """A typed value its field cannot take (``year=abcd``)."""


def parse_month(value: str) -> int | None:
    """``3``, ``mar``, ``March``, ``Mar.`` → 3; None when it is no month."""
    v = value.strip().lower().rstrip(".")
    if v.isdigit() and 1 <= int(v) <= 12:
        return int(v)
    m = re.match(r"([a-z]+)", v)
    if m:
        word = m.group(1)
        for i, name in enumerate(MONTH_NAMES, 1):
            if len(word) >= 3 and name.startswith(word):
                return i
    return None


# A month as BibTeX data writes one, with an optional day: "mar", "March", "3", "mar~15".
MONTH_WITH_DAY = re.compile(r"\s*([A-Za-z]+\.?|\d{1,2})(?:[\s~,]+(\d{1,2}))?\s*")
_YEAR = re.compile(r"\s*-?\d{1,4}[a-z]?(?:\s*(?:--?|–|/)\s*\d{2,4}[a-z]?)?\s*")
_YEAR_WORDS = frozenset({"forthcoming", "in press", "inpress", "to appear", "submitted", "accepted",
                         "n.d.", "n.d", "nd", "no date", "undated", "unpublished", "in preparation"})
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"<>\\{}]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _unbraced(value: str) -> str:
    """``{2020}`` → ``2020``: braces that protect case do not change what the value is."""
    return value.replace("{", "").replace("}", "").strip()


def _year(value: str, _: Mapping[str, str]) -> str | None:
    text = _unbraced(value)
    if _YEAR.fullmatch(text) or text.lower() in _YEAR_WORDS:
        return None
    return "must be a year such as 2020 (or 1995--1996, 2001a, forthcoming, n.d.)"


def _month(value: str, _: Mapping[str, str]) -> str | None:
    found = MONTH_WITH_DAY.fullmatch(_unbraced(value))
    if found and parse_month(found.group(1)) and (not found.group(2) or 1 <= int(found.group(2)) <= 31):
        return None
    return "must be a month: jan … dec, a month's name, or 1 to 12 (a day may follow: mar~15)"


def _doi(value: str, _: Mapping[str, str]) -> str | None:
    text = _unbraced(value)
    if identifiers.doi_of(text) and not _CONTROL.search(text):
        return None
    return "must be a DOI such as 10.1000/xyz123 (a doi: prefix or a doi.org link is fine)"


def _isbn(value: str, _: Mapping[str, str]) -> str | None:
    parts = [re.sub(r"\([^)]*\)", "", p).strip() for p in re.split(r"[,;]|\s+and\s+", _unbraced(value))]
    if parts and all(identifiers.normalise_isbn(p) for p in parts if p) and any(parts):
        return None
    return "must be an ISBN-10 or ISBN-13 whose check digit is right (several: separated by commas)"


def _eprint(value: str, fields: Mapping[str, str]) -> str | None:
    archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    if archive not in ("", "arxiv") or identifiers.parse(_unbraced(value)):
        return None
    return ("must be an arXiv id such as 2106.09685 or hep-th/9901001 (for another archive, "
            "set archiveprefix or eprinttype too)")


def _url(value: str, _: Mapping[str, str]) -> str | None:
    if _URL.fullmatch(value.strip()):
        return None
    return "must be a web address such as https://example.org/paper (with its scheme, no spaces)"


CHECKS: dict[str, Callable[[str, Mapping[str, str]], str | None]] = {
    "year": _year, "month": _month, "doi": _doi, "isbn": _isbn, "eprint": _eprint, "url": _url,
}


def check_values(fields: Mapping[str, str], names: Iterable[str]) -> None:
    """Refuse the first of the fields ``names`` (lower-case .bib names, each in ``fields``,
    which holds the entry's other fields too) whose value its field cannot take."""
    for name in sorted(names):
        check = CHECKS.get(name)
        value = fields.get(name)
        if check is None or value is None or not value.strip():
            continue
        problem = check(value, fields)
        if problem:
            shown = value if len(value) <= 60 else value[:57] + "..."
            raise FieldValueError(f"{name} {problem}, not {shown!r}")
