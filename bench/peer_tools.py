"""The tools bench_peers.py compares: how each is installed, set up and asked to do each workload.

Each peer lives in its own virtual environment (installed from PyPI by ``install``; nothing of
theirs is in the project) with its own HOME and XDG directories, so no tool sees another's files
or the user's. A workload is an argv run with stdout to a file: what a user types, not an API call.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

RARE_QUERY_WORD = "Quagliariello"  # bibgen.RARE_SURNAME; repeated so this module needs no import
MORE = 2000  # entries of another seed imported into an empty and into the full catalogue

REPO = Path(__file__).resolve().parents[1]
# What each venv gets (the parser pins are the peers' own requirements, not choices of ours).
# papershelf gets one too, this checkout installed editable: a venv reads no .pth file of the
# base interpreter's site-packages, so neither papershelf nor its floors pay for one (a pyenv
# or system interpreter may import packages from one at every start: see ``site_imports``).
SPECS = {
    "papershelf": ["-e", str(REPO)],
    "papis": ["papis==0.16.*"],
    "pubs": ["pubs==0.9.*", "bibtexparser<2"],  # pubs 0.9 does not start with bibtexparser 2
    "cobib": ["cobib==6.0.*"],
}
TRIM = {"papis": {"papis", "bibtexparser", "pylatexenc"}, "pubs": {"pubs", "bibtexparser", "pyparsing"},
        "cobib": {"cobib", "bibtexparser", "pylatexenc"}}
_PAPIS_BUILD_LOCK = threading.Lock()  # the two papis backends build one library
# "floor": a Python process that only imports sqlite3, the least any of these can take (issue 11)
ALL_TOOLS = ["floor", "papershelf", "papis", "papis-sqlite", "pubs", "cobib"]

# papis's library is built untimed by its own add code (its CLI import of 10,000 entries takes
# far over the cap): this runs inside papis's venv. Its duplicate check is skipped (the generated
# entries are distinct by construction) and so is the per-document cache write; the ID check
# queries nothing for the same reason. The cache is then dropped and rebuilt by papis itself.
PAPIS_BUILD = """
import functools, sys
import papis.bibtex, papis.commands.add, papis.database, papis.logging, papis.plugin, papis.utils
def no_duplicate(doc):
    raise IndexError
papis.utils.locate_document_in_lib = no_duplicate
papis.plugin.get_plugin_names = functools.lru_cache(None)(papis.plugin.get_plugin_names)
db = papis.database.get()
db.add = lambda doc: None
db.query_dict = lambda query: []
with open(sys.argv[1], encoding="utf-8") as fh:
    docs = papis.bibtex.bibtex_to_dict(fh.read())
with papis.logging.quiet("papis.commands.add"):
    for doc in docs:
        papis.commands.add.run([], data=doc, batch=True)
print(len(docs))
"""


def install(venvs: Path, name: str) -> Path:
    """The venv of tool ``name`` under ``venvs``, created and filled from PyPI if missing."""
    venv = venvs / name
    exe = venv / "bin" / name
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    if not exe.exists() or (name == "papershelf" and not _runs_this_checkout(venv)):
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *SPECS[name]],
                       check=True)
    return venv


def _runs_this_checkout(venv: Path) -> bool:
    """Whether papershelf in ``venv`` is this checkout's (a venv made by another clone is not)."""
    found = subprocess.run([str(venv / "bin" / "python"), "-c", "import papershelf; print(papershelf.__file__)"],
                           capture_output=True, text=True).stdout.strip()
    return bool(found) and Path(found).resolve().is_relative_to(REPO)


def freeze(venv: Path, name: str) -> list[str]:
    """The tool's own line and its parser's from ``pip freeze`` of its venv."""
    out = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "freeze"], capture_output=True,
                         text=True, check=True).stdout
    return [line for line in out.splitlines()
            if line.split("==")[0].lower().replace("_", "-") in TRIM[name]]


def isolated_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of one tool: its own HOME and XDG dirs, none of the user's settings."""
    # Every tool writes its compiled bytecode as an installed program does: a harness that sets
    # PYTHONDONTWRITEBYTECODE would make papershelf (installed editable) compile every module on
    # every run, while the peers' venvs have theirs from pip.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PAPERSHELF", "_PAPERSHELF", "PAPIS", "XDG_", "PUBS"))
           and k != "PYTHONDONTWRITEBYTECODE"}
    for sub in ("config", "data", "cache", "state"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               XDG_CACHE_HOME=str(home / "cache"), XDG_STATE_HOME=str(home / "state"),
               LANG="C.UTF-8", LC_ALL="C.UTF-8", COLUMNS="100", LINES="24", PAGER="cat",
               NO_COLOR="1", EDITOR="true", VISUAL="true")
    env.update(extra or {})
    return env


