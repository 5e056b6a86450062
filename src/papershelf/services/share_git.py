"""The git of a shared library (``services.share``): the real ``git`` run as a subprocess in the
share's folder, with a time limit, no terminal prompt, and its failures as one-line errors."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from papershelf.errors import NetworkError, PapershelfError, UsageError

TIMEOUT = 120.0  # seconds a git command may take (a pull or push over a slow network included)


class GitError(PapershelfError):
    """git failed, or is missing."""


@dataclass
class Git:
    """git in one work tree (``root``)."""

    root: Path
    timeout: float = TIMEOUT

    def run(self, *args: str, check: bool = True, timeout: float | None = None,
            network: bool = False) -> subprocess.CompletedProcess[str]:
        exe = shutil.which("git")
        if exe is None:
            raise GitError("git is not installed (papershelf share runs the real git)",
                           hint="install git (apt-get install git), then run the command again")
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
        limit = timeout or self.timeout
        # its own process group, so that a stopped git takes its children (ssh, a merge driver) along
        proc = subprocess.Popen([exe, "-C", str(self.root), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, text=True, env=env, encoding="utf-8", errors="replace",
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            _stop(proc)
            raise (NetworkError if network else GitError)(
                f"git {args[0]} took over {limit:g} s and was stopped") from None
        except BaseException:  # Ctrl-C: git stops too
            _stop(proc)
            raise
        done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        if check and done.returncode != 0:
            message = _first_line(done.stderr) or _first_line(done.stdout) or f"exit {done.returncode}"
            error = NetworkError if network and _is_network(done.stderr) else GitError
            raise error(f"git {args[0]} failed: {message}")
        return done

    def out(self, *args: str) -> str:
        return self.run(*args).stdout.strip()

    def head(self) -> str | None:
        done = self.run("rev-parse", "--verify", "-q", "HEAD", check=False)
        return done.stdout.strip() or None

    def config(self, name: str) -> str | None:
        done = self.run("config", "--get", name, check=False)
        return done.stdout.strip() if done.returncode == 0 else None

    def remotes(self) -> list[str]:
        return self.out("remote").split()

    def upstream(self) -> str | None:
        done = self.run("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}", check=False)
        return done.stdout.strip() if done.returncode == 0 else None

    def unmerged(self) -> list[str]:
        return [p for p in self.out("diff", "--name-only", "--diff-filter=U").splitlines() if p]

    def merging(self) -> bool:
        return self.run("rev-parse", "-q", "--verify", "MERGE_HEAD", check=False).returncode == 0


def _stop(proc: subprocess.Popen[str]) -> None:
    """Kill the process group git was started in (its own), and reap it."""
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:  # git's own verdict first
        if line.startswith(("fatal:", "error:")):
            return line.split(":", 1)[1].strip()
    return lines[0] if lines else ""


def _is_network(stderr: str) -> bool:
    low = stderr.lower()
    return any(w in low for w in ("could not resolve", "connection", "timed out", "unable to access",
                                  "could not read from remote"))


def work_tree(folder: Path) -> Git:
    """The git work tree whose top is ``folder`` (one-line errors for anything else)."""
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder",
                         hint=f"make it a git repository first: git init {folder} (or git clone URL {folder})")
    git = Git(folder.resolve())
    done = git.run("rev-parse", "--show-toplevel", check=False)
    if done.returncode != 0:
        raise UsageError(f"{folder} is not a git repository",
                         hint=f"git init {folder}, or git clone URL {folder}, then run it again")
    top = Path(done.stdout.strip()).resolve()
    if top != git.root:
        raise UsageError(f"{folder} is inside the git repository {top}, not its top",
                         hint=f"share the repository's top folder: papershelf share init {top}")
    return git
