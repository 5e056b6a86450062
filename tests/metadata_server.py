"""A stand-in for the metadata services (Crossref, DataCite, DBLP, Semantic Scholar, OpenAlex, Open
Library, Google Books) on 127.0.0.1: it replays the answers in ``tests/data/metadata-apis/`` and
injects faults. One server serves every service under its own prefix (``/crossref``, ``/datacite``,
``/dblp``, ``/s2``, ``/openalex``, ``/openlibrary``, ``/googlebooks``, ``/unpaywall``); the
``metadata_server`` fixture points ``PAPERSHELF_<SERVICE>_URL`` at them. ``/web`` stands for the
rest of the web (publishers' PDFs, landing pages) in ``attach --fetch`` tests: only routed answers.

**Routes.** ``tests/data/metadata-apis/routes.json`` is a list of objects::

    {"service": "crossref", "method": "GET", "path": "/works/10.1038/s42256-024-00832-8",
     "query": {"query.title": "…"}, "file": "crossref/<file>", "status": 200, "headers": {…}}

``path`` is relative to the service's base URL (the client's own path: ``/works/<doi>``,
``/dois/<doi>``, ``/search/publ/api``, ``/rec/<key>.xml``, ``/paper/ARXIV:<id>``,
``/works/https://doi.org/<doi>``, ``/api/books``, ``/volumes``) and is compared case-insensitively
after percent-decoding (DOIs are case-insensitive). ``query`` is a subset the request's query must
contain (values compared case-insensitively, whitespace collapsed); the route with most matching
query keys wins. ``method`` defaults to GET, ``status`` to the ``.statusNNN.`` in the file name
(else 200), the ``Content-Type`` to the file's extension (json, txt, html, xml). A Semantic Scholar
batch (``POST /paper/batch``) is answered from the single-paper routes: each id of the request body
gets the body of the ``GET /paper/<id>`` route's file (a 200 paper object) or ``null``, unless a
``POST /paper/batch`` route is given.

**Adding a seed paper (H8 and later):** write the answer in exactly the recorded format of that
service (compare the recorded files beside it), name it ``<service-dir>/written__<what>.status<code>.<ext>``,
add a line for it to ``PROVENANCE.md`` (what it stands for, where its values come from), and append
its route to ``routes.json``. For S2 write one paper object per arXiv id, routed as
``GET /paper/ARXIV:<id>``: batches are then answered from those. Tests may also call
``server.route(service, path, file=…, body=…, status=…, query=…, method=…)`` for a one-off answer.

**Unknown requests** get each service's own "not found": Crossref HTTP 404 ``Resource not found.``
(text/plain) for a DOI and an empty work list for a query; DataCite 404 JSON; DBLP an empty hit list
(search) or a 404 page (record); S2 404 ``{"error": "Paper with id … not found"}``; OpenAlex a 404
HTML page (single work) or no results; Open Library ``{}``; Google Books ``totalItems: 0``.

**Faults:** ``fail(service, kind, times=1, **options)`` queues faults for that service's next
requests: ``429`` (the service's own 429 body: DBLP's HTML page, S2's JSON; ``retry_after=`` adds
the header), ``500``, ``503``, ``stall`` (sleeps ``seconds``, default 2, then answers), ``huge``
(``size`` bytes, default 3 MB), ``malformed`` (the answer cut in half), ``html`` (HTTP 200 with an
HTML page), ``reset`` (the connection closed mid-answer). ``requests`` lists every request received
(``Seen``: service, method, path, query, body) so tests can count them.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from arxiv_server import _QuietServer, closed_port_url

DATA = Path(__file__).resolve().parent / "data" / "metadata-apis"
SERVICES = ("crossref", "datacite", "dblp", "s2", "openalex", "openlibrary", "googlebooks", "unpaywall", "web")
_NO_SETTING = ("web",)  # publishers' hosts and landing pages for ``attach --fetch``: tests route them
_TYPES = {".json": "application/json", ".txt": "text/plain", ".html": "text/html; charset=utf-8",
          ".xml": "application/xml; charset=utf-8"}
HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body>Back soon</body></html>\n"
MAX_STALL = 30.0


@dataclass
class Route:
    service: str
    path: str
    method: str = "GET"
    query: dict[str, str] | None = None
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] | None = None


@dataclass(frozen=True)
class Seen:
    service: str
    method: str
    path: str
    query: dict[str, str]
    body: bytes


def _norm(text: str) -> str:
    return " ".join(unquote(text).split()).lower()


def _status_of(name: str) -> int:
    for part in name.split("."):
        if part.startswith("status") and part[6:].isdigit():
            return int(part[6:])
    return 200


def _default(service: str, method: str, path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    """Each service's own answer for what it does not know."""
    read = lambda rel: (DATA / rel).read_bytes()  # noqa: E731
    if service == "crossref":
        if path.rstrip("/") == "/works":
            return 200, "application/json", read("crossref/paper-qa__crossref_works-query-title__no-match.status200.json")
        return 404, "text/plain", read("crossref/habanero__crossref_works__10.1371_notarealdoi.status404.txt")
    if service == "datacite":
        return 404, "application/vnd.api+json", read("datacite/written__datacite_dois__not-found.status404.json")
    if service == "dblp":
        if path.startswith("/search"):
            return 200, "application/json", read("dblp/written__dblp_publ-search__no-hits.status200.json")
        return 404, "text/html; charset=utf-8", b"<html><head><title>404 Not Found</title></head></html>\n"
    if service == "s2":
        ident = unquote(path.rsplit("/paper/", 1)[-1])
        return 404, "application/json", json.dumps({"error": f"Paper with id {ident} not found"}).encode()
    if service == "openalex":
        if path.rstrip("/") == "/works":
            return 200, "application/json", b'{"meta":{"count":0,"db_response_time_ms":5,"page":1,"per_page":25},' \
                                             b'"results":[],"group_by":[]}'
        return 404, "text/html; charset=utf-8", \
            read("openalex/paper-qa__openalex_works__doi_10.1046_j.1365-2699.2003.00795__select.status404.html")
    if service == "openlibrary":
        return 200, "application/json", b"{}"
    if service == "unpaywall":
        doi = unquote(path.removeprefix("/v2/"))
        return 404, "application/json", json.dumps({"HTTP_status_code": 404, "error": True,
                                                    "message": f"'{doi}' is not a valid doi."}).encode()
    if service == "web":
        return 404, "text/html; charset=utf-8", b"<html><head><title>404 Not Found</title></head></html>\n"
    return 200, "application/json", read("googlebooks/written__googlebooks_volumes__no-match.status200.json")


