"""The installed console script, end to end, as a new user runs it."""

import json
import os
import subprocess
import sys

import pytest

from conftest import installed_script

pytestmark = pytest.mark.e2e


def papershelf(*args, env=None, input=None):
    return subprocess.run([installed_script(), *args], capture_output=True, text=True, input=input,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_first_minute(isolated_home):
    first = papershelf("search", "lora")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("hu2022lora\t")
    assert "Created your catalogue" in first.stderr
    for args in (["list"], ["show", "ho2020denoising"], ["tags"], ["stats"]):
        result = papershelf(*args)
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert "Denoising Diffusion Probabilistic Models" in papershelf("show", "ho2020denoising").stdout


def test_json_parses_on_the_creating_run(isolated_home):
    result = papershelf("list", "--json")
    data = json.loads(result.stdout)
    assert len(data) == 26
    assert set(data[0]) >= {"citekey", "type", "title", "authors", "year", "arxiv_id", "doi", "tags"}


def test_python_dash_m(isolated_home):
    result = subprocess.run([sys.executable, "-m", "papershelf", "search", "蒸餾"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.startswith("fan2025survey\t")


def test_exit_codes_for_scripts(isolated_home, tmp_path):
    assert papershelf("show", "nope").returncode == 3
    assert papershelf("search", '"open').returncode == 2
    assert papershelf("--db", str(tmp_path / "missing.db"), "list").returncode == 3
    assert papershelf("no-such-command").returncode == 2
    assert papershelf("--version").returncode == 0
