"""The root command group: the one error boundary, the lazy command registry, global options.

Every command runs inside ``PapershelfGroup.invoke``: a ``PapershelfError`` becomes
``error: <message>`` (and its hint) on stderr and its exit code; Ctrl-C exits 130; anything else
is a bug: one line, and the traceback with --debug.

Commands are loaded lazily from ``registry`` (the table in ``papershelf.cli``): a run imports
and converts only the module of the command it runs, so start-up (and every TAB) does not pay
for the whole command tree. The global options (--db, -q, --debug) are copied onto each loaded
command, so they work before or after the command name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup, TyperOption
from typer.exceptions import TyperException

from papershelf.cli._context import State, check_settings, env_debug, set_state, state
from papershelf.cli._output import quiet_stdout, report_bug, report_error, report_failure, report_interrupted
from papershelf.errors import ExitCode, PapershelfError

GLOBAL_PANEL = "Global options (before or after the command)"
GLOBAL_OPTIONS = ("db", "quiet", "debug")  # names of the root callback's parameters


def _set_global(ctx: Any, param: Any, value: Any) -> Any:
    """A global option given after the command name: it overrides the root's value."""
    if value is None or value is False:
        return value
    if param.name == "db":
        from papershelf.config import resolve_db

        ctx.meta["papershelf.db"] = value  # completion reads it before any callback state exists
        set_state(replace(state(), db=resolve_db(Path(value)), config_error=None))
    else:
        set_state(replace(state(), quiet=True) if param.name == "quiet" else replace(state(), debug=True))
    return value


_EXAMPLES = re.compile(r"^[ \t]*(?:\[bold\])?Examples:?(?:\[/bold\])?[ \t]*$", re.M)


def _examples_to_epilog(command: Any) -> None:
    """A docstring's ``Examples:`` section goes under the options (the epilog), one per line."""
    match = _EXAMPLES.search(command.help or "")
    if match and not command.epilog:
        examples = [line.strip() for line in command.help[match.end():].splitlines() if line.strip()]
        command.help = command.help[:match.start()].rstrip()
        command.epilog = "[bold]Examples[/bold]\n" + "\n".join("  " + line for line in examples)


def _checked(callback: Any) -> Any:
    """``callback`` run after the settings were checked (``check_settings``)."""
    import functools

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        check_settings()
        return callback(*args, **kwargs)
    return run


def _finish(command: Any, root_params: list[Any]) -> None:
    """Copy the root's global options onto ``command`` and, for a group, its commands; move
    examples to the epilog; check the settings before a command runs."""
    _examples_to_epilog(command)
    if (command.callback is not None and not hasattr(command, "commands")
            and not getattr(command.callback, "checks_settings", False)):  # `config` checks them itself
        command.callback = _checked(command.callback)
    names = {p.name for p in command.params}
    for p in root_params:
        if p.name in GLOBAL_OPTIONS and p.name not in names:
            command.params.append(TyperOption(
                param_decls=[p.name, *p.opts], type=p.type, is_flag=p.is_flag or None,
                default=None if not p.is_flag else False, expose_value=False, callback=_set_global,
                help=p.help, rich_help_panel=GLOBAL_PANEL))
    for sub in getattr(command, "commands", {}).values():
        _finish(sub, root_params)


