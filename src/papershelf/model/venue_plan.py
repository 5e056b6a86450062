"""What an accepted venue changes on a preprint entry (``sync --venues``). Pure.

``plan_venue(entry, venue)`` turns an arXiv preprint (type misc/unpublished/online, or an
``@article`` without a journal; no journal or booktitle) into the published entry:
``@inproceedings`` with the proceedings in ``booktitle`` for a conference paper, ``@article``
with ``journal`` for a journal paper, and the venue's year, volume, number, pages, publisher and
DOI where the entry has none. The rules:

* The eprint fields (arXiv id, version, class) stay, so the export keeps ``eprint``; the
  citation key, tags, notes and section are never touched.
* An entry that already names a venue is left alone (it is not a preprint).
* A field the user edited (``Entry.edited``: the .bib field names changed by ``edit``/``set``, or
  made stale by a source) is never overwritten. When the user edited the type or the venue
  fields themselves (``@type``, ``journal``, ``journaltitle``, ``booktitle``), nothing changes
  at all: the user decided what the entry is.
* A field that has a value keeps it, except the year, which becomes the venue's (a preprint's
  year is its arXiv v1 date's), and arXiv's own DOI, which the publisher DOI replaces.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from papershelf.model.entry import SOURCE_FIELDS_OF, Entry
from papershelf.model.identifiers import is_arxiv_doi
from papershelf.model.works import Work

# The entry type and venue field for each kind of venue record.
_TYPE = {"conference": ("inproceedings", "booktitle"), "chapter": ("inproceedings", "booktitle"),
         "journal": ("article", "journal")}
VENUE_FIELDS = frozenset({"@type", "journal", "journaltitle", "booktitle"})


@dataclass
class VenuePlan:
    entry: Entry  # the entry as it would be stored
    fields: list[str]  # the decoded fields to write
    kept: list[str] = field(default_factory=list)  # fields left as they are because the user edited them
    refused: str = ""  # why nothing changes ("" when something does)


def user_edited(entry: Entry, attribute: str) -> bool:
    """Whether the .bib fields that feed ``attribute`` were edited (``Entry.edited``)."""
    names = set(SOURCE_FIELDS_OF.get(attribute, (attribute,)))
    return bool(names & set(entry.edited))


def _dash(pages: str | None) -> str | None:
    return re.sub(r"\s*[-–—]+\s*", "--", pages) if pages else None


def awaiting_venue(entry: Entry) -> bool:
    """An arXiv paper cited as a preprint: of a preprint's type with no venue, or an ``@article``
    with no journal (arXiv gave a DOI, not a venue: exports cite it as the preprint too)."""
    return bool(entry.arxiv_id) and not entry.has_venue and (entry.is_unpublished or entry.type == "article")


def not_a_preprint(entry: Entry) -> str:
    """Why ``entry`` is not a preprint a venue could be found for ("" when it is one)."""
    if awaiting_venue(entry):
        return ""
    if not entry.arxiv_id:
        return "has no arXiv id"
    if entry.has_venue:
        return f"already names a venue ({entry.journal or entry.booktitle})"
    return f"is an @{entry.type}, not a preprint"


def plan_venue(entry: Entry, venue: Work) -> VenuePlan:
    """What accepting ``venue`` for ``entry`` changes (see the module rules)."""
    if not awaiting_venue(entry):
        return VenuePlan(entry, [], refused=not_a_preprint(entry))
    edited_venue = sorted(VENUE_FIELDS & set(entry.edited))
    if edited_venue:
        return VenuePlan(entry, [], kept=edited_venue,
                         refused=f"you edited its {', '.join(n.lstrip('@') for n in edited_venue)}: left as you set it")
    kind, venue_field = _TYPE.get(venue.kind, ("", ""))
    if not kind or not venue.venue:
        return VenuePlan(entry, [], refused=f"the venue record is a {venue.kind}, not a paper's venue")
    new = copy.deepcopy(entry)
    fields: list[str] = []
    kept: list[str] = []

    def put(name: str, value: object, *, replace: bool = False) -> None:
        if value in (None, ""):
            return
        current = getattr(new, name)
        if current == value:
            return
        if user_edited(entry, name):
            kept.append(name)
            return
        if current not in (None, "") and not replace:
            return
        setattr(new, name, value)
        fields.append(name)

    new.type = kind
    fields.append("type")
    put(venue_field, venue.venue)
    put("year", venue.year, replace=True)
    put("volume", venue.volume)
    put("number", venue.number)
    put("pages", _dash(venue.pages))
    put("publisher", venue.publisher)
    if venue.doi and not is_arxiv_doi(venue.doi):
        put("doi", venue.doi, replace=bool(entry.doi and is_arxiv_doi(entry.doi)))
    return VenuePlan(new, fields, kept)
