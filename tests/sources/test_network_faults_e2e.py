"""``papershelf add`` from the installed script, as a user runs it, against servers on 127.0.0.1
that misbehave: each fault ends the command with exit 4 and one error line, within the bounds
the README promises, and nothing is written."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time

import pytest

from arxiv_server import ArxivReplay
from conftest import installed_script

pytestmark = pytest.mark.e2e

KNOWN = "1605.08386"

# Runs a command and prints its peak RSS in kB (Linux): the only child of this wrapper is it.
PEAK_RSS = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)")


def papershelf(*args: str, env: dict[str, str] | None = None, peak_rss: bool = False):
    command = [installed_script(), *args]
    if peak_rss:
        command = [sys.executable, "-c", PEAK_RSS, *command]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=120)


def held(server, timeout: float = 10.0) -> float:
    """How long the faulty answer kept its client (the server sees the hang-up a write later)."""
    end = time.monotonic() + timeout
    while not server.held and time.monotonic() < end:
        time.sleep(0.05)
    assert server.held, "the faulty answer is still being sent: the client never hung up"
    return max(server.held)


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def empty_catalogue(run, default_db):
    """An empty catalogue (made in-process: only the command under test runs as a subprocess)."""
    assert run("init", "--empty").exit_code == 0
    return default_db


def assert_failed_cleanly(result, db, before: str, words: str) -> None:
    assert result.returncode == 4, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and words in errors[0], result.stderr
    assert "Traceback" not in result.stderr and "bug" not in result.stderr
    assert result.stdout == ""
    assert digest(db) == before  # nothing written


def test_a_dripping_server_ends_add_at_the_deadline(empty_catalogue, arxiv_server):
    arxiv_server.fail("drip", times=5)
    before = digest(empty_catalogue)
    started = time.monotonic()
    result = papershelf("add", KNOWN, env={"PAPERSHELF_ARXIV_DEADLINE": "2", "PAPERSHELF_ARXIV_TIMEOUT": "5"})
    elapsed = time.monotonic() - started
    assert_failed_cleanly(result, empty_catalogue, before, "within the 2 s papershelf allows a request")
    assert held(arxiv_server) < 2 + 6  # the drip alone would last 30 s
    assert elapsed < 2 + 20, result.stderr  # the deadline, start-up and the catalogue (on a busy machine)
    assert len(arxiv_server.requests) == 1


def test_endless_headers_end_add_at_the_deadline(empty_catalogue, arxiv_server):
    arxiv_server.fail("drip_headers", times=5)
    before = digest(empty_catalogue)
    started = time.monotonic()
    result = papershelf("add", KNOWN, env={"PAPERSHELF_ARXIV_DEADLINE": "1.5"})
    assert_failed_cleanly(result, empty_catalogue, before, "did not complete its answer")
    assert held(arxiv_server) < 1.5 + 6
    assert time.monotonic() - started < 1.5 + 20, result.stderr


def test_a_gzip_bomb_is_refused_with_bounded_memory(empty_catalogue, arxiv_server):
    arxiv_server.fail("gzip_bomb", times=5)  # about 1 MB that inflates to 1 GiB; the default cap
    before = digest(empty_catalogue)
    result = papershelf("add", KNOWN, peak_rss=True)
    *lines, peak_kb = result.stderr.splitlines()
    result.stderr = "\n".join(lines)
    assert_failed_cleanly(result, empty_catalogue, before, "larger than the 50 MB papershelf accepts")
    assert int(peak_kb) < 200 * 1024, f"peak RSS {int(peak_kb) // 1024} MB"
    assert len(arxiv_server.requests) == 1


def test_an_oversized_body_is_refused(empty_catalogue, arxiv_server):
    arxiv_server.fail("huge", size=3 * 1024 * 1024, content_length=False)
    before = digest(empty_catalogue)
    result = papershelf("add", KNOWN, env={"PAPERSHELF_MAX_RESPONSE_MB": "1"})
    assert_failed_cleanly(result, empty_catalogue, before, "larger than the 1 MB papershelf accepts")


def test_a_redirect_to_another_host_is_refused_and_nothing_is_stored(empty_catalogue, arxiv_server):
    elsewhere = ArxivReplay().start()  # would answer with the paper, if asked
    try:
        arxiv_server.fail("redirect", location=f"{elsewhere.url}?id_list={KNOWN}")
        before = digest(empty_catalogue)
        result = papershelf("add", KNOWN)
        assert_failed_cleanly(result, empty_catalogue, before, "redirected the request to http://127.0.0.1:")
        assert elsewhere.requests == []
    finally:
        elsewhere.stop()


def test_a_redirect_within_the_host_is_followed(empty_catalogue, arxiv_server):
    arxiv_server.fail("redirect", location=f"/api/moved?id_list={KNOWN}&start=0&max_results=1")
    result = papershelf("add", KNOWN)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "added" and len(arxiv_server.requests) == 2


def test_nan_as_the_timeout_is_a_usage_error_not_a_bug(empty_catalogue, arxiv_server):
    before = digest(empty_catalogue)
    result = papershelf("add", KNOWN, env={"PAPERSHELF_ARXIV_TIMEOUT": "nan"})
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "PAPERSHELF_ARXIV_TIMEOUT" in errors[0] and "bug" not in result.stderr
    assert arxiv_server.requests == [] and digest(empty_catalogue) == before


@pytest.mark.parametrize("name, value", [
    ("PAPERSHELF_ARXIV_TIMEOUT", "5,inf"), ("PAPERSHELF_ARXIV_DEADLINE", "inf"),
    ("PAPERSHELF_ARXIV_DEADLINE", "-1"), ("PAPERSHELF_MAX_RESPONSE_MB", "nan"),
    ("PAPERSHELF_MAX_RESPONSE_MB", "-1"), ("PAPERSHELF_ARXIV_DELAY", "nan"),
])
def test_a_bad_number_in_the_environment_is_one_usage_error_line(run, empty_catalogue, arxiv_server, name, value):
    result = run("add", KNOWN, env={name: value})
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("error: ") and name in result.stderr.splitlines()[0]
    assert "bug" not in result.stderr and arxiv_server.requests == []
    assert json.loads(run("list", "--json").stdout) == []
