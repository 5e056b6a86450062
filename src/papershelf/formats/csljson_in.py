"""CSL-JSON → entries (what Zotero, Mendeley and pandoc write), the reverse of ``csljson``. Pure.

The CSL ``id`` is the citation key (Zotero and pandoc write the key there; Better BibTeX's
``citation-key`` wins when present); types map back through ``csljson.CSL_TYPES`` (an
``article`` with ``number: arXiv:…`` is a preprint); ``issued`` gives year and date;
``keyword`` gives tags; ``note`` lines are read as Better BibTeX reads Extra (``Citation Key:``,
``arXiv:``, ``tex.field:``). A record that is not an object or has no title is a problem.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from papershelf.errors import PapershelfError
from papershelf.formats.csljson import CSL_TYPES
from papershelf.model.entry import Entry, Person

FROM_CSL = {csl: bib for bib, csl in reversed(list(CSL_TYPES.items()))}
FROM_CSL.update({"article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
                 "paper-conference": "inproceedings", "chapter": "incollection", "thesis": "phdthesis",
                 "report": "techreport", "webpage": "online", "post-weblog": "online", "post": "online",
                 "manuscript": "unpublished", "book": "book", "article": "misc", "software": "misc",
                 "dataset": "misc", "document": "misc"})


@dataclass
class Read:
    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, records: list[Any], to_entry: Callable[[dict[str, Any]], Entry]) -> Read:
        """Each record (a dict) as an entry; one that is no dict or gives no title is a problem."""
        out = cls()
        for n, record in enumerate(records, 1):
            if not isinstance(record, dict):
                out.problems.append(f"record {n}: not an object")
                continue
            entry = to_entry(record)
            if not entry.title:
                out.problems.append(f"record {n}" + (f" ({record['id']})" if record.get("id") else "")
                                    + ": no title, skipped")
                continue
            out.entries.append(entry)
        return out


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _people(value: Any) -> list[Person]:
    out = []
    for name in value if isinstance(value, list) else []:
        if not isinstance(name, dict):
            continue
        if name.get("literal") or not name.get("given"):
            whole = _text(name.get("literal")) or _text(name.get("family"))
            if whole:
                out.append(Person(family=whole))
            continue
        family = _text(name.get("family"))
        if family:
            out.append(Person(family=family, given=_text(name.get("given")) or "",
                              prefix=_text(name.get("non-dropping-particle"))
                              or _text(name.get("dropping-particle")) or "",
                              suffix=_text(name.get("suffix")) or ""))
    return out


def _issued(value: Any) -> tuple[int | None, str | None]:
    if not isinstance(value, dict):
        return None, None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            nums = [int(p) for p in parts[0][:3]]
        except (TypeError, ValueError):
            return None, None
        date = "-".join([f"{nums[0]:04d}", *(f"{n:02d}" for n in nums[1:])]) if len(nums) > 1 else None
        return nums[0], date
    raw = _text(value.get("raw")) or _text(value.get("literal")) or ""
    m = re.search(r"\b(\d{4})\b", raw)
    return (int(m.group(1)) if m else None), None


def to_entry(record: dict[str, Any]) -> Entry:
    from papershelf.formats.zotero.mapping import extra_lines

    csl_type = str(record.get("type") or "")
    kind = FROM_CSL.get(csl_type, "misc")
    entry = Entry(title=_text(record.get("title")) or "", type=kind)
    entry.citekey = _text(record.get("citation-key")) or _text(record.get("id")) or ""
    entry.authors = _people(record.get("author"))
    entry.editors = _people(record.get("editor"))
    entry.year, entry.date = _issued(record.get("issued"))
    container = _text(record.get("container-title"))
    if container:
        if kind == "article":
            entry.journal = container
        elif kind in ("inproceedings", "incollection"):
            entry.booktitle = container
    entry.volume = _text(record.get("volume"))
    entry.number = _text(record.get("issue"))
    entry.pages = (_text(record.get("page")) or "").replace("–", "-") or None
    entry.publisher = _text(record.get("publisher"))
    entry.edition = _text(record.get("edition"))
    entry.isbn = _text(record.get("ISBN"))
    entry.doi = _text(record.get("DOI"))
    entry.url = _text(record.get("URL"))
    entry.abstract = _text(record.get("abstract"))
    number = _text(record.get("number")) or ""
    if number.lower().startswith("arxiv:"):
        entry.arxiv_id = re.sub(r"v\d+$", "", number.split(":", 1)[1].strip())
    extra: dict[str, str] = {}
    for name, target in (("publisher-place", "address"), ("language", "language"), ("ISSN", "issn"),
                         ("collection-title", "series")):
        if _text(record.get(name)):
            extra[target] = str(record[name]).strip()
    key, arxiv, fields, rest = extra_lines(_text(record.get("note")) or "")
    entry.citekey = _text(record.get("citation-key")) or key or entry.citekey
    entry.arxiv_id = entry.arxiv_id or arxiv
    extra.update(fields)
    if rest:
        extra["note"] = rest
    entry.extra = dict(sorted(extra.items()))
    keywords = _text(record.get("keyword"))
    if keywords:
        from papershelf.formats.zotero.mapping import tags_of

        entry.tags = tags_of(re.split(r"[,;]", keywords))
    return entry


def read_csljson(text: str) -> Read:
    """Every record of a CSL-JSON array (or one object); raises PapershelfError if it is no JSON."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PapershelfError(f"not CSL-JSON: {exc}") from None
    return Read.of(data if isinstance(data, list) else [data], to_entry)
