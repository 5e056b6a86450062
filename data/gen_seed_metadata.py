"""Write the metadata-service answers for the seed papers (``tests/data/metadata-apis/*/written__seed…``).

The answers the replay server gives for the bundled catalogue's arXiv papers, in exactly the
formats of the recorded ones beside them (``../shared/data/metadata-apis/PROVENANCE.md``), built
only from the verified facts of ``reference-metadata.json`` (titles, authors, arXiv ids and
dates, and for the papers whose venue is verified: the venue, its year, volume, number, pages and
DOI where verified). Ids the facts do not give are placeholders, marked as such: S2 ``paperId``
(``sha1("papershelf-seed:<arXiv id>")``), no ``CorpusId``, ``authorId`` null; DBLP keys and
``@id``/``@pid`` follow DBLP's conventions but were not looked up. The venue names are written as
each service writes them (DBLP's abbreviations: ``ICCV``, ``IEEE Trans. Pattern Anal. Mach.
Intell.``; S2's full names). Papers whose venue is not verified get no venue answer at all (the
server then says "not found", as the services would for an unknown paper): nothing is invented.
Every seed arXiv paper gets DataCite's record of its arXiv DOI (title, authors, v1 date, year), and
a seed book with a verified DOI Crossref's record of it (title, subtitle, authors, year, publisher, ISBN).

    python data/gen_seed_metadata.py [reference-metadata.json]   (prints the routes to add)
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "tests" / "data" / "metadata-apis"
REFERENCE = HERE.parent / "tests" / "data" / "seed" / "reference-metadata.json"

# The venue of each verified seed paper, as each service names it (verified venue → spelling):
# kind, S2 venue, DBLP venue, DBLP key stem, volume, number, pages (verified ones only).
VENUES = {
    "2209.04747": ("journal", "IEEE Transactions on Pattern Analysis and Machine Intelligence",
                   "IEEE Trans. Pattern Anal. Mach. Intell.", "journals/pami", "45", "9", "10850-10869"),
    "2408.03400": ("journal", "ACM Computing Surveys", "ACM Comput. Surv.", "journals/csur", None, None, None),
    "2504.16081": ("journal", "Transactions on Machine Learning Research", "Trans. Mach. Learn. Res.",
                   "journals/tmlr", None, None, None),
    "2402.17525": ("journal", "IEEE Transactions on Pattern Analysis and Machine Intelligence",
                   "IEEE Trans. Pattern Anal. Mach. Intell.", "journals/pami", None, None, None),
    "2312.12148": ("journal", "IEEE Transactions on Pattern Analysis and Machine Intelligence",
                   "IEEE Trans. Pattern Anal. Mach. Intell.", "journals/pami", None, None, None),
    "2006.11239": ("conference", "Neural Information Processing Systems", "NeurIPS", "conf/nips", None, None,
                   "6840-6851"),
    "2102.09672": ("conference", "International Conference on Machine Learning", "ICML", "conf/icml", None, None,
                   None),
    "2103.00020": ("conference", "International Conference on Machine Learning", "ICML", "conf/icml", None, None,
                   None),
    "2012.12877": ("conference", "International Conference on Machine Learning", "ICML", "conf/icml", None, None,
                   "10347-10357"),
    "1503.03585": ("conference", "International Conference on Machine Learning", "ICML", "conf/icml", None, None,
                   None),
    "2112.10752": ("conference", "Computer Vision and Pattern Recognition", "CVPR", "conf/cvpr", None, None, None),
    "2208.12242": ("conference", "Computer Vision and Pattern Recognition", "CVPR", "conf/cvpr", None, None,
                   "22500-22510"),
    "2103.14030": ("conference", "IEEE International Conference on Computer Vision", "ICCV", "conf/iccv", None,
                   None, None),
    "2302.05543": ("conference", "IEEE International Conference on Computer Vision", "ICCV", "conf/iccv", None,
                   None, "3813-3824"),
    "2106.09685": ("conference", "International Conference on Learning Representations", "ICLR", "conf/iclr",
                   None, None, None),
    "2010.11929": ("conference", "International Conference on Learning Representations", "ICLR", "conf/iclr",
                   None, None, None),
}
# Crossref's record of the verified DOIs: type, container-title as the publisher registers it.
CROSSREF = {
    "2209.04747": ("journal-article", "IEEE Transactions on Pattern Analysis and Machine Intelligence"),
    "2408.03400": ("journal-article", "ACM Computing Surveys"),
    "2112.10752": ("proceedings-article",
                   "2022 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)"),
    "2103.14030": ("proceedings-article", "2021 IEEE/CVF International Conference on Computer Vision (ICCV)"),
    "2302.05543": ("proceedings-article", "2023 IEEE/CVF International Conference on Computer Vision (ICCV)"),
}
PUBLISHER = {"journals/pami": "IEEE", "journals/csur": "Association for Computing Machinery (ACM)"}


def family(name: str) -> str:
    return name.split()[-1]


def dblp_key(stem: str, authors: list[str], year: int) -> str:
    initials = "".join(re.sub(r"[^A-Za-z]", "", family(a))[:1].upper() for a in authors[1:4])
    first = re.sub(r"[^A-Za-z]", "", family(authors[0]))
    return f"{stem}/{first}{initials}{str(year)[2:]}"


def s2_paper(paper: dict) -> dict:
    ident = paper["arxiv_id"]
    kind, s2_venue, _dblp_venue, stem, volume, _number, pages = VENUES[ident]
    ids: dict = {"ArXiv": ident}
    if paper.get("doi"):
        ids["DOI"] = paper["doi"]
    ids["DBLP"] = dblp_key(stem, paper["authors"], paper["venue_year"])
    journal: dict = {}
    if kind == "journal":
        journal["name"] = s2_venue
        if volume:
            journal["volume"] = volume
    if pages:
        journal["pages"] = pages
    sha = hashlib.sha1(f"papershelf-seed:{ident}".encode()).hexdigest()
    return {"paperId": sha, "externalIds": ids, "url": f"https://www.semanticscholar.org/paper/{sha}",
            "title": paper["title"], "venue": s2_venue,
            "publicationVenue": {"name": s2_venue, "type": kind}, "year": paper["year"],
            "publicationTypes": ["JournalArticle"] if kind == "journal" else ["Conference"],
            "publicationDate": paper.get("submitted"), "journal": journal or None,
            "authors": [{"authorId": None, "name": a} for a in paper["authors"]]}


def dblp_info(paper: dict, *, corr: bool, n: int) -> dict:
    ident = paper["arxiv_id"]
    kind, _s2, dblp_venue, stem, volume, number, pages = VENUES.get(ident, ("", "", "", "", None, None, None))
    year = paper["year"] if corr else paper["venue_year"]
    key = f"journals/corr/abs-{ident.replace('.', '-')}" if corr else dblp_key(stem, paper["authors"], year)
    info: dict = {"authors": {"author": [{"@pid": f"00/{n}{i}", "text": a} for i, a in enumerate(paper["authors"])]
                              if len(paper["authors"]) > 1 else {"@pid": f"00/{n}0", "text": paper["authors"][0]}},
                  "title": paper["title"] + "."}
    if corr:
        info.update({"venue": "CoRR", "volume": f"abs/{ident}", "year": str(year),
                     "type": "Informal and Other Publications", "access": "open", "key": key,
                     "doi": f"10.48550/ARXIV.{ident}", "ee": f"https://doi.org/10.48550/arXiv.{ident}"})
    else:
        info["venue"] = dblp_venue
        if volume:
            info["volume"] = volume
        if number:
            info["number"] = number
        if pages:
            info["pages"] = pages
        info["year"] = str(year)
        info["type"] = "Journal Articles" if kind == "journal" else "Conference and Workshop Papers"
        info["access"] = "closed"
        info["key"] = key
        if paper.get("doi"):
            info["doi"] = paper["doi"]
            info["ee"] = f"https://doi.org/{paper['doi']}"
    info["url"] = f"https://dblp.org/rec/{key}"
    return info


def dblp_search(paper: dict, hits: list[dict]) -> dict:
    words = re.findall(r"\w+", paper["title"].lower())
    return {"result": {
        "query": " ".join(f"{w}*" for w in words),
        "status": {"@code": "200", "text": "OK"},
        "time": {"@unit": "msecs", "text": "10.00"},
        "completions": {"@total": "0", "@computed": "0", "@sent": "0"},
        "hits": {"@total": str(len(hits)), "@computed": str(len(hits)), "@sent": str(len(hits)), "@first": "0",
                 "hit": [{"@score": str(9 - i), "@id": str(1000000 + i), "info": info, "url": f"URL#{1000000 + i}"}
                         for i, info in enumerate(hits)]}}}


def crossref_work(paper: dict) -> dict:
    ident = paper["arxiv_id"]
    ctype, container = CROSSREF[ident]
    _kind, _s2, _dblp, stem, volume, number, pages = VENUES[ident]
    authors = [{"given": " ".join(a.split()[:-1]), "family": family(a), "sequence": "first" if i == 0 else
                "additional", "affiliation": []} for i, a in enumerate(paper["authors"])]
    message: dict = {"indexed": {"date-parts": [[2026, 1, 1]]}, "publisher": PUBLISHER.get(stem, "IEEE"),
                     "DOI": paper["doi"], "type": ctype, "title": [paper["title"]],
                     "author": authors, "container-title": [container],
                     "published": {"date-parts": [[paper["venue_year"]]]},
                     "issued": {"date-parts": [[paper["venue_year"]]]},
                     "relation": {}, "URL": f"https://doi.org/{paper['doi']}"}
    if volume:
        message["volume"] = volume
    if number:
        message["issue"] = number
    if pages and ctype == "journal-article":
        message["page"] = pages
    return {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message}


def crossref_book(paper: dict) -> dict:
    """Crossref's record of a seed book's DOI (type ``monograph``, title and subtitle apart)."""
    authors = [{"given": " ".join(a.split()[:-1]), "family": family(a), "sequence": "first" if i == 0 else
                "additional", "affiliation": []} for i, a in enumerate(paper["authors"])]
    publisher = (paper.get("publisher") or "").split(" (")[0]
    message = {"indexed": {"date-parts": [[2026, 1, 1]]}, "publisher": publisher, "DOI": paper["doi"],
               "type": "monograph", "title": [paper["title"]], "subtitle": [paper["subtitle"]] if paper.get("subtitle")
               else [], "author": authors, "published": {"date-parts": [[paper["year"]]]},
               "issued": {"date-parts": [[paper["year"]]]}, "ISBN": [paper["isbn13"]] if paper.get("isbn13") else [],
               "relation": {}, "URL": f"https://doi.org/{paper['doi']}"}
    return {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message}


def datacite_doi(paper: dict) -> dict:
    """DataCite's record of arXiv's DOI for the paper (as ``datacite/written__…2006.11239`` has it)."""
    ident = paper["arxiv_id"]
    doi = f"10.48550/arxiv.{ident}"
    creators = [{"name": f"{family(a)}, {' '.join(a.split()[:-1])}", "nameType": "Personal",
                 "givenName": " ".join(a.split()[:-1]), "familyName": family(a), "affiliation": [],
                 "nameIdentifiers": []} for a in paper["authors"]]
    submitted = paper.get("submitted") if "submitted" not in paper.get("unverified", []) else None
    dates = ([{"date": submitted, "dateType": "Submitted", "dateInformation": "v1"}] if submitted else []) + \
        [{"date": str(paper["year"]), "dateType": "Issued"}]
    subjects = [{"subject": paper["primary_category"], "subjectScheme": "arXiv"}] \
        if paper.get("primary_category") and "primary_category" not in paper.get("unverified", []) else []
    return {"data": {"id": doi, "type": "dois", "attributes": {
        "doi": doi, "identifiers": [{"identifier": ident, "identifierType": "arXiv"}], "creators": creators,
        "titles": [{"title": paper["title"]}], "publisher": "arXiv", "container": {},
        "publicationYear": paper["year"], "subjects": subjects, "contributors": [], "dates": dates,
        "language": "en", "types": {"ris": "GEN", "bibtex": "misc", "citeproc": "article",
                                    "schemaOrg": "CreativeWork", "resourceType": "Article",
                                    "resourceTypeGeneral": "Preprint"},
        "relatedIdentifiers": [], "sizes": [], "formats": [], "rightsList": [], "descriptions": [],
        "geoLocations": [], "fundingReferences": [], "url": f"https://arxiv.org/abs/{ident}", "contentUrl": None,
        "metadataVersion": 1, "schemaVersion": "http://datacite.org/schema/kernel-4", "source": "mds",
        "isActive": True, "state": "findable", "reason": None, "published": str(paper["year"])},
        "relationships": {"client": {"data": {"id": "arxiv.content", "type": "clients"}}}}}


def main(argv: list[str]) -> int:
    reference = json.loads(Path(argv[1] if len(argv) > 1 else REFERENCE).read_text(encoding="utf-8"))
    routes = []
    for n, paper in enumerate(reference):
        ident = paper.get("arxiv_id")
        if ident and ident != "2006.11239":  # that one is written already (datacite/written__…2006.11239)
            dc_file = f"datacite/written__seed_datacite_dois__10.48550_arxiv.{ident}.status200.json"
            (OUT / dc_file).write_text(json.dumps(datacite_doi(paper), ensure_ascii=False) + "\n", encoding="utf-8")
            routes.append({"service": "datacite", "path": f"/dois/10.48550/arxiv.{ident}", "file": dc_file})
        if paper.get("kind") == "book" and paper.get("doi") and "doi" not in paper.get("unverified", []):
            book_file = f"crossref/written__seed_crossref_works__{paper['doi'].replace('/', '_')}.status200.json"
            (OUT / book_file).write_text(json.dumps(crossref_book(paper), ensure_ascii=False) + "\n", encoding="utf-8")
            routes.append({"service": "crossref", "path": f"/works/{paper['doi']}", "file": book_file})
        if not ident or ident not in VENUES or "venue" in paper.get("unverified", []):
            continue
        name = ident.replace("/", "_")
        s2_file = f"semantic-scholar/written__seed_s2_paper__ARXIV_{name}.status200.json"
        (OUT / s2_file).write_text(json.dumps(s2_paper(paper), ensure_ascii=False) + "\n", encoding="utf-8")
        routes.append({"service": "s2", "path": f"/paper/ARXIV:{ident}", "file": s2_file})
        dblp_file = f"dblp/written__seed_dblp_publ-search__{name}.status200.json"
        hits = [dblp_info(paper, corr=False, n=n), dblp_info(paper, corr=True, n=n)]
        (OUT / dblp_file).write_text(json.dumps(dblp_search(paper, hits), ensure_ascii=False, indent=0) + "\n",
                                     encoding="utf-8")
        routes.append({"service": "dblp", "path": "/search/publ/api", "file": dblp_file,
                       "query": {"q": paper["title"]}})
        if ident in CROSSREF and paper.get("doi"):
            cr_file = f"crossref/written__seed_crossref_works__{paper['doi'].replace('/', '_')}.status200.json"
            (OUT / cr_file).write_text(json.dumps(crossref_work(paper), ensure_ascii=False) + "\n",
                                       encoding="utf-8")
            routes.append({"service": "crossref", "path": f"/works/{paper['doi']}", "file": cr_file})
    print(",\n".join(json.dumps(r, ensure_ascii=False) for r in routes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