@dataclass
class Tool:
    """One tool at one size: its files, and the argv of each workload it supports."""

    name: str
    home: Path
    bib: Path
    exe: Path
    env: dict[str, str] = field(default_factory=dict)
    # workload -> argv; stdout_file: the workload's stdout goes there (export to stdout)
    stdout_file: dict[str, Path] = field(default_factory=dict)
    imported: bool = False  # the latest timed import finished: its library serves the rest

    @property
    def out(self) -> Path:
        return self.home / "export.bib"

    def prepare_import(self) -> None:
        """An empty library, untimed, before each timed import."""

    def build(self, cap: float) -> bool:
        """The library searched and exported (after the timed imports), untimed; False when
        building it took over ``cap`` seconds (it was stopped: its reads are not measured)."""
        return True

    def argv(self, workload: str) -> list[str] | None:
        """The command of ``workload``, or None when the tool has no such thing."""
        raise NotImplementedError

    def before(self, workload: str) -> None:
        """Untimed, before each run of ``workload``: an export starts with no output file."""
        if workload == "export":
            self.out.unlink(missing_ok=True)

    def workload_env(self, workload: str) -> dict[str, str]:
        return self.env

    def export_text(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace") if self.out.exists() else ""


class Papershelf(Tool):
    def __init__(self, home: Path, bib: Path, exe: Path, more: Path | None = None) -> None:
        super().__init__("papershelf", home, bib, exe)
        self.db = home / "catalogue.db"
        self.env = isolated_env(home, {"PAPERSHELF_DB": str(self.db)})
        self.tag = ""
        self.key = ""
        self.more = more  # MORE entries (another seed) imported into an empty or the full catalogue
        self.scratch = home / "scratch.db"  # the catalogue those writes go to (made before each run)

    def run(self, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.exe), *args], env=self.env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=timeout)

    def prepare_import(self) -> None:
        for path in self.db.parent.glob(self.db.name + "*"):
            path.unlink()
        self.run("init", "--empty").check_returncode()

    def build(self, cap: float) -> bool:
        if not self.imported:  # the timed imports were capped or skipped
            self.prepare_import()
            if not _within(cap, lambda t: self.run("import", "bibtex", str(self.bib), timeout=t)):
                return False
        tags = self.run("tags").stdout.split()
        self.tag = tags[0] if tags else "none"  # the largest tag first
        return True

    def argv(self, workload: str) -> list[str] | None:
        ps = str(self.exe)
        into = ["--db", str(self.scratch)]
        return {
            "import": [ps, "import", "bibtex", str(self.bib)],
            "search": [ps, "search", RARE_QUERY_WORD],
            "search --limit 20": [ps, "search", RARE_QUERY_WORD, "--limit", "20"],
            "export": [ps, "export", "bibtex", "-o", str(self.out)],
            "export (repeat)": [ps, "export", "bibtex", "-o", str(self.out)],
            f"import {MORE:,} into empty": [ps, *into, "import", "bibtex", str(self.more)] if self.more else None,
            f"import {MORE:,} into N": [ps, *into, "import", "bibtex", str(self.more)] if self.more else None,
            "add one into N": [ps, *into, "add", "--title", "A Paper Added By Hand To A Full Catalogue",
                               "--author", "Zyx, Quentin", "--year", "2026", "--type", "misc"],
            "--help": [ps, "--help"],
            "show": [ps, "show", self.key],
            "show (tty)": [ps, "show", self.key],
            "list --tag": [ps, "list", "--tag", self.tag],
            "list (tty)": [ps, "list"],
            "TAB completion": [ps],
        }.get(workload)

    def before(self, workload: str) -> None:
        """Untimed: the catalogue a write workload changes, made afresh for each run (empty, or
        a copy of the full one); an export starts with no output file."""
        super().before(workload)
        if workload.endswith(" into empty") or workload.endswith(" into N"):
            for path in self.scratch.parent.glob(self.scratch.name + "*"):
                path.unlink()
            if workload.endswith(" into N"):
                shutil.copyfile(self.db, self.scratch)  # closed and checkpointed: the file is whole
            else:
                self.run("--db", str(self.scratch), "init", "--empty").check_returncode()

    def completion_prefix(self) -> str:
        """What the user has typed before TAB: the name and year part of ``self.key``."""
        match = re.match(r"[a-z]+\d{4}", self.key)
        return match.group(0) if match else self.key[:3]

    def workload_env(self, workload: str) -> dict[str, str]:
        if workload == "export":  # the first export: no cache of rendered entries to read back
            return {**self.env, "PAPERSHELF_CACHE_DAYS": "0"}
        if workload != "TAB completion":
            return self.env
        words = f"papershelf show {self.completion_prefix()}"
        return {**self.env, "_PAPERSHELF_COMPLETE": "complete_bash", "COMP_WORDS": words,
                "COMP_CWORD": "2"}


