"""The bounds of the HTTP layer (``papershelf.sources.http``) against servers on 127.0.0.1 that
misbehave: a total deadline a dripping server cannot stretch, a size cap counted after
decompression, redirects only within the endpoint's origin, and the settings that set them."""

from __future__ import annotations

import threading
import time

import pytest

from arxiv_server import ArxivReplay
from papershelf.errors import NetworkError, UsageError
from papershelf.sources.arxiv import ArxivClient, Settings
from papershelf.sources.http import (
    WATCHDOG_THREAD,
    DeadlineExceeded,
    HttpClient,
    Limits,
    RedirectRefused,
    ResponseTooLarge,
    origin,
)

SLACK = 6.0  # generous (a busy machine): without the deadline these faults last MAX_FAULT_SECONDS (30 s)
KNOWN = "1605.08386"


def arxiv(server, **kw) -> ArxivClient:
    """A client whose read timeout (5 s) never fires against a drip: only the deadline can help."""
    options = dict(url=server.url, delay=0, retries=2, connect_timeout=1, read_timeout=5, deadline=1.0)
    options.update(kw)
    return ArxivClient(Settings(**options), sleep=lambda s: None)


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


@pytest.fixture
def other_host():
    """A second, well-behaved replay server: another port counts as another host."""
    server = ArxivReplay().start()
    yield server
    server.stop()


# --- the deadline ----------------------------------------------------------------------------

@pytest.mark.parametrize("fault", ["drip", "drip_headers"])
def test_a_dripping_server_is_cut_off_at_the_deadline(arxiv_server, fault):
    arxiv_server.fail(fault, times=3)
    c = arxiv(arxiv_server, deadline=1.0)
    result, elapsed = timed(lambda: c.fetch([KNOWN]))
    assert elapsed < 1.0 + SLACK
    assert isinstance(result.error, DeadlineExceeded) and result.found == {}
    assert "did not complete its answer within the 1 s" in result.error.message
    assert "PAPERSHELF_ARXIV_DEADLINE" in result.error.hint
    assert c.requests == 1  # the deadline is spent: no retry


def test_the_deadline_covers_the_retries_too(arxiv_server):
    arxiv_server.fail("timeout").fail("drip", times=3)  # 0.3 s of silence, then a drip
    c = arxiv(arxiv_server, deadline=1.5, read_timeout=0.3)
    result, elapsed = timed(lambda: c.fetch([KNOWN]))
    assert isinstance(result.error, DeadlineExceeded) and c.requests == 2
    assert elapsed < 1.5 + SLACK


