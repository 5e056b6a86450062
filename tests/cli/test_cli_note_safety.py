"""`note` never loses words: --edit is compare-and-swap, an emptied editor file cancels, a bad
$EDITOR or non-UTF-8 input is one line; tag/untag/rekey of a vanished entry are clear errors."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def notes(run, key):
    result = run("show", key, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["notes"]


def editor(tmp_path, monkeypatch, body: str) -> None:
    script = tmp_path / "ed.sh"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))


def test_a_note_appended_while_the_editor_is_open_is_kept_and_the_edit_saved_aside(run, bundled, tmp_path,
                                                                                     monkeypatch):
    run("note", "hu2022lora", "first thought")
    # the "editor" lets another papershelf process append a note, then saves the user's text
    editor(tmp_path, monkeypatch, f'"{sys.executable}" -m papershelf note hu2022lora "written meanwhile"\n'
                                  'printf "my careful edit\\n" > "$1"\n')
    result = run("note", "hu2022lora", "--edit")
    assert result.exit_code == 6, result.stderr
    assert "nothing was overwritten" in result.stderr
    assert notes(run, "hu2022lora") == "first thought\nwritten meanwhile"
    saved = Path(re.search(r"saved in (\S+\.md)", result.stderr.replace("\n", "")).group(1))
    assert saved.read_text(encoding="utf-8") == "my careful edit\n"
    assert str(tmp_path / "xdg_state_home") in str(saved)


def test_an_edit_without_a_concurrent_write_is_saved(run, bundled, tmp_path, monkeypatch):
    run("note", "hu2022lora", "first thought")
    editor(tmp_path, monkeypatch, 'printf "first thought, revised\\n" > "$1"\n')
    assert run("note", "hu2022lora", "--edit").exit_code == 0
    assert notes(run, "hu2022lora") == "first thought, revised"


def test_an_editor_that_empties_the_file_cancels_unless_replace(run, bundled, tmp_path, monkeypatch):
    run("note", "hu2022lora", "keep me")
    editor(tmp_path, monkeypatch, ': > "$1"\n')
    result = run("note", "hu2022lora", "--edit")
    assert result.exit_code == 0 and "cancelled" in result.stderr and "nothing changed" in result.stderr
    assert notes(run, "hu2022lora") == "keep me"
    assert run("note", "hu2022lora", "--edit", "--replace").exit_code == 0
    assert notes(run, "hu2022lora") is None


def test_a_bad_editor_variable_is_one_line_naming_it(run, bundled, monkeypatch):
    run("note", "hu2022lora", "keep me")
    for value, words, code in [('vim "unclosed', "cannot read the editor command in EDITOR", 2),
                               ("no-such-editor-xyz --flag", "cannot start the editor 'no-such-editor-xyz'", 1),
                               ("   ", "EDITOR names no editor", 2)]:
        monkeypatch.setenv("EDITOR", value)
        result = run("note", "hu2022lora", "--edit")
        assert result.exit_code == code, value
        assert words in result.stderr and "EDITOR" in result.stderr
        assert "unexpected" not in result.stderr and "bug" not in result.stderr
    monkeypatch.setenv("VISUAL", "'")
    result = run("note", "hu2022lora", "--edit")
    assert result.exit_code == 2 and "VISUAL" in result.stderr
    assert notes(run, "hu2022lora") == "keep me"


def test_note_from_stdin_must_be_utf8(run, bundled):
    result = run("note", "hu2022lora", "-", input=b"caf\xe9 au lait\n")
    assert result.exit_code == 2
    assert "not UTF-8" in result.stderr and "unexpected" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # error line and hint
    # an argument the locale could not decode arrives with surrogate escapes: refused the same way
    result = run("note", "hu2022lora", "caf\udce9")
    assert result.exit_code == 2 and "not valid UTF-8" in result.stderr
    assert run("note", "hu2022lora", "-", input="café au lait\n".encode()).exit_code == 0
    assert notes(run, "hu2022lora") == "café au lait"


def test_tag_untag_rekey_of_a_vanished_entry_are_clear_errors(run, bundled):
    assert run("remove", "hu2022lora", "--yes").exit_code == 0
    for args in (["tag", "hu2022lora", "x"], ["untag", "hu2022lora", "x"], ["rekey", "hu2022lora", "lora"],
                 ["note", "hu2022lora", "x"]):
        result = run(*args)
        assert result.exit_code == 3, args
        assert result.stderr.startswith("error: no entry 'hu2022lora'"), result.stderr
