"""The one rule for how a run ends (``services/outcome``): each report's ``verdict()`` gives the
README's exit status, and no front-end in ``cli/`` raises an outcome error of its own."""
from __future__ import annotations

import ast
from pathlib import Path

from papershelf.errors import ExitCode, NetworkError, NotFoundError, PartialFailure
from papershelf.model.entry import Entry
from papershelf.services.add import AddReport, ItemsReport
from papershelf.services.add import Outcome as AddOutcome
from papershelf.services.arxiv import Outcome as ArxivOutcome
from papershelf.services.arxiv import Report as ArxivReport
from papershelf.services.check import CheckProblems, CheckReport, Finding
from papershelf.services.import_bibtex import ImportReport as BibImport
from papershelf.services.import_markdown import ImportReport as MarkdownImport
from papershelf.services.outcome import batch_verdict
from papershelf.services.venues import VenueOutcome, VenueReport

CLI = Path(__file__).resolve().parents[2] / "src" / "papershelf" / "cli"

# errors that say how a run turned out (a partial failure, nothing found, a source unavailable,
# problems found): only a service report's verdict() makes them
OUTCOME_ERRORS = {"PartialFailure", "NotFoundError", "NetworkError", "SourceUnavailable", "CheckProblems"}


def _raised_outcomes() -> list[str]:
    found = []
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Raise) or node.exc is None:
                continue
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            name = exc.attr if isinstance(exc, ast.Attribute) else getattr(exc, "id", "")
            if name in OUTCOME_ERRORS or (isinstance(exc, ast.Attribute) and exc.attr in ("error", "verdict")):
                found.append(f"{path.name}:{node.lineno}: raise {ast.unparse(node.exc)}")
            # typer.Exit(ExitCode.NO_MATCH) after rendering a report: an outcome decided in the CLI
            if isinstance(node.exc, ast.Call) and name == "Exit" and "NO_MATCH" in ast.unparse(node.exc):
                found.append(f"{path.name}:{node.lineno}: raise {ast.unparse(node.exc)}")
            # fail(..., code=ExitCode.NETWORK / NO_MATCH) is an outcome decided in the CLI too
            if isinstance(node.exc, ast.Call) and name == "fail":
                for kw in node.exc.keywords:
                    if kw.arg == "code" and ast.unparse(kw.value) in ("ExitCode.NETWORK", "ExitCode.NOT_FOUND",
                                                                       "ExitCode.PARTIAL"):
                        found.append(f"{path.name}:{node.lineno}: raise {ast.unparse(node.exc)}")
    return found


def test_no_outcome_error_is_raised_in_cli():
    raised = _raised_outcomes()
    assert raised == [], "\n".join(raised)


def test_the_scan_sees_an_outcome_error(tmp_path, monkeypatch):
    bad = tmp_path / "cli"
    bad.mkdir()
    (bad / "x.py").write_text("def f(r):\n    raise PartialFailure('x')\n\ndef g(r):\n    raise r.error\n"
                              "\ndef h():\n    raise typer.Exit(int(ExitCode.NO_MATCH))\n")
    monkeypatch.setattr(__import__(__name__), "CLI", bad)
    assert [r.split(":")[1] for r in _raised_outcomes()] == ["2", "5", "8"]


def test_nothing_found_is_exit_1_decided_by_the_search_and_list_reports(library_of):
    """``search``/``list`` finding nothing: grep's exit 1, said once by the front-end."""
    from papershelf.errors import NothingFound
    from papershelf.model.query import Filters

    lib = library_of([Entry(citekey="ho2020", title="Denoising Diffusion", year=2020, tags=["diffusion"])])
    assert lib.search_summaries("diffusion").verdict() is None
    nothing = lib.search_summaries("quantum").verdict()
    assert isinstance(nothing, NothingFound) and nothing.exit_code == ExitCode.NO_MATCH == 1 and nothing.shown
    assert nothing.message == "Nothing matches 'quantum'."
    listing = lib.listing(Filters(tags=["difusion"]))
    assert list(listing) == [] and "did you mean diffusion" in listing.verdict().message
    listing = lib.listing()
    assert [e.citekey for e in listing] == ["ho2020"] and listing.verdict() is None


def test_db_check_ends_by_its_report(tmp_path):
    from papershelf.services.maintenance import CheckReport as DbCheck
    from papershelf.storage.integrity import Finding as DbFinding

    assert DbCheck(tmp_path / "c.db").verdict() is None
    problem = DbFinding("fts", "the search index is out of step", repairable=True)
    ended = DbCheck(tmp_path / "c.db", [problem]).verdict()
    assert ended is not None and ended.exit_code == ExitCode.ERROR and "1 problem in" in ended.message
    assert "--repair" in (ended.hint or "")