def test_a_slow_answer_that_ends_within_the_deadline_is_taken(arxiv_server):
    recorded = len(arxiv_server.answer({"id_list": KNOWN})[2])
    arxiv_server.fail("drip", piece=recorded // 5 + 1, interval=0.1)  # five pieces, 0.5 s
    c = arxiv(arxiv_server, deadline=10, read_timeout=5)
    assert KNOWN in c.fetch([KNOWN]).found and c.requests == 1


def test_no_watchdog_outlives_its_request(arxiv_server):
    def watchdogs():
        return [t for t in threading.enumerate() if t.name == WATCHDOG_THREAD]

    arxiv_server.fail("drip_headers")
    c = arxiv(arxiv_server, deadline=0.5)
    assert isinstance(c.fetch([KNOWN]).error, DeadlineExceeded) and watchdogs() == []
    c = arxiv(arxiv_server, deadline=60)
    for _ in range(3):
        assert KNOWN in c.fetch([KNOWN]).found
    assert watchdogs() == []


# --- the size cap ----------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compression_bomb_is_stopped_at_the_cap(arxiv_server, encoding):
    arxiv_server.fail("gzip_bomb", encoding=encoding, inflated=64 * 1024 * 1024)
    c = arxiv(arxiv_server, max_bytes=1024 * 1024, deadline=30)
    result = c.fetch([KNOWN])
    assert isinstance(result.error, ResponseTooLarge) and c.requests == 1  # never asked again
    assert "larger than the 1 MB papershelf accepts" in result.error.message
    assert "PAPERSHELF_MAX_RESPONSE_MB" in result.error.hint


@pytest.mark.parametrize("announced, words", [(True, "it announces 8 MB"), (False, "the rest was not read")])
def test_an_oversized_plain_body_is_refused(arxiv_server, announced, words):
    arxiv_server.fail("huge", size=8 * 1024 * 1024, content_length=announced)
    c = arxiv(arxiv_server, max_bytes=1024 * 1024, deadline=30)
    result = c.fetch([KNOWN])
    assert isinstance(result.error, ResponseTooLarge) and words in result.error.message
    assert result.found == {} and c.requests == 1


def test_the_cap_is_the_largest_body_accepted(arxiv_server):
    size = len(arxiv_server.answer({"search_query": "", "id_list": KNOWN, "start": "0", "max_results": "1"})[2])
    assert KNOWN in arxiv(arxiv_server, max_bytes=size).fetch([KNOWN]).found
    refused = arxiv(arxiv_server, max_bytes=size - 1).fetch([KNOWN])
    assert isinstance(refused.error, ResponseTooLarge)


def test_a_real_hundred_entry_page_is_far_below_the_default_cap(arxiv_server):
    c = arxiv(arxiv_server, batch_size=100, deadline=30)
    assert len(c.search("all:testing", 100)) == 100  # the recorded 0.23 MB page
    assert Settings().max_bytes == 50 * 1024 * 1024


# --- redirects -------------------------------------------------------------------------------

@pytest.mark.parametrize("location", ["/api/moved?{query}", "{base}/api/moved?{query}", "moved?{query}"])
def test_a_redirect_within_the_host_is_followed(arxiv_server, location):
    base = arxiv_server.url.rsplit("/api/", 1)[0]
    query = f"search_query=&id_list={KNOWN}&start=0&max_results=1"
    arxiv_server.fail("redirect", location=location.format(base=base, query=query), status=301)
    c = arxiv(arxiv_server)
    assert KNOWN in c.fetch([KNOWN]).found
    assert c.requests == 2 and len(arxiv_server.requests) == 2


@pytest.mark.parametrize("where", ["another port", "127.0.0.2", "https", "localhost"])
def test_a_redirect_to_another_host_is_refused_and_not_followed(arxiv_server, other_host, where):
    port = int(arxiv_server.url.split(":")[2].split("/")[0])
    target = {
        "another port": other_host.url,
        "127.0.0.2": f"http://127.0.0.2:{port}/api/query",
        "https": f"https://127.0.0.1:{port}/api/query",
        "localhost": f"http://localhost:{port}/api/query",  # the same machine, another name
    }[where] + f"?id_list={KNOWN}"
    arxiv_server.fail("redirect", location=target)
    c = arxiv(arxiv_server)
    result = c.fetch([KNOWN])
    assert isinstance(result.error, RedirectRefused) and result.found == {}
    assert target in result.error.message and c.requests == 1  # refused once, never retried
    assert other_host.requests == [] and len(arxiv_server.requests) == 1


def test_endless_redirects_stop(arxiv_server):
    arxiv_server.fail("redirect", times=10, location="/api/query?id_list=" + KNOWN)
    result = arxiv(arxiv_server).fetch([KNOWN])
    assert isinstance(result.error, RedirectRefused) and "more than 5 times" in result.error.message


@pytest.mark.parametrize("a, b, same", [
    ("http://h.org/api", "http://H.org:80/other", True),
    ("https://h.org/api", "https://h.org:443/x?y", True),
    ("https://h.org/api", "http://h.org/api", False),
    ("http://h.org/api", "http://h.org:8080/api", False),
    ("http://h.org/api", "http://h.org.evil.example/api", False),
    ("http://h.org/api", "http://h.org:99999/api", False),
])
def test_an_origin_is_scheme_host_and_port(a, b, same):
    assert (origin(a) == origin(b)) is same


# --- the layer on its own --------------------------------------------------------------------

def test_the_layer_sends_a_user_agent_and_hands_the_answer_to_check(arxiv_server):
    http = HttpClient(arxiv_server.url, Limits(retries=0), name="the replay")
    answer = http.get(f"{arxiv_server.url}?id_list={KNOWN}", lambda r: (r.status, r.body))
    assert answer[0] == 200 and b"<feed" in answer[1]
    assert arxiv_server.user_agents[-1].startswith("papershelf/")
    http.close()


def test_a_deadline_error_names_the_server_and_is_a_network_error(arxiv_server):
    arxiv_server.fail("drip_headers")
    http = HttpClient(arxiv_server.url, Limits(deadline=0.5, retries=3), name="the replay")
    with pytest.raises(DeadlineExceeded, match=r"the replay \(127\.0\.0\.1:\d+\) did not complete") as info:
        http.get(arxiv_server.url + "?id_list=" + KNOWN, lambda r: r.body)
    assert isinstance(info.value, NetworkError) and http.requests == 1
    http.close()


@pytest.mark.parametrize("field, value", [
    ("deadline", float("nan")), ("deadline", 0), ("read_timeout", float("inf")), ("delay", -1),
    ("max_bytes", 0), ("retries", -1),
])
def test_limits_out_of_range_are_a_programming_error(field, value):
    with pytest.raises(ValueError, match=field):
        Limits(**{field: value})


# --- the settings ----------------------------------------------------------------------------

def test_the_deadline_and_the_cap_come_from_the_environment():
    s = Settings.from_env({"PAPERSHELF_ARXIV_DEADLINE": "7.5", "PAPERSHELF_MAX_RESPONSE_MB": "2"})
    assert (s.deadline, s.max_bytes) == (7.5, 2 * 1024 * 1024)
    default = Settings.from_env({})
    assert (default.deadline, default.max_bytes) == (120.0, 50 * 1024 * 1024)


@pytest.mark.parametrize("name", ["PAPERSHELF_ARXIV_TIMEOUT", "PAPERSHELF_ARXIV_DEADLINE",
                                  "PAPERSHELF_MAX_RESPONSE_MB", "PAPERSHELF_ARXIV_DELAY",
                                  "PAPERSHELF_ARXIV_RETRIES"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "1e400", "soon"])
def test_non_finite_or_negative_settings_are_refused_by_name(name, value):
    with pytest.raises(UsageError, match=name):
        Settings.from_env({name: value})


@pytest.mark.parametrize("value", ["5,nan", "nan,5", "1,inf", "0,5"])
def test_each_half_of_the_timeout_is_checked(value):
    with pytest.raises(UsageError, match="PAPERSHELF_ARXIV_TIMEOUT"):
        Settings.from_env({"PAPERSHELF_ARXIV_TIMEOUT": value})


@pytest.mark.parametrize("name", ["PAPERSHELF_ARXIV_DEADLINE", "PAPERSHELF_MAX_RESPONSE_MB"])
def test_a_zero_deadline_or_cap_is_refused(name):
    with pytest.raises(UsageError, match=name):
        Settings.from_env({name: "0"})
