"""Hostile storage conditions get one honest line, never "a bug" or "run init", and lose nothing:
a lock held too long, a read-only file or directory (reads still work), a full disk, a damaged
file, an empty file, a device or a directory given as --db."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

BIB = "@article{{new{i}, title={{A Fresh Paper Number {i} about {pad}}}, author={{Writer, Ann}}, year={{2024}}}}\n"


def _assert_honest(result, *needles):
    assert result.exit_code != 0
    assert "Traceback" not in result.stderr
    assert "bug" not in result.stderr and "papershelf init" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_a_lock_held_beyond_the_timeout_is_busy_not_a_bug(run, bundled):
    holder = sqlite3.connect(bundled, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run("tag", "hu2022lora", "later", env={"PAPERSHELF_BUSY_TIMEOUT": "0.2"})
        reading = run("show", "hu2022lora", "--json")  # WAL: readers are not blocked
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 7
    _assert_honest(result, "locked by another papershelf process; try again", "PAPERSHELF_BUSY_TIMEOUT")
    assert reading.exit_code == 0 and "later" not in json.loads(reading.stdout)["tags"]
    assert run("tag", "hu2022lora", "later").exit_code == 0  # and once it is free, it works


def test_a_bad_busy_timeout_is_a_usage_error(run, bundled):
    result = run("list", env={"PAPERSHELF_BUSY_TIMEOUT": "soon"})
    assert result.exit_code == 2 and "PAPERSHELF_BUSY_TIMEOUT" in result.stderr


@pytest.mark.parametrize("kind", ["empty", "device", "directory"])
def test_what_cannot_be_a_catalogue_is_refused_not_initialised(run, tmp_path, kind):
    if kind == "empty":
        target = tmp_path / "empty.db"
        target.touch()
    elif kind == "device":
        target = Path(os.devnull)
    else:
        target = tmp_path / "adir"
        target.mkdir()
    result = run("--db", str(target), "list")
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.stderr and "bug" not in result.stderr
    if kind == "empty":
        assert "empty file, not a catalogue" in result.stderr
        assert target.stat().st_size == 0  # left alone
        assert run("--db", str(target), "tag", "x", "y").exit_code == 1
        assert target.stat().st_size == 0
        made = run("--db", str(target), "init", "--empty")  # init is the one command that makes one
        assert made.exit_code == 0, made.stderr
        assert json.loads(run("--db", str(target), "list", "--json").stdout) == []
    elif kind == "device":
        assert "not a regular file" in result.stderr


def test_a_damaged_catalogue_says_so_and_points_at_check_and_restore(run, bundled):
    conn = sqlite3.connect(bundled)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(bundled.read_bytes())
    for offset in range(3 * 4096, min(len(data), 12 * 4096)):
        data[offset] = 0xA5
    bundled.write_bytes(bytes(data))
    result = run("list")
    _assert_honest(result, "is damaged", "db check", "db restore")


# -- read-only: a separate, unprivileged process (root ignores file modes) --------------------

def _unprivileged() -> list[str]:
    """A command prefix running as nobody; it keeps only the right to read (the interpreter may
    live under /root), never the right to write."""
    if os.geteuid() != 0:
        return []  # already unprivileged: chmod is enough
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv is not available to drop root")
    prefix = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups",
              "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
    probe = subprocess.run([*prefix, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot drop root here: {probe.stderr.decode().strip()}")
    return prefix


# The machine's temporary directory, read at import: every test's own (conftest) is root's alone.
_SYSTEM_TMP = tempfile.gettempdir()


@pytest.fixture
def shared_dir():
    """A directory an unprivileged process can reach (pytest's tmp dirs are root's alone)."""
    where = Path(tempfile.mkdtemp(prefix="papershelf-ro-", dir=_SYSTEM_TMP))
    where.chmod(0o755)
    yield where
    shutil.rmtree(where, ignore_errors=True)


_MANY = """
import json, sys
from typer.testing import CliRunner
from papershelf.cli import app
out = []
for args in json.loads(sys.argv[1]):
    r = CliRunner().invoke(app, args)
    out.append({"code": r.exit_code, "stdout": r.stdout, "stderr": r.stderr})
