"""Tables at 80 columns: words are never split (`Interac/ting`), and a tag stays whole while
the title can give a column (`recommendation`, not `recommendati…`)."""

from __future__ import annotations

import pytest
from rich.console import Console

from papershelf.cli.cells import cell_width
from papershelf.cli.table import table_lines
from papershelf.model.entry import Entry, Person

LONG = ("Interacting Particle Systems and Stochastic Differential Equations on Manifolds with "
        "Boundary Conditions for Understanding Recommendation")


def test_trash_on_a_terminal_never_splits_a_word(bundled, tmp_path):
    import subprocess

    from test_cli_terminal import _env, _on_a_terminal

    from conftest import installed_script

    subprocess.run([installed_script(), "--db", str(bundled), "set", "hu2022lora", f"title={LONG}"],
                   check=True, capture_output=True)
    subprocess.run([installed_script(), "--db", str(bundled), "remove", "hu2022lora", "--yes"],
                   check=True, capture_output=True)
    shown = _on_a_terminal(["trash"], _env(bundled, COLUMNS="80"))
    lines = [line for line in shown.replace("\r", "").splitlines() if line.strip()]
    table = [line for line in lines if not line.startswith("1 entry in the trash")]
    assert table[0].startswith("hu2022lora  ") and all(cell_width(line) <= 80 for line in table), shown
    assert " ".join(" ".join(table).split()).count(LONG) == 1, shown  # the title, whole words in order
    assert "\t" not in shown


def test_trash_into_a_pipe_stays_tab_separated(run, bundled):
    assert run("remove", "hu2022lora", "--yes").exit_code == 0
    line = run("trash").stdout.splitlines()[0].split("\t")
    assert line[0] == "hu2022lora" and len(line) == 5


def test_arxiv_search_never_splits_a_title_word(run, default_db, arxiv_server):
    import json

    titles = [" ".join(r["title"].split()) for r in json.loads(
        run("arxiv", "search", "all:testing", "--max", "10", "--json").stdout)]
    for width in (60, 80, 100):
        result = run("arxiv", "search", "all:testing", "--max", "10", env={"COLUMNS": str(width)})
        assert result.exit_code == 0, result.stderr
        header, *lines = result.stdout.splitlines()
        assert all(cell_width(line.rstrip()) <= width for line in lines), result.stdout
        start = header.index("title")
        end = header.index("class") if "class" in header else None
        pieces: list[list[str]] = []
        for line in lines:
            if line[:start].split() and line[:start].split()[0].isdigit():
                pieces.append([])
            pieces[-1].append(line[start:end].strip())
        # Each title, read back from its lines, is the title: no word was cut in two.
        assert [" ".join(" ".join(p).split()) for p in pieces] == titles, (width, result.stdout)


def _rows(tags_per_entry):
    return [Entry(title="Diffusion Models in Recommendation Systems: A Survey", citekey=f"wei2025diffusion{i}",
                  authors=[Person("Wei", "Jun"), Person("Li", "Ang")], year=2025, tags=tags)
            for i, tags in enumerate(tags_per_entry)]


@pytest.mark.parametrize("width", [80, 100, 120])
def test_list_keeps_the_tag_recommendation_whole_when_the_title_can_give_a_column(width):
    lines = list(table_lines(_rows([["diffusion", "recommendation", "survey"], ["recommendation"]]), width, color=False))
    text = "\n".join(lines)
    assert "recommendation" in text.split() and "recommendati…" not in text, text
    assert all(cell_width(line) <= width for line in lines)
    title_column = lines[0].index("title")
    assert lines[0].index("tags") - title_column >= width // 3  # the title kept its room


def test_a_narrow_terminal_still_cuts_a_tag_rather_than_the_title():
    lines = list(table_lines(_rows([["recommendation-systems-for-everyone"]]), 60, color=False))
    assert all(cell_width(line) <= 60 for line in lines)
    assert any(w.endswith("…") for w in "\n".join(lines).split())


def test_the_search_table_uses_the_same_columns():
    from papershelf.cli.render import entries_table

    console = Console(width=80, color_system=None, record=True)
    console.print(entries_table(_rows([["diffusion", "recommendation"]]), width=80))
    assert "recommendation" in console.export_text().split()
