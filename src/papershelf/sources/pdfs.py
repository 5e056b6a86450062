"""Open-access PDFs, fetched through the one HTTP layer (``sources.http``: a total deadline, a
size cap, redirects within the origin, retries). Not through the answer cache: a PDF is not a
metadata answer. So far: arXiv's PDF of an arXiv entry (the ``arxiv.pdf_url`` setting)."""

from __future__ import annotations

from papershelf.errors import NetworkError, NotFoundError


class ArxivPdfs:
    """arXiv's PDFs over one HTTP client, so a batch keeps arXiv's pace (3 s between requests)."""

    def __init__(self) -> None:
        from papershelf import config
        from papershelf.sources.arxiv.settings import Settings
        from papershelf.sources.http import HttpClient, Limits

        self.base = str(config.value("arxiv.pdf_url")).rstrip("/")
        st = Settings.from_env()  # arXiv's pace, timeouts, deadline and size cap, as for its API
        limits = Limits(connect_timeout=st.connect_timeout, read_timeout=st.read_timeout, deadline=st.deadline,
                        max_bytes=st.max_bytes, retries=st.retries, delay=st.delay, backoff=max(st.delay, 1.0))
        self.client = HttpClient(self.base, limits, name="arXiv", deadline_setting="PAPERSHELF_ARXIV_DEADLINE")

    def close(self) -> None:
        self.client.close()

    def get(self, arxiv_id: str) -> bytes:
        """The PDF arXiv serves for ``arxiv_id`` (its latest version unless the id names one)."""
        from papershelf.sources.http import Response

        def check(resp: Response) -> bytes:
            if resp.status == 404:
                raise NotFoundError(f"arXiv has no PDF for {arxiv_id}")
            if resp.status != 200:
                raise NetworkError(f"arXiv answered {resp.status} {resp.reason} for the PDF of {arxiv_id}")
            return resp.body

        return self.client.get(f"{self.base}/pdf/{arxiv_id}", check)
