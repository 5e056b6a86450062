"""attach --fetch beyond arXiv: every OpenAlex location, Unpaywall, a landing page's
citation_pdf_url, in that order, the first file that is a PDF; each source tried and why not.

Served by the metadata replay server on 127.0.0.1: OpenAlex's recorded work of 10.1101/097196
with its locations pointed at the server's ``/web`` (standing for publishers' hosts), an
Unpaywall answer in its documented shape, the shared PDFs, and injected faults (a 403 bot-block,
an HTML page, a truncated PDF, a server that stalls).
"""

import json
import sqlite3
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
PDF = (DATA / "pdf" / "crazyones-pdfa.pdf").read_bytes()
OTHER_PDF = (DATA / "pdf" / "elegantpaper-cn.pdf").read_bytes()
TRUNCATED = PDF[: len(PDF) // 2]
HTML = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>captcha</body></html>"
PDF_TYPE = {"Content-Type": "application/pdf"}
DOI = "10.1101/097196"

BIB = """@article{zielezinski2017benchmarking,
  title = {Benchmarking of alignment-free sequence comparison methods},
  author = {Zielezinski, Andrzej},
  year = {2017},
  doi = {10.1101/097196},
}
@article{nobody2020nothing,
  title = {A paper no open-access source has},
  author = {Nobody, Anne},
  year = {2020},
  doi = {10.9999/nothing.here},
}
"""


@pytest.fixture
def web(run, bundled, metadata_server, monkeypatch, tmp_path):
    """The replay server as OpenAlex, Unpaywall, doi.org and the publishers' hosts, and two
    entries with DOIs (no arXiv id) in the bundled catalogue."""
    base = metadata_server.url("web")
    monkeypatch.setenv("PAPERSHELF_DOI_URL", f"{base}/doi")
    bib = tmp_path / "two.bib"
    bib.write_text(BIB, encoding="utf-8")
    assert run("import", "bibtex", str(bib)).exit_code == 0
    return metadata_server


def openalex_work(server, *locations: str, best: str | None = None) -> None:
    """OpenAlex's recorded work of DOI, its locations' pdf_url pointed at ``/web`` paths."""
    work = json.loads((DATA / "metadata-apis" / "openalex" /
                       "commonmeta__openalex_works__doi_10.1101_097196.status200.json").read_bytes())
    template = work["locations"][0]
    base = server.url("web")
    work["locations"] = [{**template, "pdf_url": f"{base}{path}"} for path in locations]
    work["best_oa_location"] = {**template, "pdf_url": f"{base}{best or locations[0]}"}
    server.route("openalex", f"/works/https://doi.org/{DOI}", body=json.dumps(work))


def unpaywall(server) -> None:
    text = (DATA / "metadata-apis" / "unpaywall" / "written__unpaywall_v2__10.1101_097196.status200.json"
            ).read_text(encoding="utf-8")
    base = server.url("web").removesuffix("/web")
    server.route("unpaywall", f"/v2/{DOI}", body=text.replace("REPLAY", base))


def stored(run, key):
    files = json.loads(run("show", key, "--json").stdout).get("files", [])
    return [Path(f["path"]).read_bytes() for f in files]


def test_a_bot_blocked_best_location_and_another_that_works(run, web):
    openalex_work(web, "/publisher/097196.pdf", "/repository/097196.full.pdf")
    web.route("web", "/publisher/097196.pdf", body=HTML, status=403, headers={"Content-Type": "text/html"})
    web.route("web", "/repository/097196.full.pdf", body=PDF, headers=PDF_TYPE)
    result = run("attach", "zielezinski2017benchmarking", "--fetch")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("zielezinski2017benchmarking: attached 097196.full.pdf (1 page, ")
    assert f"from OpenAlex {web.url('web')}/repository/097196.full.pdf" in result.stdout
    assert "before that, arXiv: not an arXiv entry" in result.stderr
    assert stored(run, "zielezinski2017benchmarking") == [PDF]
    asked = [s.path for s in web.requests if s.service == "web"]
    assert asked == ["/publisher/097196.pdf", "/repository/097196.full.pdf"]  # the best one first, once


def test_html_and_a_truncated_pdf_are_refused_and_unpaywall_is_next(run, web, monkeypatch):
    monkeypatch.setenv("PAPERSHELF_MAILTO", "me@example.org")
    openalex_work(web, "/a/captcha.pdf", "/b/cut.pdf")
    web.route("web", "/a/captcha.pdf", body=HTML, headers={"Content-Type": "application/pdf"})
    web.route("web", "/b/cut.pdf", body=TRUNCATED, headers=PDF_TYPE)
    unpaywall(web)
    web.route("web", "/unpaywall-best/097196.full.pdf", body=OTHER_PDF, headers=PDF_TYPE)
    result = run("attach", "zielezinski2017benchmarking", "--fetch")
    assert result.exit_code == 0, result.stderr
    assert "from Unpaywall" in result.stdout and "097196.full.pdf (5 pages" in result.stdout
    assert "an HTML page, not a PDF" in result.stderr and "a PDF cut short" in result.stderr
    email = [s.query for s in web.requests if s.service == "unpaywall"]
    assert email == [{"email": "me@example.org"}]
    assert stored(run, "zielezinski2017benchmarking") == [OTHER_PDF]


def test_the_landing_pages_citation_pdf_url(run, web, monkeypatch):
    monkeypatch.delenv("PAPERSHELF_OPENALEX_API_KEY")
    web.route("web", f"/doi/{DOI}", headers={"Content-Type": "text/html"},
              body='<html><head><title>x</title>\n<meta name="citation_title" content="Benchmarking">\n'
                   '<meta name="citation_pdf_url" content="/web/content/097196v1.full.pdf"></head>'
                   '<body>abstract</body></html>')
    web.route("web", "/content/097196v1.full.pdf", body=PDF, headers=PDF_TYPE)
    result = run("attach", "zielezinski2017benchmarking", "--fetch")
    assert result.exit_code == 0, result.stderr
    assert "attached 097196v1.full.pdf" in result.stdout and "from landing page" in result.stdout
    assert "OpenAlex: skipped (set PAPERSHELF_OPENALEX_API_KEY" in result.stderr
    assert "Unpaywall: skipped (set PAPERSHELF_MAILTO" in result.stderr
    assert web.count("openalex") == 0


def test_a_stalled_location_is_a_timeout_and_the_next_one_is_tried(run, web):
    openalex_work(web, "/slow/097196.pdf", "/fast/097196.pdf")
    web.route("web", "/slow/097196.pdf", body=PDF, headers=PDF_TYPE)
    web.route("web", "/fast/097196.pdf", body=OTHER_PDF, headers=PDF_TYPE)
    web.fail("web", "stall", times=3, seconds=2)  # the first try and both retries of /slow
    result = run("attach", "zielezinski2017benchmarking", "--fetch")
    assert result.exit_code == 0, result.stderr
    assert "from OpenAlex" in result.stdout and "/fast/097196.pdf" in result.stdout
    assert stored(run, "zielezinski2017benchmarking") == [OTHER_PDF]


def test_nothing_found_says_each_source_and_exits_not_found(run, web, monkeypatch):
    monkeypatch.setenv("PAPERSHELF_MAILTO", "me@example.org")
    result = run("attach", "nobody2020nothing", "--fetch")
    assert result.exit_code == 3, result.stderr
    line = result.stdout.strip()
    assert line.startswith("nobody2020nothing: no open-access PDF (arXiv: not an arXiv entry; OpenAlex: no work "
                           "with DOI 10.9999/nothing.here; Unpaywall: does not know DOI 10.9999/nothing.here; "
                           "landing page: ")
    assert "no citation_pdf_url" in line or "HTTP 404" in line
    assert result.stderr.startswith("error: no open-access PDF for nobody2020nothing")
    assert "files" not in json.loads(run("show", "nobody2020nothing", "--json").stdout)


def test_no_source_answering_is_a_network_error(run, web, monkeypatch):
    from arxiv_server import closed_port_url

    closed = closed_port_url().rsplit("/api/query", 1)[0]
    monkeypatch.setenv("PAPERSHELF_OPENALEX_URL", f"{closed}/openalex")
    monkeypatch.setenv("PAPERSHELF_DOI_URL", f"{closed}/doi")
    result = run("attach", "nobody2020nothing", "--fetch")
    assert result.exit_code == 4, result.stdout
    assert "connection refused" in result.stdout


def test_a_batch_partly_found_exits_partial_and_all_missing_not_found(run, web):
    openalex_work(web, "/repository/097196.full.pdf")
    web.route("web", "/repository/097196.full.pdf", body=PDF, headers=PDF_TYPE)
    some = run("attach", "--fetch", "--query", "year:2017..2020 author:zielezinski OR author:nobody")
    lines = some.stdout.splitlines()
    assert any(line.startswith("zielezinski2017benchmarking: attached ") for line in lines), some.stdout
    assert any(line.startswith("nobody2020nothing: no open-access PDF (") for line in lines)
    assert some.exit_code == 5, some.stderr
    assert "1 of 2 could not be fetched" in some.stderr
    none = run("attach", "--fetch", "--query", "author:nobody")
    assert none.exit_code == 3 and "no open-access PDF for nobody2020nothing" in none.stderr
    again = run("attach", "--fetch", "--query", "author:zielezinski")
    assert again.exit_code == 0 and again.stdout.strip() == "zielezinski2017benchmarking: has a file already"


def test_the_answer_cache_holds_no_pdf(run, web, isolated_home):
    openalex_work(web, "/repository/097196.full.pdf")
    web.route("web", "/repository/097196.full.pdf", body=PDF, headers=PDF_TYPE)
    assert run("attach", "zielezinski2017benchmarking", "--fetch").exit_code == 0
    caches = list(isolated_home.rglob("metadata.db"))
    bodies = []
    for path in caches:
        with sqlite3.connect(path) as conn:
            try:
                bodies += [bytes(r[0]) for r in conn.execute("SELECT body FROM answers")]
            except sqlite3.OperationalError:
                continue
    assert bodies, f"the OpenAlex answer is cached ({caches})"
    assert not any(b"%PDF-" in b[:1024] for b in bodies)


def test_the_address_sent_to_unpaywall_is_not_written_to_the_cache(run, web, monkeypatch, isolated_home):
    monkeypatch.setenv("PAPERSHELF_MAILTO", "me@example.org")
    unpaywall(web)
    web.route("web", "/unpaywall-best/097196.full.pdf", body=PDF, headers=PDF_TYPE)
    assert run("attach", "zielezinski2017benchmarking", "--fetch").exit_code == 0
    (cache,) = isolated_home.rglob("metadata.db")
    with sqlite3.connect(cache) as conn:
        keys = [r[0] for r in conn.execute("SELECT key FROM answers")]
    assert any("/v2/10.1101/097196" in k for k in keys) and not any("example.org" in k for k in keys)


def test_a_landing_page_is_read_only_up_to_its_bound(run, web, monkeypatch):
    monkeypatch.delenv("PAPERSHELF_OPENALEX_API_KEY")
    web.route("web", f"/doi/{DOI}", headers={"Content-Type": "text/html"},
              body="<html><head>" + " " * (3 * 1024 * 1024) + "</head></html>")
    result = run("attach", "zielezinski2017benchmarking", "--fetch")
    assert result.exit_code == 3, result.stdout  # refused, not "the network failed"
    assert "landing page: " in result.stdout and "larger than the 2 MB" in result.stdout