class Papis(Tool):
    """papis 0.16 with its default pickle cache, or (``sqlite=True``) its SQLite FTS backend."""

    def __init__(self, home: Path, bib: Path, venv: Path, library: Path, sqlite: bool) -> None:
        super().__init__("papis-sqlite" if sqlite else "papis", home, bib, venv / "bin" / "papis")
        self.venv, self.library, self.sqlite = venv, library, sqlite
        self.env = isolated_env(home)
        self.import_lib = home / "import-lib"
        self._config(library)

    def _config(self, library: Path) -> None:
        # papis init is interactive: write the config file it would write.
        cfg = self.home / "config" / "papis"
        cfg.mkdir(parents=True, exist_ok=True)
        backend = "sqlite" if self.sqlite else "papis"
        (cfg / "config").write_text(
            f"[settings]\ndefault-library = bench\ndatabase-backend = {backend}\n\n"
            f"[bench]\ndir = {library}\n", encoding="utf-8")
        shutil.rmtree(self.home / "cache", ignore_errors=True)
        (self.home / "cache").mkdir()

    def prepare_import(self) -> None:
        shutil.rmtree(self.import_lib, ignore_errors=True)
        self.import_lib.mkdir(parents=True)
        self._config(self.import_lib)

    def build(self, cap: float) -> bool:
        # built once per size: both backends share the documents (the other one waits)
        stamp = self.library / ".built"
        with _PAPIS_BUILD_LOCK:
            if not stamp.exists() and not self._build_library(stamp, cap):
                return False
        self._config(self.library)
        shutil.rmtree(self.import_lib, ignore_errors=True)
        # papis builds its cache (pickle or SQLite) on the first command: untimed, here.
        return _within(cap, lambda t: subprocess.run(
            [str(self.exe), "list", "--all", "--format", "{doc[ref]}", RARE_QUERY_WORD], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, timeout=t))

    def _build_library(self, stamp: Path, cap: float) -> bool:
        shutil.rmtree(self.library, ignore_errors=True)
        self.library.mkdir(parents=True)
        self._config(self.library)
        if not _within(cap, lambda t: subprocess.run(
                [str(self.venv / "bin" / "python"), "-c", PAPIS_BUILD, str(self.bib)], env=self.env,
                check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, timeout=t)):
            return False
        stamp.write_text("done\n")
        return True

    def argv(self, workload: str) -> list[str] | None:
        papis = str(self.exe)
        everything = ["*"] if self.sqlite else []  # the default query "." is an FTS5 syntax error
        return {
            # the sqlite run shares the import path with the default one
            "import": None if self.sqlite else [papis, "bibtex", "read", str(self.bib), "import",
                                                "--all", "--batch"],
            "search": [papis, "list", "--all", "--format", "{doc[ref]}", RARE_QUERY_WORD],
            "export": [papis, "export", "--all", "--format", "bibtex", "-o", str(self.out),
                       *everything],
            "--help": [papis, "--help"],
        }.get(workload)


