"""Fault injection on the editor path of ``note --edit`` and ``edit`` (``cli/editor.py``): a fake
$EDITOR per way the file can be left, and every failure after the editor closes. Whatever
happens, the bytes the user wrote are somewhere the one-line message names; nothing is stored
that the user did not mean."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

KEY = "hu2022lora"
LONG = "k" + "x" * 249  # 250 characters: too long for a file name with a suffix


def _editor(tmp_path: Path, body: str) -> str:
    """An $EDITOR: a Python script running ``body`` with the file's path as ``path``."""
    script = tmp_path / "fake_editor.py"
    script.write_text("import os, sys, subprocess\npath = sys.argv[1]\n" + body, encoding="utf-8")
    return f"{sys.executable} {script}"


def _other_writer(key: str) -> str:
    """Editor code: another papershelf process changes ``key`` while the editor is open."""
    return (f"subprocess.run([sys.executable, '-m', 'papershelf', 'tag', {key!r}, 'meanwhile'], check=True, "
            "stdout=subprocess.DEVNULL)\n")


# name -> (editor body, the bytes the user left (None: nothing to keep), expected exit code)
FAULTS = {
    "not-utf8": ("open(path, 'wb').write(b'caf\\xe9 latin-1 words\\n')\n", b"caf\xe9 latin-1 words\n", 1),
    "deleted": ("os.unlink(path)\n", None, 1),
    "directory": ("os.unlink(path)\nos.mkdir(path)\n", None, 1),
    "directory-with-file": ("os.unlink(path)\nos.mkdir(path)\nopen(os.path.join(path, 'x'), 'w').write('w')\n",
                            None, 1),
    "fifo": ("os.unlink(path)\nos.mkfifo(path)\n", None, 1),
    "symlink-to-zero": ("os.unlink(path)\nos.symlink('/dev/zero', path)\n", None, 1),
    "symlink-loop": ("os.unlink(path)\nos.symlink(path, path)\n", None, 1),
    "exit-status-after-writing": ("open(path, 'w').write('half of my thoughts\\n')\nsys.exit(3)\n",
                                  b"half of my thoughts\n", 1),
    "exit-status-unchanged": ("sys.exit(1)\n", None, 1),
    "killed-by-signal": ("import signal\nopen(path, 'w').write('typed then killed\\n')\n"
                         "os.kill(os.getpid(), signal.SIGKILL)\n", b"typed then killed\n", 1),
    "too-large": ("open(path, 'wb').write(b'a' * (17 * 1024 * 1024))\n", None, 1),
    "surrogate-escape-bytes": ("open(path, 'wb').write(b'\\xed\\xa0\\x80 lone surrogate\\n')\n",
                               b"\xed\xa0\x80 lone surrogate\n", 1),
    "nul-and-bom": ("open(path, 'wb').write(b'\\xff\\xfeh\\x00i\\x00')\n", b"\xff\xfeh\x00i\x00", 1),
}


def _kept_path(stderr: str) -> Path | None:
    text = stderr.replace("\n", " ")
    m = re.search(r"(?:saved in|kept in|left in) (/\S+?)(?=[:;) ]|$)", text)
    return Path(m.group(1)) if m else None


def _no_crash(result) -> None:
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert "bug" not in result.stderr


@pytest.fixture
def shelf(run, bundled):
    assert run("note", KEY, "the notes before").exit_code == 0
    return run


