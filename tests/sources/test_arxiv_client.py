"""The arXiv client (``papershelf.sources.arxiv``) over real HTTP to the replay server: the
recorded answers in both formats, batching, politeness, and every fault it must survive or name."""

from __future__ import annotations

import pytest

from arxiv_server import closed_port_url
from papershelf.errors import NetworkError, UsageError
from papershelf.sources.arxiv import ArxivClient, Settings


def client(server, **kw) -> ArxivClient:
    options = dict(url=server.url, delay=0, retries=2, read_timeout=0.3, connect_timeout=0.3)
    options.update(kw)
    return ArxivClient(Settings(**options), sleep=kw.pop("sleep", lambda s: None))


# --- answers as recorded ---------------------------------------------------------------------

def test_a_2026_answer_becomes_a_full_entry(arxiv_server):
    found = client(arxiv_server).fetch(["1605.08386"]).found["1605.08386"]
    assert found.title == "Heat-bath random walks with Markov bases"
    assert found.author_names == ["Caprice Stanley", "Tobias Windisch"]
    assert (found.arxiv_version, found.date, found.year) == (1, "2016-05-26", 2016)
    assert (found.primary_class, found.categories) == ("math.CO", ["math.CO", "math.ST"])
    assert found.arxiv_comment == "20 pages, 3 figures"
    assert found.abstract.startswith("Graphs on lattice points are studied")


def test_a_2016_answer_with_journal_ref_and_doi(arxiv_server):
    found = client(arxiv_server).fetch(["1111.2011"]).found["1111.2011"]
    assert found.arxiv_version == 2
    assert found.title.startswith("Quantum Criticality for Extended Nodes")
    assert "\n" not in found.title and "  " not in found.abstract
    assert found.journal_ref == "Phys. Rev. B 85, 115117 (2012)"
    assert found.doi == "10.1103/PhysRevB.85.115117"


@pytest.mark.parametrize("ident, family", [
    ("astro-ph/0601001", "Gould"),  # 2026 format
    ("hep-ex/0406020", None),
    ("quant-ph/0201082", None),
    ("math/0211159", "Perelman"),  # 2019 format
    ("astro-ph/9812133", "Perlmutter"),
])
def test_old_style_ids_are_found(arxiv_server, ident, family):
    found = client(arxiv_server).fetch([ident]).found[ident]
    assert found.arxiv_id == ident and found.url == f"https://arxiv.org/abs/{ident}"
    if family:
        assert found.authors[0].family == family


def test_a_subject_class_in_an_old_id_is_not_sent(arxiv_server):
    from papershelf.model.identifiers import parse

    ident = parse("math.DG/0211159").canonical
    assert client(arxiv_server).fetch([ident]).found[ident].title.startswith("The entropy formula")
    assert arxiv_server.requests[-1]["id_list"] == "math/0211159"


def test_a_title_of_zero_survives(arxiv_server):
    assert client(arxiv_server).fetch(["2104.12255"]).found["2104.12255"].title == "0"


def test_an_unknown_well_formed_id_is_missing_not_an_error(arxiv_server):
    result = client(arxiv_server).fetch(["0000.0000"])  # the recorded HTTP 200 with no entry
    assert result.missing == ["0000.0000"] and not result.failed and result.error is None


def test_a_batch_mixing_known_and_unknown_ids(arxiv_server):
    result = client(arxiv_server).fetch(["0808.05394", "1707.08567"])  # recorded together
    assert list(result.found) == ["1707.08567"] and result.missing == ["0808.05394"]
    assert len(result.found["1707.08567"].authors) == 34


# --- batching and politeness -----------------------------------------------------------------

def test_ids_go_in_batches_of_a_hundred(arxiv_server):
    arxiv_server.synthetic = True
    ids = [f"2301.{n:05d}" for n in range(1, 251)]
    result = client(arxiv_server).fetch(ids)
    assert len(result.found) == 250 and result.requests == 3
    assert [len(q["id_list"].split(",")) for q in arxiv_server.requests] == [100, 100, 50]
    assert all(q["max_results"] == str(len(q["id_list"].split(","))) for q in arxiv_server.requests)


def test_requests_are_spaced_by_the_delay(arxiv_server):
    arxiv_server.synthetic = True
    waits = []
    c = ArxivClient(Settings(url=arxiv_server.url, delay=3.0, batch_size=10), sleep=waits.append)
    c.fetch([f"2301.{n:05d}" for n in range(1, 31)])
    assert c.requests == 3 and len(waits) == 2
    assert all(0 < w <= 3.0 for w in waits)  # what is left of the 3 s after each request


def test_the_endpoint_and_settings_come_from_the_environment(arxiv_server):
    s = Settings.from_env({"PAPERSHELF_ARXIV_URL": arxiv_server.url, "PAPERSHELF_ARXIV_DELAY": "0.5",
                           "PAPERSHELF_ARXIV_TIMEOUT": "2,20", "PAPERSHELF_ARXIV_RETRIES": "1"})
    assert (s.url, s.delay, s.connect_timeout, s.read_timeout, s.retries) == (
        arxiv_server.url, 0.5, 2.0, 20.0, 1)
    default = Settings.from_env({})
    assert default.url == "https://export.arxiv.org/api/query" and default.delay == 3.0
    assert default.connect_timeout and default.read_timeout  # never wait forever


@pytest.mark.parametrize("name, value", [
    ("PAPERSHELF_ARXIV_DELAY", "soon"), ("PAPERSHELF_ARXIV_DELAY", "-1"),
    ("PAPERSHELF_ARXIV_TIMEOUT", "0"), ("PAPERSHELF_ARXIV_RETRIES", "1.5"),
    ("PAPERSHELF_ARXIV_URL", "ftp://arxiv.org"),
])
def test_bad_settings_are_refused_with_their_name(name, value):
    with pytest.raises(UsageError, match=name):
        Settings.from_env({name: value})


