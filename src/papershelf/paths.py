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
    EnvVar("PAPERSHELF_CROSSREF_URL", "Crossref REST API endpoint (default https://api.crossref.org)"),
    EnvVar("PAPERSHELF_DATACITE_URL", "DataCite REST API endpoint (default https://api.datacite.org)"),
    EnvVar("PAPERSHELF_DBLP_URL", "DBLP endpoint (default https://dblp.org)"),
    EnvVar("PAPERSHELF_S2_URL", "Semantic Scholar Graph API endpoint (default https://api.semanticscholar.org/graph/v1)"),
    EnvVar("PAPERSHELF_OPENALEX_URL", "OpenAlex API endpoint (default https://api.openalex.org)"),
    EnvVar("PAPERSHELF_OPENLIBRARY_URL", "Open Library endpoint, for ISBNs (default https://openlibrary.org)"),
    EnvVar("PAPERSHELF_GOOGLEBOOKS_URL", "Google Books API endpoint, the second source for ISBNs "
                                         "(default https://www.googleapis.com/books/v1)"),
    EnvVar("PAPERSHELF_MAILTO", "your e-mail address, sent to Crossref and OpenAlex for their polite pool"),
    EnvVar("PAPERSHELF_S2_API_KEY", "Semantic Scholar API key (optional; without one, the shared pool)"),
    EnvVar("PAPERSHELF_OPENALEX_API_KEY", "OpenAlex API key (free; without one OpenAlex is skipped)"),
    EnvVar("PAPERSHELF_METADATA_TIMEOUT", "seconds to wait for a metadata service: SECONDS or CONNECT,READ "
                                          "(default 10,30)"),
    EnvVar("PAPERSHELF_METADATA_RETRIES", "extra tries after a failed metadata request (default 3)"),
    EnvVar("PAPERSHELF_METADATA_BACKOFF", "seconds before the first retry of a metadata request; doubles "
                                          "after each (default 1)"),
    EnvVar("PAPERSHELF_METADATA_DELAY", "seconds between two requests to one metadata service "
                                        "(default: each service's own pace)"),
    EnvVar("PAPERSHELF_CACHE_DAYS", "days a metadata answer is reused, and a rendered entry kept for "
                                    "export, in the cache (default 7; 0 turns both caches off)"),
    EnvVar("PAPERSHELF_AUTOTAG", "set to 0 to make --no-autotag the default of `import bibtex|markdown`"),
    EnvVar("PAPERSHELF_DEBUG", "set to 1 to show tracebacks, like --debug"),
    EnvVar("PAPERSHELF_BUSY_TIMEOUT", "seconds to wait for another process's lock on the catalogue (default 10)"),
    EnvVar("PAPERSHELF_BACKUPS", "automatic backups kept beside each catalogue, newest first (default 10)"),
    EnvVar("PAPERSHELF_TRASH_DAYS", "days a removed entry stays in the trash before it is purged (default 30; "
                                    "0: `remove` deletes for good)"),
    EnvVar("PAPERSHELF_ARXIV_PDF_URL", "where `attach --fetch` downloads arXiv PDFs from (default https://arxiv.org)"),
    EnvVar("PAPERSHELF_PDF_TIMEOUT", "seconds one attached PDF may take to be read (default 60)"),
    EnvVar("PAPERSHELF_PDF_MEMORY_MB", "memory the reader of one attached PDF may use, in MB (default 1024)"),
    EnvVar("PAPERSHELF_PDF_MAX_PAGES", "pages of one attached PDF put in the full-text index (default 2000)"),
    EnvVar("PAPERSHELF_CONFIG", "path of the config file (default: config.toml in the config directory)"),
    EnvVar("PAPERSHELF_PAGER", "pager of `list` on a terminal (wins over ui.pager and PAGER; cat: none)"),
    EnvVar("PAGER", "pager when neither PAPERSHELF_PAGER nor ui.pager names one (default less -FRX)"),
    EnvVar("NO_COLOR", "set: no colours on a terminal (with ui.color = auto)"),
    EnvVar("XDG_DATA_HOME", "base of the default data directory (via platformdirs)"),
    EnvVar("XDG_CONFIG_HOME", "base of the config directory: config.toml, and topics.toml overrides"),
    EnvVar("EDITOR", "editor opened by `papershelf note --edit` and `papershelf edit`"),
    EnvVar("BROWSER", "the web browser `papershelf open` starts (Python's webbrowser; default: the system's)"),
    EnvVar("XDG_CACHE_HOME", "base of the cache directory: metadata answers (metadata.db), rendered "
                             "entries (rendered.db)"),
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


def cache_dir() -> Path:
    """Answers of the metadata services and entries rendered by export, kept to be reused
    (``PAPERSHELF_CACHE_DAYS``)."""
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


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
