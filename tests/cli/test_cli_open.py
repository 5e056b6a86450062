"""open: an entry's page in the browser (patched here), or its address with --print."""

import pytest


@pytest.fixture
def browser(monkeypatch):
    import webbrowser

    opened: list[str] = []

    def fake_open(url, *args, **kwargs):
        opened.append(url)
        return True

    monkeypatch.setattr(webbrowser, "open", fake_open)
    return opened


def test_print_gives_the_arxiv_page_and_opens_nothing(run, bundled, browser):
    result = run("open", "ho2020denoising", "--print")
    assert result.exit_code == 0
    assert result.stdout == "https://arxiv.org/abs/2006.11239\n"
    assert browser == []


def test_open_starts_the_browser_with_the_page(run, bundled, browser):
    result = run("open", "ho2020")  # a prefix, like every KEY
    assert result.exit_code == 0, result.stderr
    assert browser == ["https://arxiv.org/abs/2006.11239"]
    assert result.stdout == ""


def test_a_doi_then_a_url_when_there_is_no_arxiv_id(run, catalogue, browser):
    from papershelf.model.entry import Entry

    with_doi = catalogue.add([Entry("Published Thing", year=2001, doi="10.1000/xyz123",
                                    url="https://example.org/x")]).added[0]
    with_url = catalogue.add([Entry("Web Thing", year=2002, url="https://example.org/page")]).added[0]
    assert run("open", with_doi.citekey, "--print").stdout == "https://doi.org/10.1000/xyz123\n"
    assert run("open", with_url.citekey).exit_code == 0
    assert browser == ["https://example.org/page"]


def test_nothing_to_open_is_one_clear_error(run, catalogue, browser):
    from papershelf.model.entry import Entry

    bare = catalogue.add([Entry("A Note Without Links", year=2003)]).added[0]
    result = run("open", bare.citekey)
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == f"error: {bare.citekey} has no URL, DOI or arXiv id to open"
    assert browser == []


def test_only_web_addresses_are_opened(run, catalogue, browser):
    from papershelf.model.entry import Entry

    local = catalogue.add([Entry("Local File", year=2004, url="file:///etc/passwd")]).added[0]
    result = run("open", local.citekey)
    assert result.exit_code == 1 and "not a web address" in result.stderr
    assert run("open", local.citekey, "--print").stdout == "file:///etc/passwd\n"
    assert browser == []


def test_no_browser_is_an_error_with_the_address(run, bundled, monkeypatch):
    import webbrowser

    monkeypatch.setattr(webbrowser, "open", lambda *a, **k: False)
    result = run("open", "ho2020denoising")
    assert result.exit_code == 1
    assert "no web browser could be started for https://arxiv.org/abs/2006.11239" in result.stderr
