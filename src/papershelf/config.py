"""The user's settings: built-in defaults, then the config file, then environment variables,
then command-line options (each one wins over the one before it).

The file is ``<config dir>/config.toml`` (platformdirs; ``PAPERSHELF_CONFIG`` names another
one). Every setting is declared once, in ``SETTINGS``; ``papershelf config`` prints each with
its effective value and where that value came from. A bad value is an error that names the
file and the line. A missing file costs nothing: the TOML parser is imported only to read one.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papershelf.errors import UsageError
from papershelf.paths import DbLocation, config_dir
from papershelf.paths import resolve_db as paths_resolve_db

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
    return raw


def _path(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("must be a file path")
    return str(Path(raw.strip()).expanduser())


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


@dataclass(frozen=True)
class Setting:
    name: str  # "section.key", as written in the file
    default: Any
    parse: Callable[[Any], Any]
    meaning: str
    env: str | None = None  # an environment variable that overrides the file


SETTINGS: tuple[Setting, ...] = (
    Setting("catalogue.path", None, _path,
            "the catalogue used when neither --db nor PAPERSHELF_DB names one", env="PAPERSHELF_DB"),
    Setting("export.style", "bibtex", _choice("bibtex", "biblatex"),
            "default --style of `export bibtex` and `cite`"),
    Setting("import.autotag", True, _bool,
            "whether `import bibtex|markdown` applies the topic rules (--autotag/--no-autotag win)",
            env="PAPERSHELF_AUTOTAG"),
    Setting("keys.pattern", "{author}{year}{title}", _key_pattern,
            "citation keys of new entries; fields " + KNOWN_FIELDS),
    Setting("ui.pager", None, _text,
            "the pager of long output on a terminal (PAPERSHELF_PAGER, then PAGER, then `less -FRX`)",
            env="PAPERSHELF_PAGER"),
    Setting("ui.color", "auto", _choice("auto", "always", "never"),
            "colours on a terminal (NO_COLOR set means never)"),
)
_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Value:
    name: str
    value: Any
    origin: str  # "default", "file", "env", "option"
    where: str = ""  # the file and line, the variable's name, or the option


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


_cache: dict[Path, tuple[tuple[int, int], dict[str, Value]]] = {}


def file_values(path: Path | None = None) -> dict[str, Value]:
    """The settings a config file holds, checked. No file: no values (and no TOML import)."""
    path = path or config_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        if os.environ.get(CONFIG_ENV, "").strip():
            raise ConfigError(f"{path}: no such config file ({CONFIG_ENV} names it)") from None
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    if stat.st_size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: the config file is larger than 1 MB")
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 reads TOML with tomli, tomllib's original
        import tomli as tomllib

    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the config file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None
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
            try:
                value = setting.parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{path}:{line}: {name} {exc} (got {raw!r})") from None
            values[name] = Value(name, value, "file", f"{path}:{line}")
    _cache[path] = (stamp, values)
    return values


def get(name: str, option: Any = None, *, option_name: str = "") -> Value:
    """The effective value of one setting: the option if given, else its environment variable,
    else the config file, else the default."""
    setting = _BY_NAME[name]
    if option is not None:
        return Value(name, option, "option", option_name)
    if setting.env:
        raw = os.environ.get(setting.env, "")
        if raw.strip():
            try:
                return Value(name, setting.parse(raw), "env", setting.env)
            except ValueError as exc:
                raise ConfigError(f"{setting.env}: {name} {exc} (got {raw!r})") from None
    found = file_values().get(name)
    if found is not None:
        return found
    return Value(name, setting.default, "default")


def value(name: str, option: Any = None) -> Any:
    return get(name, option).value


def effective() -> list[Value]:
    """Every setting with its effective value and origin, in declaration order."""
    return [get(s.name) for s in SETTINGS]


def resolve_db(option: str | os.PathLike[str] | None) -> DbLocation:
    """The catalogue to open: ``--db``, then ``PAPERSHELF_DB`` (both must name an existing file
    unless the command creates it), then the config file's ``catalogue.path``, then the default
    (these two are created on first use)."""
    if option or os.environ.get("PAPERSHELF_DB", "").strip():
        return paths_resolve_db(option)
    found = file_values().get("catalogue.path")
    if found is not None:
        return DbLocation(Path(found.value), False)
    return paths_resolve_db(None)