print(json.dumps(out))
"""


def _as_nobody(prefix, catalogue, *commands):
    """Run each command (a list of arguments) as nobody, in one unprivileged interpreter;
    returns (exit code, stdout, stderr) for each."""
    home = catalogue.parent / "home"
    env = {"PATH": os.environ.get("PATH", ""), "PAPERSHELF_DB": str(catalogue), "COLUMNS": "200",
           "XDG_DATA_HOME": str(home), "XDG_CONFIG_HOME": str(home), "XDG_STATE_HOME": str(home),
           "XDG_CACHE_HOME": str(home), "HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([*prefix, sys.executable, "-c", _MANY, json.dumps(list(commands))],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return [(r["code"], r["stdout"], r["stderr"]) for r in json.loads(done.stdout)]


def _make_catalogue(run, path):
    assert run("--db", str(path), "init").exit_code == 0
    path.chmod(0o644)
    assert not path.with_name(path.name + "-wal").exists()


@pytest.mark.parametrize("where", ["file", "directory"])
def test_a_read_only_catalogue_can_be_read_and_refuses_writes_clearly(run, shared_dir, where):
    prefix = _unprivileged()
    catalogue = shared_dir / "cat" / "catalogue.db"
    catalogue.parent.mkdir()
    _make_catalogue(run, catalogue)
    if where == "file":  # a writable directory, a file nobody may write
        catalogue.parent.chmod(0o777)
        catalogue.chmod(0o444)
    else:  # the directory is read-only (the file too, to an unprivileged process)
        catalogue.parent.chmod(0o755)
    before = catalogue.read_bytes()
    out = shared_dir / "out"
    out.mkdir()
    out.chmod(0o777)

    copy = out / "copy.db"
    writes = (["tag", "hu2022lora", "mine"], ["remove", "hu2022lora", "--yes"], ["note", "hu2022lora", "x"])
    (listed, found, shown, exported, backed, checked, *refused) = _as_nobody(
        prefix, catalogue, ["list", "--json"], ["search", "lora", "--json"], ["show", "hu2022lora", "--json"],
        ["export", "bibtex"], ["db", "backup", str(copy)], ["db", "check"], *writes)
    assert listed[0] == 0, listed[2]
    assert len(json.loads(listed[1])) == 26
    assert found[0] == 0 and json.loads(found[1]), found[2]
    assert shown[0] == 0 and json.loads(shown[1])["citekey"] == "hu2022lora"
    assert exported[0] == 0 and "@" in exported[1], exported[2]
    assert backed[0] == 0, backed[2]
    assert sqlite3.connect(copy).execute("SELECT count(*) FROM entries").fetchone()[0] == 26
    assert checked[0] == 0, checked[2]
    for args, (code, _, err) in zip(writes, refused, strict=True):
        assert code == 1, (args, err)
        assert "cannot change" in err and "read-only" in err, err
        assert "bug" not in err and "init" not in err and "Traceback" not in err
    assert catalogue.read_bytes() == before
    for side in catalogue.parent.iterdir():  # SQLite's read-only -wal/-shm may stay: no data in them
        if side == catalogue.parent / "home":  # the XDG dirs _as_nobody gives (caches may be written)
            continue
        assert side.name == "catalogue.db" or side.name.endswith("-shm") or side.stat().st_size == 0, side


# -- a full disk: a tiny tmpfs -----------------------------------------------------------------

@pytest.fixture
def tiny_disk():
    """A 2 MiB filesystem (tmpfs); skipped where mounting is not allowed."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    where = Path(tempfile.mkdtemp(prefix="papershelf-full-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where)],
                             capture_output=True)
    if mounted.returncode != 0:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)
        where.rmdir()


def _fill(disk: Path, leave: int = 0) -> None:
    """Take every free byte of ``disk``, then give back ``leave`` bytes."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))


@pytest.mark.parametrize("room", [0, 160 * 1024], ids=["no-room-at-all", "room-to-open-not-to-write"])
def test_a_full_disk_says_no_space_keeps_everything_and_still_reads(run, tiny_disk, tmp_path, room):
    catalogue = tiny_disk / "catalogue.db"
    assert run("--db", str(catalogue), "init").exit_code == 0
    before = json.loads(run("--db", str(catalogue), "list", "--json").stdout)
    bib = tmp_path / "many.bib"
    bib.write_text("".join(BIB.format(i=i, pad="x" * 400) for i in range(300)))
    _fill(tiny_disk, room)

    imported = run("--db", str(catalogue), "import", "bibtex", str(bib))
    _assert_honest(imported, "no space left", "nothing was changed")
    removed = run("--db", str(catalogue), "remove", "hu2022lora", "--yes")
    _assert_honest(removed)
    assert "no space left" in removed.stderr or "read-only" not in removed.stderr
    # reads still work on the full disk, and nothing was lost or half-written
    listed = run("--db", str(catalogue), "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert json.loads(listed.stdout) == before
    assert run("--db", str(catalogue), "search", "lora").exit_code == 0
    backup = tmp_path / "saved.db"
    assert run("--db", str(catalogue), "db", "backup", str(backup)).exit_code == 0
    assert sqlite3.connect(backup).execute("SELECT count(*) FROM entries").fetchone()[0] == len(before)
    # no backup, part file or journal was left half-written on the full disk
    leftovers = sorted(p.name for p in tiny_disk.iterdir() if not p.name.startswith("filler"))
    assert all(name.startswith("catalogue.db") for name in leftovers), leftovers
    # once there is room again, the catalogue is whole and writable
    (tiny_disk / "filler").unlink()
    assert run("--db", str(catalogue), "db", "check").exit_code == 0
    assert run("--db", str(catalogue), "tag", "hu2022lora", "again").exit_code == 0


def test_sqlite_full_is_what_the_tiny_disk_produces(tiny_disk):
    """The condition above is SQLite's own SQLITE_FULL, not a simulation."""
    conn = sqlite3.connect(tiny_disk / "probe.db", isolation_level=None)
    conn.execute("CREATE TABLE t (x)")
    with pytest.raises(sqlite3.OperationalError) as caught:
        for _ in range(1000):
            conn.execute("INSERT INTO t VALUES (?)", (b"\0" * 4096,))
    conn.close()
    assert caught.value.sqlite_errorname.startswith("SQLITE_FULL"), caught.value.sqlite_errorname
    assert sys.version_info >= (3, 11)