class PapershelfGroup(TyperGroup):
    """The root command group: lazy commands, global options anywhere, one error boundary."""

    # name → ("module:attribute" in papershelf.cli, one-line help); set by the subclass that
    # papershelf.cli defines, in the order of ``papershelf --help``.
    registry: Mapping[str, tuple[str, str]] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.registry, *(name for name in self.commands if name not in self.registry)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in self.registry:
            command = self._load(cmd_name)
        return command

    def _load(self, name: str) -> Any:
        import importlib

        from typer.main import get_command_from_info, get_group_from_info
        from typer.models import CommandInfo, TyperInfo

        module, attribute = self.registry[name][0].split(":")
        target = getattr(importlib.import_module(f"papershelf.cli.{module}"), attribute)
        if isinstance(target, typer.Typer):
            command: Any = get_group_from_info(
                TyperInfo(target, name=name), pretty_exceptions_short=True, suggest_commands=True,
                rich_markup_mode=target.rich_markup_mode)
        else:
            command = get_command_from_info(CommandInfo(name=name, callback=target),
                                            pretty_exceptions_short=True, rich_markup_mode="rich")
        _finish(command, self.params)
        self.commands[name] = command
        return command

    def help_line(self, name: str) -> str:
        """The one line ``papershelf --help`` shows for a command, without loading it."""
        if name in self.registry:
            return self.registry[name][1]
        command = self.commands[name]
        return command.get_short_help_str(limit=200)

    def _main_shell_completion(self, ctx_args: Any, prog_name: str, complete_var: str | None = None) -> None:
        """Typer's completion, with bash's split of ``key:with:colons`` undone (``_complete``)."""
        import os

        var = complete_var or f"_{prog_name}_COMPLETE".replace("-", "_").upper()
        if os.environ.get(var) != "complete_bash":
            return super()._main_shell_completion(ctx_args, prog_name, complete_var)
        import io
        import sys

        from papershelf.cli._complete import prepare_bash, trim_answers

        keep = prepare_bash()
        if not keep:
            return super()._main_shell_completion(ctx_args, prog_name, complete_var)
        real, sys.stdout = sys.stdout, io.StringIO()
        code: Any = 0
        try:
            super()._main_shell_completion(ctx_args, prog_name, complete_var)
        except SystemExit as exc:
            code = exc.code
        finally:
            answers, sys.stdout = sys.stdout.getvalue(), real
        real.write(trim_answers(answers, keep))
        sys.exit(code)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as exc:  # "No such command": suggest from the registry too
            message = getattr(exc, "message", None)
            if message and "Did you mean" not in message and args:
                from difflib import get_close_matches

                matches = get_close_matches(args[0], self.list_commands(ctx))
                if matches:
                    exc.message = f"{message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"  # type: ignore[attr-defined]
            raise

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:  # `papershelf` alone
            typer.echo(ctx.get_help())  # on stdout, as a subcommand group's help (exit 2)
            raise typer.Exit(2)
        try:
            return super().parse_args(ctx, args)
        except TyperException as exc:  # `papershelf --bogus`
            raise usage_exit(exc) from None

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The command list of ``papershelf --help`` from the registry: no command is imported."""
        rows = [(name, self.help_line(name)) for name in self.list_commands(ctx)
                if name not in self.commands or not self.commands[name].hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: Any) -> Any:  # typer's Context: the one Typer passes
        try:
            return super().invoke(ctx)
        except PapershelfError as exc:
            if state().debug:
                raise
            raise typer.Exit(report_failure(exc)) from None
        except KeyboardInterrupt:
            report_interrupted()
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except TyperException as exc:  # Click's errors (usage, a bad file argument): our one style
            raise usage_exit(exc, " ".join(filter(None, (ctx.command_path, ctx.invoked_subcommand)))) from None
        except (typer.Exit, typer.Abort):  # Typer's own exits
            raise
        except BrokenPipeError:  # `papershelf search x | head`: the reader has all it wanted
            quiet_stdout()
            raise typer.Exit(int(ExitCode.OK)) from None
        except Exception as exc:  # a bug: one line, unless --debug
            if state().debug or env_debug():
                raise
            from papershelf.services.maintenance import storage_error

            known = storage_error(exc, state().db.path) if isinstance(ctx.obj, State) else None
            if known is not None:  # the catalogue file failed (locked, full, damaged): not a bug
                report_error(known.message, known.hint)
                raise typer.Exit(int(known.exit_code)) from None
            report_bug(exc)
            raise typer.Exit(int(ExitCode.ERROR)) from None


def usage_exit(exc: TyperException, command: str = "papershelf") -> Exception:
    """Click's usage error as every other error: ``error: <what>`` and ``hint: <the help to
    read>``, exit 2, instead of Click's usage line, "Try …" line, blank line and ``Error:``.
    A group named without a command still prints its help (``NoArgsIsHelpError``)."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # (Click's, private to Typer)
        return exc
    message = exc.format_message().strip().rstrip(".")
    if message[:1].isupper() and message[1:2].islower():  # "No such option" → "no such option"
        message = message[0].lower() + message[1:]
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else command
    report_error(message, f"`{command} --help` shows its options and examples")
    return typer.Exit(int(exc.exit_code))


def run(app: Any) -> None:
    """Run ``app`` as the console script. A reader of the pipe that went away (``| head``)
    ends the run quietly with exit 0, as git does, however the write noticed it: our own
    BrokenPipeError (``PapershelfGroup.invoke``), or Rich's, which sends stdout to /dev/null
    and exits 1 (its ``Console.on_broken_pipe``, used by every Rich page and --help)."""
    import os
    import sys

    try:
        before = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError):
        before = None
    try:
        app(prog_name="papershelf")
    except SystemExit as exc:
        if exc.code == 1 and before is not None and _now_devnull(before):
            raise SystemExit(0) from None
        raise


def _now_devnull(before: Any) -> bool:
    """Whether stdout was something else when the run began and is /dev/null now."""
    import os
    import sys

    try:
        null, now = os.stat(os.devnull), os.fstat(sys.stdout.fileno())
    except (OSError, ValueError):
        return False
    same = os.path.samestat
    return same(now, null) and not same(before, null)
