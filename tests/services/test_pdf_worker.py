"""The capped reader of one PDF: every shared PDF gives one honest status, and the time and
memory caps turn a runaway read into one line (the child is killed, the caller goes on)."""

from pathlib import Path

import pytest

from papershelf.services.pdf_worker import probe

DATA = Path(__file__).resolve().parent.parent / "data" / "pdf"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "pdf"  # beside the checkout

EXPECTED = {  # file -> (pages, status), as PROVENANCE.md describes each
    "crazyones-pdfa.pdf": (1, "ok"),
    "elegantpaper-cn.pdf": (5, "ok"),
    "elegantpaper-en.pdf": (5, "ok"),
    "latex-multicolumn.pdf": (3, "ok"),
    "geotopo-thesis-de.pdf": (117, "ok"),
    "encrypted-password.pdf": (None, "encrypted"),
    "image-only-no-text.pdf": (1, "no text layer"),
    "broken-xref.pdf": (None, "unreadable"),
    "truncated-geotopo-first-900000-bytes.pdf": (None, "unreadable"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_shared_pdf(name):
    path = DATA / name if (DATA / name).is_file() else SHARED / name
    if not path.is_file():
        pytest.skip("the shared PDFs are not here")
    got = probe(str(path))
    assert (got.pages, got.status) == EXPECTED[name]
    if got.status == "ok":
        assert len(got.texts) == got.pages and any(t.strip() for t in got.texts)
    else:
        assert got.message and not any(t.strip() for t in got.texts)


def test_the_page_cap_reads_only_the_first_pages():
    if not (SHARED / "geotopo-thesis-de.pdf").is_file():
        pytest.skip("the shared PDFs are not here")
    got = probe(str(SHARED / "geotopo-thesis-de.pdf"), max_pages=10)
    assert got.pages == 117 and len(got.texts) == 10 and "first 10 of 117" in got.message


def test_a_time_cap_is_one_line():
    got = probe(str(DATA / "elegantpaper-cn.pdf"), timeout=0.001)
    assert got.status == "timeout" and got.message == "took longer than 0.001 s"


def test_a_memory_cap_is_one_line():
    got = probe(str(DATA / "elegantpaper-cn.pdf"), memory_mb=20)  # the interpreter alone needs more
    assert got.status == "memory" and got.message == "over 20 MB"


def test_a_bad_cap_from_the_environment_is_a_usage_error(monkeypatch):
    from papershelf.errors import UsageError

    monkeypatch.setenv("PAPERSHELF_PDF_TIMEOUT", "soon")
    with pytest.raises(UsageError, match="PAPERSHELF_PDF_TIMEOUT"):
        probe(str(DATA / "crazyones-pdfa.pdf"))
