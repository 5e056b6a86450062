"""The errors papershelf reports to people, and the exit codes scripts can rely on.

The core raises these; the CLI's one error boundary prints ``error: <message>`` (plus the hint,
if any) to stderr and exits with the error's code. Anything else is a bug: it gets a one-line
report and, with ``--debug``, its traceback.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit statuses, documented in the README; never renumber one."""

    OK = 0
    ERROR = 1  # a user error or a failure that is not one of the below
    NO_MATCH = 1  # `search`/`list` found nothing (grep's convention; an alias of ERROR)
    USAGE = 2  # bad command line or bad query syntax (Typer uses 2 for usage errors too)
    NOT_FOUND = 3  # a citekey, id or file that is not there
    NETWORK = 4  # arXiv (or another source) could not be reached or answered badly
    PARTIAL = 5  # a batch where some items succeeded and some failed
    CONFLICT = 6  # what a command read changed before it could write; nothing was overwritten
    BUSY = 7  # another process holds the catalogue locked beyond the busy timeout; try again
    INTERRUPTED = 130  # Ctrl-C


class PapershelfError(Exception):
    """An error meant for the user: a one-line message and, optionally, what to do next."""

    exit_code: ExitCode = ExitCode.ERROR
    # the front-end has already said it in its own words (``NothingFound``): end with the exit
    # status, print nothing more
    shown: bool = False

    def __init__(self, message: str, *, hint: str | None = None, exit_code: ExitCode | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class UsageError(PapershelfError):
    exit_code = ExitCode.USAGE


class QuerySyntaxError(UsageError):
    """A search query that cannot be parsed."""


class NothingFound(PapershelfError):
    """A search or a listing found nothing: exit 1, grep's convention (the report's
    ``verdict``). The front-end shows why, as it shows results; nothing is printed as an error."""

    exit_code = ExitCode.NO_MATCH
    shown = True


class NotFoundError(PapershelfError):
    exit_code = ExitCode.NOT_FOUND


class CatalogueMissingError(NotFoundError):
    """An explicitly named catalogue file does not exist."""


class SchemaError(PapershelfError):
    """The catalogue's schema is newer than this papershelf, or otherwise unusable."""


class CiteKeyError(PapershelfError):
    """A citation key that is malformed or already in use."""


class SameWorkError(PapershelfError):
    """A change that would give an entry an identifier (arXiv id, DOI, ISBN, URL) making it the
    work another entry already is: refused, nothing written (two works become one only by
    ``merge``). Exit 1, as a key in use."""


class NetworkError(PapershelfError):
    exit_code = ExitCode.NETWORK


class SourceUnavailable(NetworkError):
    """A metadata service (Crossref, DBLP, Semantic Scholar…) is down, refuses papershelf (429
    past the retries) or answers badly: callers report it and go on with the other services."""

    def __init__(self, service: str, message: str, *, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.service = service  # the source's short name: "crossref", "dblp", "s2", …


class PartialFailure(PapershelfError):
    """Some items of a batch failed; the rest were done (and committed)."""

    exit_code = ExitCode.PARTIAL

    @classmethod
    def of(cls, failed: int, total: int, done: str) -> PartialFailure:
        """``2 of 5 could not be added; the other 3 were``, with what to do next."""
        return cls(f"{failed} of {total} could not be {done}; the other {total - failed} were",
                   hint="the ones listed above; run the same command again to retry them")


class ConflictError(PapershelfError):
    """Another process changed an entry between this command's read and its write: nothing was
    overwritten (read-modify-write commands compare the entry's revision before writing)."""

    exit_code = ExitCode.CONFLICT


class StorageError(PapershelfError):
    """The catalogue file could not be read or written: read-only, no space left, an I/O error."""


class CatalogueBusyError(StorageError):
    """Another process held the catalogue locked for longer than the busy timeout."""

    exit_code = ExitCode.BUSY


class CatalogueDamagedError(StorageError):
    """The catalogue file is damaged (SQLite: malformed, not a database after all)."""
