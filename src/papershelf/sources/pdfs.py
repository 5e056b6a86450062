"""Open-access PDFs, fetched through the one HTTP layer (``sources.http``: a total deadline, a
size cap, redirects within the origin, retries). Not through the answer cache: a PDF is not a
metadata answer. So far: arXiv's PDF of an arXiv entry (``PAPERSHELF_ARXIV_PDF_URL``)."""

from __future__ import annotations

import os

from papershelf.errors import NetworkError, NotFoundError

ARXIV_PDF_ENV = "PAPERSHELF_ARXIV_PDF_URL"
ARXIV_PDF_DEFAULT = "https://arxiv.org"


def arxiv_pdf(arxiv_id: str) -> bytes:
    """The PDF arXiv serves for ``arxiv_id`` (its latest version unless the id names one)."""
    from papershelf.sources.http import HttpClient, Limits, Response

    base = (os.environ.get(ARXIV_PDF_ENV) or ARXIV_PDF_DEFAULT).rstrip("/")

    def check(resp: Response) -> bytes:
        if resp.status == 404:
            raise NotFoundError(f"arXiv has no PDF for {arxiv_id}")
        if resp.status != 200:
            raise NetworkError(f"arXiv answered {resp.status} {resp.reason} for the PDF of {arxiv_id}")
        return resp.body

    client = HttpClient(base, Limits(delay=3.0, retries=2), name="arXiv", deadline_setting="PAPERSHELF_ARXIV_DEADLINE")
    try:
        return client.get(f"{base}/pdf/{arxiv_id}", check)
    finally:
        client.close()
