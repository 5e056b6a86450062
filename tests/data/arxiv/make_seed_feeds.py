"""Write ``seed/<id>.xml``: for each arXiv paper of the bundled catalogue, the answer arXiv's API
gives to ``id_list=<id>``, in the 2026 format of ``recorded/id_1605.08386_…`` — using only the
facts in ``data/catalogue.json``. Run from the repository root: ``python tests/data/arxiv/make_seed_feeds.py``.

What is not in the catalogue is left out of the XML (version, comment, journal_ref, arXiv's own
DOI record), with two exceptions the format cannot do without, both written in PROVENANCE.md:
``<published>``/``<updated>`` carry the catalogue's v1 date at 00:00:00Z, and the feed's own
``<id>``/``<updated>`` are fixed stand-ins for the per-query values arXiv generates. Papers
without a v1 date in the catalogue are not written (arXiv never omits ``<published>``).
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
FEED_UPDATED = "2026-01-01T00:00:00Z"


def feed(entry: dict) -> str:
    aid = entry["arxiv_id"]
    stamp = f"{entry['date']}T00:00:00Z"
    lines = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">',
        f"  <id>https://arxiv.org/api/papershelf-seed-{escape(aid)}</id>",
        f"  <title>arXiv Query: search_query=&amp;id_list={escape(aid)}&amp;start=0&amp;max_results=100</title>",
        f"  <updated>{FEED_UPDATED}</updated>",
        f'  <link href="https://arxiv.org/api/query?search_query=&amp;start=0&amp;max_results=100&amp;'
        f'id_list={escape(aid)}" type="application/atom+xml"/>',
        "  <opensearch:itemsPerPage>100</opensearch:itemsPerPage>",
        "  <opensearch:totalResults>1</opensearch:totalResults>",
        "  <opensearch:startIndex>0</opensearch:startIndex>",
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{escape(aid)}</id>",
        f"    <title>{escape(entry['title'])}</title>",
        f"    <updated>{stamp}</updated>",
        f'    <link href="https://arxiv.org/abs/{escape(aid)}" rel="alternate" type="text/html"/>',
        f'    <link href="https://arxiv.org/pdf/{escape(aid)}" rel="related" type="application/pdf" title="pdf"/>',
    ]
    if entry.get("abstract"):
        lines.append(f"    <summary>{escape(entry['abstract'])}</summary>")
    for cat in entry.get("categories") or []:
        lines.append(f'    <category term={quoteattr(cat)} scheme="http://arxiv.org/schemas/atom"/>')
    lines.append(f"    <published>{stamp}</published>")
    if entry.get("primary_class"):
        lines.append(f"    <arxiv:primary_category term={quoteattr(entry['primary_class'])}/>")
    for name in entry.get("authors") or []:
        lines += ["    <author>", f"      <name>{escape(name)}</name>", "    </author>"]
    lines += ["  </entry>", "</feed>", ""]
    return "\n".join(lines)


def main() -> None:
    data = json.loads((REPO / "data" / "catalogue.json").read_text(encoding="utf-8"))
    out = HERE / "seed"
    out.mkdir(exist_ok=True)
    written, skipped = [], []
    for entry in data["entries"]:
        if not entry.get("arxiv_id"):
            continue
        if not entry.get("date"):
            skipped.append(entry["arxiv_id"])
            continue
        name = entry["arxiv_id"].replace("/", "_") + ".xml"
        (out / name).write_text(feed(entry), encoding="utf-8")
        written.append(entry["arxiv_id"])
    print(f"wrote {len(written)} feeds; no v1 date, not written: {', '.join(skipped) or 'none'}")


if __name__ == "__main__":
    main()
