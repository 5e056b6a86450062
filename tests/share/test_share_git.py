"""The git of a share (``services.share_git``): missing, slow, or failing git is one line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from papershelf.cli import app
from papershelf.services.share_git import Git, GitError

runner = CliRunner()


def test_missing_git_is_one_line(tmp_path, monkeypatch):
    db = tmp_path / "x.db"
    runner.invoke(app, ["--db", str(db), "init", "--empty"])
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    result = runner.invoke(app, ["--db", str(db), "share", "init", str(tmp_path)])
    assert result.exit_code == 1 and "git is not installed" in result.output
    assert "Traceback" not in result.output


def test_a_git_that_hangs_is_stopped(tmp_path, monkeypatch):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text("#!/bin/sh\nsleep 30\n")
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:/usr/bin:/bin")
    with pytest.raises(GitError, match="was stopped"):
        Git(tmp_path, timeout=0.5).run("status")


def test_a_failing_git_says_what_git_said(tmp_path):
    with pytest.raises(GitError, match="not a git repository"):
        Git(tmp_path).run("log")
