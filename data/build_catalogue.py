"""Rebuild ``src/papershelf/data/catalogue.json``, the bundled catalogue, from the verified reference metadata.

    python data/build_catalogue.py [../shared/seed/reference-metadata.json]

Only verified facts go in: a field listed in a record's ``unverified`` or only in
``from_memory`` stays empty. The free-text venue of each published paper is split into
journal/booktitle, volume, number and pages by the table below, which restates the verified
venue strings (nothing in it comes from elsewhere). Sections and notes come from
``data/reading-list.md`` (the user's list, verbatim), read by the same parser as
``papershelf import markdown`` (``papershelf.formats.readinglist``): the heading and parent
bullets an item sits under are its section; the text bullets nested under it are its notes,
kept exactly; nested links become the entry's links. Other names of a paper that the list
uses (DeiT, ViT, CLIP, Stable Diffusion) go in its ``aliases`` field (``ALIASES``).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from papershelf.formats import readinglist  # the reading-list parser `import markdown` uses
from papershelf.model.entry import Entry

HERE = Path(__file__).resolve().parent
# The snapshot ships inside the package (read at run time); this generator stays out of it.
OUT = HERE.parent / "src" / "papershelf" / "data" / "catalogue.json"

ICML21 = {
    "type": "inproceedings",
    "booktitle": "Proceedings of the 38th International Conference on Machine Learning (ICML 2021)",
    "volume": "139", "publisher": "PMLR",
    "extra": {"series": "Proceedings of Machine Learning Research"},
}
TPAMI = "IEEE Transactions on Pattern Analysis and Machine Intelligence"

# arXiv id -> structured venue, restating each record's verified ``venue`` string.
VENUES: dict[str, dict] = {
    "2209.04747": {"type": "article", "journal": TPAMI, "volume": "45", "number": "9",
                   "pages": "10850--10869"},
    "2408.03400": {"type": "article", "journal": "ACM Computing Surveys"},
    "2504.16081": {"type": "article", "journal": "Transactions on Machine Learning Research"},
    "2402.17525": {"type": "article", "journal": TPAMI},
    "2006.11239": {"type": "inproceedings",
                   "booktitle": "Advances in Neural Information Processing Systems 33 (NeurIPS 2020)",
                   "pages": "6840--6851"},
    "2102.09672": ICML21,
    "2103.00020": ICML21,
    "2012.12877": {**ICML21, "pages": "10347--10357"},
    "2112.10752": {"type": "inproceedings",
                   "booktitle": "IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR 2022)"},
    "2103.14030": {"type": "inproceedings",
                   "booktitle": "IEEE/CVF International Conference on Computer Vision (ICCV 2021)"},
    "2312.12148": {"type": "article", "journal": TPAMI},
    "2106.09685": {"type": "inproceedings",
                   "booktitle": "International Conference on Learning Representations (ICLR 2022)"},
    "2010.11929": {"type": "inproceedings",
                   "booktitle": "International Conference on Learning Representations (ICLR 2021)"},
    "2208.12242": {"type": "inproceedings",
                   "booktitle": "IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR 2023)",
                   "pages": "22500--22510"},
    # Two page ranges are verified (CVF open access / IEEE Xplore); the DOI is IEEE's, so are these.
    "2302.05543": {"type": "inproceedings",
                   "booktitle": "IEEE/CVF International Conference on Computer Vision (ICCV 2023)",
                   "pages": "3813--3824"},
    "1503.03585": {"type": "inproceedings",
                   "booktitle": "Proceedings of the 32nd International Conference on Machine Learning (ICML 2015)",
                   "volume": "37", "publisher": "PMLR",
                   "extra": {"series": "Proceedings of Machine Learning Research",
                             "address": "Lille, France"}},
}

# arXiv id -> other names the paper goes by, as the reading list writes them (each must appear
# in data/reading-list.md: `main` checks). They fill the entry's ``aliases`` field, which search
# indexes (``papershelf search DeiT``) and exports leave out. "Stable Diffusion", which the list
# names without a paper, is the latent diffusion model of Rombach et al. trained at scale.
# Names a title gives itself (LoRA, DreamBooth) and acronyms of titles (DDPM) need no entry here.
ALIASES: dict[str, list[str]] = {
    "2112.10752": ["LDM", "Latent diffusion model", "Stable Diffusion"],
    "2103.00020": ["CLIP", "Contrastive Language-Image Pre-Training"],
    "2010.11929": ["ViT", "Vision Transformer"],
    "2012.12877": ["DeiT", "Data-efficient image Transformer"],
    "2302.05543": ["ControlNet"],
}


def check_aliases(reading_list: str) -> None:
    """Every alias is a name the reading list itself uses."""
    for aid, names in ALIASES.items():
        for name in names:
            if name not in reading_list:
                raise SystemExit(f"alias {name!r} of {aid} is not in data/reading-list.md")


def find_item(items: list[Entry], record: dict) -> Entry:
    """The reading-list entry a record describes: same arXiv id, or the link it was listed by."""
    aid, url = record.get("arxiv_id"), record.get("seed_url")
    return next(i for i in items if (aid and i.arxiv_id == aid) or (url and i.url == url))


def entry_for(record: dict, item: Entry) -> dict:
    unverified = set(record.get("unverified") or [])

    def fact(name: str):
        return None if name in unverified else record.get(name)

    title = record["title"]
    if record.get("subtitle"):
        title = f"{title}: {record['subtitle']}"
    aid = record.get("arxiv_id")
    entry: dict = {
        "title": title,
        "authors": record["authors"],
        "year": record.get("venue_year") or record.get("year"),
        "date": fact("submitted"),
        "abstract": record.get("abstract"),
        "doi": fact("doi"),
        "url": record.get("seed_url") or (f"https://arxiv.org/abs/{aid}" if aid else None),
        "section": item.section,
        "notes": item.notes,
        "links": item.links,
    }
    kind = record["kind"]
    if aid:
        entry["arxiv_id"] = aid
        primary = fact("primary_category")
        entry["primary_class"] = primary
        entry["categories"] = [primary] if primary else []
        entry.update(VENUES.get(aid, {"type": "misc"}))
        if entry["type"] == "misc":  # a preprint: its year is the year it appeared
            entry["year"] = record.get("year")
    elif kind == "book":
        entry.update({"type": "book", "publisher": fact("publisher"), "isbn": fact("isbn13")})
    elif kind == "tutorial":
        entry.update({"type": "inproceedings", "booktitle": record["venue"],
                      "publisher": fact("publisher")})
    if aid in ALIASES:
        entry["extra"] = {**entry.get("extra", {}), "aliases": ", ".join(ALIASES[aid])}
    credited, also_known = split_alternative_names(entry["authors"])
    if also_known:  # "Andrew Zhu (Shudong Zhu)": cited as Andrew Zhu, the other name kept beside
        entry["authors"] = credited
        entry["extra"] = {**entry.get("extra", {}), "nameaddon": "; ".join(also_known)}
    return {k: v for k, v in entry.items() if v not in (None, [], {})}


def split_alternative_names(names: list[str]) -> tuple[list[str], list[str]]:
    """Names without a trailing parenthesis (an alternative name the author is also known by),
    and those alternatives: ``Andrew Zhu (Shudong Zhu)`` → ``Andrew Zhu`` and ``Shudong Zhu``."""
    credited, alternatives = [], []
    for name in names:
        found = re.fullmatch(r"\s*(.+?)\s*\(([^()]+)\)\s*", name)
        credited.append(found.group(1) if found else name)
        if found:
            alternatives.append(found.group(2).strip())
    return credited, alternatives


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent / "shared/seed/reference-metadata.json"
    records = json.loads(source.read_text(encoding="utf-8"))
    reading_list = (HERE / "reading-list.md").read_text(encoding="utf-8")
    check_aliases(reading_list)
    items = readinglist.read(reading_list).entries
    entries = [entry_for(r, find_item(items, r)) for r in records]
    out = {
        "provenance": "Built by data/build_catalogue.py from shared/seed/reference-metadata.json "
                      "(verified facts with their sources; unverified fields left empty) and "
                      "data/reading-list.md (sections and notes, verbatim).",
        "entries": entries,
    }
    OUT.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(entries)} entries to {OUT}")


if __name__ == "__main__":
    main()