class Pubs(Tool):
    def __init__(self, home: Path, bib: Path, venv: Path) -> None:
        super().__init__("pubs", home, bib, venv / "bin" / "pubs")
        self.env = isolated_env(home)
        self.conf, self.repo = home / "pubsrc", home / "repo"
        self.stdout_file["export"] = self.out  # pubs export writes to stdout

    def _pubs(self) -> list[str]:
        return [str(self.exe), "-c", str(self.conf)]

    def prepare_import(self) -> None:
        shutil.rmtree(self.repo, ignore_errors=True)
        self.conf.unlink(missing_ok=True)
        subprocess.run([*self._pubs(), "init", "-p", str(self.repo)], env=self.env, check=True,
                       capture_output=True, stdin=subprocess.DEVNULL)

    def build(self, cap: float) -> bool:
        if not self.imported:  # the timed imports were capped or skipped
            self.prepare_import()
            return _within(cap, lambda t: subprocess.run([*self._pubs(), "import", str(self.bib)], env=self.env,
                                                          capture_output=True, stdin=subprocess.DEVNULL, timeout=t))
        return True

    def argv(self, workload: str) -> list[str] | None:
        return {
            "import": [*self._pubs(), "import", str(self.bib)],
            # pubs has no free-text query: a bare word is "Invalid query"
            "search": [*self._pubs(), "list", f"author:{RARE_QUERY_WORD}"],
            "export": [*self._pubs(), "export"],
            "--help": [str(self.exe), "--help"],
        }.get(workload)


class Cobib(Tool):
    def __init__(self, home: Path, bib: Path, venv: Path) -> None:
        super().__init__("cobib", home, bib, venv / "bin" / "cobib")
        self.env = isolated_env(home)
        self.database = home / "data" / "cobib" / "literature.yaml"
        # coBib prints its whole changelog once per new version: let that happen untimed
        subprocess.run([str(self.exe), "--version"], env=self.env, capture_output=True,
                       stdin=subprocess.DEVNULL)

    def prepare_import(self) -> None:
        self.database.unlink(missing_ok=True)
        subprocess.run([str(self.exe), "init"], env=self.env, check=True, capture_output=True,
                       stdin=subprocess.DEVNULL)

    def build(self, cap: float) -> bool:
        if not self.imported:  # the timed imports were capped or skipped
            self.prepare_import()
            return _within(cap, lambda t: subprocess.run([str(self.exe), "add", "-b", str(self.bib)], env=self.env,
                                                          capture_output=True, stdin=subprocess.DEVNULL, timeout=t))
        return True

    def argv(self, workload: str) -> list[str] | None:
        cobib = str(self.exe)
        return {
            "import": [cobib, "add", "-b", str(self.bib)],
            "search": [cobib, "search", RARE_QUERY_WORD],
            # coBib's exporter appends to an existing file: before() removes it first
            "export": [cobib, "export", "--bibtex", str(self.out)],
            "--help": [cobib, "--help"],
        }.get(workload)


class Floor(Tool):
    """The process floor, timed beside the tools so that their numbers can be read as multiples
    of it on a busy machine, run by the interpreter papershelf's console script runs in (its
    ``#!`` line: the python of papershelf's venv). As ``--help``, an argparse script with
    papershelf's global options and commands (``FLOOR_HELP``: the least a Python program with
    the same ``--help`` can take); as ``search``, a script that runs the FTS query papershelf's
    ``search`` runs (``search_sql``) on papershelf's catalogue and prints the keys; beside a TAB
    completion, ``python -c 'import sqlite3'``."""

    def __init__(self, home: Path, bib: Path) -> None:
        super().__init__("floor", home, bib, papershelf_python())
        self.env = isolated_env(home)
        self.db: Path | None = None  # papershelf's catalogue at this size, once built
        self.sql: tuple[str, list[str]] | None = None
        self.commands = json.dumps(papershelf_commands())

    def argv(self, workload: str) -> list[str] | None:
        if workload == "--help":
            return [str(self.exe), "-c", FLOOR_HELP, self.commands, "--help"]
        if workload == "TAB completion":  # the interpreter's start, with sqlite3 loaded
            return [str(self.exe), "-c", "import sqlite3"]
        if workload == "search" and self.db is not None and self.sql is not None:
            sql, params = self.sql
            return [str(self.exe), "-c", FLOOR_SEARCH, str(self.db), sql, *params]
        return None


# The argparse --help: papershelf's global options and its commands with their one-line help.
FLOOR_HELP = """
import argparse, json, sys
commands = json.loads(sys.argv.pop(1))
ap = argparse.ArgumentParser(prog="papershelf", description="A bibliography manager for the terminal.")
ap.add_argument("--db", metavar="<file>", help="Catalogue file (default: the user data dir).")
ap.add_argument("-q", "--quiet", action="store_true", help="No notices or progress on stderr.")
ap.add_argument("--debug", action="store_true", help="Show tracebacks of unexpected errors.")
ap.add_argument("--version", action="version", version="0")
ap.add_argument("--install-completion", action="store_true", help="Install completion for the current shell.")
ap.add_argument("--show-completion", action="store_true", help="Show completion for the current shell.")
sub = ap.add_subparsers(title="commands", metavar="COMMAND")
for name, line in commands:
    sub.add_parser(name, help=line)
ap.parse_args()
"""