def _state(run, key: str) -> dict:
    result = run("show", key, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("command", ["note", "edit"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_every_way_the_editor_leaves_the_file_keeps_the_users_bytes(shelf, tmp_path, monkeypatch, command, fault):
    body, kept, code = FAULTS[fault]
    monkeypatch.setenv("EDITOR", _editor(tmp_path, body))
    before = _state(shelf, KEY)
    args = ("note", KEY, "--edit") if command == "note" else ("edit", KEY)
    result = shelf(*args)
    _no_crash(result)
    assert result.exit_code == code, result.stderr
    after = _state(shelf, KEY)
    assert (after["notes"], after["title"], after["revision"]) == (before["notes"], before["title"],
                                                                   before["revision"])
    where = _kept_path(result.stderr)
    if kept is not None:
        assert where is not None and where.read_bytes() == kept, result.stderr
    elif fault.startswith(("directory", "fifo", "symlink")):
        assert where is not None and (where.exists() or where.is_symlink()), result.stderr  # left for the user
    elif fault == "too-large":
        assert where is not None and where.stat().st_size > 16 * 1024 * 1024
        where.unlink()
    else:
        assert "removed the file" in result.stderr or "status" in result.stderr


@pytest.mark.parametrize("command", ["note", "edit"])
@pytest.mark.parametrize("key_kind", ["short", "long", "odd-characters"])
@pytest.mark.parametrize("state", ["writable", "state-dir-is-a-file", "state-dir-read-only"])
def test_a_conflict_keeps_the_text_for_any_key_and_any_state_directory(run, bundled, tmp_path, monkeypatch,
                                                                       command, key_kind, state):
    key = {"short": KEY, "long": LONG, "odd-characters": "a:b/c.d+e"}[key_kind]
    if key != KEY:
        result = run("rekey", KEY, key)
        assert result.exit_code == 0, result.stderr
    state_home = tmp_path / "xdg_state_home"
    if state == "state-dir-is-a-file":
        state_home.mkdir(parents=True, exist_ok=True)
        (state_home / "papershelf").write_text("in the way")
    elif state == "state-dir-read-only":
        monkeypatch.setenv("XDG_STATE_HOME", "/proc/no-such-place")
    write = ("t = open(path).read()\nopen(path, 'w').write(t + 'MY WORDS\\n' if path.endswith('.md') "
             "else t.replace('title = {', 'title = {MY WORDS '))\n")
    monkeypatch.setenv("EDITOR", _editor(tmp_path, _other_writer(key) + write))
    result = run(*(("note", key, "--edit") if command == "note" else ("edit", key)))
    _no_crash(result)
    assert result.exit_code == 6, result.stderr
    where = _kept_path(result.stderr)
    assert where is not None and "MY WORDS" in where.read_text(encoding="utf-8"), result.stderr
    assert len(where.name) < 120
    if state == "writable":
        assert str(state_home) in str(where)
    assert "MY WORDS" not in json.dumps(_state(run, key))


def test_edit_text_that_cannot_be_read_is_kept_without_a_terminal(shelf, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "open(path, 'w').write('@article{k, title = {Open MINE')\n"))
    result = shelf("edit", KEY)
    _no_crash(result)
    assert result.exit_code == 2 and "nothing changed" in result.stderr
    where = _kept_path(result.stderr)
    assert where is not None and where.read_text() == "@article{k, title = {Open MINE"


@pytest.mark.parametrize("var", ["EDITOR", "VISUAL"])
@pytest.mark.parametrize("value", ['"vim', "vim 'a", "   ", "\\"])
@pytest.mark.parametrize("command", ["note", "edit"])
def test_an_editor_variable_that_cannot_be_parsed_is_one_usage_line(shelf, monkeypatch, var, value, command):
    monkeypatch.setenv(var, value)
    result = shelf(*(("note", KEY, "--edit") if command == "note" else ("edit", KEY)))
    _no_crash(result)
    assert result.exit_code == 2, (value, result.stderr)
    assert var in result.stderr and result.stderr.startswith("error:")


def test_no_editor_temp_file_is_left_after_a_good_edit(shelf, tmp_path, monkeypatch):
    import tempfile

    before = set(Path(tempfile.gettempdir()).glob("papershelf-*"))
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "open(path, 'a').write(' more')\n"))
    assert shelf("note", KEY, "--edit").exit_code == 0
    assert set(Path(tempfile.gettempdir()).glob("papershelf-*")) == before


# editors that save the usual ways: the edit is stored, nothing is left behind
GOOD_SAVES = {
    "rename-over": "open(path + '.new', 'w').write(open(path).read() + ' renamed')\nos.replace(path + '.new', path)\n",
    "crlf": "t = open(path, 'rb').read()\nopen(path, 'wb').write(t.replace(b'\\n', b'\\r\\n') + b' crlf\\r\\n')\n",
    "unlink-and-recreate": "t = open(path).read()\nos.unlink(path)\nopen(path, 'w').write(t + ' recreated')\n",
    "truncate-then-write": "t = open(path).read()\nf = open(path, 'r+')\nf.truncate(0)\nf.write(t + ' again')\nf.close()\n",
}


@pytest.mark.parametrize("save", sorted(GOOD_SAVES))
def test_editors_that_save_the_usual_ways_are_stored(shelf, tmp_path, monkeypatch, save):
    monkeypatch.setenv("EDITOR", _editor(tmp_path, GOOD_SAVES[save]))
    result = shelf("note", KEY, "--edit")
    _no_crash(result)
    assert result.exit_code == 0, result.stderr
    assert _state(shelf, KEY)["notes"].startswith("the notes before")


def test_add_edit_keeps_a_record_that_cannot_be_added(shelf, tmp_path, monkeypatch):
    """``add --edit`` goes through the same session: BibTeX that does not parse is kept aside."""
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "open(path, 'w').write('@article{mine, title = {MY UNCLOSED')\n"))
    result = shelf("add", "--edit")
    _no_crash(result)
    assert result.exit_code != 0
    where = _kept_path(result.stderr)
    assert where is not None and "MY UNCLOSED" in where.read_text(), result.stderr
