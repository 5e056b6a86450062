"""Generated entries for the export tests and bench/bench_export_memory.py (one generator, so
the benchmark measures what the tests check)."""

from __future__ import annotations

from papershelf.model.entry import Entry, Person


def generated(n: int, start: int = 0) -> list[Entry]:
    """``n`` varied entries: articles, preprints, books missing a publisher (degraded in the
    bibtex style), entries read from a .bib (verbatim fields, @preamble/@string blocks), tags,
    notes, a control character, non-ASCII names; keys in mixed case so key order matters."""
    out = []
    for i in range(start, start + n):
        kind = i % 6
        e = Entry(title=f"Diffusion Models {i}: Gaussian {'Bäck' if i % 4 else 'LoRA'} study",
                  citekey=f"{'Key' if i % 3 else 'key'}{i:06d}",
                  authors=[Person(f"Müller{i % 7}", "Ana"), Person("van der Berg", "Jo", "van")],
                  year=2000 + i % 25, tags=[f"tag{i % 5}", "diffusion"] if i % 2 else [])
        if kind == 0:
            e.type, e.journal, e.volume, e.number = "article", f"Journal {i % 11}", str(i % 40), "3"
        elif kind == 1:
            e.arxiv_id, e.primary_class, e.date = f"{2000 + i % 500:04d}.{i:05d}", "cs.LG", "2020-06-19"
        elif kind == 2:
            e.type = "book"  # no publisher: @misc with papershelf-type in bibtex
        elif kind == 3:
            e.type, e.booktitle = "inproceedings", "NeurIPS"
            e.notes = f"note {i}\nsecond line\x07"
        elif kind == 4:
            e.type, e.source_type = "article", "Article"
            e.source_fields = {"author": "Ana Müller", "title": "{Verbatim} title",
                               "journal": "jml", "year": str(2000 + i % 25), "keywords": "a, b"}
            e.bib_strings = {"jml": f"{{Journal of ML {i % 3}}}"}
            e.bib_preambles = [f"\"\\newcommand{{\\x{i % 2}}}{{x}}\""]
        else:
            e.type, e.abstract, e.doi = "misc", f"Abstract {i} with 擴散.", f"10.1000/{i}"
        out.append(e)
    return out
