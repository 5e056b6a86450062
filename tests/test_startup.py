"""Startup: the everyday commands must not pay for arxiv, requests, bibtexparser or pydantic."""

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("arxiv", "requests", "bibtexparser", "pydantic", "lxml", "sqlite_utils")
# Parts of papershelf (and the stdlib) only some commands need: recovery, backups, the TOML of the
# topic rules (read for tag filters and when entries are added, not for every search).
NOT_AT_STARTUP = ("papershelf.services.maintenance", "papershelf.storage.integrity",
                  "papershelf.storage.backups", "papershelf.services.edit", "tomllib",
                  "papershelf.model.identifiers", "papershelf.model.identity")

PROBE = """
import json, sys
sys.argv = ["papershelf", *json.loads(sys.argv[1])]
from papershelf.cli import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\nMODULES=" + json.dumps(sorted(sys.modules)) + "\\n")
"""


@pytest.mark.parametrize("args", [["--help"], ["list", "--limit", "20"], ["search", "lora"],
                                  ["search", "蒸餾", "--json"], ["show", "hu2022lora"]])
def test_everyday_commands_import_nothing_heavy(bundled, args):
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True,
                            text=True, env=os.environ.copy(), timeout=60)
    line = [ln for ln in result.stderr.splitlines() if ln.startswith("MODULES=")][-1]
    loaded = set(json.loads(line[len("MODULES="):]))
    assert result.stdout.strip(), result.stderr
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert heavy == [], f"papershelf {' '.join(args)} imported {heavy}"
    if args != ["--help"]:
        extra = sorted(set(NOT_AT_STARTUP) & loaded)
        assert extra == [], f"papershelf {' '.join(args)} imported {extra}"


def test_pipes_do_not_load_rich_tables(bundled):
    """Into a pipe, list/search print plain lines; Rich's table machinery is not imported."""
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(["search", "lora"])],
                            capture_output=True, text=True, timeout=60)
    loaded = set(json.loads(result.stderr.split("MODULES=")[-1]))
    assert "rich.table" not in loaded
    assert result.stdout.startswith("hu2022lora\t")
