"""sources/pdfs: what counts as a PDF, the landing page's citation_pdf_url, and downloads that
follow a redirect to another host (doi.org → the publisher) while API clients do not."""

import pytest

from metadata_server import MetadataReplay
from papershelf.errors import NetworkError
from papershelf.sources.http import HttpClient, Limits
from papershelf.sources.pdfs import citation_pdf_url, pdf_problem


@pytest.mark.parametrize(("head", "tail", "why"), [
    (b"%PDF-1.7\n...", b"...\n%%EOF\n", None),
    (b"%PDF-1.4\n...", None, None),  # an attached file: its end is not asked
    (b"%PDF-1.4\n...", b"...stream data cut", "a PDF cut short (no %%EOF at its end: a truncated download?)"),
    (b"\n  <!DOCTYPE html><html>", b"</html>", "an HTML page, not a PDF"),
    (b"version https://git-lfs.github.com/spec/v1\noid sha256:ab", None, "a Git LFS pointer, not the PDF"),
    (b"", b"", "empty"),
    (b"PK\x03\x04", b"", "not a PDF (it does not start with %PDF-)"),
])
def test_pdf_problem(head, tail, why):
    assert pdf_problem(head, tail) == why


def test_citation_pdf_url_is_read_from_the_head_and_made_absolute():
    page = (b'<html><head><META NAME="citation_title" content="x">'
            b'<meta name="Citation_PDF_URL" content="../pdf/paper.pdf"></head><body></body></html>')
    assert citation_pdf_url(page, "https://pub.example/article/123") == "https://pub.example/pdf/paper.pdf"
    in_body = b'<html><head></head><body><meta name="citation_pdf_url" content="/x.pdf"></body></html>'
    assert citation_pdf_url(in_body, "https://pub.example/a") is None
    assert citation_pdf_url(b'<meta name="citation_pdf_url" content="javascript:alert(1)">', "https://a/") is None


def test_a_download_client_follows_a_redirect_to_another_host_an_api_client_does_not():
    publisher, resolver = MetadataReplay().start(), MetadataReplay().start()  # two ports: two origins
    target = f"{publisher.url('web')}/paper.pdf"
    publisher.route("web", "/paper.pdf", body=b"%PDF-1.5 ... %%EOF", headers={"Content-Type": "application/pdf"})
    resolver.route("web", "/10.1/x", status=302, headers={"Location": target})
    start = f"{resolver.url('web')}/10.1/x"
    try:
        limits = Limits(connect_timeout=2, read_timeout=2, deadline=10, retries=0)
        download = HttpClient(start, limits, name="doi", any_origin=True)
        assert download.get(start, lambda r: (r.url, r.body)) == (target, b"%PDF-1.5 ... %%EOF")
        api = HttpClient(start, limits, name="doi")
        with pytest.raises(NetworkError, match="outside"):
            api.get(start, lambda r: r.body)
        with pytest.raises(ValueError):
            HttpClient(start, limits, name="x", any_origin=True, headers={"Authorization": "key"})
    finally:
        publisher.stop()
        resolver.stop()
