"""Two processes taking automatic backups in the same second never share a temporary file or a
name (``storage/backups.py``: ``files.temp_name`` and an exclusive claim of the final name)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import installed_script

_BACKUPS = """
import sys
from pathlib import Path
from papershelf.storage import backups
from papershelf.storage.db import connect
path = Path(sys.argv[1])
conn = connect(path)
made = [str(backups.backup(conn, path, "before-test", keep=1000)) for _ in range(int(sys.argv[2]))]
print("\\n".join(made))
"""


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "XDG_DATA_HOME": str(home / "xdg_data_home"), "XDG_STATE_HOME": str(home / "xdg_state_home"),
            "XDG_CACHE_HOME": str(home / "xdg_cache_home"), "XDG_CONFIG_HOME": str(home / "xdg_config_home"),
            "PAPERSHELF_BUSY_TIMEOUT": "60"}


@pytest.mark.parametrize("processes", [2, 3])
def test_concurrent_automatic_backups_each_get_their_own_file(bundled, tmp_path, processes):
    n = 8
    procs = [subprocess.Popen([sys.executable, "-c", _BACKUPS, str(bundled), str(n)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=_env(tmp_path)) for _ in range(processes)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * processes, [e for _, e in outs]
    made = [line for out, _ in outs for line in out.split()]
    assert len(made) == len(set(made)) == n * processes
    assert all(Path(m).stat().st_size > 0 for m in made)
    assert not list(bundled.parent.glob(".*.part"))  # no temporary file left behind


def test_two_concurrent_removes_never_fail_on_the_backup(bundled, tmp_path):
    listed = subprocess.run([installed_script(), "list", "--json"], capture_output=True, text=True,
                            env=_env(tmp_path), timeout=120)
    keys = [e["citekey"] for e in json.loads(listed.stdout)][:12]
    script = ("import subprocess, sys\n"
              "bad = 0\n"
              "for key in sys.argv[2:]:\n"
              "    r = subprocess.run([sys.argv[1], 'remove', key, '--yes'], capture_output=True, text=True)\n"
              "    if r.returncode:\n"
              "        bad += 1\n"
              "        print(r.stderr, file=sys.stderr)\n"
              "sys.exit(bad)\n")
    halves = [keys[0::2], keys[1::2]]
    procs = [subprocess.Popen([sys.executable, "-c", script, installed_script(), *half], stderr=subprocess.PIPE,
                              text=True, env=_env(tmp_path)) for half in halves]
    errors = [p.communicate(timeout=600)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    left = subprocess.run([installed_script(), "list", "--json"], capture_output=True, text=True,
                          env=_env(tmp_path), timeout=120)
    assert not set(keys) & {e["citekey"] for e in json.loads(left.stdout)}
