"""Every ``.aux`` input has a type and a size limit (``formats/latex_aux.py``): only regular files,
read a line at a time, bounded in bytes, line length, depth, files and keys; a refusal is one
line, exit 2, and never blocks; the report of missing keys is bounded."""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import installed_script
from hostile_nodes import make_node
from papershelf.errors import NotFoundError, UsageError
from papershelf.formats import latex_aux
from papershelf.formats.latex_aux import cited_keys


def _node(kind: str, tmp_path) -> str:
    return str(make_node(kind, tmp_path / f"{kind.strip('/').replace('/', '-')}.aux"))


NODES = ["fifo", "directory", "socket", "symlink-to-zero", "symlink-to-fifo", "symlink-loop", "/dev/zero",
         "/dev/null", "/dev/urandom", "/dev/full"]


@pytest.mark.parametrize("kind", NODES)
def test_only_regular_files_are_read(tmp_path, kind):
    with pytest.raises(UsageError):
        cited_keys(_node(kind, tmp_path))


def test_a_missing_file_is_not_found(tmp_path):
    with pytest.raises(NotFoundError):
        cited_keys(tmp_path / "nope.aux")


@pytest.mark.parametrize("command", [["export", "bibtex"], ["check"]])
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "symlink-to-zero", "directory"])
def test_the_cli_refuses_them_at_once(bundled, tmp_path, command, kind):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg_data_home"),
           "XDG_CACHE_HOME": str(tmp_path / "xdg_cache_home"), "XDG_STATE_HOME": str(tmp_path / "xdg_state_home")}
    result = subprocess.run([installed_script(), *command, "--aux", _node(kind, tmp_path)], capture_output=True,
                            text=True, timeout=120, env=env)
    assert result.returncode == 2, result.stderr
    assert "unexpected" not in result.stderr and "MemoryError" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.lower().startswith("error:")]) == 1


def test_an_input_that_is_not_a_file_is_skipped_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.aux")
    (tmp_path / "main.aux").write_text("\\citation{a}\n\\@input{pipe.aux}\n\\@input{../../../../dev/zero}\n"
                                       "\\citation{b}\n")
    assert cited_keys(tmp_path / "main.aux") == ["a", "b"]


def test_a_line_longer_than_the_limit_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "long.aux"
    with open(path, "wb") as fh:  # a sparse 300 MB file of NUL bytes: refused by its size at once
        fh.truncate(300 * 1024 * 1024)
    with pytest.raises(UsageError, match="larger than"):
        cited_keys(path)
    with open(path, "wb") as fh:  # 50 MB, under the size limit: one line, refused at its first MB
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(UsageError, match="line 1 is longer"):
        cited_keys(path)
    path.write_text("\\citation{a}\n\\citation{" + "k" * (latex_aux.MAX_AUX_LINE + 10) + "}\n")
    with pytest.raises(UsageError, match="line 2 is longer"):
        cited_keys(path)


@pytest.mark.parametrize("limit,name", [("MAX_AUX_BYTES", "larger than"), ("MAX_AUX_TOTAL_BYTES", "hold more than")])
def test_a_file_or_a_document_over_the_size_limit_is_refused(tmp_path, monkeypatch, limit, name):
    monkeypatch.setattr(latex_aux, limit, 10_000)
    for i in range(3):
        (tmp_path / f"p{i}.aux").write_text("".join(f"\\citation{{p{i}k{j}}}\n" for j in range(1000)))
    (tmp_path / "main.aux").write_text("".join(f"\\@input{{p{i}.aux}}\n" for i in range(3)))
    target = tmp_path / ("p0.aux" if limit == "MAX_AUX_BYTES" else "main.aux")
    with pytest.raises(UsageError, match=name):
        cited_keys(target)


def test_more_keys_than_the_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(latex_aux, "MAX_CITED_KEYS", 100)
    path = tmp_path / "many.aux"
    path.write_text("\\citation{" + ",".join(f"k{i}" for i in range(100)) + "}\n\\citation{k0,k1}\n")
    assert len(cited_keys(path)) == 100  # repeats are not new keys
    path.write_text(path.read_text() + "\\citation{one-more}\n")
    with pytest.raises(UsageError, match="more than 100"):
        cited_keys(path)


def test_the_missing_key_report_is_a_count_and_the_first_twenty(run, bundled, tmp_path):
    aux = tmp_path / "doc.aux"
    aux.write_text("\\citation{hu2022lora}\n" + "".join(f"\\citation{{absent{i:03d}}}\n" for i in range(500)))
    result = run("export", "bibtex", "--aux", str(aux))
    assert result.exit_code == 0
    [line] = [line for line in result.stderr.splitlines() if "not in the catalogue" in line]
    assert line.startswith("warning: 500 cited key(s)") and "absent019" in line and "absent020" not in line
    assert line.endswith("… and 480 more")


def test_watch_refuses_a_runaway_line_with_one_line(bundled, tmp_path):
    aux = tmp_path / "doc.aux"
    aux.write_bytes(b"\\citation{hu2022lora}\n\\citation{" + b"x" * (2 * latex_aux.MAX_AUX_LINE) + b"}\n")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg_data_home"),
           "XDG_CACHE_HOME": str(tmp_path / "xdg_cache_home"), "XDG_STATE_HOME": str(tmp_path / "xdg_state_home")}
    result = subprocess.run([installed_script(), "export", "bibtex", "--aux", str(aux), "-o", str(tmp_path / "r.bib"),
                             "--watch"], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 2 and "is longer than" in result.stderr, result.stderr


@pytest.mark.parametrize("kind", ["fifo", "directory", "symlink-to-zero"])
def test_watch_refuses_an_aux_that_is_not_a_file_instead_of_waiting(bundled, tmp_path, kind):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg_data_home"),
           "XDG_CACHE_HOME": str(tmp_path / "xdg_cache_home"), "XDG_STATE_HOME": str(tmp_path / "xdg_state_home")}
    result = subprocess.run([installed_script(), "export", "bibtex", "--aux", _node(kind, tmp_path), "-o",
                             str(tmp_path / "r.bib"), "--watch"], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 2, result.stderr  # a directory: the option parser's own message
    assert "not a regular file" in result.stderr or "is a directory" in result.stderr, result.stderr
