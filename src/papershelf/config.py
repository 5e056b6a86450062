"""The user's settings: built-in defaults, then the config file, then environment variables,
then command-line options (each one wins over the one before it).

The file is ``<config dir>/config.toml`` (platformdirs; ``PAPERSHELF_CONFIG`` names another
one). Every setting is declared once, in ``SETTINGS``, with its variable if it has one; every
layer reads it through ``get``/``value``, and ``papershelf config`` prints each with its
effective value and where that value came from. A bad value, from the file or a variable, is one
``ConfigError`` (a usage error, exit 2) in one shape: ``<where>: <setting> <problem> (got <raw>)``,
where ``<where>`` is ``file:line`` or the variable's name. A file that cannot be read as a small
TOML text (a directory, a symlink loop, a FIFO, over 1 MB, nested too deeply, not UTF-8, bad
TOML) is one line naming the file, and the line when the parser gives one. A missing file costs
nothing: the TOML parser is imported only to read one.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections import namedtuple
from collections.abc import Callable, Mapping
from pathlib import Path

from papershelf.errors import UsageError
from papershelf.paths import ENV_VARS, DbLocation, EnvVar, config_dir
from papershelf.paths import resolve_db as paths_resolve_db

TYPE_CHECKING = False  # not typing's: a TAB reads this module and does not import typing
if TYPE_CHECKING:
    from typing import Any

CONFIG_ENV = "PAPERSHELF_CONFIG"
MAX_CONFIG_BYTES = 1 << 20  # a settings file, not a database: anything larger is a mistake


class ConfigError(UsageError):
    """A config file that cannot be read, or a setting with a value it cannot take."""


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


def _choice(*choices: str) -> Callable[[Any], str]:
    def check(raw: Any) -> str:
        if not isinstance(raw, str) or raw.strip().lower() not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return raw.strip().lower()
    return check


def _text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValueError("must be a string")
    if _CONTROL.search(raw):
        raise ValueError("must not contain control characters")
    return raw


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _path(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("must be a file path")
    if _CONTROL.search(raw):  # a NUL reaches no file system call; a newline is a mistake
        raise ValueError("must not contain control characters (a NUL, a newline)")
    return str(Path(raw.strip()).expanduser())


LARGEST = 1e7  # no count, number of seconds or of days needs more; timers overflow far above


def _number(kind: str, *, low: float = 0, integer: bool = False, above: bool = False) -> Callable[[Any], float]:
    """A finite number from ``low`` (``above``: more than ``low``) to ``LARGEST``: a TOML
    number, or the text of a variable."""
    def check(raw: Any) -> float:
        value: float = math.nan
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            value = raw
        elif isinstance(raw, str):
            try:
                value = int(raw.strip()) if integer else float(raw.strip())
            except ValueError:
                pass
        if (not math.isfinite(value) or not low <= value <= LARGEST or (above and value == low)
                or (integer and value != int(value))):
            bound = f"above {low:g}" if above else f"from {low:g}"
            raise ValueError(f"must be {kind} {bound} to {LARGEST:.0f}")
        return int(value) if integer else float(value)
    return check


def _timeouts(raw: Any) -> tuple[float, float]:
    """SECONDS, or CONNECT,READ seconds (a TOML number, or text), each above 0."""
    parts = raw.split(",") if isinstance(raw, str) else [raw]
    seconds = _number("a number of seconds", above=True)
    try:
        if len(parts) > 2:
            raise ValueError
        values = [seconds(p) for p in parts]
    except ValueError:
        raise ValueError(f"must be SECONDS or CONNECT,READ seconds, each a number above 0 to "
                         f"{LARGEST:.0f}") from None
    return values[0], values[-1]


def _http_url(raw: Any) -> str:
    from urllib.parse import urlsplit

    text = _text(raw).strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL")
    return text


# The fields a key pattern may use; model/citekeys.py gives them their meaning.
KEY_FIELDS = ("author", "Author", "authors", "year", "title", "Title", "shorttitle")
KNOWN_FIELDS = ", ".join("{" + f + "}" for f in KEY_FIELDS)
_FIELD = re.compile(r"\{([^{}]*)\}")


def _key_pattern(raw: Any) -> str:
    text = _text(raw)
    fields = _FIELD.findall(text)
    if not fields:
        raise ValueError("must contain at least one {field}: " + KNOWN_FIELDS)
    unknown = [f for f in fields if f not in KEY_FIELDS]
    if unknown:
        raise ValueError(f"has an unknown field {{{unknown[0]}}} (known: {KNOWN_FIELDS})")
    literal = _FIELD.sub("", text)
    if literal and not re.fullmatch(r"[A-Za-z0-9_:.\-+]*", literal):
        raise ValueError("may only add letters, digits and _ : . - + between fields")
    return text


# collections' named tuples, not typing's: see paths.EnvVar.
class Setting(namedtuple("Setting", "name default parse meaning env toml secret",
                         defaults=(None, (str,), False))):
    __slots__ = ()
    name: str  # "section.key", as written in the file
    default: Any
    parse: Callable[[Any], Any]  # a TOML value or a variable's text → the value, or ValueError
    meaning: str
    env: str | None  # an environment variable that overrides the file (default None)
    toml: tuple[type, ...]  # the TOML types the file may give, a wrong type is refused (default (str,))
    secret: bool  # an API key: `papershelf config` says whether it is set, not what it is (default False)


SETTINGS: tuple[Setting, ...] = (
    Setting("catalogue.path", None, _path,
            "the catalogue file (--db wins over it; created on first use, its folder must exist)",
            env="PAPERSHELF_DB"),
    Setting("export.style", "bibtex", _choice("bibtex", "biblatex"),
            "default --style of `export bibtex` and `cite`"),
    Setting("import.autotag", True, _bool,
            "whether `import bibtex|markdown` applies the topic rules (--autotag/--no-autotag win)",
            env="PAPERSHELF_AUTOTAG", toml=(bool,)),
    Setting("import.read_ahead", "auto", _choice("auto", "always", "never"),
            "whether `import bibtex` reads its files in a second process while it writes "
            "(auto: 4 MB of .bib or more, on two cores or more)", env="PAPERSHELF_READ_AHEAD"),
    Setting("keys.pattern", "{author}{year}{title}", _key_pattern,
            "citation keys of new entries; fields " + KNOWN_FIELDS),
    Setting("ui.pager", None, _text,
            "the pager of long output on a terminal (PAPERSHELF_PAGER, then PAGER, then `less -FRX`)",
            env="PAPERSHELF_PAGER"),
    Setting("ui.color", "auto", _choice("auto", "always", "never"),
            "colours on a terminal (NO_COLOR set means never)"),
    Setting("catalogue.busy_timeout", 10.0, _number("a number of seconds"),
            "seconds to wait for another process's lock on the catalogue",
            env="PAPERSHELF_BUSY_TIMEOUT", toml=(int, float)),
    Setting("catalogue.backups", 10, _number("a whole number of backups", low=1, integer=True),
            "automatic backups kept beside each catalogue, newest first",
            env="PAPERSHELF_BACKUPS", toml=(int,)),
    Setting("trash.days", 30, _number("a whole number of days", integer=True),
            "days a removed entry stays in the trash before it is purged (0: `remove` deletes for good)",
            env="PAPERSHELF_TRASH_DAYS", toml=(int,)),
    Setting("cache.days", 7.0, _number("a number of days"),
            "days a metadata answer is reused, and a rendered entry kept for export (0: no caches)",
            env="PAPERSHELF_CACHE_DAYS", toml=(int, float)),
    Setting("pdf.timeout", 60, _number("a whole number of seconds", low=1, integer=True),
            "seconds one attached PDF may take to be read", env="PAPERSHELF_PDF_TIMEOUT", toml=(int,)),
    Setting("pdf.memory_mb", 1024, _number("a whole number of megabytes", low=16, integer=True),
            "memory the reader of one attached PDF may use, in MB", env="PAPERSHELF_PDF_MEMORY_MB", toml=(int,)),
    Setting("pdf.max_pages", 2000, _number("a whole number of pages", low=1, integer=True),
            "pages of one attached PDF put in the full-text index", env="PAPERSHELF_PDF_MAX_PAGES", toml=(int,)),
    # The sources (sources/arxiv/settings.py, sources/metadata/settings.py read these).
    Setting("arxiv.url", "https://export.arxiv.org/api/query", _http_url, "the arXiv API endpoint",
            env="PAPERSHELF_ARXIV_URL"),
    Setting("arxiv.pdf_url", "https://arxiv.org", _http_url, "where `attach --fetch` downloads arXiv's PDFs from",
            env="PAPERSHELF_ARXIV_PDF_URL"),
    Setting("pdf.unpaywall_url", "https://api.unpaywall.org", _http_url,
            "the Unpaywall API endpoint `attach --fetch` asks (with PAPERSHELF_MAILTO) for open-access copies",
            env="PAPERSHELF_UNPAYWALL_URL"),
    Setting("pdf.doi_url", "https://doi.org", _http_url,
            "the DOI resolver through which `attach --fetch` reads a landing page (its citation_pdf_url)",
            env="PAPERSHELF_DOI_URL"),
    Setting("arxiv.delay", 3.0, _number("a number of seconds"),
            "seconds between two arXiv requests (3: arXiv's terms of use)", env="PAPERSHELF_ARXIV_DELAY",
            toml=(int, float)),
    Setting("arxiv.timeout", (10.0, 60.0), _timeouts, "seconds to wait for arXiv: SECONDS or \"CONNECT,READ\"",
            env="PAPERSHELF_ARXIV_TIMEOUT", toml=(int, float, str)),
    Setting("arxiv.retries", 3, _number("a whole number", integer=True),
            "extra tries after a failed arXiv request", env="PAPERSHELF_ARXIV_RETRIES", toml=(int,)),
    Setting("arxiv.deadline", 120.0, _number("a number of seconds", above=True),
            "seconds one arXiv request may take in all, retries included", env="PAPERSHELF_ARXIV_DEADLINE",
            toml=(int, float)),
    Setting("sources.max_response_mb", 50.0, _number("a number of megabytes", above=True),
            "the largest answer accepted from a source, decompressed, in MB", env="PAPERSHELF_MAX_RESPONSE_MB",
            toml=(int, float)),
    *(Setting(f"metadata.{name}_url", url, _http_url, f"the {label} endpoint", env=f"PAPERSHELF_{name.upper()}_URL")
      for name, url, label in (
          ("crossref", "https://api.crossref.org", "Crossref REST API"),
          ("datacite", "https://api.datacite.org", "DataCite REST API"),
          ("dblp", "https://dblp.org", "DBLP"),
          ("s2", "https://api.semanticscholar.org/graph/v1", "Semantic Scholar Graph API"),
          ("openalex", "https://api.openalex.org", "OpenAlex API"),
          ("openlibrary", "https://openlibrary.org", "Open Library (ISBNs)"),
          ("googlebooks", "https://www.googleapis.com/books/v1", "Google Books API (the second source for ISBNs)"))),
    Setting("metadata.mailto", "", _text, "your e-mail address, for Crossref's and OpenAlex's polite pool",
            env="PAPERSHELF_MAILTO"),
    Setting("metadata.s2_api_key", "", _text, "Semantic Scholar API key (none: the shared pool)",
            env="PAPERSHELF_S2_API_KEY", secret=True),
    Setting("metadata.openalex_api_key", "", _text, "OpenAlex API key (none: OpenAlex is skipped)",
            env="PAPERSHELF_OPENALEX_API_KEY", secret=True),
    Setting("metadata.timeout", (10.0, 30.0), _timeouts,
            "seconds to wait for a metadata service: SECONDS or \"CONNECT,READ\"",
            env="PAPERSHELF_METADATA_TIMEOUT", toml=(int, float, str)),
    Setting("metadata.retries", 3, _number("a whole number", integer=True),
            "extra tries after a failed metadata request", env="PAPERSHELF_METADATA_RETRIES", toml=(int,)),
    Setting("metadata.backoff", 1.0, _number("a number of seconds"),
            "seconds before the first retry of a metadata request; doubles after each",
            env="PAPERSHELF_METADATA_BACKOFF", toml=(int, float)),
    Setting("metadata.delay", None, _number("a number of seconds"),
            "seconds between two requests to one metadata service (none: each service's own pace)",
            env="PAPERSHELF_METADATA_DELAY", toml=(int, float)),
)
_BY_NAME = {s.name: s for s in SETTINGS}


class Value(namedtuple("Value", "name value origin where", defaults=("",))):
    __slots__ = ()
    name: str
    value: Any
    origin: str  # "default", "file", "env", "option"
    where: str  # the file and line, the variable's name, or the option (default "")


def config_path() -> Path:
    env = os.environ.get(CONFIG_ENV, "").strip()
    return Path(env).expanduser() if env else config_dir() / "config.toml"


def _line_of(text: str, section: str, key: str) -> int:
    """The line where ``key`` is set inside ``[section]`` (or as ``section.key``), for messages."""
    current = ""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.fullmatch(r"\[\s*([^\]]+?)\s*\]", stripped)
        if header:
            current = header.group(1).strip().strip('"')
            continue
        match = re.match(r"([A-Za-z0-9_.\"-]+)\s*=", stripped)
        if not match:
            continue
        name = match.group(1).replace('"', "")
        if (current == section and name == key) or (not current and name == f"{section}.{key}"):
            return number
    return 0


_TOML_KINDS = {(bool,): "true or false", (int,): "a whole number", (int, float): "a number",
               (str,): "a string in quotes", (int, float, str): "a number or a string in quotes"}
MAX_DEPTH = 200  # deeper TOML is no settings file; Python's parser would recurse past its limit


def _read(path: Path) -> tuple[str, Any]:
    """The text and the stat of the config file, refusing what is no small regular file."""
    import stat as st

    info = path.stat()  # OSError: the caller's to report
    if st.S_ISDIR(info.st_mode):
        raise ConfigError(f"{path}: the config file is a directory")
    if not st.S_ISREG(info.st_mode):  # a FIFO would block, /dev/zero would never end
        if os.path.samestat(info, os.stat(os.devnull)):  # PAPERSHELF_CONFIG=/dev/null: no settings
            return "", info
        raise ConfigError(f"{path}: the config file is not a regular file")
    if info.st_size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: the config file is larger than 1 MB")
    with path.open("rb") as handle:
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:  # it grew since the stat
        raise ConfigError(f"{path}: the config file is larger than 1 MB")
    try:
        return data.decode("utf-8"), info
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: the config file is not UTF-8 text") from None


def _too_deep(text: str) -> int:
    """The line where brackets and braces nest deeper than ``MAX_DEPTH`` (0: they do not).
    Brackets inside strings count too: a settings file has no reason to hold 200 of them."""
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        for ch in line:
            depth += ch in "[{"
            depth -= ch in "]}"
            if depth > MAX_DEPTH:
                return number
    return 0


_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 reads TOML with tomli, tomllib's original
        import tomli as tomllib

    deep = _too_deep(text)
    if deep:
        raise ConfigError(f"{path}:{deep}: the config file nests more than {MAX_DEPTH} levels deep")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _TOML_AT.search(message)
        if at:  # "file:line: what (column n)", as compilers say it
            message = f"{at.group(1)}: {message[:at.start()]} (column {at.group(2)})"
            raise ConfigError(f"{path}:{message}") from None
        raise ConfigError(f"{path}: {message}") from None
    except RecursionError:
        raise ConfigError(f"{path}: the config file nests too deeply") from None


_cache: dict[Path, tuple[tuple[int, int, int], dict[str, Value]]] = {}


def file_values(path: Path | None = None) -> dict[str, Value]:
    """The settings a config file holds, checked. No file: no values (and no TOML import)."""
    path = path or config_path()
    try:
        probe = path.stat()
        stamp = (probe.st_mtime_ns, probe.st_size, probe.st_ino)
        cached = _cache.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        text, _ = _read(path)
    except FileNotFoundError:
        if os.environ.get(CONFIG_ENV, "").strip():
            raise ConfigError(f"{path}: no such config file ({CONFIG_ENV} names it)") from None
        return {}
    except OSError as exc:  # a symlink loop, a name too long, a directory it cannot enter
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None
    data = _parse_toml(path, text)
    values: dict[str, Value] = {}
    for section, table in data.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}:{_line_of(text, '', section) or 1}: '{section}' must be a "
                              f"[section] (known settings: {', '.join(_BY_NAME)})")
        for key, raw in table.items():
            name = f"{section}.{key}"
            line = _line_of(text, section, key)
            setting = _BY_NAME.get(name)
            if setting is None:
                raise ConfigError(f"{path}:{line}: unknown setting '{name}' "
                                  f"(known: {', '.join(_BY_NAME)})")
            if not isinstance(raw, setting.toml) or (isinstance(raw, bool) and bool not in setting.toml):
                raise ConfigError(f"{path}:{line}: {name} must be {_TOML_KINDS[setting.toml]} "
                                  f"(got {_shown(raw)})")
            try:
                value = setting.parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{path}:{line}: {name} {exc} (got {_shown(raw)})") from None
            values[name] = Value(name, value, "file", f"{path}:{line}")
    _cache[path] = (stamp, values)
    return values


def _shown(raw: Any) -> str:
    """A value as the message quotes it: TOML's spelling, at most 60 characters."""
    text = ("true" if raw else "false") if isinstance(raw, bool) else repr(raw)
    if isinstance(raw, (dict, list)):
        text = "a table" if isinstance(raw, dict) else "an array"
    return text if len(text) <= 60 else text[:57] + "..."