def papershelf_commands() -> list[tuple[str, str]]:
    """papershelf's commands with the line ``--help`` shows for each (its command registry),
    asked of papershelf itself, untimed."""
    code = ("import json\n"
            "from papershelf.cli._commands import COMMANDS\n"
            "print(json.dumps([(name, line) for name, (_, line) in COMMANDS.items()]))\n")
    out = subprocess.run([str(papershelf_python()), "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return [(name, line) for name, line in json.loads(out)]


def site_imports(python: Path) -> list[str]:
    """The packages outside the standard library that ``python`` imports before running
    anything (a .pth file in its site-packages, a sitecustomize): a cost every process of that
    interpreter pays, papershelf's and the floors' alike, that a user's venv would not have."""
    code = ("import sys\n"
            "skip = {'__main__', '_distutils_hack', 'sitecustomize', 'usercustomize'}\n"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) - skip)))\n")
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True,
                          check=True).stdout.split()


# The bare-sqlite3 search: open read-only, the one query, print each key (as search into a pipe).
FLOOR_SEARCH = """
import sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
ids = [r[0] for r in conn.execute(sys.argv[2], sys.argv[3:])]
keys = dict(conn.execute(f"SELECT id, citekey FROM entries WHERE id IN ({','.join('?' * len(ids))})", ids))
sys.stdout.write("".join(keys[i] + "\\n" for i in ids))
"""


def search_sql(db: Path, query: str) -> tuple[str, list[str]]:
    """The SQL and parameters ``papershelf search QUERY`` runs to rank its hits (no filters):
    the last statement ``Catalogue.search_ids`` executes, asked of papershelf itself, untimed."""
    code = ("import json, sys\n"
            "from pathlib import Path\n"
            "from papershelf.model.query import parse_query\n"
            "from papershelf.storage.catalogue import Catalogue\n"
            "cat = Catalogue.open_readonly(Path(sys.argv[1]))\n"
            "seen = []\n"
            "class Spy:\n"
            "    def __init__(self, conn): self.conn = conn\n"
            "    def __getattr__(self, name): return getattr(self.conn, name)\n"
            "    def execute(self, sql, params=()):\n"
            "        seen.append((sql, list(params)))\n"
            "        return self.conn.execute(sql, params)\n"
            "cat.conn = Spy(cat.conn)\n"
            "parsed = parse_query(sys.argv[2])\n"
            "cat.search_ids(parsed.fts, None, None, literal=parsed.literal)\n"
            "print(json.dumps(seen[-1]))\n")
    out = subprocess.run([str(papershelf_python()), "-c", code, str(db), query], capture_output=True,
                         text=True, check=True).stdout
    sql, params = json.loads(out)
    return sql, [str(p) for p in params]


def _within(cap: float, step) -> bool:
    """Run ``step(timeout)``; False when it took over ``cap`` seconds (subprocess kills it)."""
    try:
        step(cap)
    except subprocess.TimeoutExpired:
        return False
    return True


def papershelf_python() -> Path:
    """The interpreter papershelf's console script runs in: its ``#!`` line."""
    first = papershelf_exe().read_bytes().split(b"\n", 1)[0]
    if first.startswith(b"#!") and b"python" in first:
        return Path(first[2:].decode().split()[0])
    return Path(sys.executable)


_PAPERSHELF: list[Path] = []  # the console script ``use_papershelf`` chose


def use_papershelf(exe: Path) -> None:
    """Run papershelf (and the floors, in its interpreter) from the console script ``exe``."""
    _PAPERSHELF[:] = [exe]


def papershelf_exe() -> Path:
    """papershelf's console script: the one ``use_papershelf`` chose (bench_peers: the one in
    its own venv), else the one beside this interpreter, else on PATH."""
    if _PAPERSHELF:
        return _PAPERSHELF[0]
    beside = Path(sys.executable).parent / "papershelf"
    found = beside if beside.exists() else shutil.which("papershelf")
    if not found:
        sys.exit("bench_peers: no papershelf console script: run `python -m pip install -e .` first")
    return Path(found)
