"""``sync --venues`` (services/venues.py) against the metadata replay server: the published
version of a preprint is accepted only when the sources agree with the entry, and written with
its evidence; keys and user edits stay; a service that is down is skipped, the others answer."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from papershelf.model.entry import Entry, Person
from papershelf.services.venues import open_clients, sync_venues, venue_targets
from papershelf.storage import venue_evidence

SEED = {e["arxiv_id"]: e for e in json.loads(files("papershelf.data").joinpath("catalogue.json").read_text())["entries"]
        if e.get("arxiv_id")}


def preprint(arxiv_id: str, citekey: str = "") -> Entry:
    """A seed paper as `add` stores a preprint: title, authors, arXiv year and id, no venue."""
    seed = SEED[arxiv_id]
    return Entry(title=seed["title"], type="misc", citekey=citekey, year=int(seed["date"][:4]),
                 date=seed["date"], arxiv_id=arxiv_id, authors=[Person.parse(a) for a in seed["authors"]])


def paperqa() -> Entry:
    # the recorded arXiv-only paper (semantic-scholar/paper-qa__s2_…paperqa…): venue arXiv.org
    return Entry(title="PaperQA: Retrieval-Augmented Generative Agent for Scientific Research", type="misc",
                 year=2023, arxiv_id="2312.07559",
                 authors=[Person.parse(n) for n in ("Jakub Lála", "Odhran O'Donoghue", "Aleksandar Shtedritski",
                                                    "Sam Cox", "Samuel G. Rodriques", "Andrew D. White")])


def attention() -> Entry:
    return Entry(title="Attention is All you Need", type="misc", year=2017, arxiv_id="1706.03762",
                 authors=[Person.parse(n) for n in ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar",
                                                    "Jakob Uszkoreit")])


def run_sync(lib, entries=None, **kw):
    with open_clients() as clients:
        return sync_venues(lib, clients, entries if entries is not None else venue_targets(lib, []), **kw)


def outcome(report, arxiv_id):
    return next(o for o in report.outcomes if o.entry.arxiv_id == arxiv_id)


def test_conference_paper_becomes_inproceedings_keeping_key_and_eprint(metadata_server, library_of):
    lib = library_of([preprint("2302.05543", "zhang2023adding")])
    report = run_sync(lib)
    o = outcome(report, "2302.05543")
    assert o.status == "published"
    assert o.message == ("published: ICCV 2023, pp. 3813–3824, doi 10.1109/ICCV51070.2023.00355 "
                         "(DBLP + Semantic Scholar agree)")
    stored = lib.get("zhang2023adding")
    assert (stored.type, stored.booktitle) == ("inproceedings", "IEEE/CVF International Conference on Computer Vision")
    assert (stored.year, stored.pages, stored.doi) == (2023, "3813--3824", "10.1109/ICCV51070.2023.00355")
    assert stored.arxiv_id == "2302.05543" and stored.citekey == "zhang2023adding"
    from papershelf.formats.bibtex.writer import entry_to_bibtex

    text = entry_to_bibtex(stored)
    assert text.startswith("@inproceedings{zhang2023adding,") and "eprint" in text
    record = venue_evidence.latest(lib.cat.conn, [stored.id])[stored.id]
    assert record.status == "published" and record.applied and record.sources == ["dblp", "s2"]
    assert record.evidence["time"] == record.checked and len(record.evidence["checks"]) >= 2
    # S2 and DBLP agreed: Crossref and OpenAlex were not asked
    assert metadata_server.count("crossref") == 0 and metadata_server.count("openalex") == 0


def test_journal_paper_becomes_article_with_volume_number_pages(metadata_server, library_of):
    lib = library_of([preprint("2209.04747", "croitoru2022diffusion")])
    report = run_sync(lib)
    assert outcome(report, "2209.04747").status == "published"
    stored = lib.get("croitoru2022diffusion")
    assert stored.type == "article"
    assert stored.journal == "IEEE Transactions on Pattern Analysis and Machine Intelligence"
    assert (stored.volume, stored.number, stored.pages, stored.year) == ("45", "9", "10850--10869", 2023)
    assert stored.doi == "10.1109/TPAMI.2023.3261988"


def test_arxiv_only_paper_gets_no_venue_and_nothing_changes(metadata_server, library_of):
    lib = library_of([paperqa()])
    before = lib.entries()[0]
    report = run_sync(lib)
    o = outcome(report, "2312.07559")
    assert o.status == "none" and o.message == "no published version found"
    after = lib.get(before.citekey)
    assert (after.type, after.journal, after.booktitle, after.revision) == ("misc", None, None, before.revision)
    # the CoRR hit, S2's arXiv.org record and Crossref's best hit (JAMIA Open) were all refused
    reasons = [c["reasons"] for c in o.decision.evidence("t")["checks"]] if o.decision else []
    assert any("preprint" in " ".join(r) for r in reasons)
    assert metadata_server.count("crossref") == 1
    assert venue_evidence.latest(lib.cat.conn, [after.id])[after.id].status == "none"


def test_near_miss_titles_are_never_accepted(metadata_server, library_of):
    # DBLP's best hit is "Attentional Transfer is All You Need" (DAC 2021); Crossref's a NAACL paper
    lib = library_of([attention()])
    report = run_sync(lib)
    assert outcome(report, "1706.03762").status == "none"
    assert lib.entries()[0].type == "misc" and not lib.entries()[0].has_venue


def test_two_sources_disagreeing_accept_nothing(metadata_server, library_of):
    entry = preprint("2302.05543", "zhang2023adding")
    metadata_server.route("s2", "/paper/ARXIV:2302.05543", status=404,
                          body='{"error": "Paper with id ARXIV:2302.05543 not found"}')
    crossref_item = {"DOI": "10.1109/CVPR.2023.99999", "type": "proceedings-article", "title": [entry.title],
                     "author": [{"given": "Lvmin", "family": "Zhang"}, {"given": "Anyi", "family": "Rao"},
                                {"given": "Maneesh", "family": "Agrawala"}],
                     "container-title": ["2023 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)"],
                     "published": {"date-parts": [[2023]]}, "score": 80.0}
    metadata_server.route("crossref", "/works", query={"query.title": entry.title}, body=json.dumps(
        {"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
         "message": {"facets": {}, "total-results": 1, "items": [crossref_item], "items-per-page": 5,
                     "query": {"start-index": 0, "search-terms": None}}}))
    metadata_server.route("openalex", "/works", query={"filter": f"title.search:{entry.title}"},
                          body='{"meta": {"count": 0}, "results": [], "group_by": []}')
    lib = library_of([entry])
    report = run_sync(lib)
    o = outcome(report, "2302.05543")
    assert o.status == "conflict" and "sources disagree" in o.message
    assert lib.get("zhang2023adding").type == "misc"


def test_a_venue_the_user_edited_is_left_alone(metadata_server, library_of):
    from papershelf.services.edit import set_fields

    lib = library_of([preprint("2302.05543", "zhang2023adding"), preprint("2106.09685", "hu2021lora")])
    # the user wrote a booktitle, then took it out again: they decided it is cited as a preprint
    set_fields(lib, "zhang2023adding", ["booktitle={A Workshop}"])
    set_fields(lib, "zhang2023adding", ["booktitle="])
    # and gave the other one a venue of their own: not even looked up
    set_fields(lib, "hu2021lora", ["booktitle={My reading group}"])
    before = lib.get("zhang2023adding")
    assert "booktitle" in before.edited
    report = run_sync(lib, venue_targets(lib, ["zhang2023adding", "hu2021lora"]))
    o = outcome(report, "2302.05543")
    assert o.status == "kept" and "you edited its booktitle" in o.message
    after = lib.get("zhang2023adding")
    assert (after.type, after.booktitle, after.revision) == ("misc", None, before.revision)
    record = venue_evidence.latest(lib.cat.conn, [after.id])[after.id]
    assert record.status == "published" and not record.applied
    lora = outcome(report, "2106.09685")
    assert lora.status == "skipped" and "already names a venue (My reading group)" in lora.message
    assert lib.get("hu2021lora").booktitle == "My reading group"


def test_a_field_the_user_edited_keeps_its_value(metadata_server, library_of):
    from papershelf.services.edit import set_fields

    lib = library_of([preprint("2302.05543", "zhang2023adding")])
    set_fields(lib, "zhang2023adding", ["pages=1--12"])
    run_sync(lib)
    after = lib.get("zhang2023adding")
    assert after.type == "inproceedings" and after.pages == "1--12"


def test_dry_run_writes_nothing(metadata_server, library_of):
    lib = library_of([preprint("2302.05543", "zhang2023adding")])
    before = lib.get("zhang2023adding")
    report = run_sync(lib, dry_run=True)
    assert outcome(report, "2302.05543").status == "published"
    after = lib.get("zhang2023adding")
    assert after.type == "misc" and after.revision == before.revision
    assert venue_evidence.latest(lib.cat.conn, [after.id]) == {}


def test_a_service_down_is_skipped_and_the_others_still_answer(metadata_server, library_of):
    metadata_server.fail("s2", "503", times=20)
    lib = library_of([preprint("2302.05543", "zhang2023adding")])
    report = run_sync(lib)
    assert "s2" in report.unavailable
    o = outcome(report, "2302.05543")
    assert o.status == "published" and o.decision is not None and o.decision.sources == ["dblp"]
    assert lib.get("zhang2023adding").type == "inproceedings"


def test_second_run_is_answered_from_the_cache(metadata_server, library_of):
    lib = library_of([preprint("2302.05543", "a"), paperqa()])
    run_sync(lib, dry_run=True)
    first = len(metadata_server.requests)
    report = run_sync(lib, dry_run=True)
    assert first > 0 and len(metadata_server.requests) == first
    assert sum(report.requests.values()) == 0 and sum(report.cache_hits.values()) > 0


def test_openalex_without_a_key_is_skipped_with_a_note(metadata_server, library_of, monkeypatch):
    monkeypatch.delenv("PAPERSHELF_OPENALEX_API_KEY")
    lib = library_of([paperqa()])
    report = run_sync(lib)
    assert "API key" in report.unavailable["openalex"]
    assert metadata_server.count("openalex") == 0


def test_targets_are_preprints_and_named_keys_need_an_arxiv_id(catalogue):
    from papershelf.errors import UsageError

    targets = venue_targets(catalogue, [])
    assert targets and all(e.is_preprint for e in targets)
    book = next(e for e in catalogue.entries() if e.type == "book")
    with pytest.raises(UsageError):
        venue_targets(catalogue, [book.citekey])


def test_a_venue_whose_doi_another_entry_holds_is_not_stored_and_the_run_says_so(metadata_server, library_of):
    """The published version is catalogued already as another entry: the preprint is not given
    its DOI (two entries would be one work), the evidence says it was not applied, and the run
    ends with the conflict naming that entry (exit 1); the other preprint is still stored."""
    from papershelf.errors import SameWorkError

    published = Entry(title=SEED["2302.05543"]["title"], type="inproceedings", citekey="published", year=2023,
                      booktitle="ICCV", doi="10.1109/ICCV51070.2023.00355", authors=[Person.parse("Lvmin Zhang")])
    lib = library_of([preprint("2302.05543", "zhang2023adding"), preprint("2209.04747", "croitoru2022diffusion"),
                      published])
    report = run_sync(lib, [lib.get("zhang2023adding"), lib.get("croitoru2022diffusion")])
    o = outcome(report, "2302.05543")
    assert o.status == "kept" and "not stored: zhang2023adding would be the same work as published" in o.message
    assert lib.get("zhang2023adding").doi is None and lib.get("croitoru2022diffusion").doi
    record = venue_evidence.latest(lib.cat.conn, [lib.get("zhang2023adding").id])
    assert not next(iter(record.values())).applied
    verdict = report.verdict()
    assert isinstance(verdict, SameWorkError) and "published" in verdict.message
