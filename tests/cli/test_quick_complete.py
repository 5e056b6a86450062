"""TAB before Typer loads (``cli._quick``): the same answers as Typer's completion, side by side,
for every parameter that completes keys, tags or fixed values, in bash, zsh and fish; and the
table it reads is the one the Typer app defines today."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from papershelf.cli import _quick
from papershelf.cli._completion_table import TABLE


def test_the_table_is_current():
    assert _quick.build_table() == TABLE, "stale: run completions/regenerate.sh (python -m papershelf.cli._quick)"


def _env(monkeypatch, shell: str, line: str) -> None:
    for name in ("COMP_WORDS", "COMP_CWORD", "_TYPER_COMPLETE_ARGS", "_TYPER_COMPLETE_FISH_ACTION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("_PAPERSHELF_COMPLETE", f"complete_{shell}")
    if shell == "bash":
        words = line.split(" ")
        monkeypatch.setenv("COMP_WORDS", line)
        monkeypatch.setenv("COMP_CWORD", str(len(words) - 1))
    else:
        monkeypatch.setenv("_TYPER_COMPLETE_ARGS", line)
        if shell == "fish":
            monkeypatch.setenv("_TYPER_COMPLETE_FISH_ACTION", "get-args")


def _run(monkeypatch, call) -> tuple[str, object]:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    code: object = None
    try:
        call()
    except SystemExit as exc:
        code = exc.code
    finally:
        monkeypatch.setattr(sys, "stdout", sys.__stdout__)
    return out.getvalue(), code


def _typer() -> None:
    from papershelf.cli._app import app

    app(prog_name="papershelf")


def _both(monkeypatch, shell: str, line: str) -> tuple[tuple[str, object], tuple[str, object] | None]:
    _env(monkeypatch, shell, line)
    quick = _run(monkeypatch, _quick.answer)
    answered = quick[1] is not None
    _env(monkeypatch, shell, line)
    return _run(monkeypatch, _typer), quick if answered else None


def _lines() -> list[tuple[str, str]]:
    """(command line up to the word completed, what kind) for every completable parameter."""
    out: list[tuple[str, str]] = []
    for path, node in TABLE.items():
        if "commands" in node:
            continue
        cmd = f"papershelf {path}"
        for option, kind in node["options"].items():
            if kind in ("key", "tag") or isinstance(kind, list):
                out.append((f"{cmd} {option} ", str(kind)))
        position = []
        for nargs, kind in node["args"]:
            if kind is not None:
                out.append((f"{cmd} {' '.join([*position, ''])}".replace("  ", " "), str(kind)))
            position.append("zz9999none")
            if nargs == -1:
                break
    return out


LINES = _lines()


@pytest.fixture
def catalogue_for_tabs(run, bundled, tmp_path, monkeypatch):
    run("tag", "ho2020denoising", "favourite")
    bib = tmp_path / "colon.bib"
    bib.write_text("@article{smith:2020ab, title={A}, author={Smith, J}, year={2020}}\n"
                   "@article{smith:2021cd, title={B}, author={Smith, K}, year={2021}}\n")
    assert run("import", "bibtex", str(bib)).exit_code == 0
    return bundled


def test_every_completable_parameter_is_covered():
    kinds = {kind for _, kind in LINES}
    assert {"key", "tag", "key-or-tag"} <= kinds and any(k.startswith("[") for k in kinds)
    paths = {line.split(" ")[1] for line, _ in LINES}
    assert {"show", "list", "tag", "export", "cite", "arxiv", "add", "remove"} <= paths


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize(("line", "kind"), LINES, ids=[line.strip() for line, _ in LINES])
def test_the_same_answers_as_typer(catalogue_for_tabs, monkeypatch, shell, line, kind):
    prefixes = {"key": ["", "ho", "smith"], "tag": ["", "f", "lo"], "key-or-tag": ["", "ho"]}.get(kind, ["", "b", "a"])
    for prefix in prefixes:
        typer, quick = _both(monkeypatch, shell, line + prefix)
        assert quick is not None, f"{line + prefix!r} was left to Typer"
        assert quick == typer, line + prefix


@pytest.mark.parametrize("line", [
    "papershelf show smith : 2020", "papershelf show smith :", "papershelf show smith", "papershelf cite smith : ",
    "papershelf list --year --tag ", "papershelf tag --query lora d", "papershelf tag --query '' ho",
    "papershelf tag ho2020denoising f", "papershelf untag ho2020denoising ", "papershelf rekey ho",
    "papershelf -q show ho", "papershelf show --json ho", "papershelf list -r -t f", "papershelf list --sort ",
    "papershelf note ho", "papershelf note ho2020denoising ho", "papershelf show HO",
])
def test_tricky_lines_answer_as_typer(catalogue_for_tabs, monkeypatch, line):
    typer, quick = _both(monkeypatch, "bash", line)
    assert quick is None or quick == typer, line


def test_the_catalogue_named_by_db_before_or_after_the_command(catalogue_for_tabs, run, tmp_path, monkeypatch):
    other = tmp_path / "other.db"
    assert run("--db", str(other), "init", "--empty").exit_code == 0
    run("--db", str(other), "add", "--title", "Other", "--author", "Zed, Z", "--year", "2020", "--type", "misc")
    for line in (f"papershelf --db {other} show ", f"papershelf show --db {other} ",
                 f"papershelf --db {catalogue_for_tabs} show --db {other} ", f"papershelf --db {other} show h"):
        typer, quick = _both(monkeypatch, "bash", line)
        assert quick == typer, line
    monkeypatch.setenv("PAPERSHELF_DB", str(other))
    typer, quick = _both(monkeypatch, "zsh", "papershelf show ")
    assert quick == typer and quick[0] != "_files\n"


@pytest.mark.parametrize("line", [
    "papershelf sh", "papershelf show --js", "papershelf export ", "papershelf --db ", "papershelf show -- ho",
    "papershelf show --unknown ho", "papershelf search lo", "papershelf import bibtex ", "papershelf show ho2020denoising ",
    "papershelf list --tag=lo",
])
def test_what_it_does_not_know_is_left_to_typer(catalogue_for_tabs, monkeypatch, line):
    _env(monkeypatch, "bash", line)
    assert _quick.completions() is None


def test_fish_asks_whether_there_are_answers(catalogue_for_tabs, monkeypatch):
    for line, code in (("papershelf show ho", 0), ("papershelf show zzz", 1)):
        _env(monkeypatch, "fish", line)
        monkeypatch.setenv("_TYPER_COMPLETE_FISH_ACTION", "is-args")
        assert _run(monkeypatch, _quick.answer) == _run(monkeypatch, _typer) == ("", code)


def test_a_tab_loads_neither_typer_nor_the_schema(catalogue_for_tabs):
    probe = ("import sys; from papershelf.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write(' '.join(sorted(sys.modules)))")
    env = {"_PAPERSHELF_COMPLETE": "complete_bash", "COMP_WORDS": "papershelf show ho", "COMP_CWORD": "2"}
    import os

    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                            env={**os.environ, **env})
    assert result.stdout == "ho2020denoising\n"
    loaded = set(result.stderr.split())
    heavy = sorted(m for m in loaded if m.split(".")[0] in ("typer", "click", "rich", "urllib3", "requests")
                   or m in ("papershelf.storage.db", "papershelf.storage.migrations", "papershelf.storage.catalogue",
                            "papershelf.services.library", "urllib.request"))
    assert heavy == []
