"""TAB answered before Typer loads: completion of citekeys, tags and fixed values; and
``papershelf --help``, printed as Typer prints it.

Every TAB starts a new ``papershelf`` process, and importing Typer is most of its time. When
``_PAPERSHELF_COMPLETE`` asks for completions (bash, zsh or fish), ``answer`` reads the words
typed with ``TABLE`` (``_completion_table``: each command's options, which take a value and
what completes them, and its arguments; generated from the Typer app, see ``build_table``) and
gives exactly the answers Typer's completion gives, in the same format, reading the catalogue
read-only (``services.completion``). It is not a second command-line parser: it follows
Click's own rules for finding the parameter being completed (the last word an option that
takes a value, else the first argument still open), and anything it does not know for sure (a
word it cannot place, an option name, a command name, a file, a ``--`` or an ``=``) it leaves
to Typer by returning. ``tests/cli/test_quick_complete.py`` compares both, parameter by
parameter, for each shell.

``papershelf --help`` (or ``-h``, and nothing else on the line) prints ``HELP`` from
``_help_text``: the root's help as Typer renders it at Click's widest layout (78 columns, on
a terminal or ``COLUMNS`` of 80 or more, and into a pipe), generated from the Typer app with
``TABLE`` (``write_help``). A narrower layout, or a registry whose commands are no longer the
ones the text lists, is left to Typer. ``tests/cli/test_quick_help.py`` compares both.

``papershelf search QUERY`` into a pipe and ``papershelf show KEY`` are answered here too
(``command``): importing Typer alone takes more than twice what either does. It calls the
command's service and its view (``Library.search_summaries`` and ``search_view``;
``Library.get`` and ``show_view``) on the catalogue opened for reading only, and prints exactly
what the command prints. It answers only that shape: the command and one word that is not an
option, a search's stdout not a terminal (a terminal gets Rich's table), and the catalogue
already made and at this papershelf's schema. A query it cannot parse and a key that names
nothing are said as the command says them. Anything else, and anything else that fails before
the first line is written (a bad setting, a catalogue it cannot read), it leaves to Typer,
which runs the command as always and reports it in its words.
``tests/cli/test_quick_search.py`` runs both, side by side.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing's: a TAB does not import typing (tests/test_startup.py)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from papershelf.errors import PapershelfError
    from papershelf.services.library import Library

    Printing = Callable[[], PapershelfError | None]

SHELLS = ("complete_bash", "complete_zsh", "complete_fish")


def answer() -> None:
    """Print the completions and exit 0 (fish's ``is-args``: exit 0 or 1), or return when
    Typer must answer."""
    found = completions()
    if found is None:
        return
    values, shell = found
    out = sys.stdout
    if shell == "complete_bash":
        out.write("\n".join(values) + "\n")
    elif shell == "complete_zsh":
        out.write(("_arguments '*: :((" + "\n".join(f'"{_zsh_escape(v)}"' for v in values) + "))'")
                  if values else "_files")
        out.write("\n")
    else:
        action = os.environ.get("_TYPER_COMPLETE_FISH_ACTION", "")
        if action == "is-args":
            sys.exit(0 if values else 1)
        out.write(("\n".join(values) if values and action == "get-args" else "") + "\n")
    out.flush()
    sys.exit(0)


def root_help() -> None:
    """Print the root's help and exit 0, or return when Typer must print it (see above)."""
    from papershelf.cli._commands import COMMANDS
    from papershelf.cli._help_text import COMMAND_LINES, HELP, WIDTH

    if _help_width() != WIDTH or tuple((name, line) for name, (_, line) in COMMANDS.items()) != COMMAND_LINES:
        return
    try:
        sys.stdout.write(HELP + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `papershelf --help | head`: as every command, a quiet exit 0
        from papershelf.cli._output import quiet_stdout

        quiet_stdout()
    sys.exit(0)


def _search(lib: Library, query: str) -> Printing:
    """``search QUERY``: what prints its hits, or says that nothing matches (exit 1)."""
    from papershelf.cli.search_view import show

    result = lib.search_summaries(query, None, None)

    def printing() -> PapershelfError | None:
        show(result, query, None, False)
        return result.verdict()
    return printing


def _show(lib: Library, key: str) -> Printing:
    """``show KEY``: what prints the entry and its files."""
    from papershelf.cli.show_view import show

    entry = lib.get(key)
    attached = lib.files_with_paths(entry.citekey)

    def printing() -> PapershelfError | None:
        show(entry, attached, False)
        return None
    return printing


# The commands answered here: each reads what it prints (the library open) and returns what
# prints it (the library closed), which returns how the command ends (its report's verdict).
QUICK_COMMANDS = {"search": _search, "show": _show}


def command() -> None:
    """Print what ``papershelf search QUERY`` (into a pipe) or ``papershelf show KEY`` prints
    and exit, or return when Typer must run the command (see above)."""
    args = sys.argv[1:]
    if len(args) != 2 or args[0] not in QUICK_COMMANDS or args[1][:1] == "-" or not args[1].strip():
        return
    name, word = args
    try:
        if name == "search" and sys.stdout.isatty():
            return  # Rich's table
    except ValueError:
        return
    if os.environ.get("PAPERSHELF_DEBUG", "").strip().lower() not in ("", "0", "false", "no", "off"):
        return  # tracebacks wanted, or a value Typer's path warns about
    named = os.environ.get("PAPERSHELF_DB", "")
    if named and not named.strip():
        return  # blanks: Click takes them for --db (its envvar), the config would not
    from papershelf.cli._context import check_settings, state
    from papershelf.cli._output import quiet_stdout, report_bug, report_failure, report_interrupted
    from papershelf.errors import ExitCode

    try:
        check_settings()
        where = state().db
        if not where.path.is_file():
            return  # made on first use, or missing: Typer's path
        from papershelf.errors import NotFoundError, QuerySyntaxError
        from papershelf.services.library import opened

        with opened(where.path, readonly=f"{name} answers before Typer loads and only reads") as (lib, _):
            refused: PapershelfError | None = None
            try:
                printing = QUICK_COMMANDS[name](lib, word)
            except (QuerySyntaxError, NotFoundError) as exc:  # the user's words: said as the command says them
                refused = exc
        if refused is not None:
            sys.exit(report_failure(refused))
    except KeyboardInterrupt:
        report_interrupted()
        sys.exit(int(ExitCode.INTERRUPTED))
    except Exception:  # nothing written yet: Typer's path runs the command and reports it
        return
    try:
        verdict = printing()
        sys.stdout.flush()
        if verdict is not None:
            sys.exit(report_failure(verdict))
    except BrokenPipeError:  # `papershelf search x | head`: as every command, a quiet exit 0
        quiet_stdout()
    except KeyboardInterrupt:
        report_interrupted()
        sys.exit(int(ExitCode.INTERRUPTED))
    except Exception as exc:  # as Typer's path reports a bug
        report_bug(exc)
        sys.exit(int(ExitCode.ERROR))
    sys.exit(0)


def _help_width() -> int:
    """The width Click lays a help page out in (its ``HelpFormatter``): the terminal's
    columns (``COLUMNS`` first; 80 when there is no terminal), at most 80, less 2, at least 50."""
    import shutil

    return max(min(shutil.get_terminal_size().columns, 80) - 2, 50)


def _zsh_escape(s: str) -> str:
    return s.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`").replace(":", r"\\:")


def completions() -> tuple[list[str], str] | None:
    """(the answers, the shell) for the completion the environment asks for; None: Typer's."""
    shell = os.environ.get("_PAPERSHELF_COMPLETE", "")
    if shell not in SHELLS:
        return None
    keep = ""
    if shell == "complete_bash":
        from papershelf.cli._complete import bash_words

        raw, cword_text = os.environ.get("COMP_WORDS", ""), os.environ.get("COMP_CWORD", "")
        rewritten = bash_words(raw, cword_text)
        if rewritten is not None:
            raw, cword_text, keep = rewritten
        try:
            cword = int(cword_text)
        except ValueError:
            return None
        words = split_arg_string(raw)
        args = words[1:cword]
        incomplete = words[cword] if cword < len(words) else ""
    else:
        typed = os.environ.get("_TYPER_COMPLETE_ARGS", "")
        args = split_arg_string(typed)[1:]
        incomplete = ""
        if args and not typed.endswith(" "):
            incomplete = args.pop()
    found = _values(args, incomplete)
    if found is None:
        return None
    values = [v for v in found if v.startswith(incomplete)]  # as Typer filters a completion's answers
    if keep:
        values = [v[len(keep):] if v.startswith(keep) else v for v in values]
    return values, shell


def split_arg_string(string: str) -> list[str]:
    """Words as Click's completion splits them: ``shlex`` in POSIX mode, an unfinished quote
    or escape kept as typed."""
    import shlex

    lex = shlex.shlex(string, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    out: list[str] = []
    try:
        out.extend(lex)
    except ValueError:
        out.append(lex.token)
    return out


def _values(args: list[str], incomplete: str) -> list[str] | None:
    """The values completing ``incomplete`` after ``args``, before Typer filters them; None
    when this is not a completion ``TABLE`` answers for sure."""
    from papershelf.cli._completion_table import TABLE

    if incomplete[:1] == "-" or "--" in args:
        return None  # option names (or values after --): Typer's
    path: tuple[str, ...] = ()
    node = TABLE[""]
    root_db: str | None = None
    later_db: str | None = None  # --db after a command name: it wins (see _params._db_of)
    positional = 0
    query = False  # a --query with a value (tag/untag: the first argument is a tag then)
    i = 0
    while i < len(args):
        word = args[i]
        if word[:1] == "-":
            kind = node["options"].get(word)
            if kind is None:
                return None  # an option this command does not have, -abc, --opt=value
            if kind != "flag":
                if i + 1 == len(args):
                    break  # the option whose value is being typed
                if word == "--db":
                    if path:
                        later_db = args[i + 1]
                    else:
                        root_db = args[i + 1]
                elif word == "--query":
                    query = bool(args[i + 1])
                i += 1
        elif "commands" in node:
            if word not in node["commands"]:
                return None
            path = (*path, word)
            node = TABLE[" ".join(path)]
        else:
            positional += 1
        i += 1
    if "commands" in node:
        return None  # a command name: Typer's
    kind = None
    if args and args[-1][:1] == "-" and node["options"].get(args[-1], "flag") != "flag":
        kind = node["options"][args[-1]]  # Click: the last word an option that takes a value
    else:
        for nargs, arg_kind in node["args"]:
            if nargs == -1 or positional == 0:
                kind = arg_kind
                break
            positional -= 1
    if isinstance(kind, tuple | list):
        return list(kind)
    if kind == "key-or-tag":
        kind = "tag" if query else "key"
    if kind not in ("key", "tag"):
        return None
    db = later_db or root_db or os.environ.get("PAPERSHELF_DB") or None
    if db is not None and os.path.isdir(db):
        return None  # Click refuses it as --db: Typer decides what then
    return _lookup(kind, db, incomplete)


def _lookup(kind: str, db: str | None, incomplete: str) -> list[str]:
    from pathlib import Path

    from papershelf.config import resolve_db
    from papershelf.services.completion import complete_keys, complete_tags

    try:
        path = resolve_db(Path(db) if db else None).path
    except Exception:  # as _params.complete_citekey: TAB never prints a traceback
        return []
    return complete_keys(path, incomplete) if kind == "key" else complete_tags(path, incomplete)


def build_table() -> dict[str, dict[str, Any]]:
    """``TABLE`` as the Typer app defines it today (loads every command): per command path
    (" "-joined, "" for the root) its ``options`` (each option string → "flag", "value", "key",
    "tag" or the list of fixed values) and its ``args`` ([nargs, kind]) or its ``commands``."""
    import typer
    from typer.main import get_command

    from papershelf.cli._app import app

    table: dict[str, dict[str, Any]] = {}

    def visit(command: Any, path: tuple[str, ...], parent: Any) -> None:
        ctx = typer.Context(command, info_name=path[-1] if path else "papershelf", parent=parent,
                            **(command.context_settings or {}))
        options: dict[str, Any] = {}
        args: list[list[Any]] = []
        for param in command.get_params(ctx):
            kind = _kind(param)
            if param.param_type_name == "argument":
                args.append([param.nargs, kind])
                continue
            flag = param.is_flag or param.count
            for name in (*param.opts, *param.secondary_opts):
                options[name] = "flag" if flag else (kind or "value")
        node: dict[str, Any] = {"options": options}
        names = command.list_commands(ctx) if hasattr(command, "list_commands") else None
        if names is not None:
            node["commands"] = list(names)
        else:
            node["args"] = args
        table[" ".join(path)] = node
        for name in names or ():
            visit(command.get_command(ctx, name), (*path, name), ctx)

    visit(get_command(app), (), None)
    return table


def _kind(param: Any) -> Any:
    """What completes ``param``: "key", "tag", "key-or-tag" (``tag``/``untag``'s first argument),
    the list of fixed values, or None (Typer answers)."""
    from papershelf.cli import _params

    found = param._custom_shell_complete
    seen: set[int] = set()
    todo = [found] if found is not None else []
    while todo:  # Typer wraps the autocompletion function: find ours in the closures
        fn = todo.pop()
        if id(fn) in seen or not callable(fn):
            continue
        seen.add(id(fn))
        if hasattr(fn, "__wrapped__"):  # functools.update_wrapper: the function it wraps
            todo.append(fn.__wrapped__)
            continue
        if fn is _params.complete_citekey:
            return "key"
        if getattr(fn, "__qualname__", "") == "_complete_first" and fn.__module__ == "papershelf.cli.edit":
            return "key-or-tag"  # a key; with a --query, a tag
        if fn is _params.complete_tag:
            return "tag"
        if getattr(fn, "__qualname__", "") == "complete_choices.<locals>.complete":
            return list(fn(""))
        todo.extend(cell.cell_contents for cell in getattr(fn, "__closure__", None) or ())
    return None  # Typer's own, or a completion this table does not know: Typer answers


def write_table(path: str) -> None:
    """Write ``_completion_table.py`` (``completions/regenerate.sh`` runs this)."""
    import pprint

    body = pprint.pformat(build_table(), width=110, compact=True, sort_dicts=False)
    text = ('"""What each command\'s parameters complete with (generated by ``python -m\n'
            'papershelf.cli._quick``, from the Typer app; ``_quick`` reads it). Do not edit."""\n\n'
            "from __future__ import annotations\n\n"
            "TYPE_CHECKING = False  # not typing's: a TAB does not import typing\n"
            "if TYPE_CHECKING:\n"
            "    from typing import Any\n\n"
            f"TABLE: dict[str, dict[str, Any]] = \\\n{body}\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def typer_root_help(columns: int = 80) -> str:
    """What Typer prints for ``papershelf --help`` with a terminal of ``columns`` (run in a
    child process, as a user runs it, without ``root_help``)."""
    import subprocess

    code = ("import sys\n"
            "from papershelf.cli._app import app\n"
            "from papershelf.cli._errors import run\n"
            "sys.argv = ['papershelf', '--help']\n"
            "run(app)\n")
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True, timeout=60).stdout


def write_help(path: str) -> None:
    """Write ``_help_text.py`` (``completions/regenerate.sh`` runs this)."""
    import pprint

    from papershelf.cli._commands import COMMANDS

    shown = typer_root_help().removesuffix("\n")
    lines = tuple((name, line) for name, (_, line) in COMMANDS.items())
    text = ('"""``papershelf --help`` as Typer prints it at Click\'s widest layout (generated by ``python -m\n'
            'papershelf.cli._quick``, from the Typer app; ``_quick.root_help`` prints it). Do not edit."""\n\n'
            "WIDTH = 78  # Click's help width on a terminal of 80 columns or more, and into a pipe\n\n"
            "# The registry's commands and lines the text lists: another registry is Typer's to show.\n"
            f"COMMAND_LINES = \\\n{pprint.pformat(lines, width=110)}\n\n"
            "HELP = (\n" + "".join(f"    {line!r}\n" for line in shown.splitlines(keepends=True)) + ")\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    write_table(os.path.join(here, "_completion_table.py"))
    write_help(os.path.join(here, "_help_text.py"))
