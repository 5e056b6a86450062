"""bench_peers.py's export check (bench/export_check.py): a name written in another LaTeX form
that bibtex prints alike passes; an author dropped, reordered, renamed or read into other name
parts, and a value bibtex cannot read, fail and are named by kind."""

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bibgen import make_bib_with_keys
from export_check import bib_fields, compare_fields, people, show, value_of


def _bib(author: str, title: str = "{A Title of {GANs}}", year: str = "{2020}", key: str = "k1") -> str:
    return f"@article{{{key},\n  author = {author},\n  title = {title},\n  year = {year}\n}}\n"


def check(source: str, exported: str) -> str:
    return compare_fields(exported, bib_fields(source))


SOURCE = _bib(r"{Nguy{\~{\^{e}}}n, Åsa and Jonathan Nguyen and Ren{\'e} {Dvo{\v{r}}{\'a}k} and "
              r"Ca{\~n}ete, Zoë and Çelik, Ng and J.~R.~R. Tolkien and Davis, Jr., Li and "
              r"Ana van der Berg}")


@pytest.mark.parametrize("spelling", [
    # papis 0.16 / coBib 6.0 style: UTF-8 where LaTeX has no macro, macros elsewhere, Last, First
    r"{Nguyễn, \r{A}sa and Nguyen, Jonathan and Dvo\v{r}\'ak, Ren\'e and Ca\~nete, Zo\"e and "
    r"\c{C}elik, Ng and Tolkien, J. R. R. and Davis, Jr., Li and van der Berg, Ana}",
    r"{{Nguyễn}, {\r{A}}sa and Nguyen, Jonathan and {Dvo{\v{r}}{\'a}k}, Ren{\'e} and "
    r"Ca{\~{n}}ete, Zo{\"e} and {\c{C}}elik, Ng and Tolkien, J.~R.~R. and Davis, Jr., Li and "
    r"van der Berg, Ana}",
    # all UTF-8, in quotes
    '"Nguyễn, Åsa and Jonathan Nguyen and René Dvořák and Cañete, Zoë and Çelik, Ng and '
    'J. R. R. Tolkien and Davis, Jr., Li and Ana van der Berg"',
])
def test_the_same_names_in_another_latex_form_are_equal(spelling):
    assert check(SOURCE, _bib(spelling)) == "ok: all 1 entries, title, author, year, doi equal"


@pytest.mark.parametrize(("changed", "kind", "example"), [
    (r"{Nguyễn, Åsa and Nguyen, Jonathan}", "authors dropped", "8 → 2 people"),
    (r"{Nguyen, Jonathan and Nguyễn, Åsa and René Dvořák and Cañete, Zoë and Çelik, Ng and "
     r"J. R. R. Tolkien and Davis, Jr., Li and Ana van der Berg}", "authors reordered",
     "person 1: Nguyễn, Åsa → Nguyen, Jonathan"),
    # papis 0.16: the Jr. part written into the last name (plain.bst: "Li Davis Jr." for "Li Davis, Jr.")
    (r"{Nguyễn, Åsa and Nguyen, Jonathan and René Dvořák and Cañete, Zoë and Çelik, Ng and "
     r"J. R. R. Tolkien and Davis Jr., Li and Ana van der Berg}", "name parts moved",
     "Davis, Jr., Li → Davis Jr., Li"),
    # pubs 0.9: a particle read as a given name (abbrv.bst: "A. v. der Berg" for "A. van der Berg")
    (r"{Nguyễn, Åsa and Nguyen, Jonathan and René Dvořák and Cañete, Zoë and Çelik, Ng and "
     r"J. R. R. Tolkien and Davis, Jr., Li and der Berg, Ana van}", "name parts moved",
     "van der Berg, Ana → der Berg, Ana van"),
    (r"{Nguyen, Åsa and Nguyen, Jonathan and René Dvořák and Cañete, Zoë and Celik, Ng and "
     r"J. R. R. Tolkien and Davis, Jr., Li and Ana van der Berg}", "accents or case changed",
     "Nguyễn, Åsa → Nguyen, Åsa"),
    (r"{Nguyễn, Åsa and Nguyen, Jonathan and René Dvořák and Cañete, Zoë and Çelik, Ng and "
     r"J. R. Tolkien and Davis, Jr., Li and Ana van der Berg}", "name changed",
     "Tolkien, J. R. R. → Tolkien, J. R."),
])
def test_a_real_change_of_the_authors_is_wrong_and_named(changed, kind, example):
    result = check(SOURCE, _bib(changed))
    assert result.startswith(f"WRONG: 1 × author: {kind}"), result
    assert f"(e.g. k1: {example})" in result


def test_a_value_bibtex_cannot_read_is_wrong_though_bibtexparser_reads_it():
    # papis 0.16 writes a title that opens with a braced acronym so: bibtex stops at the ":"
    source = _bib("{Doe, Jane}", title="{{GANs}: Video Models}")
    result = check(source, _bib("{Doe, Jane}", title="{GANs}: Video Models"))
    assert result.startswith("WRONG: 1 × title: not valid BibTeX"), result
    assert check(source, _bib("{Doe, Jane}", title='"{GANs}: Video" # " Models"')).startswith("ok")


