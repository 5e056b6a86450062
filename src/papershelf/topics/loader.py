"""Reading the topic rules: the bundled ``topics.toml`` overlaid with the user's.

The bundled rules are ``papershelf/data/topics.toml`` (its header documents the format); a file
of the same shape at ``<config dir>/topics.toml`` adds topics or overrides keys of the bundled
ones. A file that cannot be used raises ``TopicsError`` naming the file and line.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from papershelf.model.tags import tag_form
from papershelf.topics.rules import (
    KNOWN_KEYS,
    LIST_KEYS,
    TERM_KEYS,
    Topic,
    TopicsError,
    TopicSet,
    is_regex_term,
    term_pattern,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 reads TOML with tomli, tomllib's original
    import tomli as tomllib

FILE_NAME = "topics.toml"
_NO_WORDS = re.compile(r"[\s\-]+")
# Limits on a rules file (the bundled one: 6 KB, 17 topics, 230 terms of at most 40 characters):
# beyond them a file is a mistake or a trap, and every import would pay for it.
MAX_RULES_BYTES = 1024 * 1024
MAX_TOPICS = 1000
MAX_TERMS = 1000  # in one list of a topic
MAX_TERM_CHARS = 200

def default_rules_path() -> Path:
    from papershelf.paths import bundled_data_dir

    return bundled_data_dir() / FILE_NAME


def user_rules_path() -> Path:
    from papershelf.paths import config_dir

    return config_dir() / FILE_NAME


def _header_line(text: str, name: str) -> int | None:
    """The line number of ``[name]`` in ``text`` (bare, quoted or literal key)."""
    for no, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^\s*\[\s*(?:\"((?:[^\"\\]|\\.)*)\"|'([^']*)'|([A-Za-z0-9_\-]+))\s*\]", line)
        if m and name in (m.group(1), m.group(2), m.group(3)):
            return no
    return None


def _read(path: Path) -> tuple[dict[str, Any], str]:
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise TopicsError(f"{path} is not a regular file")
            raw = fh.read(MAX_RULES_BYTES + 1)
        if len(raw) > MAX_RULES_BYTES:
            raise TopicsError(f"{path} is larger than {MAX_RULES_BYTES // 1024} KB; not reading it as topic rules")
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TopicsError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise TopicsError(f"cannot read {path}: {exc.strerror}") from None
    except RecursionError:
        raise TopicsError(f"{path}: nested too deeply") from None
    try:
        return tomllib.loads(text), text
    except RecursionError:  # tables or arrays nested thousands deep
        raise TopicsError(f"{path}: nested too deeply to be topic rules") from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = m.group(1) if m else str(max(1, len(text.splitlines())))  # "at end of document"
        where = f"{path}:{line}"
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        col = f" (column {m.group(2)})" if m else " (at the end of the file)"
        raise TopicsError(f"{where}: bad TOML: {reason}{col}",
                          hint="see the format described at the top of the bundled topics.toml") from None


def _check_table(path: Path, text: str, name: str, table: Any,
                 good_terms: set[str]) -> tuple[str, dict[str, Any]]:
    """Validate one topic table; returns its origin ("file:line") and the table. ``good_terms``:
    terms found good already (most topics share one ``context`` list: each term is checked
    once a file, not once a topic); the terms found good here are added to it."""
    line = _header_line(text, name)
    where = f"{path}:{line}" if line else str(path)

    def bad(message: str) -> TopicsError:
        return TopicsError(f"{where}: topic [{name}]: {message}",
                           hint="see the format described at the top of the bundled topics.toml")

    if not isinstance(table, dict):
        raise bad("expected a table of rules, found a plain value")
    if not tag_form(name) or "," in name:
        raise bad("a topic name must be a non-empty tag without commas")
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise bad(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(KNOWN_KEYS))})")
    for key in LIST_KEYS:
        value = table.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise bad(f"{key} must be a list of strings")
    if "enabled" in table and not isinstance(table["enabled"], bool):
        raise bad("enabled must be true or false")
    if "description" in table and not isinstance(table["description"], str):
        raise bad("description must be a string")
    for key in LIST_KEYS:
        if len(table.get(key) or []) > MAX_TERMS:
            raise bad(f"more than {MAX_TERMS} values in {key}")
    for key in TERM_KEYS:
        for term in table.get(key, []):
            if term in good_terms:
                continue
            if not term.strip():
                raise bad(f"empty term in {key}")
            if _NO_WORDS.fullmatch(term):  # "-", "- -": a phrase of no words
                raise bad(f"the term {term!r} in {key} has no letter or digit; it would match nothing")
            if len(term) > MAX_TERM_CHARS:
                raise bad(f"a term in {key} is longer than {MAX_TERM_CHARS} characters")
            if not is_regex_term(term):  # a phrase: its words escaped, so nothing to check
                good_terms.add(term)
                continue
            try:
                re.compile(term_pattern(term))
            except (re.error, RecursionError, OverflowError) as exc:
                raise bad(f"bad regular expression {term!r} in {key}: {exc}") from None
            risk = _backtracking_risk(term_pattern(term))
            if risk:
                raise bad(f"the regular expression {term!r} in {key} {risk}, which can take exponential "
                          "time on some titles; write it without that (e.g. (a+)+ as a+)")
            good_terms.add(term)
    return where, table


def _backtracking_risk(pattern: str) -> str:
    """Why ``pattern`` may backtrack catastrophically, or "": a repetition inside a repetition
    (``(a+)+``, ``(\\w*\\s?)*``), an alternation inside a repetition (``(a|aa)+``), or a
    backreference. A static check on the parsed pattern (the ``re`` module has no time limit)."""
    try:
        from re import _constants as c  # type: ignore[attr-defined]
        from re import _parser as sre  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_constants as c
        import sre_parse as sre

    repeats = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}

    def walk(items: Any, repeated: bool) -> str:
        for op, av in items:
            if op in repeats:
                _, hi, body = av
                if repeated and hi > 1:
                    return "repeats a repetition"
                found = walk(body, repeated or hi > 1)
            elif op == c.SUBPATTERN:
                found = walk(av[3], repeated)
            elif op == c.BRANCH:
                if repeated and len(av[1]) > 1:
                    return "repeats an alternation"
                found = next((r for r in (walk(b, repeated) for b in av[1]) if r), "")
            elif op in (c.ASSERT, c.ASSERT_NOT):
                found = walk(av[1], repeated)
            elif op in (c.GROUPREF, getattr(c, "GROUPREF_EXISTS", c.GROUPREF)):
                return "uses a backreference"
            else:
                found = ""
            if found:
                return found
        return ""

    try:
        return walk(sre.parse(pattern), False)
    except (re.error, RecursionError, ValueError, TypeError):  # re.compile accepted it: no risk found
        return ""


def _merge(topics: dict[str, Topic], path: Path, data: dict[str, Any], text: str,
           disabled: set[str]) -> None:
    if len(data) > MAX_TOPICS:
        raise TopicsError(f"{path} holds {len(data)} topics; at most {MAX_TOPICS} are read",
                          hint="topic rules run on every import: keep the ones you use")
    good_terms: set[str] = set()
    for raw_name, raw in data.items():
        origin, table = _check_table(path, text, raw_name, raw, good_terms)
        name = tag_form(raw_name)
        if table.get("enabled") is False:
            disabled.add(name)
            topics.pop(name, None)
            continue
        disabled.discard(name)
        topic = topics.get(name) or Topic(name)
        topic.origin = origin
        if "aliases" in table:
            topic.aliases = [tag_form(a) for a in table["aliases"]]
        for key in TERM_KEYS:
            if key in table:
                topic.terms[key] = list(table[key])
        if "categories" in table:
            topic.categories = list(table["categories"])
        if "types" in table:
            topic.types = [t.lower() for t in table["types"]]
        if "implies" in table:
            topic.implies = [tag_form(t) for t in table["implies"]]
        if "description" in table:
            topic.description = table["description"]
        topics[name] = topic


def load_topics(default: Path | None = None, user: Path | None = None) -> TopicSet:
    """The bundled rules overlaid with the user's file (if there is one)."""
    topics: dict[str, Topic] = {}
    disabled: set[str] = set()
    for path, required in ((default or default_rules_path(), True), (user or user_rules_path(), False)):
        if not required and not path.exists():
            continue
        data, text = _read(path)
        _merge(topics, path, data, text, disabled)
    for topic in topics.values():
        for implied in topic.implies:
            if implied not in topics and implied not in disabled:
                raise TopicsError(f"{topic.origin}: topic [{topic.name}] implies {implied!r}, "
                                  "which is not a topic")
        topic.implies = [i for i in topic.implies if i in topics]
    return TopicSet(list(topics.values()))


_cache: dict[tuple, TopicSet] = {}


def _stamp(path: Path) -> tuple:
    try:
        st = os.stat(path)
        return (str(path), st.st_mtime_ns, st.st_size)
    except OSError:
        return (str(path), None, None)


def current_topics() -> TopicSet:
    """The rules in force now (cached until either file changes)."""
    key = (_stamp(default_rules_path()), _stamp(user_rules_path()))
    found = _cache.get(key)
    if found is None:
        _cache.clear()
        found = _cache[key] = load_topics()
    return found


def tag_names_for(tag: str) -> list[str]:
    """What ``tag:X`` / ``--tag X`` matches: X itself, and the topic X is an alias of."""
    return current_topics().tag_names_for(tag)
