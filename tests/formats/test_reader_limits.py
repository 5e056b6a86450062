"""Bounded memory in the .bib reader: doubling @strings, a huge field and an oversized file are
reported (or refused) instead of eating the machine's memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import installed_script
from papershelf.formats.bibtex import reader
from papershelf.formats.bibtex.reader import MAX_INPUT_BYTES, BibTooLargeError, read_string

PEAK_LIMIT_MB = 300

# Runs the installed script as its own child and prints that child's peak RSS (KiB on Linux),
# so what earlier tests ran in this process does not count.
_MEASURE = """
import json, resource, subprocess, sys
p = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)
print(json.dumps({"rc": p.returncode, "out": p.stdout, "err": p.stderr,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def _import(tmp_path: Path, *files: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _MEASURE, installed_script(), "import", "bibtex", *map(str, files), "--no-autotag", "--json"],
                          capture_output=True, text=True, timeout=180, check=True)
    return json.loads(done.stdout)


def _doubling(levels: int = 30) -> str:
    lines = ['@string{a0 = "xx"}']
    lines += [f"@string{{a{i} = a{i - 1} # a{i - 1}}}" for i in range(1, levels)]
    lines.append(f"@article{{big, title = a{levels - 1}, author = {{A. Author}}, year = 2020}}")
    lines.append("@article{fine, title = {A fine title} # a3, author = {B. Author}, year = 2021}")
    return "\n".join(lines) + "\n"


def test_doubling_strings_are_capped_in_process():
    result = read_string(_doubling())
    keys = [e.citekey for e in result.entries]
    assert keys == ["fine"]  # the rest of the file is imported
    assert result.entries[0].title.endswith("x" * 16)
    text = [str(p) for p in result.problems]
    # a19 is 2**20 characters, exactly the limit; a20 would pass it
    assert any("@string 'a20'" in t and t.startswith("line 21") for t in text), text
    assert not any("'a19'" in t for t in text), text
    assert any(p.key == "big" and "skipped" in p.message for p in result.problems), text


def test_doubling_strings_import_with_bounded_memory(tmp_path):
    bib = tmp_path / "doubling.bib"
    bib.write_text(_doubling())
    run = _import(tmp_path, bib)
    assert run["rc"] == 0, run["err"]
    report = json.loads(run["out"])
    assert report["added"] == ["fine"]
    assert any(p["key"] == "big" for p in report["problems"])
    assert run["maxrss_kb"] / 1024 < PEAK_LIMIT_MB, run["maxrss_kb"]


def test_huge_field_is_reported_and_its_entry_skipped(tmp_path):
    bib = tmp_path / "huge.bib"
    with bib.open("w") as f:
        f.write("@article{small1, title = {Before}, author = {A. Author}, year = 2020}\n")
        f.write("@article{huge, title = {Huge}, year = 2020, note = {")
        chunk = "lorem ipsum " * 100_000
        for _ in range(50 * 1024 * 1024 // len(chunk)):
            f.write(chunk)
        f.write("}}\n@article{small2, title = {After}, author = {B. Author}, year = 2021}\n")
    run = _import(tmp_path, bib)
    assert run["rc"] == 0, run["err"]
    report = json.loads(run["out"])
    assert sorted(report["added"]) == ["small1", "small2"]
    problem = next(p for p in report["problems"] if p["key"] == "huge")
    assert problem["line"] == 2 and "'note'" in problem["message"] and "skipped" in problem["message"]
    assert run["maxrss_kb"] / 1024 < PEAK_LIMIT_MB, run["maxrss_kb"]


def test_value_at_the_limit_is_kept_whole_and_one_over_is_not():
    at = "y" * reader.MAX_VALUE_CHARS
    assert reader.resolve("{" + at + "}", {}, set()) == at
    assert reader.resolve('"' + at[:10] + '" # m', {"m": at[10:]}, set()) == at
    with pytest.raises(reader.TooLarge):
        reader.resolve("{" + at + "z}", {}, set())
    with pytest.raises(reader.TooLarge):
        reader.resolve('"z" # m', {"m": at}, set())


def test_oversized_file_exits_2_and_imports_nothing(tmp_path, run, default_db):
    ok = tmp_path / "ok.bib"
    ok.write_text("@article{okprobe, title = {Fine}, author = {A. Author}, year = 2020}\n")
    big = tmp_path / "big.bib"
    with big.open("wb") as f:  # sparse: no disk or memory used, only its size is looked at
        f.truncate(MAX_INPUT_BYTES + 1)
    result = run("import", "bibtex", str(ok), str(big), "--no-autotag")
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "big.bib" in errors[0] and "limit" in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    listed = run("list")
    assert "okprobe" not in listed.stdout and listed.exit_code == (0 if listed.stdout else 1)


def test_oversized_text_is_refused():
    class Huge(str):
        def __len__(self) -> int:
            return MAX_INPUT_BYTES + 1

    with pytest.raises(BibTooLargeError):
        read_string(Huge("@misc{k, title = {T}}"))
