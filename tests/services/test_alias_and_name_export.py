"""What an export writes for aliases, arXiv papers known only by a DOI, and CJK names, checked
by the real bibtex (plain.bst) and biber where they are installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from papershelf.model.entry import Entry, Person
from papershelf.services import export


def paper(**kw) -> Entry:
    base = dict(title="Denoising Diffusion Probabilistic Models", type="inproceedings", citekey="ho2020",
                authors=[Person("Ho", "Jonathan")], year=2020, booktitle="NeurIPS",
                aliases=["Ho_DDPM_2020", "ddpm"])
    base.update(kw)
    return Entry(**base)


def bibtex_run(bib: str, cited: list[str], tmp_path: Path) -> tuple[str, str]:
    """(the .bbl, the .blg) of bibtex with plain.bst citing ``cited`` from ``bib``."""
    if not shutil.which("bibtex"):
        pytest.skip("bibtex is not installed (apt-get install texlive-binaries texlive-base)")
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "t.aux").write_text("".join(f"\\citation{{{k}}}\n" for k in cited)
                                    + "\\bibstyle{plain}\n\\bibdata{refs}\n", encoding="utf-8")
    proc = subprocess.run(["bibtex", "t"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    blg = (tmp_path / "t.blg").read_text(encoding="utf-8", errors="replace")
    assert proc.returncode == 0, proc.stdout + blg
    return (tmp_path / "t.bbl").read_text(encoding="utf-8"), blg


def test_biblatex_export_names_the_aliases_as_ids():
    text, _ = export.bibtex([paper()], "biblatex")
    assert "ids = {Ho_DDPM_2020, ddpm}," in text
    assert text.count("@inproceedings{") == 1


def test_biblatex_ids_already_in_the_source_are_kept_with_the_aliases():
    text, _ = export.bibtex([paper(aliases=["ddpm"], extra={"ids": "old-key"})], "biblatex")
    assert "ids = {old-key, ddpm}," in text


def test_bibtex_export_finds_an_entry_for_every_alias_cited(tmp_path):
    cited = ["Ho_DDPM_2020", "ddpm", "ho2020"]
    text, _ = export.bibtex([paper()], "bibtex", cited=cited)
    # plain.bst knows no ids: a copy under each alias cited; ids (which bibtex skips) keeps them
    # citable when the export is imported again
    assert text.count("ids = {Ho_DDPM_2020, ddpm}") == 1
    bbl, blg = bibtex_run(text, cited, tmp_path)
    assert "Warning" not in blg and "didn't find" not in blg, blg
    for key in ("Ho_DDPM_2020", "ddpm", "ho2020"):
        assert f"\\bibitem{{{key}}}" in bbl


def test_biber_accepts_the_ids_field(tmp_path):
    if not shutil.which("biber"):
        pytest.skip("biber is not installed")
    text, _ = export.bibtex([paper(type="article", journal="J", booktitle=None)], "biblatex")
    (tmp_path / "refs.bib").write_text(text, encoding="utf-8")
    proc = subprocess.run(["biber", "--tool", "--validate-datamodel", "--quiet", "refs.bib"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "WARN" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr


def test_an_arxiv_article_without_a_journal_is_cited_as_the_preprint(tmp_path):
    # what earlier versions stored for a DOI-only arXiv answer: type article, no journal
    entry = Entry(title="Heat-bath random walks", type="article", citekey="stanley2016heat",
                  authors=[Person("Stanley", "Caprice")], year=2016, arxiv_id="1605.08386",
                  doi="10.1000/doi-only")
    text, report = export.bibtex([entry], "bibtex")
    assert text.startswith("@misc{stanley2016heat,") and "papershelf-type" not in text
    assert "eprint = {1605.08386}" in text and "doi = {10.1000/doi-only}" in text
    assert report.degraded == {}
    _, blg = bibtex_run(text, ["*"], tmp_path)
    assert "Warning" not in blg, blg
    biblatex, _ = export.bibtex([entry], "biblatex")
    assert biblatex.startswith("@online{") and "entrysubtype" not in biblatex


def test_a_cjk_name_prints_family_name_first_under_plain(tmp_path):
    entry = Entry(title="擴散模型", type="misc", citekey="wang2024", authors=[Person("王", "小明")], year=2024)
    text, _ = export.bibtex([entry], "bibtex")
    assert "author = {{王小明}}," in text
    bbl, _ = bibtex_run(text, ["*"], tmp_path)
    assert "王小明" in bbl and "小明 王" not in bbl


def test_nocite_all_gives_one_item_per_entry_not_one_per_alias(tmp_path):
    text, _ = export.bibtex([paper()], "bibtex")  # nothing cited by name: no copies
    assert text.count("@inproceedings{") == 1
    bbl, _ = bibtex_run(text, ["*"], tmp_path)
    assert bbl.count("\\bibitem") == 1
    only_one, _ = export.bibtex([paper()], "bibtex", cited=["ddpm"])
    assert "@inproceedings{ddpm," in only_one and "@inproceedings{Ho_DDPM_2020," not in only_one


def test_the_bibtex_full_export_keeps_merged_keys_citable_after_a_re_import(tmp_path):
    from papershelf.formats.bibtex.reader import read_string
    from papershelf.services.import_bibtex import import_entries
    from papershelf.services.library import Library
    from papershelf.storage.catalogue import Catalogue

    text, _ = export.bibtex([paper()], "bibtex")
    read = read_string(text)
    assert read.entries[0].aliases == ["Ho_DDPM_2020", "ddpm"]
    cat, _ = Catalogue.open(tmp_path / "again.db", create=True)
    try:
        lib = Library(cat)
        import_entries(lib, read.entries, autotag=False)
        for key in ("Ho_DDPM_2020", "ddpm"):
            assert cat.get_id(cat.resolve(key, exact=True)).citekey == "ho2020"
        again = import_entries(lib, read_string(text).entries, autotag=False)  # its own export again
        assert again.added == [] and sorted(cat.get_id(cat.resolve("ho2020")).aliases) == ["Ho_DDPM_2020", "ddpm"]
    finally:
        cat.close()


def test_search_names_set_on_an_entry_papershelf_made_never_reach_an_export():
    entry = paper(aliases=[], extra={"aliases": "DDPM"}, source_fields={"aliases": "DDPM, Diffusion"})
    for style in ("bibtex", "biblatex"):
        text, _ = export.bibtex([entry], style)
        assert "aliases" not in text and "DDPM" not in text