def get(name: str, option: Any = None, *, option_name: str = "",
        environ: Mapping[str, str] | None = None,
        file: Callable[[], dict[str, Value]] = file_values) -> Value:
    """The effective value of one setting: the option if given, else its environment variable
    (in ``environ``, default ``os.environ``), else the config file (``file``: its values),
    else the default."""
    setting = _BY_NAME[name]
    if option is not None:
        return Value(name, option, "option", option_name)
    if setting.env:
        raw = (os.environ if environ is None else environ).get(setting.env, "")
        if raw.strip():
            try:
                return Value(name, setting.parse(raw), "env", setting.env)
            except ValueError as exc:
                raise ConfigError(f"{setting.env}: {name} {exc} (got {_shown(raw)})") from None
    found = file().get(name)
    if found is not None:
        return found
    return Value(name, setting.default, "default")


def env_vars() -> list[EnvVar]:
    """Every variable papershelf reads: those of the settings (with their default and the
    setting's name), then the others (``paths.ENV_VARS``)."""
    def default_of(s: Setting) -> str:
        value = s.default
        if isinstance(value, tuple):
            value = ",".join(f"{v:g}" for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        return "" if value in (None, "") else f"default {value}; "

    return [*(EnvVar(s.env, f"{s.meaning} ({default_of(s)}setting {s.name})") for s in SETTINGS if s.env),
            *ENV_VARS]


def is_secret(name: str) -> bool:
    """Whether the setting is a key to show only as set or not."""
    return _BY_NAME[name].secret


def default(name: str) -> Any:
    """A setting's built-in default."""
    return _BY_NAME[name].default


def value(name: str, option: Any = None, *, environ: Mapping[str, str] | None = None) -> Any:
    return get(name, option, environ=environ).value


def effective() -> list[Value]:
    """Every setting with its effective value and origin, in declaration order (the file
    looked up and read once, when a setting first needs it)."""
    read: list[dict[str, Value]] = []

    def file() -> dict[str, Value]:
        if not read:
            read.append(file_values())
        return read[0]

    return [get(s.name, file=file) for s in SETTINGS]


def resolve_db(option: str | os.PathLike[str] | None) -> DbLocation:
    """The catalogue to open: ``--db``, then ``PAPERSHELF_DB`` (both must name an existing file
    unless the command creates it), then the config file's ``catalogue.path``, then the default
    (these two are created on first use)."""
    if option or os.environ.get("PAPERSHELF_DB", "").strip():
        return paths_resolve_db(option)
    found = file_values().get("catalogue.path")
    if found is None:
        return paths_resolve_db(None)
    path = Path(found.value)
    if not path.exists() and not path.parent.is_dir():
        # A new catalogue is made on first use, but not in folders that do not exist: a typo
        # in the path would otherwise start an empty one somewhere unexpected, silently.
        raise ConfigError(f"{found.where}: catalogue.path names {path}, whose folder does not exist "
                          "(a typo?)", hint=f"create the folder first to start a catalogue there: "
                                            f"mkdir -p {path.parent}")
    return DbLocation(path, False)
