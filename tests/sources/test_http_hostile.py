"""The HTTP layer (``sources/http.py``) against hostile headers and an unreachable network:
``Retry-After`` of any shape is a number of seconds or ignored, never an error; a name that does
not resolve and a refused connection are one message at once, never retried."""

from __future__ import annotations

import json
import math
import socket
from datetime import datetime, timezone

import pytest

from arxiv_server import closed_port_url
from papershelf.errors import NetworkError
from papershelf.sources.http import HttpClient, Limits
from papershelf.sources.http_types import retry_after

HOSTILE_RETRY_AFTER = [
    "²", "³", "¹²", "١٢", "１２", "߁", "𝟗", "½", "Ⅻ", "\u00b2\u00b3",  # str.isdigit() says yes, float() says no
    "-5", "+5", "1e9", "1.5", "NaN", "inf", "-inf", "0x10", " 12 ", "\t7\t", "", "   ", "\x00", "5\x00",
    "9" * 30, "9" * 5000, "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
    "Mon, 99 Foo 2020 99:99:99 GMT", "Sun, 06 Nov 1994 08:49:37", "Sunday, 06-Nov-94 08:49:37 GMT",
    "Sun Nov  6 08:49:37 1994", "Thu, 01 Jan 1970 00:00:00 +9999", "tomorrow", "€", "\udcb2",
    "Mon, 01 Jan 0001 00:00:00 GMT", "Tue, 1 Jan 10000 00:00:00 GMT",
]


@pytest.mark.parametrize("value", HOSTILE_RETRY_AFTER)
def test_retry_after_of_any_shape_is_seconds_or_ignored(value):
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    seconds = retry_after(value, now)
    assert seconds is None or (isinstance(seconds, float) and math.isfinite(seconds) and seconds >= 0)


def test_retry_after_keeps_its_two_real_forms():
    now = datetime(2015, 10, 21, 7, 27, 0, tzinfo=timezone.utc)
    assert retry_after("120", now) == 120.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == 60.0
    assert retry_after("²", now) is None


@pytest.mark.parametrize("value", ["²", "¹²", "9" * 40, "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 99 Foo"])
def test_a_429_with_a_hostile_retry_after_is_retried_not_a_crash(run, default_db, metadata_server, value):
    assert run("init", "--empty").exit_code == 0
    metadata_server.fail("crossref", "429", retry_after=value)
    result = run("add", "10.1038/s42256-024-00832-8")
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    # a far Retry-After is beyond the deadline (exit 4, one line); anything else is ignored and retried
    assert result.exit_code in (0, 4), result.stderr
    if result.exit_code == 4:
        assert result.stderr.count("error:") == 1


def _client(url: str) -> HttpClient:
    sleeps: list[float] = []
    client = HttpClient(url, Limits(connect_timeout=2, read_timeout=2, deadline=30, max_bytes=10_000,
                                    retries=3, delay=0, backoff=5), name="Test", sleep=sleeps.append)
    client.sleeps = sleeps  # type: ignore[attr-defined]
    return client


def test_a_refused_connection_is_not_retried():
    client = _client(closed_port_url())
    with pytest.raises(NetworkError) as caught:
        client.get(client.base_url, lambda r: r)
    assert "connection refused" in caught.value.message
    assert client.requests == 1 and client.sleeps == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("errno", [socket.EAI_NONAME, socket.EAI_AGAIN, socket.EAI_FAIL])
def test_a_name_that_does_not_resolve_is_not_retried(monkeypatch, errno):
    """The resolver is replaced for one name (no DNS query leaves the machine); pytest-socket only
    guards connect(), which is never reached: the failure seen is the resolver's, as offline."""
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "nonexistent.invalid":
            raise socket.gaierror(errno, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    client = _client("http://nonexistent.invalid/api")
    with pytest.raises(NetworkError) as caught:
        client.get(client.base_url, lambda r: r)
    assert "nonexistent.invalid" in caught.value.message
    assert "resolve" in caught.value.message or "unknown host" in caught.value.message
    assert "SocketBlocked" not in caught.value.message
    assert client.requests == 1 and client.sleeps == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("ref", ["2106.09685", "10.1038/s42256-024-00832-8", "978-0-262-03384-8",
                                 "conf/iccv/ZhangRA23"])
def test_offline_add_is_one_message_at_once(run, default_db, monkeypatch, ref):
    assert run("init", "--empty").exit_code == 0
    base = closed_port_url().rsplit("/api/query", 1)[0]
    monkeypatch.setenv("PAPERSHELF_ARXIV_URL", f"{base}/api/query")
    for service in ("CROSSREF", "DATACITE", "DBLP", "S2", "OPENALEX", "OPENLIBRARY", "GOOGLEBOOKS"):
        monkeypatch.setenv(f"PAPERSHELF_{service}_URL", f"{base}/{service.lower()}")
    monkeypatch.setenv("PAPERSHELF_METADATA_BACKOFF", "30")  # a retry would show as a 30 s wait
    monkeypatch.setenv("PAPERSHELF_ARXIV_DELAY", "0")
    result = run("add", ref)
    assert result.exit_code == 4, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith(("error:", "warning:"))]
    assert len(lines) == 1 and lines[0].startswith("error:") and "refused" in lines[0], result.stderr
    assert "retrying" not in result.stderr and "tries" not in result.stderr


@pytest.mark.parametrize("headers", [
    {"x-rate-limit-limit": "²", "x-rate-limit-interval": "1s"},
    {"x-rate-limit-limit": "5", "x-rate-limit-interval": "²s"},
    {"x-rate-limit-limit": "9" * 400, "x-rate-limit-interval": "1e400s"},
    {"x-rate-limit-limit": "5", "x-rate-limit-interval": "nans"},
    {"Content-Length-Extra": "²"},
])
def test_hostile_rate_limit_headers_are_ignored(run, default_db, metadata_server, headers):
    assert run("init", "--empty").exit_code == 0
    metadata_server.route("crossref", "/works/10.5555/h", body=json.dumps(
        {"status": "ok", "message-type": "work", "message": {"DOI": "10.5555/h", "title": ["T"]}}),
        status=200, headers=headers)
    result = run("add", "10.5555/h")
    assert result.exit_code == 0, result.stderr
    assert "unexpected" not in result.stderr


def test_a_superscript_content_length_is_not_a_crash():
    """``Content-Length: ²`` is a digit to str.isdigit: the size check must not int() it."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "²")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = _client(f"http://127.0.0.1:{server.server_address[1]}/")
        try:
            response = client.get(client.base_url, lambda r: r)
            assert response.status == 200
        except NetworkError as exc:
            assert "\n" not in exc.message
    finally:
        server.shutdown()
        server.server_close()
