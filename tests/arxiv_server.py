"""A stand-in for ``export.arxiv.org/api/query`` on 127.0.0.1 that replays recorded answers and
injects faults, for the tests (the ``arxiv_server`` fixture) and ``bench/bench_arxiv.py``.

* ``id_list`` lookups: a request whose id_list is exactly that of a recorded answer gets the
  recorded bytes; any other id_list gets a feed in the 2026 format holding the recorded
  ``<entry>`` texts (``data/arxiv/recorded`` and ``data/arxiv/seed``) of the ids it knows, in
  request order — ids it does not know are simply absent, as on arXiv. An id arXiv would call
  malformed gets the recorded HTTP 400 error feed, naming that id.
* ``search_query``: the recorded pages, sliced to the requested ``start``/``max_results``.
* ``synthetic=True`` makes up an entry for every well-formed id (the 1,000-id benchmark).
* ``fail(kind, times)`` queues faults for the next requests: ``503``, ``429`` (with
  ``Retry-After``), ``timeout`` (sleeps past the client's read timeout), ``400`` (error feed),
  ``truncated`` (the answer cut in half), ``malformed``, ``html``, ``empty`` (empty body),
  ``no_entries`` (a well-formed feed with its entries removed), ``reset`` (connection closed).
* Faults against the bounds of ``papershelf.sources.http`` (each stops when the client hangs up,
  and after ``MAX_FAULT_SECONDS`` at most): ``drip`` (the answer ``piece`` bytes every
  ``interval`` s, 1 byte every 0.2 s by default), ``drip_headers`` (a header line that never
  ends), ``gzip_bomb`` (``encoding`` gzip or deflate: about 1 MB that inflates to ``inflated``
  bytes, 1 GiB by default), ``huge`` (a plain body of ``size`` bytes, with or without
  ``Content-Length``), ``redirect`` (a ``status`` redirect to ``location``, absolute or relative;
  ``/api/moved`` serves the same answers as ``/api/query``).
* ``requests`` lists the query of every request received, so tests can count them.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import zlib
from collections import deque
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from papershelf.model import identifiers as arxiv_ids

DATA = Path(__file__).resolve().parent / "data" / "arxiv"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
_ENTRY = re.compile(rb"<entry>.*?</entry>", re.S)
_ENTRY_ID = re.compile(rb"<id>\s*(\S+?)\s*</id>")
_TOTAL = re.compile(rb"<opensearch:totalResults[^>]*>(\d+)</opensearch:totalResults>")
_RECORDED_LIST = re.compile(rb"id_list=([^&<\"]+)&amp;start=0")
_RECORDED_QUERY = re.compile(rb"search_query=([^&<]+)&amp;id_list=&amp;start=(\d+)&amp;max_results=(\d+)")

# What arXiv's API calls a well-formed id (it answers 200 without an entry for 0000.0000 and for
# 0808.05394, which cannot exist, and 400 for "abc").
_WELL_FORMED = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")

MAX_FAULT_SECONDS = 30.0  # a dripping fault never outlives this, even if the client never hangs up
_BOMB_PIECE = 16 * 1024 * 1024


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up early (papershelf closing a connection it gave up on) is not an
    error of the server: socketserver would print a traceback to stderr, which the CLI tests
    capture as the command's own output."""

    def handle_error(self, request, client_address) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, OSError)):
            return
        super().handle_error(request, client_address)


