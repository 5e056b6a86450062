"""Topics: tag rules kept as data, and the tagging that applies them.

The bundled rules are ``data/topics.toml`` (its header documents the format); a file of the
same shape at ``<config dir>/topics.toml`` adds topics or overrides keys of the bundled ones.
Rules are read into ``Topic`` objects whose terms are compiled into one regular expression
per field, once; ``TopicSet.match(entry)`` is then a handful of ``search`` calls.

Tags set by rules are stored with source ``rule`` (see ``Catalogue.attach_rule_tags``): a rule
never overrides the user, and a rule tag the user removed is not put back.

No terminal here, and only stdlib imports: alias lookup runs on ``list --tag``.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papershelf.errors import PapershelfError
from papershelf.model.tags import tag_form
from papershelf.model.text import has_cjk

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 reads TOML with tomli, tomllib's original
    import tomli as tomllib

if TYPE_CHECKING:
    from papershelf.model.entry import Entry
    from papershelf.storage.catalogue import Catalogue

TEXT_FIELDS = ("title", "abstract", "notes", "section")
TERM_KEYS = (*TEXT_FIELDS, "any", "exclude")
LIST_KEYS = (*TERM_KEYS, "aliases", "categories", "types", "implies")
KNOWN_KEYS = frozenset((*LIST_KEYS, "enabled", "description"))
FILE_NAME = "topics.toml"


class TopicsError(PapershelfError):
    """A topic rules file that cannot be used; the message names the file and line."""


def _term_pattern(term: str) -> str:
    """A rule term as a regex: /regex/ as written; a CJK term anywhere; else a whole phrase."""
    if len(term) >= 2 and term.startswith("/") and term.endswith("/"):
        return f"(?:{term[1:-1]})"
    if has_cjk(term):
        return re.escape(term)
    words = [re.escape(w) for w in re.split(r"[\s\-]+", term.strip()) if w]
    return r"(?<!\w)" + r"[\s\-]+".join(words) + r"(?!\w)"


_WORD = re.compile(r"\w+")
_PLAIN_TERM = re.compile(r"[\w\s\-]+")


@dataclass
class _Terms:
    """One list of terms, ready to test: phrases as word tuples looked up in a set of the text's
    word n-grams, CJK terms as substrings, the rest as one regular expression."""

    phrases: frozenset[tuple[str, ...]]
    cjk: tuple[str, ...]
    pattern: re.Pattern[str] | None

    @classmethod
    def build(cls, terms: Sequence[str]) -> _Terms:
        phrases, cjk, regexes = set(), [], []
        for term in terms:
            if len(term) >= 2 and term.startswith("/") and term.endswith("/"):
                regexes.append(_term_pattern(term))
            elif has_cjk(term):
                cjk.append(term.lower())
            elif _PLAIN_TERM.fullmatch(term):
                phrases.add(tuple(_WORD.findall(term.lower())))
            else:  # punctuation inside ("c++", "u.s."): keep it exact
                regexes.append(_term_pattern(term))
        pattern = re.compile("|".join(regexes), re.IGNORECASE) if regexes else None
        return cls(frozenset(phrases), tuple(cjk), pattern)

    def search(self, text: _Text) -> bool:
        if not text.raw:
            return False
        if self.phrases and not self.phrases.isdisjoint(text.grams):
            return True
        if self.cjk and any(t in text.lower for t in self.cjk):
            return True
        return bool(self.pattern and self.pattern.search(text.raw))


class _Text:
    """A field's text, lower-cased, with the rule phrases found in it (one pass over its words,
    looking up each word in ``first``: phrase first word -> phrases), computed once per entry."""

    def __init__(self, raw: str, first: dict[str, list[tuple[str, ...]]]):
        self.raw = raw
        self.lower = raw.lower()
        words = _WORD.findall(self.lower)
        present = set(words)
        grams: set[tuple[str, ...]] = set()
        joined = None
        for word in present.intersection(first):
            for phrase in first[word]:
                if len(phrase) == 1:
                    grams.add(phrase)
                elif present.issuperset(phrase):
                    if joined is None:
                        joined = f" {' '.join(words)} "
                    if f" {' '.join(phrase)} " in joined:
                        grams.add(phrase)
        self.grams = grams


@dataclass
class Topic:
    """One topic: its tag name, aliases, and the rules that put it on an entry."""

    name: str
    aliases: list[str] = field(default_factory=list)
    terms: dict[str, list[str]] = field(default_factory=dict)  # field (or any/exclude) -> terms
    categories: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    implies: list[str] = field(default_factory=list)
    description: str = ""
    origin: str = ""  # "file:line" of the table that defined (or last overrode) it
    _compiled: dict[str, _Terms] = field(default_factory=dict, repr=False)

    def compile(self) -> None:
        self._compiled = {key: _Terms.build(self.terms[key]) for key in TERM_KEYS if self.terms.get(key)}

    @property
    def phrases(self) -> set[tuple[str, ...]]:
        return {p for t in self._compiled.values() for p in t.phrases}

    def matches(self, texts: dict[str, _Text], categories: Iterable[str], type_: str) -> bool:
        exclude = self._compiled.get("exclude")
        if exclude and any(exclude.search(texts[f]) for f in TEXT_FIELDS):
            return False
        if self.types and type_ in self.types:
            return True
        if self.categories and any(
                c == want or (want.endswith(".") and c.startswith(want))
                for c in categories for want in self.categories):
            return True
        anywhere = self._compiled.get("any")
        for name in TEXT_FIELDS:
            text = texts[name]
            if not text.raw:
                continue
            terms = self._compiled.get(name)
            if (terms and terms.search(text)) or (anywhere and anywhere.search(text)):
                return True
        return False

    def summary(self) -> str:
        """The rules in one line, for ``papershelf topics``."""
        parts = []
        for key in TERM_KEYS:
            terms = self.terms.get(key)
            if terms:
                shown = ", ".join(terms[:4]) + (f" +{len(terms) - 4}" if len(terms) > 4 else "")
                parts.append(f"{'not' if key == 'exclude' else key}: {shown}")
        if self.categories:
            parts.append("arXiv: " + ", ".join(self.categories))
        if self.types:
            parts.append("type: " + ", ".join(self.types))
        if self.implies:
            parts.append("→ " + ", ".join(self.implies))
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "aliases": self.aliases, "rules": {k: v for k, v in self.terms.items() if v},
                "categories": self.categories, "types": self.types, "implies": self.implies,
                "description": self.description, "origin": self.origin}


class TopicSet:
    """All topics in force, with the alias table and compiled rules."""

    def __init__(self, topics: list[Topic]):
        self.topics = topics
        self.by_name = {t.name: t for t in topics}
        self.aliases: dict[str, str] = {}
        for t in topics:
            for alias in t.aliases:
                self.aliases.setdefault(tag_form(alias), t.name)
        for t in topics:
            t.compile()
        self._first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in sorted({p for t in topics for p in t.phrases}):
            self._first.setdefault(phrase[0], []).append(phrase)

    def resolve(self, name: str) -> str | None:
        """The topic a tag name or alias stands for, or None."""
        name = tag_form(name)
        if name in self.by_name:
            return name
        return self.aliases.get(name)

    def tag_names_for(self, tag: str) -> list[str]:
        """Stored tag names a filter for ``tag`` should match: the tag and its topic."""
        tag = tag_form(tag)
        topic = self.resolve(tag)
        return [tag] if topic in (None, tag) else [topic, tag]

    def _closure(self, names: Iterable[str]) -> list[str]:
        out: list[str] = []
        todo = list(names)
        while todo:
            name = todo.pop(0)
            if name in out:
                continue
            out.append(name)
            topic = self.by_name.get(name)
            todo.extend(topic.implies if topic else [])
        return out

    def match(self, entry: Entry) -> list[str]:
        """The topic tags the rules give ``entry`` (implied topics included), in rule order."""
        first = self._first
        texts = {"title": _Text(entry.title or "", first), "abstract": _Text(entry.abstract or "", first),
                 "notes": _Text(entry.notes or "", first), "section": _Text(entry.section or "", first)}
        found = [t.name for t in self.topics if t.matches(texts, entry.categories, entry.type)]
        order = {t.name: i for i, t in enumerate(self.topics)}
        return sorted(self._closure(found), key=lambda n: order.get(n, len(order)))

    def tag_new(self, entries: Iterable[Entry]) -> None:
        """Give entries that are about to be added their rule tags (stored as rule tags)."""
        for entry in entries:
            for name in self.match(entry):
                if name not in entry.tags:
                    entry.tags.append(name)
                    entry.rule_tags.append(name)


# --- reading the rules -----------------------------------------------------------------------

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
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TopicsError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise TopicsError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = m.group(1) if m else str(max(1, len(text.splitlines())))  # "at end of document"
        where = f"{path}:{line}"
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        col = f" (column {m.group(2)})" if m else " (at the end of the file)"
        raise TopicsError(f"{where}: bad TOML: {reason}{col}",
                          hint="see the format described at the top of the bundled topics.toml") from None


def _check_table(path: Path, text: str, name: str, table: Any) -> tuple[str, dict[str, Any]]:
    """Validate one topic table; returns its origin ("file:line") and the table."""
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
    for key in TERM_KEYS:
        for term in table.get(key, []):
            if not term.strip():
                raise bad(f"empty term in {key}")
            try:
                re.compile(_term_pattern(term))
            except re.error as exc:
                raise bad(f"bad regular expression {term!r} in {key}: {exc}") from None
    return where, table


def _merge(topics: dict[str, Topic], path: Path, data: dict[str, Any], text: str,
           disabled: set[str]) -> None:
    for raw_name, raw in data.items():
        origin, table = _check_table(path, text, raw_name, raw)
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


# --- applying the rules to a catalogue -------------------------------------------------------

@dataclass
class AutotagResult:
    added: dict[str, list[str]]  # citekey -> tags added (or that would be, in a dry run)
    checked: int
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "dry_run": self.dry_run,
                "added": [{"citekey": k, "tags": v} for k, v in self.added.items()]}


def autotag(cat: Catalogue, refs: Sequence[str] = (), *, dry_run: bool = False,
            topics: TopicSet | None = None) -> AutotagResult:
    """Apply the topic rules to ``refs`` (default: every entry), in one transaction.

    Tags an entry already has (the user's or the rules') and rule tags the user removed are
    left as they are, so running it twice adds nothing the second time.
    """
    topics = topics or current_topics()
    if refs:
        entries = list({e.id: e for e in (cat.get(r) for r in refs)}.values())
    else:
        entries = cat.entries()
    dismissed = cat.dismissed_tags([e.id for e in entries])
    wanted: dict[int, list[str]] = {}
    keys: dict[int, str] = {}
    for entry in entries:
        have = set(entry.tags) | dismissed.get(entry.id, set())
        new = [name for name in topics.match(entry) if name not in have]
        if new:
            wanted[entry.id] = new
            keys[entry.id] = entry.citekey
    if dry_run:
        added = wanted
    else:
        added = cat.attach_rule_tags(wanted)
    return AutotagResult({keys[i]: tags for i, tags in added.items() if tags}, len(entries), dry_run)


def topic_counts(cat: Catalogue) -> dict[str, int]:
    return {name: n for name, n, _ in cat.tags()}
