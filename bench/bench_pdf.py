"""PDFs and full text (issue 21): extraction speed, index size, search latency at 1,000 PDFs,
peak memory, and the judged Chinese queries in both scripts.

    python bench/bench_pdf.py [--pdfs ../shared/data/pdf] [--synthetic 1000] [--runs 20] [--out bench/out/pdf]

1. **Extraction** — each shared PDF read the way `attach` reads it (``pdf_worker.probe``: a child
   process under the time and memory caps), median of 3 wall times; pages per second; the peak
   resident memory of that child (``RUSAGE_CHILDREN`` of a process that runs one probe).
2. **Index size per page** — the ``pdf_pages`` FTS5 tables' bytes (SQLite ``dbstat``) over the
   pages indexed: the shared PDFs in one catalogue, and the synthetic ones in another.
3. **Search at 1,000 PDFs** — ``--synthetic`` PDFs *generated here* by a minimal PDF writer
   (``write_pdf``: Helvetica text, 6 pages of ~320 words drawn from a 90-word vocabulary, each PDF
   with its own planted token ``zqx<i>``), each attached through ``Library.attach`` (copied,
   probed, indexed) to one of as many bibgen entries; then searches timed in-process (median of
   ``--runs``) and as whole ``papershelf search`` processes (median of 5).
4. **Chinese** — the bundled catalogue with ``elegantpaper-cn.pdf`` attached: the judged queries
   of ``tests/services/test_chinese_scripts.py`` in Traditional and in Simplified (metadata and
   notes), and PDF queries in both scripts; the hits of each pair must be the same.

Prints a Markdown report (paste into bench/RESULTS.md) and writes it to ``--out``/report.md.
Asserts nothing but the equality of the Chinese pairs (printed, not raised).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_topics import median_time
from bibgen import make_bib_with_keys

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "data" / "pdf"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data/pdf")
PY = sys.executable

VOCAB = """diffusion model denoising score matching latent image video text audio graph transformer
attention vision language multimodal contrastive learning representation distillation consistency
rectified flow adversarial generative network sampling fast efficient guidance classifier free
conditional control adapter low rank adaptation fine tuning parameter survey benchmark dataset
evaluation robust privacy attack defense watermark editing inversion inpainting resolution
segmentation detection recommendation tabular series theorem proof lemma manifold topology
geometry space metric compact continuous function mapping homotopy group boundary surface curve
kernel gradient descent stochastic optimisation convergence bound variance estimator prior
posterior likelihood entropy""".split()

# (Traditional, Simplified): the judged metadata queries (tests/services/test_chinese_scripts.py)
# and PDF queries of elegantpaper-cn.pdf (written in Simplified).
JUDGED = [("蒸餾", "蒸馏"), ("綜述", "综述"), ("擴散模型", "扩散模型")]
PDF_PAIRS = [("pdf:優美", "pdf:优美"), ("pdf:論文", "pdf:论文"), ("pdf:模板", "pdf:模板"),
             ("fulltext:中文", "fulltext:中文"), ("pdf:設置", "pdf:设置")]


def write_pdf(path: Path, pages: list[list[str]]) -> None:
    """A minimal valid PDF 1.4: one Helvetica text page per item of ``pages`` (lines of ASCII)."""
    objs: list[bytes] = []
    n = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, lines in enumerate(pages):
        body = "BT /F1 10 Tf 12 TL 50 760 Td " + " ".join(f"({ln}) Tj T*" for ln in lines) + " ET"
        stream = body.encode("latin-1")
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                    f"/Contents {5 + 2 * i} 0 R >>".encode())
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))


def synthetic_pages(rnd: random.Random, i: int, pages: int = 6, lines: int = 40, words: int = 8) -> list[list[str]]:
    out = []
    for p in range(pages):
        page = [" ".join(rnd.choice(VOCAB) for _ in range(words)) for _ in range(lines)]
        if p == pages // 2:
            page[lines // 2] += f" zqx{i}"  # a token only this PDF has, on one page
        out.append(page)
    return out


def fts_bytes(conn) -> int:
    return int(conn.execute("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE 'pdf_pages%'").fetchone()[0])


def extraction(report: list[str]) -> None:
    from papershelf.services.pdf_worker import probe

    report += ["### Extraction (pypdfium2 in the capped child process, as `attach` reads)", "",
               "| file | bytes | pages | status | chars | median s (3 runs) | pages/s | child peak RSS MB |",
               "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |"]
    total_pages = total_time = 0.0
    for path in sorted(SHARED.glob("*.pdf")):
        result = probe(str(path))
        secs = median_time(lambda p=path: probe(str(p)), 3)
        peak = subprocess.run([PY, "-c", "import resource, sys; from papershelf.services.pdf_worker import probe; "
                               "probe(sys.argv[1]); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
                               str(path)], capture_output=True, text=True, check=True).stdout.strip()
        pages = result.pages or 0
        chars = sum(len(t) for t in result.texts)
        if result.status == "ok":
            total_pages += pages
            total_time += secs
        rate = f"{pages / secs:,.0f}" if pages and result.status == "ok" else "–"
        report.append(f"| {path.name} | {path.stat().st_size:,} | {result.pages if result.pages is not None else '–'} "
                      f"| {result.status} | {chars:,} | {secs:.3f} | {rate} | {int(peak) / 1024:.0f} |")
    report += ["", f"All readable files together: {total_pages:.0f} pages in {total_time:.2f} s = "
               f"**{total_pages / total_time:,.0f} pages/s** (child start-up included).", ""]


def shared_index(report: list[str], out: Path) -> None:
    from papershelf.services.library import open_library

    db = out / "shared.db"
    for p in out.glob("shared.db*"):
        p.unlink() if p.is_file() else None
    lib, _ = open_library(db, create=True, seed=True)
    keys = [e.citekey for e in lib.list_entries()]
    for key, path in zip(keys, sorted(SHARED.glob("*.pdf")), strict=False):
        try:
            lib.attach(key, [path])
        except Exception as exc:
            print(f"  {path.name}: {exc}", file=sys.stderr)
    conn = lib.cat.conn
    pages = conn.execute("SELECT count(*) FROM pdf_pages").fetchone()[0]
    size = fts_bytes(conn)
    lib.close()
    report += [f"Index of the shared PDFs: {pages} pages indexed, pdf_pages tables {size:,} bytes = "
               f"**{size / max(pages, 1):,.0f} bytes/page** (the thesis dominates: 117 dense pages).", ""]


def synthetic(report: list[str], out: Path, n: int, runs: int) -> None:
    from papershelf.services.library import open_library

    pdfs = out / f"synthetic-{n}"
    pdfs.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(21)
    t = time.perf_counter()
    for i in range(n):
        target = pdfs / f"s{i:05d}.pdf"
        pages = synthetic_pages(rnd, i)
        if not target.exists():
            write_pdf(target, pages)
    made = time.perf_counter() - t
    db = out / f"synthetic-{n}.db"
    fresh = not db.exists()
    if fresh:
        bib = out / f"synthetic-{n}.bib"
        text, _keys = make_bib_with_keys(n)
        bib.write_text(text, encoding="utf-8")
        open_library(db, create=True)[0].close()
        subprocess.run([PY, "-m", "papershelf", "--db", str(db), "import", "bibtex", str(bib), "--no-autotag"],
                       check=True, capture_output=True)
    lib, _ = open_library(db)
    attach_s = 0.0
    if fresh:
        keys = [e.citekey for e in lib.list_entries()]
        t = time.perf_counter()
        for i, key in enumerate(keys[:n]):
            lib.attach(key, [pdfs / f"s{i:05d}.pdf"])
        attach_s = time.perf_counter() - t
    conn = lib.cat.conn
    files = conn.execute("SELECT count(*) FROM files").fetchone()[0]
    pages = conn.execute("SELECT count(*) FROM pdf_pages").fetchone()[0]
    size = fts_bytes(conn)
    rare = f"zqx{n // 2}"  # on one page of one PDF
    queries = [f"fulltext:{rare}", "fulltext:homotopy", "fulltext:\"low rank adaptation\"",
               "pdf:manifold entropy", rare, "diffusion"]
    rows = []
    for q in queries:
        hits = len(lib.search(q))
        inproc = median_time(lambda q=q: lib.search(q), runs)
        whole = median_time(lambda q=q: subprocess.run([PY, "-m", "papershelf", "--db", str(db), "search", q, "--json"],
                                                       capture_output=True, check=False), 5)
        rows.append(f"| `{q}` | {hits} | {inproc * 1000:.1f} | {whole * 1000:.0f} |")
    lib.close()
    report += [f"### Full-text search with {files:,} attached PDFs", "",
               f"{n:,} PDFs generated by `write_pdf` in {made:.1f} s ({pages:,} pages indexed; every PDF 6 pages of "
               "~320 words from a 90-word vocabulary, so common words hit every file — a worst case for ranking); "
               + (f"attached one per entry through `Library.attach` in {attach_s:.0f} s "
                  f"({n / attach_s:.1f} PDFs/s: copy, sha256, child probe, index). " if attach_s else "")
               + f"pdf_pages tables {size:,} bytes = **{size / max(pages, 1):,.0f} bytes/page**.", "",
               "| query | hits | in-process median ms | whole `papershelf search --json` median ms |",
               "| --- | ---: | ---: | ---: |", *rows, ""]


def chinese(report: list[str], out: Path) -> None:
    from papershelf.services.library import open_library

    db = out / "chinese.db"
    for p in out.glob("chinese.db*"):
        p.unlink() if p.is_file() else None
    lib, _ = open_library(db, create=True, seed=True)
    lib.attach("ho2020denoising", [SHARED / "elegantpaper-cn.pdf"])
    rows, same = [], True
    for trad, simp in JUDGED + PDF_PAIRS:
        a = [e.citekey for e in lib.search(trad)]
        b = [e.citekey for e in lib.search(simp)]
        same = same and a == b
        rows.append(f"| `{trad}` | `{simp}` | {len(a)} | {len(b)} | {'yes' if a == b else '**NO**'} |")
    lib.close()
    report += ["### Chinese: Traditional and Simplified give the same hits", "",
               "| Traditional | Simplified | hits | hits | same |", "| --- | --- | ---: | ---: | --- |", *rows, "",
               f"All pairs the same: {'yes' if same else 'NO'}.", ""]


def main() -> None:
    global SHARED
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pdfs", type=Path, default=SHARED)
    ap.add_argument("--synthetic", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--out", type=Path, default=HERE / "out" / "pdf")
    args = ap.parse_args()
    SHARED = args.pdfs
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PAPERSHELF_BACKUPS", "1")
    report = [f"python {' '.join(sys.argv)}", ""]
    extraction(report)
    shared_index(report, args.out)
    synthetic(report, args.out, args.synthetic, args.runs)
    chinese(report, args.out)
    report.append(f"bench process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    text = "\n".join(report)
    (args.out / "report.md").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
