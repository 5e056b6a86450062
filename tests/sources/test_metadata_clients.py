"""The metadata clients against the replay server: bounded, polite requests, one typed error for
a service that cannot answer, and one cache that makes a second run cost nothing."""

from __future__ import annotations

import sqlite3

import pytest

from papershelf.errors import SourceUnavailable
from papershelf.sources.metadata import Clients
from papershelf.sources.metadata.settings import Settings


@pytest.fixture
def clients(metadata_server, tmp_path):
    with Clients(cache_folder=tmp_path / "cache") as c:
        yield c


def test_a_second_run_is_answered_from_the_cache(metadata_server, tmp_path):
    def run():
        with Clients(cache_folder=tmp_path / "cache") as c:
            works = (c.crossref.work("10.1038/s42256-024-00832-8"), c.crossref.work("10.48550/arXiv.2312.07559"),
                     c.s2.batch_arxiv(["2304.05376", "2312.07559", "2501.00001"]))
            return works, c.requests(), c.cache_hits()

    first, asked, _ = run()
    assert asked == {"crossref": 2, "s2": 1}
    again, asked2, hits = run()
    assert again == first and sum(asked2.values()) == 0 and hits == {"crossref": 2, "s2": 3}
    assert metadata_server.count("crossref") == 2 and metadata_server.count("s2") == 1


def test_a_batch_asks_only_for_the_ids_the_cache_does_not_know(metadata_server, tmp_path):
    with Clients(cache_folder=tmp_path) as c:
        c.s2.batch_arxiv(["2304.05376"])
        found = c.s2.batch_arxiv(["2304.05376", "2312.07559", "2501.00001"])
    assert found["2501.00001"] is None and found["2304.05376"] and found["2312.07559"]
    import json

    assert json.loads(metadata_server.requests[-1].body) == {"ids": ["ARXIV:2312.07559", "ARXIV:2501.00001"]}


def test_cache_days_zero_turns_the_cache_off_and_refresh_bypasses_it(metadata_server, tmp_path, monkeypatch):
    with Clients(cache_folder=tmp_path) as c:
        c.crossref.work("10.1038/s42256-024-00832-8")
    with Clients(cache_folder=tmp_path, refresh=True) as c:
        c.crossref.work("10.1038/s42256-024-00832-8")
    monkeypatch.setenv("PAPERSHELF_CACHE_DAYS", "0")
    with Clients(cache_folder=tmp_path) as c:
        c.crossref.work("10.1038/s42256-024-00832-8")
    assert metadata_server.count("crossref") == 3


