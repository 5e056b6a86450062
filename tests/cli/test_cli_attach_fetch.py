"""attach --fetch: arXiv's PDF through the one HTTP layer, from a server on 127.0.0.1."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PDF = (Path(__file__).resolve().parent.parent / "data" / "pdf" / "crazyones-pdfa.pdf").read_bytes()


@pytest.fixture
def pdf_server(monkeypatch):
    answers: dict[str, tuple[int, bytes]] = {}
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            status, body = answers.get(self.path, (404, b"not found"))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("PAPERSHELF_ARXIV_DELAY", "0")
    monkeypatch.setenv("PAPERSHELF_ARXIV_PDF_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("PAPERSHELF_DOI_URL", f"http://127.0.0.1:{server.server_address[1]}/doi")
    yield answers, asked
    server.shutdown()


def test_fetch_attaches_arxivs_pdf(run, bundled, pdf_server):
    answers, asked = pdf_server
    answers["/pdf/2006.11239"] = (200, PDF)
    result = run("attach", "ho2020denoising", "--fetch")
    assert result.exit_code == 0, result.stderr
    assert "attached arXiv-2006.11239.pdf (1 page" in result.stdout
    assert " from arXiv http://127.0.0.1:" in result.stdout and result.stdout.rstrip().endswith("/pdf/2006.11239")
    assert asked == ["/pdf/2006.11239"]
    files = json.loads(run("show", "ho2020denoising", "--json").stdout)["files"]
    assert Path(files[0]["path"]).read_bytes() == PDF


def test_a_missing_or_html_answer_is_one_line_and_nothing_attached(run, bundled, pdf_server):
    answers, _ = pdf_server
    missing = run("attach", "ho2020denoising", "--fetch")
    assert missing.exit_code == 3 and missing.stderr.startswith("error: no open-access PDF for ho2020denoising")
    assert missing.stdout.startswith("ho2020denoising: no open-access PDF (arXiv: arXiv has no PDF for 2006.11239; "
                                     "OpenAlex: skipped")
    answers["/pdf/2006.11239"] = (200, b"<!DOCTYPE html><html>captcha</html>")
    html = run("attach", "ho2020denoising", "--fetch")
    assert html.exit_code == 3 and "is an HTML page, not a PDF" in html.stdout and "Traceback" not in html.stderr
    assert "files" not in json.loads(run("show", "ho2020denoising", "--json").stdout)


def test_fetch_or_files_not_both(run, bundled):
    assert run("attach", "ho2020denoising").exit_code == 2


def test_fetch_over_a_query_reports_each_entry(run, bundled, pdf_server):
    answers, _ = pdf_server
    answers["/pdf/2006.11239"] = (200, PDF)  # ho2020denoising; the other DDPM-ish entries get a 404
    result = run("attach", "--fetch", "--query", "denoising diffusion probabilistic")
    assert result.exit_code == 5, result.stderr  # the others: partial
    lines = result.stdout.splitlines()
    assert any(line.startswith("ho2020denoising: attached arXiv-2006.11239.pdf (1 page, ") for line in lines)
    assert len(lines) > 1
    assert all(": attached " in line or ": no open-access PDF (arXiv: " in line for line in lines)
    again = run("attach", "--fetch", "--query", "denoising diffusion probabilistic")
    assert "ho2020denoising: has a file already" in again.stdout.splitlines()
    assert again.exit_code == 3  # all the others fail again, and nothing was fetched


def test_query_without_fetch_is_a_usage_error(run, bundled):
    assert run("attach", "--query", "lora").exit_code == 2
