"""Where papershelf keeps its files, and the environment variables that move them.

The variables that are no setting are listed here, in ``ENV_VARS``; those of settings are
declared with their setting in ``config.SETTINGS``. ``config.env_vars()`` gives both, and
``papershelf env`` prints them.
"""

from __future__ import annotations

import os
from collections import namedtuple
from pathlib import Path

APP_NAME = "papershelf"


# The named tuples of this module and of ``config`` are collections' (typed for mypy by their
# annotations), not typing.NamedTuple: every TAB reads them, and importing typing costs ~4 ms
# of a ~30 ms answer (``tests/test_startup.py`` checks that a TAB does not import it).
class EnvVar(namedtuple("EnvVar", "name meaning")):
    __slots__ = ()
    name: str
    meaning: str


ENV_VARS = (
    EnvVar("PAPERSHELF_DEBUG", "set to 1 to show tracebacks, like --debug"),
    EnvVar("PAPERSHELF_CONFIG", "path of the config file (default: config.toml in the config directory)"),
    EnvVar("PAGER", "pager when neither PAPERSHELF_PAGER nor ui.pager names one (default less -FRX)"),
    EnvVar("NO_COLOR", "set: no colours on a terminal (with ui.color = auto)"),
    EnvVar("XDG_DATA_HOME", "base of the default data directory (via platformdirs)"),
    EnvVar("XDG_CONFIG_HOME", "base of the config directory: config.toml, and topics.toml overrides"),
    EnvVar("EDITOR", "editor opened by `papershelf note --edit` and `papershelf edit`"),
    EnvVar("BROWSER", "the web browser `papershelf open` starts (Python's webbrowser; default: the system's)"),
    EnvVar("XDG_CACHE_HOME", "base of the cache directory: metadata answers (metadata.db), rendered "
                             "entries (rendered.db)"),
    EnvVar("XDG_STATE_HOME", "base of the state directory: text from the editor papershelf could not store "
                             "(unsaved/), what `export -o` wrote"),
)


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def state_dir() -> Path:
    """Files papershelf keeps for itself: text from the editor it could not store (``unsaved/``),
    the exports it wrote."""
    from platformdirs import user_state_path

    return user_state_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    """Answers of the metadata services and entries rendered by export, kept to be reused
    (``PAPERSHELF_CACHE_DAYS``)."""
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    return data_dir() / "catalogue.db"


class DbLocation(namedtuple("DbLocation", "path explicit")):
    """The catalogue path and whether the user named it (``--db``/``PAPERSHELF_DB``)."""

    __slots__ = ()
    path: Path
    explicit: bool


def resolve_db(option: str | os.PathLike[str] | None) -> DbLocation:
    if option:
        return DbLocation(Path(option).expanduser(), True)
    env = os.environ.get("PAPERSHELF_DB")
    if env:
        return DbLocation(Path(env).expanduser(), True)
    return DbLocation(default_db_path(), False)


def bundled_data_dir() -> Path:
    """The package's own ``data/`` folder: the bundled catalogue and the topic rules."""
    return Path(__file__).resolve().parent / "data"
