"""Output for people: the entry table at 60/80/100/160 columns and `show` of CJK notes.

Rendered to a fixed width (the streamed table `list` prints on a terminal, and the Rich table
`search` prints): no line wider than the terminal, no tag split mid-word, the title gets the
room, and a CJK note wraps without a `。` or a lone `-` starting a line, bullets indented."""

from __future__ import annotations

import pytest
from rich.console import Console

from papershelf.cli.cells import cell_width, wrap, wrap_text
from papershelf.cli.render import entries_table
from papershelf.cli.table import detail_screen, layout, table_lines
from papershelf.model.entry import Entry, Person

TAGS = ["diffusion", "distillation", "fine-tuning", "parameter-efficient-fine-tuning", "綜述", "lora"]
WIDTHS = [60, 80, 100, 160]


def _entries() -> list[Entry]:
    return [
        Entry(citekey="ho2020denoising", title="Denoising Diffusion Probabilistic Models", year=2020,
              authors=[Person("Ho", "Jonathan"), Person("Jain", "Ajay"), Person("Abbeel", "Pieter")],
              tags=TAGS),
        Entry(citekey="fan2025survey", title="知識蒸餾綜述：從教師模型到學生模型的知識轉移方法與應用的全面回顧", year=2025,
              authors=[Person("Fan", "Wei")], tags=["distillation", "綜述"]),
        Entry(citekey="vaswani2017attention", title="Attention Is All You Need " * 3, year=2017,
              authors=[Person(f"Author{i}", "A") for i in range(8)], tags=["transformers"]),
    ]


def _tags_whole(text: str) -> None:
    words = set(text.split())
    for tag in TAGS:
        shown = tag if cell_width(tag) <= 24 else None
        if shown:
            assert tag in words, f"tag {tag!r} split or lost in:\n{text}"
    assert not {"diffusi", "distillatio", "fine-", "tuning"} & words, text


@pytest.mark.parametrize("width", WIDTHS)
def test_streamed_table_fits_and_never_splits_a_tag(width):
    lines = list(table_lines(_entries(), width, color=False))
    assert lines[0].split()[:2] == ["key", "year"]
    assert all(cell_width(line) <= width for line in lines), "\n".join(lines)
    _tags_whole("\n".join(lines))
    assert "ho2020denoising" in lines[1]


@pytest.mark.parametrize("width", WIDTHS)
def test_rich_table_of_search_fits_and_never_splits_a_tag(width):
    console = Console(width=width, color_system=None, record=True)
    console.print(entries_table(_entries(), width=width))
    text = console.export_text()
    assert all(cell_width(line.rstrip()) <= width for line in text.splitlines()), text
    _tags_whole(text)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_title_gets_the_room(width):
    e = _entries()
    lay = layout(width, [x.citekey for x in e], ["Ho, Jain, Abbeel", "Fan", "Author0 et al."],
                 [x.tags for x in e])
    if width >= 80:
        assert lay.title >= width // 3  # a long tag may take a column or two, not more
    assert lay.title > lay.tags and lay.title > lay.authors and lay.title > lay.key - 4
    if width <= 60:
        assert lay.authors == 0  # authors make room first (shrunk, then left out)


def test_a_tag_wider_than_its_column_is_cut_with_an_ellipsis_not_split():
    lines = list(table_lines(_entries()[:1], 60, color=False))
    text = "\n".join(lines)
    cut = [w for w in text.split() if w.endswith("…")]
    assert cut and all("parameter-efficient-fine-tuning".startswith(w[:-1]) for w in cut), text
    assert "tuning" not in text.split(), text


def test_cjk_wraps_between_characters_but_never_before_closing_punctuation():
    text = "知識蒸餾綜述。從教師模型到學生模型，的知識轉移（方法）與應用。" * 3
    for width in range(6, 30):
        lines = wrap(text, width)
        assert "".join(lines) == text
        assert all(cell_width(line) <= width for line in lines)
        assert not any(line[0] in "。，）" for line in lines[1:]), (width, lines)
        assert not any(line.endswith("（") for line in lines), (width, lines)


def test_words_are_never_split_unless_wider_than_the_line():
    assert wrap("parameter efficient fine-tuning of diffusion", 12) == [
        "parameter", "efficient", "fine-tuning", "of diffusion"]
    assert wrap("supercalifragilistic", 8) == ["supercal", "ifragili", "stic"]


NOTE = ("- 這篇論文提出了一種新的蒸餾方法，將教師模型的知識轉移到學生模型。實驗表明 - 效果很好。\n"
        "  - 子項目：LoRA 微調（低秩適配）可以大幅減少參數量。\n"
        "plain line with a long enough sentence to wrap somewhere")


@pytest.mark.parametrize("width", [20, 30, 44])
def test_notes_keep_bullet_indentation_and_no_orphans(width):
    lines = wrap_text(NOTE, width)
    assert all(cell_width(line) <= width for line in lines)
    assert lines[0].startswith("- ")
    bullet1 = lines[:next(i for i, ln in enumerate(lines) if ln.startswith("  - "))]
    assert all(ln.startswith("  ") and not ln.startswith("  -") for ln in bullet1[1:]), lines
    for line in lines:
        body = line.strip()
        assert body[:1] not in ("。", "，", "）"), lines
        assert not (body.startswith("- ") and line in bullet1[1:]), lines


@pytest.mark.parametrize("width", [50, 80])
def test_show_wraps_a_cjk_note_cleanly(width):
    entry = Entry(citekey="fan2025survey", title="知識蒸餾綜述", notes=NOTE, year=2025)
    text = "\n".join(detail_screen(entry, width, color=False))
    notes = [ln for ln in text.splitlines() if ln.strip()]
    start = next(i for i, ln in enumerate(notes) if ln.startswith("notes"))
    column = notes[start].index("- ")
    for ln in notes[start:]:
        assert cell_width(ln.rstrip()) <= width
        value = ln[column:]
        assert value.strip()[:1] not in ("。", "，"), text
    assert notes[start + 1][column:].startswith("  "), text  # the bullet's second line is indented


class _Terminal:
    def __init__(self):
        self.text = ""

    def write(self, s: str) -> None:
        self.text += s

    def isatty(self) -> bool:
        return True


LONG = ("added     ho2020denoising          arXiv:2006.11239v2  Denoising Diffusion Probabilistic "
        "Models, with a subtitle long enough to need a second and a third line")


@pytest.mark.parametrize("width", WIDTHS)
def test_long_result_lines_of_add_and_sync_fit_the_terminal(monkeypatch, width):
    from papershelf.cli._output import out_line

    terminal = _Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    monkeypatch.setenv("COLUMNS", str(width))
    out_line(LONG)
    lines = terminal.text.splitlines()
    assert all(cell_width(line) <= width for line in lines), lines
    assert " ".join(" ".join(lines).split()) == " ".join(LONG.split())  # nothing lost or split
    assert lines[0].startswith("added     ho2020denoising")
    assert all(line.startswith("    ") for line in lines[1:])


def test_result_lines_into_a_pipe_stay_one_line(run, monkeypatch):
    import io

    from papershelf.cli._output import out_line

    pipe = io.StringIO()
    monkeypatch.setattr("sys.stdout", pipe)
    monkeypatch.setenv("COLUMNS", "60")
    out_line(LONG)
    assert pipe.getvalue() == LONG + "\n"
