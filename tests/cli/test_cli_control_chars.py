"""Hostile text never reaches the terminal raw: control characters in stored fields are shown
escaped by list, search and show (Rich and plain output); keys with them are refused."""

from __future__ import annotations

import io
import re

import pytest

from papershelf.cli.plain import entry_lines, printable
from papershelf.model.entry import Entry, Person

ESC_TITLE = "Evil \x1b]0;pwned\x07 title \x1b[31mred\x9b2J end\x7f"
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def hostile(library_of, tmp_path):
    lib = library_of([Entry(ESC_TITLE, type="misc", year=2024, authors=[Person("Ev\x1bil", "Eve")],
                            citekey="evil2024", abstract="abs \x1b[2J", journal="J\x1b[5m")])
    lib.cat.set_notes("evil2024", "note \x1b[1m bold")
    return tmp_path / "given.db"


def test_printable_escapes_c0_del_and_c1_but_keeps_tabs_newlines_and_unicode():
    assert printable("a\x1bb\x00c\x7fd\x9be\tf\ng 蒸餾 ü") == "a\\x1bb\\x00c\\x7fd\\x9be\tf\ng 蒸餾 ü"


def test_plain_lines_have_no_raw_control_characters():
    line = entry_lines([Entry(ESC_TITLE, citekey="k", tags=["a"])])
    assert not RAW.search(line.replace("\t", "").replace("\n", ""))
    assert "\\x1b]0;pwned\\x07" in line


def test_list_search_show_into_a_pipe_escape_them(run, hostile):
    for args in (["list"], ["search", "evil"], ["show", "evil2024"]):
        result = run("--db", str(hostile), *args)
        assert result.exit_code == 0, (args, result.stderr)
        assert not RAW.search(result.stdout.replace("\t", "").replace("\n", "")), args
        assert "\\x1b" in result.stdout, args


def test_rich_tables_escape_them(hostile):
    from rich.console import Console

    from papershelf.cli.render import entries_table
    from papershelf.cli.table import detail_screen
    from papershelf.services.library import open_library

    lib, _ = open_library(hostile)
    try:
        entry = lib.get("evil2024")
    finally:
        lib.close()
    out = io.StringIO()
    Console(file=out, width=300, color_system=None, force_terminal=False).print(entries_table([entry]))
    shown = "\n".join(detail_screen(entry, 300, color=True))  # show on a terminal: its own styles only
    for text in (out.getvalue(), re.sub(r"\x1b\[[0-9;]*m", "", shown)):
        assert not RAW.search(text.replace("\n", "")), text
        assert "\\x1b]0;pwned\\x07" in text.replace("\n", "").replace(" ", "") or "\\x1b]0;pwned" in text


@pytest.mark.parametrize("key", ["ev\x1bil", "tab\tkey", "del\x7f", "c1\x9b"])
def test_keys_with_control_characters_are_refused(run, bundled, key):
    result = run("rekey", "hu2022lora", key)
    assert result.exit_code == 1 and "not a usable citation key" in result.stderr
    assert not RAW.search(result.stderr.replace("\n", "")), result.stderr


def test_choose_key_never_keeps_a_key_with_control_characters(empty_library):
    from papershelf.services.library import AddPolicy

    result = empty_library.add([Entry("A title", citekey="bad\x1bkey", year=2020, authors=[Person("Doe")])],
                               AddPolicy(source_keys=True, autotag=False))
    assert result.added[0].citekey == "badkey"
    assert result.renamed and "not a key BibTeX can cite" in result.renamed[0][2]


def test_tags_with_control_characters_are_refused(run, bundled):
    result = run("tag", "hu2022lora", "x\x1b[31m")
    assert result.exit_code == 2 and "control characters" in result.stderr