def test_batch_rule():
    assert batch_verdict(0, 3, succeeded=True, done="added", all_failed=lambda: NotFoundError("x")) is None
    partial = batch_verdict(2, 5, succeeded=True, done="synced", all_failed=lambda: NotFoundError("x"))
    assert isinstance(partial, PartialFailure) and partial.exit_code == ExitCode.PARTIAL
    assert partial.message == "2 of 5 could not be synced; the other 3 were"
    none = batch_verdict(2, 2, succeeded=False, done="added", all_failed=lambda: NotFoundError("none"))
    assert isinstance(none, NotFoundError) and none.message == "none"


def _arxiv(*statuses: str, error: NetworkError | None = None) -> ArxivReport:
    return ArxivReport(outcomes=[ArxivOutcome(f"2106.0968{i}", s, message=f"m{i}") for i, s in enumerate(statuses)],
                       error=error)


def test_arxiv_verdicts():
    assert _arxiv("added", "exists").verdict() is None
    partial = _arxiv("added", "not_found").verdict()
    assert isinstance(partial, PartialFailure) and partial.message.startswith("1 of 2 could not be added")
    one = _arxiv("not_found").verdict()
    assert isinstance(one, NotFoundError) and one.message == "arXiv has no paper arXiv:2106.09680"
    assert _arxiv("not_found", "not_found").verdict().message == "arXiv has none of these 2 papers"
    failed = _arxiv("not_found", "failed").verdict()
    assert isinstance(failed, NetworkError) and failed.message == "m0"
    stop = NetworkError("arXiv is down")
    assert _arxiv("failed", "failed", error=stop).verdict() is stop
    synced = _arxiv("changed", "failed")
    synced.done = "synced"
    assert synced.verdict().message.startswith("1 of 2 could not be synced")


def _add(*statuses: str) -> AddReport:
    return AddReport(outcomes=[AddOutcome(f"doi:10.1/{i}", s, message=f"m{i}") for i, s in enumerate(statuses)])


def test_add_verdicts():
    assert _add("added", "exists").verdict() is None
    assert isinstance(_add("added", "not_found").verdict(), PartialFailure)
    failed = _add("not_found", "failed").verdict()
    assert isinstance(failed, NetworkError) and failed.exit_code == ExitCode.NETWORK
    assert _add("not_found").verdict().message == "m0"
    assert _add("not_found", "not_found").verdict().message == "none of these 2 was found"


def test_mixed_add_verdicts():
    assert ItemsReport(arxiv=_arxiv("added"), others=_add("added")).verdict() is None
    # one part failed, something was added: partial, whichever part it was
    for items in (ItemsReport(arxiv=_arxiv("added"), others=_add("not_found")),
                  ItemsReport(arxiv=_arxiv("not_found"), others=_add("added"))):
        assert items.verdict().message == "some items could not be added; the others were"
    # everything failed: the other references' verdict, else arXiv's
    assert isinstance(ItemsReport(arxiv=_arxiv("not_found"), others=_add("failed")).verdict(), NetworkError)
    only_arxiv = ItemsReport(arxiv=_arxiv("not_found"))
    assert only_arxiv.verdict().message == "arXiv has no paper arXiv:2106.09680"


def test_venue_verdicts():
    entry = Entry(type="article", title="T", arxiv_id="2106.09685")
    report = VenueReport(outcomes=[VenueOutcome(entry, "none")], unavailable={"openalex": "no key"})
    assert report.verdict() is None  # OpenAlex without a key is a note
    report.unavailable["dblp"] = "down"
    assert isinstance(report.verdict(), PartialFailure)
    report.unavailable.update(s2="down", crossref="down")
    assert isinstance(report.verdict(), NetworkError)
    report.outcomes.append(VenueOutcome(entry, "published"))
    assert isinstance(report.verdict(), PartialFailure)


def test_check_verdicts():
    assert CheckReport(checked=3).verdict() is None
    found = CheckReport(checked=1, findings=[Finding("stale", "k", "m", "t")]).verdict()
    assert isinstance(found, CheckProblems) and found.message == "1 problem in 1 entry checked"
    down = {"crossref": "x", "datacite": "y"}
    assert CheckReport(checked=1, unverified=down).verdict() is None  # offline: nothing was to be verified
    assert isinstance(CheckReport(checked=1, unverified=down, online=True).verdict(), NetworkError)
    assert CheckReport(checked=1, unverified={"crossref": "x"}, online=True).verdict() is None


def test_import_verdicts():
    assert BibImport().verdict() is None
    refused = BibImport(refused=[{"file": "a.bib", "error": "e"}]).verdict()
    assert isinstance(refused, PartialFailure) and refused.message == "1 file(s) could not be read: a.bib"
    assert MarkdownImport(network_error="down").verdict() is None  # placeholders, then `sync`
    assert isinstance(MarkdownImport(network_error="down", online=True).verdict(), NetworkError)