class MetadataReplay:
    def __init__(self, routes_file: Path = DATA / "routes.json"):
        self.routes: list[Route] = []
        self.requests: list[Seen] = []
        self.faults: dict[str, deque[tuple[str, dict]]] = {s: deque() for s in SERVICES}
        self._lock = threading.Lock()
        for item in json.loads(routes_file.read_text(encoding="utf-8")):
            self.route(item["service"], item["path"], file=item["file"], method=item.get("method", "GET"),
                       query=item.get("query"), status=item.get("status"), headers=item.get("headers"))
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    # -- set-up ------------------------------------------------------------------------------

    def route(self, service: str, path: str, *, file: str | None = None, body: bytes | str | None = None,
              method: str = "GET", query: dict[str, str] | None = None, status: int | None = None,
              headers: dict[str, str] | None = None) -> MetadataReplay:
        assert service in SERVICES, service
        if file is not None:
            data = (DATA / file).read_bytes()
            ctype = _TYPES.get(Path(file).suffix, "application/octet-stream")
            status = status or _status_of(Path(file).name)
        else:
            data = body.encode() if isinstance(body, str) else (body or b"")
            ctype = "application/json"
        route = Route(service, path, method.upper(), query, data, status or 200,
                      {"Content-Type": ctype, **(headers or {})})
        self.routes.insert(0, route)  # the latest route for a request wins
        return self

    def fail(self, service: str, kind: str, times: int = 1, **options) -> MetadataReplay:
        for _ in range(times):
            self.faults[service].append((kind, options))
        return self

    def url(self, service: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/{service}"

    def count(self, service: str) -> int:
        return sum(seen.service == service for seen in self.requests)

    def start(self) -> MetadataReplay:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- answers -----------------------------------------------------------------------------

    def find(self, service: str, method: str, path: str, query: dict[str, str]) -> Route | None:
        best, best_score = None, -1
        for r in self.routes:
            if r.service != service or r.method != method or _norm(r.path) != _norm(path):
                continue
            wanted = r.query or {}
            if all(_norm(query.get(k, "\0")) == _norm(v) for k, v in wanted.items()) and len(wanted) > best_score:
                best, best_score = r, len(wanted)
        return best

    def answer(self, service: str, method: str, path: str, query: dict[str, str],
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        explicit = self.find(service, method, path, query)
        if explicit is not None:
            return explicit.status, dict(explicit.headers or {}), explicit.body
        if service == "s2" and method == "POST" and path.rstrip("/") == "/paper/batch":
            ids = json.loads(body or b"{}").get("ids", [])
            papers = []
            for ident in ids:
                r = self.find("s2", "GET", f"/paper/{ident}", {})
                papers.append(json.loads(r.body) if r is not None and r.status == 200 else None)
            return 200, {"Content-Type": "application/json"}, json.dumps(papers).encode()
        r = self.find(service, method, path, query)
        if r is not None:
            return r.status, dict(r.headers or {}), r.body
        status, ctype, data = _default(service, method, path, query)
        return status, {"Content-Type": ctype}, data

    def _fault_answer(self, service: str, kind: str, options: dict) -> tuple[int, dict[str, str], bytes] | None:
        headers = {"Retry-After": str(options["retry_after"])} if "retry_after" in options else {}
        if kind == "429":
            if service == "dblp":
                return 429, {"Content-Type": "text/html", **headers}, \
                    (DATA / "dblp/written__dblp_too-many-requests.status429.html").read_bytes()
            if service == "s2":
                return 429, {"Content-Type": "application/json", **headers}, \
                    (DATA / "semantic-scholar/semanticscholar-py__s2_paper-search__turing.status429.json").read_bytes()
            return 429, {"Content-Type": "text/plain", **headers}, b"Too Many Requests"
        if kind in ("500", "503"):
            return int(kind), {"Content-Type": "text/html", **headers}, HTML_PAGE
        if kind == "html":
            return 200, {"Content-Type": "text/html; charset=utf-8"}, HTML_PAGE
        return None

    def _handler(self):
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                self.serve("GET")

            def do_POST(self) -> None:
                self.serve("POST")

            def serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                service, _, rest = parts.path.lstrip("/").partition("/")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, 10 * 1024 * 1024)) if length else b""
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                if service not in SERVICES:
                    return self.send(404, {"Content-Type": "text/plain"}, b"no such service")
                path = "/" + rest
                with replay._lock:
                    replay.requests.append(Seen(service, method, path, query, body))
                    kind, options = replay.faults[service].popleft() if replay.faults[service] else ("", {})
                fault = replay._fault_answer(service, kind, options)
                if fault is not None:
                    return self.send(*fault)
                status, headers, data = replay.answer(service, method, path, query, body)
                if kind == "stall":
                    time.sleep(min(options.get("seconds", 2.0), MAX_STALL))
                elif kind == "malformed":
                    data = data[: len(data) // 2]
                elif kind == "huge":
                    status, data = 200, b" " * options.get("size", 3 * 1024 * 1024)
                elif kind == "reset":
                    self.close_connection = True
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n{\"")
                    return None
                self.send(status, headers, data)

            def send(self, status: int, headers: dict[str, str], data: bytes) -> None:
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        return Handler


# --- pytest fixtures (registered in conftest.py through pytest_plugins) -----------------------

def point_at(monkeypatch, url_of) -> None:
    """Set every ``PAPERSHELF_<SERVICE>_URL``, with fast retries and no pause between requests."""
    for service in SERVICES:
        if service not in _NO_SETTING:
            monkeypatch.setenv(f"PAPERSHELF_{service.upper()}_URL", url_of(service))
    monkeypatch.setenv("PAPERSHELF_METADATA_DELAY", "0")
    monkeypatch.setenv("PAPERSHELF_METADATA_TIMEOUT", "0.5")
    monkeypatch.setenv("PAPERSHELF_METADATA_RETRIES", "2")
    monkeypatch.setenv("PAPERSHELF_METADATA_BACKOFF", "0.01")
    monkeypatch.setenv("PAPERSHELF_OPENALEX_API_KEY", "replay-key")


@pytest.fixture
def metadata_server(monkeypatch):
    """The metadata replay server, with papershelf pointed at it (an OpenAlex key set)."""
    server = MetadataReplay().start()
    point_at(monkeypatch, server.url)
    yield server
    server.stop()


@pytest.fixture
def metadata_refused(monkeypatch):
    """Every metadata service pointed at a port on 127.0.0.1 where nothing listens."""
    base = closed_port_url().rsplit("/api/query", 1)[0]
    point_at(monkeypatch, lambda service: f"{base}/{service}")