@cache
def _compressed_zeros(size: int, wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    chunk = bytes(1024 * 1024)
    return b"".join(packer.compress(chunk) for _ in range(size // len(chunk))) + packer.flush()


def bomb_parts(inflated: int, encoding: str = "gzip") -> tuple[bytes, int]:
    """``(part, times)``: a body that inflates to ``inflated`` zero bytes is ``part * times``
    (gzip: concatenated 16 MiB members; deflate: one stream, at most 256 MiB)."""
    if encoding == "gzip":
        return _compressed_zeros(_BOMB_PIECE, 31), max(1, inflated // _BOMB_PIECE)
    return _compressed_zeros(min(inflated, 256 * 1024 * 1024), 15), 1


HTML_PAGE = (b"<!DOCTYPE html>\n<html><head><title>arXiv is down for maintenance</title></head>"
             b"<body><h1>We are down for maintenance</h1></body></html>\n")


def closed_port_url() -> str:
    """An endpoint on 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/query"


def feed(entries: list[bytes], *, title: str, total: int, start: int = 0, per_page: int = 100) -> bytes:
    """A response in the 2026 format (see ``recorded/id_1605.08386_…``)."""
    head = (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/api/replay</id>\n"
        f"  <title>arXiv Query: {escape(title)}</title>\n"
        "  <updated>2026-04-12T22:10:19Z</updated>\n"
        f"  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
    ).encode()
    return head + b"".join(b"  " + e + b"\n" for e in entries) + b"</feed>\n"


def synthetic_entry(ident: str) -> bytes:
    """A made-up entry for ``ident`` (benchmarks only)."""
    return (
        f"<entry>\n    <id>http://arxiv.org/abs/{ident}v1</id>\n"
        f"    <title>Paper{ident.replace('.', '').replace('/', '')} on synthetic metadata</title>\n"
        "    <updated>2023-01-02T03:04:05Z</updated>\n"
        f'    <link href="https://arxiv.org/abs/{ident}v1" rel="alternate" type="text/html"/>\n'
        f"    <summary>An abstract for {ident}.</summary>\n"
        '    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>\n'
        "    <published>2023-01-02T03:04:05Z</published>\n"
        '    <arxiv:primary_category term="cs.LG"/>\n'
        "    <author>\n      <name>Ada Lovelace</name>\n    </author>\n"
        "    <author>\n      <name>Alan Turing</name>\n    </author>\n  </entry>"
    ).encode()


class ArxivReplay:
    def __init__(self, *, synthetic: bool = False, timeout_sleep: float = 2.0):
        self.synthetic = synthetic
        self.timeout_sleep = timeout_sleep
        self.entries: dict[str, bytes] = {}  # canonical id → <entry>…</entry>
        self.verbatim: dict[str, bytes] = {}  # exact id_list → recorded body
        self.searches: dict[str, list[bytes]] = {}  # query → entries in order
        self.search_totals: dict[str, int] = {}
        self.search_verbatim: dict[tuple[str, int, int], bytes] = {}
        self.error_template = (DATA / "recorded" / "id_abc_s0_m100_b79c8dcf6bc3.status400.xml").read_bytes()
        self.requests: list[dict[str, str]] = []
        self.user_agents: list[str] = []
        self.held: list[float] = []  # seconds each drip, bomb or huge answer kept its client
        self.faults: deque[tuple[str, dict]] = deque()
        self._lock = threading.Lock()
        for folder in ("recorded", "seed"):
            for path in sorted((DATA / folder).glob("*.xml")):
                self._load(path)
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    # -- data --------------------------------------------------------------------------------

    def _load(self, path: Path) -> None:
        body = path.read_bytes()
        if b"/api/errors#" in body:
            return
        entries = _ENTRY.findall(body)
        query = _RECORDED_QUERY.search(body) or re.search(
            rb"search_query=([^&<]+)&amp;id_list=&amp;start=(\d+)&amp;max_results=(\d+)", body)
        if query and query.group(1):
            q = query.group(1).decode()
            start, per = int(query.group(2)), int(query.group(3))
            known = self.searches.setdefault(q, [])
            for i, e in enumerate(entries):
                if start + i >= len(known):
                    known.append(e)
            total = _TOTAL.search(body)
            self.search_totals[q] = int(total.group(1)) if total else len(known)
            self.search_verbatim[(q, start, per)] = body
            return
        listed = _RECORDED_LIST.search(body) or re.search(rb"id_list=([^&<\"]+)", body)
        if listed and listed.group(1):
            self.verbatim[listed.group(1).decode()] = body
        for e in entries:
            found = _ENTRY_ID.search(e)
            aid = arxiv_ids.parse(found.group(1).decode()) if found else None
            if aid is not None:
                self.entries.setdefault(aid.canonical, e)

    def set_entry(self, ident: str, entry: bytes) -> None:
        """Make arXiv answer ``entry`` for ``ident`` from now on (a new version, a venue…)."""
        canon = arxiv_ids.canonical(ident)
        self.entries[canon] = entry

        def names(id_list: str) -> set[str]:
            return {a.canonical for a in map(arxiv_ids.parse, id_list.split(",")) if a}

        self.verbatim = {k: v for k, v in self.verbatim.items() if canon not in names(k)}

    def revise(self, ident: str, *, version: int | None = None, title: str | None = None,
               journal_ref: str | None = None, doi: str | None = None,
               add_author: str | None = None) -> None:
        """Edit the known entry of ``ident`` as arXiv would show a later state of the paper."""
        entry = self.entries[ident].decode()
        if version is not None:
            entry = re.sub(r"(abs/[^<\"]+?)(v\d+)?(</id>|\")",
                           lambda m: f"{m.group(1)}v{version}{m.group(3)}", entry)
        if title is not None:
            entry = re.sub(r"<title>.*?</title>", f"<title>{escape(title)}</title>", entry, flags=re.S)
        extra = ""
        if journal_ref is not None:
            extra += f"\n    <arxiv:journal_ref>{escape(journal_ref)}</arxiv:journal_ref>"
        if doi is not None:
            extra += f"\n    <arxiv:doi>{escape(doi)}</arxiv:doi>"
        if add_author is not None:
            extra += f"\n    <author>\n      <name>{escape(add_author)}</name>\n    </author>"
        entry = entry.replace("</entry>", extra.lstrip(" ") + "\n  </entry>" if extra else "</entry>")
        self.set_entry(ident, entry.encode())

    # -- faults ------------------------------------------------------------------------------

    def fail(self, kind: str, times: int = 1, **options) -> ArxivReplay:
        for _ in range(times):
            self.faults.append((kind, options))
        return self

    # -- serving -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/query"

    def start(self) -> ArxivReplay:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for a request, faults aside."""
        id_list = query.get("id_list", "")
        if id_list:
            ids = [i for i in id_list.split(",") if i]
            for ident in ids:
                if not _WELL_FORMED.match(ident):
                    return 400, {}, self.error_feed(ident)
            if id_list in self.verbatim:
                return 200, {}, self.verbatim[id_list]
            found = []
            for ident in ids:
                parsed = arxiv_ids.parse(ident)
                canon = parsed.canonical if parsed else ident
                entry = self.entries.get(canon)
                if entry is None and self.synthetic and parsed:
                    entry = synthetic_entry(canon)
                if entry is not None:
                    found.append(entry)
            start = int(query.get("start", 0))
            per = int(query.get("max_results", 10))
            title = f"search_query=&id_list={id_list}&start={start}&max_results={per}"
            return 200, {}, feed(found[start:start + per], title=title, total=len(found),
                                 start=start, per_page=per)
        q = query.get("search_query", "")
        start = int(query.get("start", 0))
        per = int(query.get("max_results", 10))
        if (q, start, per) in self.search_verbatim:
            return 200, {}, self.search_verbatim[(q, start, per)]
        known = self.searches.get(q, [])
        total = self.search_totals.get(q, 0)
        title = f"search_query={q}&id_list=&start={start}&max_results={per}"
        return 200, {}, feed(known[start:start + per], title=title, total=total, start=start,
                             per_page=per)

    def error_feed(self, ident: str) -> bytes:
        return (self.error_template.replace(b"_for_abc<", f"_for_{ident}<".encode())
                .replace(b"_for_abc\"", f"_for_{ident}\"".encode())
                .replace(b"format for abc<", f"format for {ident}<".encode()))

    def _handler(self):
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                with replay._lock:
                    replay.requests.append(query)
                    replay.user_agents.append(self.headers.get("User-Agent", ""))
                    kind, options = replay.faults.popleft() if replay.faults else ("", {})
                if parts.path not in ("/api/query", "/api/moved"):
                    return self.send(404, {"Content-Type": "text/plain"}, b"not found")
                status, headers, body = replay.answer(query)
                headers = {"Content-Type": ATOM_TYPE, **headers}
                if kind in ("drip", "drip_headers", "gzip_bomb", "huge", "redirect"):
                    return self.misbehave(kind, options, body)
                if kind == "503":
                    return self.send(503, {"Content-Type": "text/plain", **options.get("headers", {})},
                                     b"Service Unavailable")
                if kind == "429":
                    return self.send(429, {"Content-Type": "text/plain",
                                           "Retry-After": str(options.get("retry_after", 0))},
                                     b"Too Many Requests")
                if kind == "timeout":
                    time.sleep(replay.timeout_sleep)
                elif kind == "400":
                    return self.send(400, headers, replay.error_feed(options.get("ident", "abc")))
                elif kind == "truncated":
                    body = body[: len(body) // 2]
                elif kind == "malformed":
                    body = body.replace(b"</title>", b"</titel>", 1)
                elif kind == "html":
                    return self.send(200, {"Content-Type": "text/html; charset=utf-8"}, HTML_PAGE)
                elif kind == "empty":
                    body = b""
                elif kind == "no_entries":
                    body = _ENTRY.sub(b"", body)
                elif kind == "reset":
                    self.close_connection = True
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n<?xml")
                    return None
                self.send(status, headers, body)

            def misbehave(self, kind: str, options: dict, body: bytes) -> None:
                started = time.monotonic()
                try:
                    self.stream_fault(kind, options, body, started + MAX_FAULT_SECONDS)
                finally:
                    with replay._lock:
                        replay.held.append(time.monotonic() - started)

            def stream_fault(self, kind: str, options: dict, body: bytes, give_up: float) -> None:
                self.close_connection = True
                interval = options.get("interval", 0.2)
                try:
                    if kind == "redirect":
                        self.send_response(options.get("status", 302))
                        self.send_header("Location", options["location"])
                        self.send_header("Content-Length", "0")
                        self.send_header("Connection", "close")
                        self.end_headers()
                    elif kind == "drip":
                        piece = options.get("piece", 1)
                        self.send_response(200)
                        self.send_header("Content-Type", ATOM_TYPE)
                        self.send_header("Content-Length", str(len(body)))
                        self.send_header("Connection", "close")
                        self.end_headers()
                        for i in range(0, len(body), piece):
                            if time.monotonic() > give_up:
                                break
                            self.wfile.write(body[i:i + piece])
                            time.sleep(interval)
                    elif kind == "drip_headers":
                        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\nX-Slow: ")
                        while time.monotonic() < give_up:
                            self.wfile.write(b"a")
                            time.sleep(interval)
                    elif kind == "gzip_bomb":
                        encoding = options.get("encoding", "gzip")
                        part, times = bomb_parts(options.get("inflated", 1024 ** 3), encoding)
                        self.send_response(200)
                        self.send_header("Content-Type", ATOM_TYPE)
                        self.send_header("Content-Encoding", encoding)
                        self.send_header("Content-Length", str(len(part) * times))
                        self.send_header("Connection", "close")
                        self.end_headers()
                        for _ in range(times):
                            self.wfile.write(part)
                    elif kind == "huge":
                        size = options.get("size", 200 * 1024 * 1024)
                        self.send_response(200)
                        self.send_header("Content-Type", ATOM_TYPE)
                        self.send_header("Connection", "close")
                        if options.get("content_length", True):
                            self.send_header("Content-Length", str(size))
                        self.end_headers()  # without a length, the body ends when the connection does
                        chunk = b" " * (1024 * 1024)
                        for i in range(0, size, len(chunk)):
                            self.wfile.write(chunk[: size - i])
                except (BrokenPipeError, ConnectionResetError):  # the client hung up, as it should
                    pass

            def send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    self.close_connection = True

        return Handler


# --- pytest fixtures (registered in conftest.py through pytest_plugins) -----------------------

import pytest  # noqa: E402


@pytest.fixture
def arxiv_server(monkeypatch):
    """The replay server, with papershelf pointed at it: no delay, short timeouts, 2 retries."""
    server = ArxivReplay(timeout_sleep=1.5).start()
    monkeypatch.setenv("PAPERSHELF_ARXIV_URL", server.url)
    monkeypatch.setenv("PAPERSHELF_ARXIV_DELAY", "0")
    monkeypatch.setenv("PAPERSHELF_ARXIV_TIMEOUT", "0.3")
    monkeypatch.setenv("PAPERSHELF_ARXIV_RETRIES", "2")
    yield server
    server.stop()


@pytest.fixture
def arxiv_refused(monkeypatch):
    """papershelf pointed at a port on 127.0.0.1 where nothing listens."""
    monkeypatch.setenv("PAPERSHELF_ARXIV_URL", closed_port_url())
    monkeypatch.setenv("PAPERSHELF_ARXIV_DELAY", "0")
    monkeypatch.setenv("PAPERSHELF_ARXIV_RETRIES", "2")
