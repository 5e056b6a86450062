"""Where papershelf keeps its files, and the environment variables that move them.

Every variable papershelf reads is listed once, in ``ENV_VARS``; ``papershelf env`` prints it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "papershelf"


@dataclass(frozen=True)
class EnvVar:
    name: str
    meaning: str


ENV_VARS = (
    EnvVar("PAPERSHELF_DB", "path of the catalogue file (the --db option wins over it)"),
    EnvVar("PAPERSHELF_ARXIV_URL", "arXiv API endpoint (default https://export.arxiv.org/api/query)"),
    EnvVar("PAPERSHELF_ARXIV_DELAY", "seconds between arXiv requests (default 3, arXiv's terms of use)"),
    EnvVar("PAPERSHELF_ARXIV_TIMEOUT", "seconds to wait for arXiv: SECONDS, or CONNECT,READ (default 10,60)"),
    EnvVar("PAPERSHELF_ARXIV_RETRIES", "extra tries after a failed arXiv request (default 3)"),
    EnvVar("PAPERSHELF_ARXIV_DEADLINE", "seconds one arXiv request may take in all, retries included (default 120)"),
    EnvVar("PAPERSHELF_MAX_RESPONSE_MB", "largest answer accepted from a source, decompressed, in MB (default 50)"),
    EnvVar("PAPERSHELF_AUTOTAG", "set to 0 to make --no-autotag the default of `import bibtex|markdown`"),
    EnvVar("PAPERSHELF_DEBUG", "set to 1 to show tracebacks, like --debug"),
    EnvVar("PAPERSHELF_BUSY_TIMEOUT", "seconds to wait for another process's lock on the catalogue (default 10)"),
    EnvVar("PAPERSHELF_BACKUPS", "automatic backups kept beside each catalogue, newest first (default 10)"),
    EnvVar("XDG_DATA_HOME", "base of the default data directory (via platformdirs)"),
    EnvVar("XDG_CONFIG_HOME", "base of the config directory, where topics.toml overrides live"),
    EnvVar("EDITOR", "editor opened by `papershelf note --edit` and `papershelf edit`"),
    EnvVar("XDG_STATE_HOME", "base of the state directory: notes kept after an edit conflict, what `export -o` wrote"),
)


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def state_dir() -> Path:
    """Files papershelf keeps for itself: notes saved aside after a conflict, the exports it wrote."""
    from platformdirs import user_state_path

    return user_state_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    return data_dir() / "catalogue.db"


@dataclass(frozen=True)
class DbLocation:
    """The catalogue path and whether the user named it (``--db``/``PAPERSHELF_DB``)."""

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