# --- faults ----------------------------------------------------------------------------------

def test_a_503_is_retried(arxiv_server):
    arxiv_server.fail("503")
    result = client(arxiv_server).fetch(["1605.08386"])
    assert "1605.08386" in result.found and result.requests == 2


def test_retry_after_is_honoured(arxiv_server):
    arxiv_server.fail("429", retry_after=7)
    waits = []
    c = ArxivClient(Settings(url=arxiv_server.url, delay=0), sleep=waits.append)
    assert "1605.08386" in c.fetch(["1605.08386"]).found
    assert waits == [7.0] and c.requests == 2


def test_backoff_grows_between_retries(arxiv_server):
    arxiv_server.fail("503", times=3)
    waits = []
    c = ArxivClient(Settings(url=arxiv_server.url, delay=3.0, retries=3), sleep=waits.append)
    assert "1605.08386" in c.fetch(["1605.08386"]).found
    assert waits == [3.0, 6.0, 12.0]


def test_a_retry_after_beyond_the_deadline_gives_up_at_once(arxiv_server):
    arxiv_server.fail("429", retry_after=3600)
    waits = []
    c = ArxivClient(Settings(url=arxiv_server.url, delay=0), sleep=waits.append)
    result = c.fetch(["1605.08386"])
    assert waits == [] and c.requests == 1
    assert "3600" in result.error.message and result.failed == {"1605.08386": result.error.message}


@pytest.mark.parametrize("fault, words", [
    ("503", "unavailable (HTTP 503)"),
    ("429", "rate-limiting"),
    ("timeout", "did not answer within 0.3 s"),
    ("truncated", "malformed or truncated XML"),
    ("malformed", "malformed or truncated XML"),
    ("html", "HTML page"),
    ("empty", "empty answer"),
    ("reset", "broke off"),
])
def test_a_lasting_fault_is_named_after_the_retries(arxiv_server, fault, words):
    arxiv_server.fail(fault, times=3)
    result = client(arxiv_server).fetch(["1605.08386"])
    assert result.found == {} and result.requests == 3  # one try and two retries
    assert words in result.error.message and isinstance(result.error, NetworkError)


def test_a_fault_that_passes_loses_nothing(arxiv_server):
    arxiv_server.fail("truncated").fail("html")
    result = client(arxiv_server).fetch(["1605.08386", "2104.12255"])
    assert set(result.found) == {"1605.08386", "2104.12255"} and result.requests == 3


def test_connection_refused(arxiv_refused):
    c = ArxivClient(Settings(url=closed_port_url(), delay=0, retries=1), sleep=lambda s: None)
    result = c.fetch(["1605.08386"])
    assert "connection refused" in result.error.message and result.requests == 1  # refused: never retried


def test_a_fault_stops_the_later_batches(arxiv_server):
    arxiv_server.synthetic = True
    arxiv_server.fail("", times=1).fail("503", times=3)  # batch 1 fine, batch 2 never
    ids = [f"2301.{n:05d}" for n in range(1, 251)]
    result = client(arxiv_server).fetch(ids)
    assert len(result.found) == 100 and len(result.failed) == 150
    assert result.requests == 4  # batch 3 is not even tried


def test_an_error_feed_naming_an_id_fails_that_id_only(arxiv_server):
    arxiv_server.fail("400", ident="1605.08386")
    result = client(arxiv_server).fetch(["1605.08386", "2104.12255"])
    assert result.failed == {"1605.08386": "incorrect id format for 1605.08386"}
    assert list(result.found) == ["2104.12255"] and result.requests == 2


def test_an_error_feed_for_a_search_is_a_rejection(arxiv_server):
    from papershelf.sources.arxiv import ArxivRejected

    arxiv_server.fail("400")
    with pytest.raises(ArxivRejected, match="incorrect id format for abc"):
        client(arxiv_server).search("all:testing", 5)


def test_an_error_feed_in_the_old_format_is_read_too(arxiv_server):
    from arxiv_server import DATA
    from papershelf.sources.arxiv.transport import _error_message, _strict_parse

    body = (DATA / "recorded" / "id_list=INVALIDID.status400.xml").read_bytes()
    assert _error_message(_strict_parse(body)) == ("incorrect id format for INVALIDID", "INVALIDID")


# --- searching -------------------------------------------------------------------------------

def test_search_pages_through_the_recorded_answers(arxiv_server):
    c = client(arxiv_server, batch_size=10)
    results = c.search("all:testing", 20)
    assert len(results) == 20 and c.requests == 2
    assert [q["start"] for q in arxiv_server.requests] == ["0", "10"]
    assert len({e.arxiv_id for e in results}) == 20


def test_search_in_the_old_format_mixes_old_and_new_ids(arxiv_server):
    results = client(arxiv_server).search("au:del_maestro", 10)
    ids = [e.arxiv_id for e in results]
    assert "1201.4869" in ids and any("/" in i for i in ids)


def test_an_empty_page_in_the_middle_of_paging_is_an_error_not_the_end(arxiv_server):
    arxiv_server.fail("", times=1).fail("no_entries", times=3)
    c = client(arxiv_server, batch_size=10)
    with pytest.raises(NetworkError, match="empty page in the middle"):
        c.search("all:testing", 20)
    assert c.requests == 4


def test_a_truncated_first_page_is_not_taken_for_no_results(arxiv_server):
    arxiv_server.fail("truncated", times=3)
    with pytest.raises(NetworkError, match="truncated"):
        client(arxiv_server).search("all:testing", 10)
