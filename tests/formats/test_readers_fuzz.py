"""A bounded fuzz run over the readers: whatever text comes in, each either returns or raises a
``PapershelfError`` (which the CLI turns into one line and an exit code), never anything else
(which a user would see as a crash). About 200 examples each; the whole file runs in seconds."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.errors import PapershelfError
from papershelf.formats import latex_aux, readinglist
from papershelf.formats.bibtex.decode import decode_bytes
from papershelf.formats.bibtex.reader import read_string
from papershelf.model.query import parse_query

DATA = Path(__file__).resolve().parent.parent / "data"
FUZZ = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SEED_CHARS = 3000  # each seed's first characters: mutations of a short text reach more cases


def _seeds() -> list[str]:
    seeds = []
    for path in sorted((DATA / "bib").glob("*.bib")):
        try:
            text, _ = decode_bytes(path.read_bytes(), path.name)
        except PapershelfError:  # a legacy-encoded seed: read it as latin-1, bytes kept
            text = path.read_bytes().decode("latin-1")
        seeds.append(text[:SEED_CHARS])
    assert len(seeds) >= 10
    return seeds


SEEDS = _seeds()


def _survives(call, *args) -> None:
    """The property: a normal return or a PapershelfError; any other exception fails the test."""
    try:
        call(*args)
    except PapershelfError as exc:
        assert str(exc).strip()  # a message a user can read


def _pieces(*fragments: str) -> st.SearchStrategy[str]:
    """Text built from syntax fragments and random characters (mostly the fragments)."""
    piece = st.one_of(st.sampled_from(fragments), st.sampled_from(fragments),
                      st.text(max_size=6))
    return st.lists(piece, max_size=60).map("".join)


BIB_SYNTAX = ("@", "@string{", "@article{", "@misc(", "@preamble{", "@comment{", "@set{", "@xdata{",
              "{", "}", "(", ")", '"', "#", "=", ",", "%", "\\", "\\'e", "{\\\"o}", "$x^2$", "\n",
              " ", "key", "title", "author = ", "crossref = ", "month = jan", "year = 2020",
              "a0", "a0 # a0", "and", "eprint = {2106.09685}", "doi = {10.1/x}", "~", "\t", "ß", "\x00")


@FUZZ
@given(_pieces(*BIB_SYNTAX))
def test_bib_reader_on_random_text(text):
    _survives(read_string, text)


@st.composite
def _mutated_seed(draw) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 200)))
        op = draw(st.sampled_from(("delete", "insert", "duplicate", "replace")))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(st.sampled_from(BIB_SYNTAX) | st.text(max_size=8)) + text[i:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        else:
            text = text[:i] + draw(st.sampled_from(BIB_SYNTAX)) + text[j:]
    return text


@FUZZ
@given(_mutated_seed())
def test_bib_reader_on_mutated_real_files(text):
    _survives(read_string, text)


MARKDOWN_SYNTAX = ("# ", "## ", "- ", "  - ", "    - ", "* ", "1. ", "\n", " ", "**", "_", "`", "> ",
                   "[", "]", "(", ")", "[paper](https://arxiv.org/abs/2106.09685)",
                   "https://arxiv.org/pdf/2106.09685v2", "arXiv:1706.03762", "https://doi.org/10.1/x",
                   "https://github.com/a/b", "ISBN 978-0-13-468599-1", "http://", "<https://x.org>",
                   "LoRA", "Attention Is All You Need", "\t", "|", "---", "<!-- c -->", "ü")


@FUZZ
@given(_pieces(*MARKDOWN_SYNTAX))
def test_reading_list_reader_on_random_markdown(text):
    _survives(readinglist.read, text)


AUX_SYNTAX = ("\\citation{", "\\abx@aux@cite{", "\\abx@aux@cite{0}{", "\\@input{", "inc.aux", "main.aux",
              "}", "{", ",", "*", "key", "a:b", "\\relax", "\n", " ", "%", "\\bibdata{refs}")


@FUZZ
@given(main=_pieces(*AUX_SYNTAX), included=_pieces(*AUX_SYNTAX))
def test_aux_reader_on_random_text(tmp_path, main, included):
    # \@input may name inc.aux (which may include main.aux again) or a file that is not there
    (tmp_path / "main.aux").write_text(main, encoding="utf-8", errors="surrogatepass")
    (tmp_path / "inc.aux").write_text(included, encoding="utf-8", errors="surrogatepass")
    _survives(latex_aux.cited_keys, tmp_path / "main.aux")


QUERY_SYNTAX = ("tag:", "type:", "year:", "author:", "title:", "2020", "2020..", "..2021", "2019..2020",
                "lora", "lo*", "*", '"', "(", ")", "-", "OR", "AND", "NOT", " ", "NEAR", ":", "^",
                "蒸餾", "'", "+", "\x00", "..")


@FUZZ
@given(_pieces(*QUERY_SYNTAX))
def test_query_parser_on_random_queries(query):
    _survives(parse_query, query)


def test_the_property_can_fail():
    """The check is real: an exception that is not a PapershelfError goes through."""
    def broken(_: str) -> None:
        raise KeyError("bug")

    try:
        _survives(broken, "x")
    except KeyError:
        return
    raise AssertionError("a non-PapershelfError exception was swallowed")