def test_secrets_are_never_written_to_the_cache(metadata_server, tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERSHELF_OPENALEX_API_KEY", "s3cret-key")
    monkeypatch.setenv("PAPERSHELF_MAILTO", "me@example.org")
    with Clients(cache_folder=tmp_path) as c:
        assert c.openalex.work_by_doi("10.1145/3448016.3452841") is not None
    keys = [k for (k,) in sqlite3.connect(tmp_path / "metadata.db").execute("SELECT key FROM answers")]
    assert keys and not any("s3cret" in k or "example.org" in k for k in keys)
    assert metadata_server.requests[-1].query["api_key"] == "s3cret-key"


def test_a_damaged_cache_file_is_left_alone(metadata_server, tmp_path):
    (tmp_path / "metadata.db").write_bytes(b"not a database at all" * 100)
    with Clients(cache_folder=tmp_path) as c:
        assert c.crossref.work("10.1038/s42256-024-00832-8") is not None


def test_unknown_records_are_none_in_every_service_shape(clients):
    assert clients.crossref.work("10.1371/notarealdoi") is None  # 404 plain text
    assert clients.datacite.work("10.5281/zenodo.0") is None  # 404 JSON:API
    assert clients.s2.paper("DOI:10.1101/2024.04.01.587366") is None  # 404 {"error": …}
    assert clients.openalex.work_by_doi("10.1046/j.1365-2699.2003.00795") is None  # 404 HTML
    assert clients.dblp.record("conf/nope/Nobody99") is None
    assert clients.dblp.search("xyzzy plugh") == []
    assert clients.openlibrary.isbn("9780000000002") is None  # {}
    assert clients.googlebooks.isbn("9780000000002") is None  # totalItems 0


def test_429_then_ok_is_retried_honouring_retry_after(metadata_server, clients):
    metadata_server.fail("crossref", "429", retry_after=0)
    assert clients.crossref.work("10.1038/s42256-024-00832-8") is not None
    assert metadata_server.count("crossref") == 2


def test_500_then_ok(metadata_server, clients):
    metadata_server.fail("s2", "500")
    assert clients.s2.paper("DOI:10.1038/s42256-024-00832-8") is not None


def test_dblp_html_429_past_the_retries_is_one_typed_error(metadata_server, clients):
    metadata_server.fail("dblp", "429", times=3)
    with pytest.raises(SourceUnavailable) as caught:
        clients.dblp.search("attention is all you need")
    assert caught.value.service == "dblp" and "rate-limiting" in caught.value.message
    assert caught.value.exit_code == 4
    assert metadata_server.count("dblp") == 3  # 1 try + PAPERSHELF_METADATA_RETRIES=2


def test_a_service_that_is_down_does_not_stop_the_others(metadata_server, clients):
    metadata_server.fail("s2", "503", times=3)
    with pytest.raises(SourceUnavailable):
        clients.s2.batch_arxiv(["2304.05376"])
    assert clients.crossref.work("10.1038/s42256-024-00832-8") is not None


def test_retry_after_beyond_the_deadline_gives_up_at_once(metadata_server, clients):
    metadata_server.fail("crossref", "429", retry_after=3600)
    with pytest.raises(SourceUnavailable, match="asked to wait"):
        clients.crossref.work("10.1038/s42256-024-00832-8")
    assert metadata_server.count("crossref") == 1


def test_a_stalled_answer_is_cut_off(metadata_server, clients):
    metadata_server.fail("crossref", "stall", times=3, seconds=2)
    with pytest.raises(SourceUnavailable, match="did not answer"):
        clients.crossref.work("10.1038/s42256-024-00832-8")


def test_an_oversized_answer_is_refused(metadata_server, tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERSHELF_MAX_RESPONSE_MB", "1")
    metadata_server.fail("crossref", "huge", size=3 * 1024 * 1024)
    with Clients(cache_folder=tmp_path) as c, pytest.raises(SourceUnavailable, match="larger than"):
        c.crossref.work("10.1038/s42256-024-00832-8")


def test_malformed_json_is_retried_then_refused(metadata_server, clients):
    metadata_server.fail("crossref", "malformed")
    assert clients.crossref.work("10.1038/s42256-024-00832-8") is not None  # the retry was whole
    metadata_server.fail("s2", "html", times=3)
    with pytest.raises(SourceUnavailable, match="HTML page"):
        clients.s2.paper("DOI:10.1038/s42256-024-00832-8")


def test_openalex_without_a_key_is_skipped_with_a_note(metadata_server, tmp_path, monkeypatch):
    monkeypatch.delenv("PAPERSHELF_OPENALEX_API_KEY")
    with Clients(cache_folder=tmp_path) as c:
        assert not c.openalex.enabled
        with pytest.raises(SourceUnavailable, match="PAPERSHELF_OPENALEX_API_KEY"):
            c.openalex.work_by_doi("10.1145/3448016.3452841")
    assert metadata_server.count("openalex") == 0


def test_keys_and_mailto_are_sent(metadata_server, tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERSHELF_S2_API_KEY", "s2-key")
    monkeypatch.setenv("PAPERSHELF_MAILTO", "me@example.org")
    seen = {}
    from http.server import BaseHTTPRequestHandler

    original = BaseHTTPRequestHandler.parse_request

    def spy(self):
        ok = original(self)
        seen.setdefault(self.path.split("/")[1], dict(self.headers))
        return ok

    monkeypatch.setattr(BaseHTTPRequestHandler, "parse_request", spy)
    with Clients(cache_folder=tmp_path) as c:
        c.s2.paper("DOI:10.1038/s42256-024-00832-8")
        c.crossref.work("10.1038/s42256-024-00832-8")
    assert seen["s2"]["x-api-key"] == "s2-key"
    assert "mailto:me@example.org" in seen["crossref"]["User-Agent"]
    assert "x-api-key" not in {k.lower() for k in seen["crossref"]}


def test_crossref_rate_limit_headers_set_the_pace(metadata_server, clients):
    metadata_server.route("crossref", "/works/10.1/paced", body='{"status":"ok","message-type":"work","message":{}}',
                          headers={"x-rate-limit-limit": "5", "x-rate-limit-interval": "1s"})
    clients.crossref.work("10.1/paced")
    assert clients.crossref.http.header_delay == pytest.approx(0.2)


def test_settings_refuse_bad_values(monkeypatch):
    from papershelf.errors import UsageError

    monkeypatch.setenv("PAPERSHELF_DBLP_URL", "ftp://dblp.org")
    with pytest.raises(UsageError, match="PAPERSHELF_DBLP_URL"):
        Settings.from_env()
    monkeypatch.delenv("PAPERSHELF_DBLP_URL")
    monkeypatch.setenv("PAPERSHELF_CACHE_DAYS", "-1")
    with pytest.raises(UsageError, match="PAPERSHELF_CACHE_DAYS"):
        Settings.from_env()
    monkeypatch.setenv("PAPERSHELF_CACHE_DAYS", "3")
    monkeypatch.setenv("PAPERSHELF_MAILTO", "me@example.org")
    s = Settings.from_env()
    assert s.cache_days == 3 and s.delay_for("crossref") == 0.1 and s.delay_for("dblp") == 1.0


def test_a_batch_post_is_sent_again_whole_after_a_503(metadata_server, clients):
    metadata_server.fail("s2", "503")
    found = clients.s2.batch_arxiv(["2304.05376", "2312.07559"])
    assert found["2304.05376"] is not None
    first, second = metadata_server.requests
    assert first.method == second.method == "POST" and first.body == second.body


def test_a_batch_answer_of_the_wrong_length_is_refused(metadata_server, clients):
    metadata_server.route("s2", "/paper/batch", method="POST", body="[null]")
    with pytest.raises(SourceUnavailable, match="does not match"):
        clients.s2.batch_arxiv(["2304.05376", "2312.07559"])
