"""``mcp_server.tools`` without the SDK: what an answer holds, and its bounds."""

import json

import pytest

from papershelf.errors import UsageError
from papershelf.mcp_server.tools import MAX_FINDINGS, Options, Tools
from papershelf.model.entry import Entry, Person


def test_check_names_at_most_max_findings_and_counts_the_rest(library_of, tmp_path):
    entries = [Entry(title=f"Untitled work number {i}", type="article", authors=[Person("Doe", "Jane")], year=2000)
               for i in range(MAX_FINDINGS + 5)]
    lib = library_of(entries, "many.db")
    lib.close()
    answer = json.loads(Tools(Options(tmp_path / "many.db")).check())
    assert answer["checked"] == MAX_FINDINGS + 5
    assert len(answer["findings"]) == MAX_FINDINGS
    assert answer["more"] >= 5


def test_search_limit_is_bounded(bundled):
    tools = Tools(Options(bundled))
    assert len(json.loads(tools.search("diffusion", 3))) == 3
    with pytest.raises(UsageError, match="limit must be 1 to 100"):
        tools.search("diffusion", 1000)


def test_get_as_bibtex_brings_what_the_entry_needs(run, tmp_path):
    """``get`` in BibTeX is ``papershelf cite``: a crossref child with its parent, a macro with
    its @string, so what an agent pastes compiles as the imported file did."""
    bib = tmp_path / "a.bib"
    bib.write_text('@string{jr = "Journal of Results"}\n@proceedings{proc, title={Proc of X}, year=2001}\n'
                   "@inproceedings{kid, author={A, B}, title={T}, crossref={proc}, pages={1--2}}\n"
                   "@article{art, author={C, D}, title={U}, journal=jr, year=2002}\n", encoding="utf-8")
    db = tmp_path / "c.db"
    assert run("--db", str(db), "init", "--empty").exit_code == 0
    assert run("--db", str(db), "import", "bibtex", str(bib)).exit_code == 0
    tools = Tools(Options(db))
    kid = tools.get("kid", "bibtex")
    assert kid.index("@inproceedings{kid,") < kid.index("@proceedings{proc,")
    art = tools.get("art", "bibtex")
    assert '@string{jr = "Journal of Results"}' in art and "journal = jr," in art


def test_add_ends_by_its_reports_verdict_with_what_was_done(empty_library, arxiv_server):
    """As `papershelf add` exits 5 for a partial batch, the tool's answer is a tool error
    carrying the CLI's one line, then the items (the added one too)."""
    from papershelf.errors import ExitCode
    from papershelf.mcp_server.tools import Judgement, one_line

    path = empty_library.path
    empty_library.close()
    tools = Tools(Options(path, allow_write=True))
    with pytest.raises(Judgement) as partial:
        tools.add(["1605.08386", "2101.99999"])
    assert partial.value.exit_code == ExitCode.PARTIAL
    line, answer = one_line(partial.value).split("\n", 1)
    assert line.startswith("1 of 2 could not be added")
    assert {i["status"] for i in json.loads(answer)["items"]} >= {"added", "not_found"}
    with pytest.raises(Judgement, match=r"arXiv has no paper arXiv:2101\.99998"):
        tools.add(["2101.99998"])
    assert json.loads(tools.add(["1605.08386"]))["items"][0]["status"] == "exists"  # no fault: an answer
