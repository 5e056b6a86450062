"""``papershelf check`` (services/check.py, services/check_online.py): one test per lint, each
finding saying what to do; the online ones against the metadata replay server."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from papershelf.model.entry import Entry, Person
from papershelf.services.check import check, stale_lints
from papershelf.services.venues import open_clients, sync_venues, venue_targets

CONTROLNET = "Adding Conditional Control to Text-to-Image Diffusion Models"
CN_AUTHORS = ["Lvmin Zhang", "Anyi Rao", "Maneesh Agrawala"]


def entry(title=CONTROLNET, authors=CN_AUTHORS, **kw) -> Entry:
    return Entry(title=title, authors=[Person.parse(a) for a in authors], **kw)


def kinds(report, key=None):
    return [f.kind for f in report.findings if key is None or f.key == key]


def test_a_clean_entry_has_no_finding(library_of):
    lib = library_of([entry(type="inproceedings", citekey="zhang2023adding", year=2023, arxiv_id="2302.05543",
                            booktitle="IEEE/CVF International Conference on Computer Vision")])
    report = check(lib)
    assert report.findings == [] and report.checked == 1


def test_cited_keys_missing_from_the_catalogue(library_of, tmp_path):
    lib = library_of([entry(type="inproceedings", citekey="zhang2023adding", year=2023,
                            booktitle="IEEE/CVF International Conference on Computer Vision")])
    aux = tmp_path / "thesis.aux"
    aux.write_text("\\relax\n\\citation{zhang2023adding,vaswani2017attention}\n", encoding="utf-8")
    report = check(lib, aux=aux)
    assert [(f.kind, f.key) for f in report.findings] == [("missing", "vaswani2017attention")]
    assert "papershelf add" in report.findings[0].todo
    assert report.checked == 2


def test_fields_a_type_needs_in_bibtex_and_biblatex(library_of):
    lib = library_of([entry(type="inproceedings", citekey="nobook", year=2023)])
    report = check(lib)
    finding = next(f for f in report.findings if f.kind == "fields")
    assert "bibtex: booktitle" in finding.message and "biblatex: booktitle" in finding.message
    assert "papershelf set nobook booktitle=" in finding.todo


def test_probable_duplicate_preprint_and_published_version(library_of):
    lib = library_of([entry(type="misc", citekey="zhang2023preprint", year=2023, arxiv_id="2302.05543"),
                      entry(type="inproceedings", citekey="zhang2023iccv", year=2024, doi="10.1109/ICCV51070.2023.00355",
                            booktitle="IEEE/CVF International Conference on Computer Vision")])
    report = check(lib)
    dupes = [f for f in report.findings if f.kind == "duplicate"]
    assert {f.key for f in dupes} == {"zhang2023preprint", "zhang2023iccv"}
    assert "same title and authors" in dupes[0].message
    # only the keys checked are reported
    assert kinds(check(lib, ["zhang2023iccv"])) .count("duplicate") == 1


def test_different_works_sharing_a_title_are_not_duplicates(library_of):
    lib = library_of([entry(title="A Survey of Diffusion Models", authors=["Ada Lovelace"], type="misc", year=2023,
                            citekey="a"),
                      entry(title="A Survey of Diffusion Models", authors=["Alan Turing"], type="misc", year=2024,
                            citekey="b")])
    assert "duplicate" not in kinds(check(lib))


def test_stale_preprints_counted_from_the_last_look_up_or_write(library_of):
    lib = library_of([entry(type="misc", citekey="pre", year=2023, arxiv_id="2302.05543")])
    stored = lib.get("pre")
    assert check(lib).findings == []  # just added: fresh
    later = datetime.now(timezone.utc) + timedelta(days=200)
    found = stale_lints([stored], {}, 180, now=later)
    assert [f.kind for f in found] == ["stale"] and "sync --venues pre" in found[0].todo


def test_published_version_known_from_recorded_evidence(metadata_server, library_of):
    from papershelf.services.edit import set_fields

    lib = library_of([entry(type="misc", citekey="zhang2023adding", year=2023, arxiv_id="2302.05543",
                            date="2023-02-10")])
    set_fields(lib, "zhang2023adding", ["booktitle={x}"])
    set_fields(lib, "zhang2023adding", ["booktitle="])  # the user's own choice: sync leaves it alone
    with open_clients() as clients:
        sync_venues(lib, clients, venue_targets(lib, []))
    finding = next(f for f in check(lib).findings if f.kind == "published")
    assert "IEEE/CVF International Conference on Computer Vision" in finding.message
    assert "DBLP + Semantic Scholar" in finding.message and "papershelf edit zhang2023adding" in finding.todo


def test_online_doi_resolving_to_a_different_paper_is_flagged(metadata_server, library_of):
    # crossref/paper-qa__crossref_works__10.1038_s42256-024-00832-8: "Augmenting large language models…"
    lib = library_of([entry(title="Attention is All you Need", authors=["Ashish Vaswani", "Noam Shazeer"],
                            type="article", journal="Nature Machine Intelligence", year=2024,
                            citekey="wrongdoi", doi="10.1038/s42256-024-00832-8")])
    report = check(lib, online=True)
    mismatch = next(f for f in report.findings if f.kind == "mismatch")
    assert "resolves to a different paper" in mismatch.message
    assert "Augmenting large language models with chemistry tools" in mismatch.message


def test_online_doi_that_does_not_resolve(metadata_server, library_of):
    lib = library_of([entry(type="article", journal="PLoS ONE", year=2023, citekey="fake", doi="10.1371/notarealdoi")])
    report = check(lib, online=True)
    assert [f.kind for f in report.findings if f.key == "fake"] == ["unresolved"]


def test_online_arxiv_id_and_doi_that_agree_pass(metadata_server, library_of):
    # datacite/written__datacite_dois__10.48550_arxiv.2006.11239; crossref/…10.1038_s42256-024-00832-8
    lib = library_of([
        entry(title="Denoising Diffusion Probabilistic Models", authors=["Jonathan Ho", "Ajay Jain", "Pieter Abbeel"],
              type="inproceedings", booktitle="Advances in Neural Information Processing Systems", year=2020,
              arxiv_id="2006.11239", citekey="ho2020denoising"),
        entry(title="Augmenting large language models with chemistry tools",
              authors=["Andres M. Bran", "Sam Cox", "Oliver Schilter", "Carlo Baldassari", "Andrew D. White",
                       "Philippe Schwaller"], type="article", journal="Nature Machine Intelligence", year=2024,
              doi="10.1038/s42256-024-00832-8", citekey="bran2024augmenting")])
    report = check(lib, online=True)
    assert report.findings == [], report.findings


def test_online_retracted_work_is_flagged(metadata_server, library_of):
    # a Crossref work carrying a retraction notice (``updated-by``), written for this test in the
    # recorded format; 10.5555 is Crossref's test prefix
    notice = {"DOI": "10.5555/retraction-notice", "type": "retraction", "label": "Retraction", "source": "publisher",
              "updated": {"date-parts": [[2025, 5, 1]]}}
    message = {"DOI": "10.5555/retracted-example", "type": "journal-article", "title": [CONTROLNET],
               "author": [{"given": "Lvmin", "family": "Zhang"}, {"given": "Anyi", "family": "Rao"}],
               "container-title": ["Journal of Examples"], "published": {"date-parts": [[2023]]},
               "updated-by": [notice]}
    metadata_server.route("crossref", "/works/10.5555/retracted-example", body=json.dumps(
        {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message}))
    lib = library_of([entry(type="article", journal="Journal of Examples", year=2023, citekey="retracted",
                            doi="10.5555/retracted-example")])
    report = check(lib, online=True)
    retracted = next(f for f in report.findings if f.kind == "retracted")
    assert "10.5555/retraction-notice" in retracted.message and "do not cite" in retracted.todo


def test_online_preprint_with_a_published_version(metadata_server, library_of):
    lib = library_of([entry(type="misc", citekey="pre", year=2023, arxiv_id="2302.05543", date="2023-02-10")])
    report = check(lib, online=True)
    finding = next(f for f in report.findings if f.kind == "published")
    assert "ICCV 2023" in finding.message and "sync --venues pre" in finding.todo
    assert lib.get("pre").type == "misc"  # check never writes


def test_online_with_services_down_reports_what_it_could_not_verify(metadata_refused, library_of):
    lib = library_of([entry(type="article", journal="J", year=2023, citekey="x", doi="10.1234/abc")])
    report = check(lib, online=True)
    assert "unresolved" not in kinds(report)  # a service that is down proves nothing
    assert "crossref" in report.unverified