def test_missing_entries_and_changed_fields_are_counted():
    source = _bib("{Doe, Jane}") + _bib("{Roe, Rick}", key="k2")
    result = check(source, _bib("{Doe, Jane}", year="{2021}"))
    assert result == ("WRONG: 1 of 2 entries missing (e.g. k2); 1 × year: changed (e.g. k1: 2020 → 2021)")


def test_values_are_read_as_bibtex_reads_them():
    strings = {"nips": "Neural Information"}
    assert value_of('{a {b}} # " c" # nips # 2020', strings) == "a {b} cNeural Information2020"
    assert value_of("  2020 ", strings) == "2020"
    for bad in ["{GANs}: Video", '"open', "{a} #", "{a}}", "", "{a} {b}"]:
        assert value_of(bad, strings) is None, bad


def test_people_are_split_as_bibtex_splits_them():
    assert people(r"{Simon and Schuster} and Ca\~nete, Li and Li \c{C}elik and de la Fuente, Jr., Ana") == (
        ("", "", "Simon and Schuster", ""), ("Li", "", "Cañete", ""), ("Li", "", "Çelik", ""),
        ("Ana", "de la", "Fuente", "Jr."))
    assert show(("Ana", "de la", "Fuente", "Jr.")) == "de la Fuente, Jr., Ana"


def test_the_generated_file_against_itself_rewritten():
    """Every author list of a generated file rewritten in decoded ``von Last, Jr, First`` form is
    equal; with the first two authors swapped, each such list is reported reordered."""
    text, keys = make_bib_with_keys(200)
    source = bib_fields(text)

    def rewrite(swap: bool):
        def one(match: re.Match) -> str:
            names = [show(p) for p in people(match.group(1))]
            if swap and len(names) > 1:
                names[:2] = names[1::-1]
            return "  author = {" + " and ".join(names) + "},\n"
        return re.sub(r"  author = \{(.*)\},\n", one, text)

    assert rewrite(False) != text
    assert compare_fields(rewrite(False), source) == "ok: all 200 entries, title, author, year, doi equal"
    several = sum(1 for k in keys if len(source[k]["author"]) > 1 and len(set(source[k]["author"][:2])) == 2)
    assert compare_fields(rewrite(True), source).startswith(f"WRONG: {several} × author: authors reordered")


# (key, the author list as the source writes it, as an export writes it, bibtex prints it alike)
PAIRS = [
    ("e1", r"Nguy{\~{\^{e}}}n, Ren{\'e}", r"Nguyễn, Ren\'e", True),
    ("e2", r"Ca{\~n}ete, Jos{\'e} and J.~R.~R. Tolkien", r"Ca\~nete, Jos\'e and Tolkien, J. R. R.", True),
    ("e3", r"Doe, Jane and \c{C}elik, Ng and {\L}ukasiewicz, Jan", "Doe, Jane and Çelik, Ng and Łukasiewicz, Jan",
     True),
    ("e4", "Davis, Jr., Li", "Davis Jr., Li", False),
    ("e5", "Ana van der Berg", "der Berg, Ana van", False),
    ("e6", "Doe, Jane and Roe, Rick", "Roe, Rick and Doe, Jane", False),
]


def _bbl_items(authors: dict[str, str], where: Path) -> dict[str, str]:
    """What bibtex (abbrv.bst: initials, so a re-split name shows) prints for each author list,
    LaTeX decoded."""
    import subprocess
    import unicodedata

    from pylatexenc.latex2text import LatexNodes2Text

    from conftest import need_tool

    bibtex = need_tool("bibtex")
    where.mkdir()
    (where / "x.bib").write_text("".join(f"@misc{{{k},\n  author = {{{a}}}\n}}\n" for k, a in authors.items()),
                                 encoding="utf-8")
    (where / "x.aux").write_text("\\citation{*}\n\\bibstyle{abbrv}\n\\bibdata{x}\n", encoding="utf-8")
    subprocess.run([bibtex, "x"], cwd=where, capture_output=True, check=True, timeout=60)
    bbl = (where / "x.bbl").read_text(encoding="utf-8").split("\\end{thebibliography}")[0]
    decode = LatexNodes2Text().latex_to_text
    return {k: " ".join(unicodedata.normalize("NFC", decode(text)).split())
            for k, text in re.findall(r"\\bibitem\{([^}]*)\}(.*?)(?=\\bibitem|\Z)", bbl, re.S)}


def test_the_check_calls_equal_what_bibtex_prints_alike(tmp_path):
    source = {k: a for k, a, _, _ in PAIRS}
    exported = {k: b for k, _, b, _ in PAIRS}
    printed_src, printed_exp = _bbl_items(source, tmp_path / "src"), _bbl_items(exported, tmp_path / "exp")
    assert len(printed_src) == len(printed_exp) == len(PAIRS)
    for key, a, b, alike in PAIRS:
        assert (printed_src[key] == printed_exp[key]) is alike, (key, printed_src[key], printed_exp[key])
        assert check(_bib(f"{{{a}}}"), _bib(f"{{{b}}}")).startswith("ok" if alike else "WRONG"), key
