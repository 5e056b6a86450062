"""import csl-json and import ris: records from other managers through the one door."""

from __future__ import annotations

import json

from papershelf.formats.csljson import write_csljson
from papershelf.formats.csljson_in import read_csljson
from papershelf.formats.ris import read_ris

CSL = [{"id": "ho2020:ddpm", "type": "article", "title": "Denoising Diffusion Probabilistic Models",
        "author": [{"family": "Ho", "given": "Jonathan"}, {"literal": "OpenAI"}],
        "issued": {"date-parts": [[2020, 6]]}, "number": "arXiv:2006.11239v2", "keyword": "diffusion, generative",
        "note": "tex.howpublished: arXiv\nCitation Key: ho-2020.ddpm"},
       {"id": "x", "type": "chapter", "title": "A chapter", "container-title": "The Book", "page": "1–9",
        "editor": [{"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"}]},
       {"id": "notitle", "type": "book"}]

RIS = """TY  - JOUR
ID  - smith:2019
AU  - Smith, Jane
AU  - World Health Organization
TI  - A paper
JO  - Journal of Things
PY  - 2019/03/
VL  - 7
IS  - 2
SP  - 10
EP  - 20
DO  - https://doi.org/10.1000/xyz
KW  - things
ER  -{SP}

TY  - THES
TI  - My thesis
AU  - Doe, John
M3  - Master's thesis
PY  - 2015
ER  -{SP}
""".replace("{SP}", " ")  # the end tag is "ER  - ", with its space


def test_csljson_reads_keys_types_dates():
    got = read_csljson(json.dumps(CSL))
    pre, chap = got.entries
    assert pre.citekey == "ho-2020.ddpm" and pre.arxiv_id == "2006.11239" and pre.date == "2020-06"
    assert pre.authors[1].family == "OpenAI" and not pre.authors[1].given
    assert pre.extra == {"howpublished": "arXiv"} and pre.tags == ["diffusion", "generative"]
    assert chap.type == "incollection" and chap.booktitle == "The Book" and chap.pages == "1-9"
    assert chap.editors[0].prefix == "van"
    assert got.problems == ["record 3 (notitle): no title, skipped"]


def test_csljson_round_trip_of_our_own_export():
    first = read_csljson(json.dumps(CSL)).entries
    again = read_csljson(write_csljson(first)).entries
    assert [(e.title, e.year, e.type, [p.family for p in e.authors]) for e in again] == \
        [(e.title, e.year, e.type, [p.family for p in e.authors]) for e in first]


def test_ris_reads_fields():
    art, thesis = read_ris(RIS).entries
    assert (art.citekey, art.journal, art.volume, art.number, art.pages, art.doi, art.date) == \
        ("smith:2019", "Journal of Things", "7", "2", "10-20", "10.1000/xyz", "2019-03")
    assert art.authors[1].family == "World Health Organization"
    assert thesis.type == "mastersthesis" and thesis.year == 2015


def test_cli_imports_and_reimport_adds_nothing(tmp_path, run):
    csl = tmp_path / "lib.json"
    csl.write_text(json.dumps(CSL), encoding="utf-8")
    ris = tmp_path / "lib.ris"
    ris.write_text(RIS, encoding="utf-8")
    for kind, path in (("csl-json", csl), ("ris", ris)):
        out = run("import", kind, str(path), "--json", "--no-autotag")
        assert out.exit_code == 0, out.stderr
        assert len(json.loads(out.stdout)["added"]) == 2
        again = run("import", kind, str(path), "--json", "--no-autotag")
        assert json.loads(again.stdout)["added"] == []
    assert run("show", "smith:2019").exit_code == 0
    bad = run("import", "ris", str(tmp_path / "missing.ris"))
    assert bad.exit_code != 0 and "error:" in bad.stderr
