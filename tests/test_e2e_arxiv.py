"""The installed ``papershelf`` talking to the replay server from a separate process, as a user
runs it (the server is on 127.0.0.1; PAPERSHELF_ARXIV_URL points there)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import installed_script

pytestmark = pytest.mark.e2e


def papershelf(*args, input=None):
    return subprocess.run([installed_script(), *args], capture_output=True, text=True, input=input,
                          env=dict(os.environ), timeout=120)


def test_add_then_sync_from_the_installed_script(isolated_home, arxiv_server):
    assert papershelf("init", "--empty").returncode == 0
    added = papershelf("add", "2302.05543", "https://arxiv.org/abs/2106.09685v2", "arXiv:2208.12242")
    assert added.returncode == 0, added.stderr
    assert [line.split()[0] for line in added.stdout.splitlines()] == ["added"] * 3
    assert "Traceback" not in added.stderr and len(arxiv_server.requests) == 1

    arxiv_server.revise("2302.05543", journal_ref="ICCV 2023")
    synced = papershelf("sync", "--json")
    assert synced.returncode == 0, synced.stderr
    report = {e["arxiv_id"]: e for e in json.loads(synced.stdout)["entries"]}
    assert report["2302.05543"]["changes"][0]["text"] == (
        "now published: ICCV 2023 → @inproceedings: IEEE/CVF International Conference on Computer Vision")
    assert report["2106.09685"]["status"] == "unchanged"

    shown = json.loads(papershelf("show", "zhang2023adding", "--json").stdout)
    assert shown["type"] == "inproceedings" and shown["journal_ref"] == "ICCV 2023"
    assert shown["booktitle"] == "IEEE/CVF International Conference on Computer Vision" and shown["year"] == 2023
    assert shown["arxiv_id"] == "2302.05543"


def test_unreachable_arxiv_from_the_installed_script(isolated_home, arxiv_refused):
    papershelf("init", "--empty")
    result = papershelf("add", "2302.05543")
    assert result.returncode == 4
    assert "connection refused" in result.stderr and "Traceback" not in result.stderr
