"""Read one PDF in a child process with a time and memory cap (``probe``), so a file that makes
pdfium loop or balloon costs one clear line and the rest of a batch goes on.

The child (``python -m papershelf.services.pdf_worker PATH MAX_PAGES``) opens the file with
pypdfium2 (Apache-2.0/BSD; PyMuPDF is AGPL) under ``RLIMIT_AS`` and prints one JSON object:
``pages``, ``status`` (ok, encrypted, no text layer, unreadable), ``message`` and, per page, the
text. The parent kills it after ``timeout`` seconds.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field

# The caps are the settings pdf.timeout, pdf.memory_mb and pdf.max_pages (config.SETTINGS:
# config.toml or PAPERSHELF_PDF_TIMEOUT, _MEMORY_MB, _MAX_PAGES); the page count is recorded whole.


def limit(name: str) -> int:
    """A cap: the setting ``pdf.NAME`` (a bad value is one line, exit 2)."""
    from papershelf import config

    return int(config.value(f"pdf.{name}"))


# How running out of the address space shows in the child: Python, C++ (pdfium), the loader.
_OUT_OF_MEMORY = ("MemoryError", "bad_alloc", "failed to map segment", "Cannot allocate memory")


@dataclass
class PdfText:
    pages: int | None
    status: str  # ok | encrypted | no text layer | unreadable | timeout | memory
    message: str = ""
    texts: list[str] = field(default_factory=list)  # one per page read


def probe(path: str, *, timeout: float | None = None, memory_mb: int | None = None,
          max_pages: int | None = None) -> PdfText:
    """The page count and per-page text of ``path``, read in a capped child process (caps from
    the ``pdf.timeout``/``pdf.memory_mb``/``pdf.max_pages`` settings unless given)."""
    import subprocess

    timeout = limit("timeout") if timeout is None else timeout
    memory_mb = limit("memory_mb") if memory_mb is None else memory_mb
    max_pages = limit("max_pages") if max_pages is None else max_pages

    def cap() -> None:  # in the child, before exec
        import resource

        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    try:
        done = subprocess.run([sys.executable, "-m", "papershelf.services.pdf_worker", path, str(max_pages)],
                              capture_output=True, timeout=timeout, preexec_fn=cap, check=False)
    except subprocess.TimeoutExpired:
        return PdfText(None, "timeout", f"took longer than {timeout:g} s")
    try:
        data = json.loads(done.stdout.decode("utf-8"))
    except ValueError:
        err = done.stderr.decode("utf-8", "replace")
        if done.returncode < 0 or any(sign in err for sign in _OUT_OF_MEMORY):
            return PdfText(None, "memory", f"over {memory_mb} MB")
        return PdfText(None, "unreadable", f"the PDF reader failed (exit {done.returncode})")
    return PdfText(data["pages"], data["status"], data["message"], data["texts"])


def _read(path: str, max_pages: int) -> dict[str, object]:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        text = str(exc)
        if "password" in text.lower():
            return {"pages": None, "status": "encrypted", "message": "encrypted, not indexed", "texts": []}
        return {"pages": None, "status": "unreadable", "message": f"cannot be read: {text}", "texts": []}
    pages = len(doc)
    texts: list[str] = []
    for i in range(min(pages, max_pages)):
        page = doc[i]
        textpage = page.get_textpage()
        texts.append(textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
        textpage.close()
        page.close()
    doc.close()
    if pages == 0:
        return {"pages": 0, "status": "unreadable", "message": "no pages could be read", "texts": []}
    if not any(t.strip() for t in texts):
        return {"pages": pages, "status": "no text layer",
                "message": "no text layer (scanned or image-only: OCR it with your own tools)", "texts": texts}
    message = f"first {max_pages} of {pages} pages indexed" if pages > max_pages else ""
    return {"pages": pages, "status": "ok", "message": message, "texts": texts}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(_read(sys.argv[1], int(sys.argv[2])), ensure_ascii=False))
