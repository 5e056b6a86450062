"""Topic rules: matching an entry's text against the topics' terms.

Rules are read (``topics.loader``) into ``Topic`` objects whose terms are compiled once;
``TopicSet.match(entry)`` is then a handful of set lookups and ``search`` calls. Tags set by
rules are stored with source ``rule``: a rule never overrides the user, and a rule tag the user
removed is not put back (``services.autotag`` and ``services.library`` apply the rules).

No terminal here, and only stdlib imports: alias lookup runs on ``list --tag``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from papershelf.errors import PapershelfError
from papershelf.model.tags import tag_form
from papershelf.model.text import has_cjk

if TYPE_CHECKING:
    from papershelf.model.entry import Entry

TEXT_FIELDS = ("title", "abstract", "notes", "section")
# ``context``: terms one of which must also be found in the entry for the topic's terms to count
# (a field that names the subject: venue, keywords, arXiv categories, besides the text fields).
TERM_KEYS = (*TEXT_FIELDS, "any", "exclude", "context")
LIST_KEYS = (*TERM_KEYS, "aliases", "categories", "types", "implies")
KNOWN_KEYS = frozenset((*LIST_KEYS, "enabled", "description"))


class TopicsError(PapershelfError):
    """A topic rules file that cannot be used; the message names the file and line."""


def is_regex_term(term: str) -> bool:
    """A term written ``/…/``: a regular expression, searched as written."""
    return len(term) >= 2 and term.startswith("/") and term.endswith("/")


def term_pattern(term: str) -> str:
    """A rule term as a regex: /regex/ as written; a CJK term anywhere; else a whole phrase."""
    if is_regex_term(term):
        return f"(?:{term[1:-1]})"
    if has_cjk(term):
        return re.escape(term)
    words = [re.escape(w) for w in re.split(r"[\s\-]+", term.strip()) if w]
    return r"(?<!\w)" + r"[\s\-]+".join(words) + r"(?!\w)"


_WORD = re.compile(r"\w+")
_ESCAPE = re.compile(r"\\.", re.DOTALL)
_FLAGS = re.compile(r"\(\?[a-zA-Z\-]")  # inline flags such as ``(?-i:…)``: searched as written
_PLAIN_TERM = re.compile(r"[\w\s\-]+")


class _Regex:
    """A term list's regular expressions as one search. Two rewrites that find exactly what the
    plain alternation finds, faster (``re`` has no literal scan for a pattern led by ``\\b``,
    and tries every alternative at every position of the text):

    - when every alternative starts with ``\\b``, it is tested once per position:
      ``\\b(?:A|B)`` for ``(?:\\bA)|(?:\\bB)``;
    - when what follows that ``\\b`` starts with 3 or more plain characters (``\\bdistill…``), the
      text is scanned for them (``re``'s literal search) and ``\\b`` checked where they are.
    """

    __slots__ = ("_body", "pattern")

    def __init__(self, regexes: Sequence[str], flags: int):
        self.pattern = re.compile("|".join(regexes), flags)
        self._body: re.Pattern[str] | None = None
        after = _after_boundary(regexes, flags)
        if after is not None:
            self.pattern = re.compile(f"\\b(?:{after})", flags)
            if not flags & re.IGNORECASE and _literal_prefix(after, flags) >= 3:
                self._body = re.compile(after, flags)

    def search(self, text: str) -> bool:
        body = self._body
        if body is None:
            return self.pattern.search(text) is not None
        match, pos = self.pattern.match, 0  # ``match`` at a position sees the character before it
        while (found := body.search(text, pos)) is not None:
            if match(text, found.start()):
                return True
            pos = found.start() + 1
        return False


def _parsed(pattern: str, flags: int) -> Any:
    try:
        from re import _parser as sre  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse as sre
    return sre.parse(pattern, flags)


def _after_boundary(regexes: Sequence[str], flags: int) -> str | None:
    """The alternation of what follows each ``(?:\\b…)`` of ``regexes``, if each one is ``\\b``
    and then a pattern of its own (checked on the parsed patterns), else None."""
    after = []
    for regex in regexes:  # "(?:" term ")"
        inner = regex[3:-1]
        if not (regex.startswith("(?:") and inner.startswith("\\b")):
            return None
        rest = f"(?:{inner[2:]})"
        try:
            whole, tail = _parsed(regex, flags), _parsed(rest, flags)
        except (re.error, RecursionError, OverflowError, ValueError, TypeError):
            return None
        if not whole.data or repr(whole.data[0]) != "(AT, AT_BOUNDARY)" or repr(whole.data[1:]) != repr(tail.data):
            return None
        after.append(rest)
    return "|".join(after) if after else None


def _literal_prefix(pattern: str, flags: int) -> int:
    """How many plain characters every match of ``pattern`` starts with."""
    count = 0
    for op, _ in _parsed(pattern, flags).data:
        if repr(op) != "LITERAL":
            break
        count += 1
    return count


@dataclass
class _Terms:
    """One list of terms, ready to test: phrases as word tuples looked up in a set of the text's
    word n-grams, CJK terms as substrings, the rest as one regular expression."""

    phrases: frozenset[tuple[str, ...]]
    cjk: tuple[str, ...]
    regex: _Regex | None
    lowered: bool = False  # ``regex`` is searched in the lower-cased text, without IGNORECASE

    @classmethod
    def build(cls, terms: Sequence[str]) -> _Terms:
        phrases, cjk, regexes = set(), [], []
        for term in terms:
            if is_regex_term(term):
                regexes.append(term_pattern(term))
            elif has_cjk(term):
                cjk.append(term.lower())
            elif _PLAIN_TERM.fullmatch(term):
                phrases.add(tuple(_WORD.findall(term.lower())))
            else:  # punctuation inside ("c++", "u.s."): keep it exact
                regexes.append(term_pattern(term))
        joined = "|".join(regexes)
        # A pattern with no capital letter of its own (escapes aside) finds in the lower-cased
        # text what IGNORECASE finds in the text, two to three times faster.
        lowered = not any(c.isupper() for c in _ESCAPE.sub("", joined)) and not _FLAGS.search(joined)
        regex = _Regex(regexes, 0 if lowered else re.IGNORECASE) if regexes else None
        return cls(frozenset(phrases), tuple(cjk), regex, lowered)

    def search(self, text: _Text) -> bool:
        if not text.raw:
            return False
        if self.phrases and not self.phrases.isdisjoint(text.grams):
            return True
        if self.cjk and any(t in text.lower for t in self.cjk):
            return True
        if self.regex is None:
            return False
        # topics share term lists (most share one ``context``): each is searched once a text
        hit = text.searched.get(id(self))
        if hit is None:
            hit = text.searched[id(self)] = self.regex.search(text.lower if self.lowered else text.raw)
        return hit


class _Phrases:
    """The rule phrases, looked up by their words: one-word phrases as a set; the longer ones by
    their first and second word, each with its words spaced (" a b ") for a look in a text's
    words joined by spaces."""

    __slots__ = ("firsts", "longest", "pairs", "singles")

    def __init__(self, phrases: Iterable[tuple[str, ...]]):
        self.pairs: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {}
        singles = []
        phrases = sorted(set(phrases))
        for phrase in phrases:
            if len(phrase) == 1:
                singles.append(phrase[0])
            elif phrase:
                self.pairs.setdefault(phrase[0], {}).setdefault(phrase[1], []).append(
                    (phrase, f" {' '.join(phrase)} "))
        self.singles = frozenset(singles)
        self.firsts = frozenset(self.pairs)
        self.longest = max((len(p) for p in phrases), default=1)

    def found(self, words: list[str], present: set[str]) -> set[tuple[str, ...]]:
        """The phrases ``words`` holds (``present``: its distinct words)."""
        grams: set[tuple[str, ...]] = {(word,) for word in present.intersection(self.singles)}
        joined = None
        for word in present.intersection(self.firsts):
            seconds = self.pairs[word]
            for second in present.intersection(seconds):
                for phrase, spaced in seconds[second]:
                    if len(phrase) == 2 or present.issuperset(phrase):
                        if joined is None:
                            joined = f" {' '.join(words)} "
                        if spaced in joined:
                            grams.add(phrase)
        return grams


class _Text:
    """A field's text, lower-cased, its words, and the rule phrases found in it, computed once
    per entry."""

    __slots__ = ("grams", "lower", "raw", "searched", "words")

    def __init__(self, raw: str, phrases: _Phrases):
        self.raw = raw
        self.lower = raw.lower()
        self.searched: dict[int, bool] = {}  # id of a ``_Terms`` (kept alive by its topic) -> found
        self.words: list[str] = _WORD.findall(self.lower) if raw else []
        self.grams = phrases.found(self.words, set(self.words)) if raw else set()

    @classmethod
    def joined(cls, parts: list[_Text], phrases: _Phrases) -> _Text:
        """The texts of ``parts`` one per line, as if made from that text: their phrases, and
        those that run from one part into the next (looked for in the words around each seam)."""
        parts = [p for p in parts if p.raw]
        text = cls.__new__(cls)
        text.raw = "\n".join(p.raw for p in parts)
        text.lower = text.raw.lower()
        text.searched = {}
        text.words = [w for p in parts for w in p.words]
        text.grams = set().union(*(p.grams for p in parts))
        seam, reach = 0, phrases.longest - 1
        for part in parts[:-1]:
            seam += len(part.words)
            if reach > 0:
                around = text.words[max(0, seam - reach):seam + reach]
                text.grams |= phrases.found(around, set(around))
        return text


_LABEL = {"exclude": "not", "context": "only with"}
# The fields a user writes (a reading list's section, their notes): a term there says the topic
# by itself; a term in the work's own title or abstract needs the topic's context.
_OWN_FIELDS = frozenset({"notes", "section"})


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
    # the phrases a term of a text field (or ``any``) is, and whether any such term is not one
    # (a regex, CJK): a topic with only phrases, none of them in the entry, is not the entry's
    _text_phrases: frozenset[tuple[str, ...]] = field(default_factory=frozenset, repr=False)
    _text_other: bool = field(default=False, repr=False)

    def compile(self, built: dict[tuple[str, ...], _Terms] | None = None) -> None:
        """Compile the terms; ``built`` (term list -> compiled) lets topics with the same list
        share one compiled ``_Terms``, so a text is searched for it once."""
        built = {} if built is None else built
        self._compiled = {}
        for key in TERM_KEYS:
            terms = tuple(self.terms.get(key) or ())
            if terms:
                if terms not in built:
                    built[terms] = _Terms.build(terms)
                self._compiled[key] = built[terms]
        in_text = [self._compiled[k] for k in (*TEXT_FIELDS, "any") if k in self._compiled]
        self._text_phrases = frozenset(p for t in in_text for p in t.phrases)
        self._text_other = any(t.cjk or t.regex is not None for t in in_text)

    @property
    def phrases(self) -> set[tuple[str, ...]]:
        return {p for t in self._compiled.values() for p in t.phrases}

    def matches(self, texts: dict[str, _Text], categories: Iterable[str], type_: str,
                context: Callable[[], _Text] | None = None,
                grams: set[tuple[str, ...]] | None = None) -> bool:
        """Whether the rules give the entry this topic: an excluded term stops it; its type or
        an arXiv category gives it; else a term found in its field does: in the user's notes or
        section always, in the title or abstract if the topic has no ``context`` or one of the
        context terms is found in ``context()`` (the entry's text, venue, own tags and
        categories, built only when asked)."""
        exclude = self._compiled.get("exclude")
        if exclude and any(exclude.search(texts[f]) for f in TEXT_FIELDS):
            return False
        if self.types and type_ in self.types:
            return True
        if self.categories and any(
                c == want or (want.endswith(".") and c.startswith(want))
                for c in categories for want in self.categories):
            return True
        if grams is not None and not self._text_other and self._text_phrases.isdisjoint(grams):
            return False  # (``grams``: the phrases found in any of ``texts``)
        anywhere = self._compiled.get("any")
        for name in TEXT_FIELDS:
            text = texts[name]
            if not text.raw:
                continue
            terms = self._compiled.get(name)
            if (terms and terms.search(text)) or (anywhere and anywhere.search(text)):
                wanted = self._compiled.get("context")
                if wanted is None or name in _OWN_FIELDS or (context is not None and wanted.search(context())):
                    return True
        return False

    def summary(self) -> str:
        """The rules in one line, for ``papershelf topics``."""
        parts = []
        for key in TERM_KEYS:
            terms = self.terms.get(key)
            if terms:
                shown = ", ".join(terms[:4]) + (f" +{len(terms) - 4}" if len(terms) > 4 else "")
                parts.append(f"{_LABEL.get(key, key)}: {shown}")
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


def context_text(entry: Entry, *, fields: bool = True) -> str:
    """What a topic's ``context`` terms are looked for in: the entry's text fields (``fields``
    False: without them), where it appeared (journal, proceedings, arXiv journal reference and
    comment), the tags the rules did not give (a file's keywords, the user's) and its arXiv
    categories, one per line."""
    parts = [*((entry.title, entry.abstract, entry.notes, entry.section) if fields else ()),
             entry.journal, entry.booktitle, entry.journal_ref, entry.arxiv_comment,
             *(t for t in entry.tags if t not in entry.rule_tags), entry.primary_class, *entry.categories]
    return "\n".join(p for p in parts if p)


class TopicSet:
    """All topics in force, with the alias table and compiled rules."""

    def __init__(self, topics: list[Topic]):
        self.topics = topics
        self.by_name = {t.name: t for t in topics}
        self.aliases: dict[str, str] = {}
        for t in topics:
            for alias in t.aliases:
                self.aliases.setdefault(tag_form(alias), t.name)
        built: dict[tuple[str, ...], _Terms] = {}
        for t in topics:
            t.compile(built)
        self._phrases = _Phrases(p for t in topics for p in t.phrases)
        self._order = {t.name: i for i, t in enumerate(topics)}

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
        phrases = self._phrases
        texts = {"title": _Text(entry.title or "", phrases), "abstract": _Text(entry.abstract or "", phrases),
                 "notes": _Text(entry.notes or "", phrases), "section": _Text(entry.section or "", phrases)}
        built: list[_Text] = []

        def context() -> _Text:
            if not built:  # the text fields come first in it: their words and phrases are known
                rest = _Text(context_text(entry, fields=False), phrases)
                built.append(_Text.joined([*(texts[name] for name in TEXT_FIELDS), rest], phrases))
            return built[0]

        grams = set().union(*(t.grams for t in texts.values()))
        found = [t.name for t in self.topics if t.matches(texts, entry.categories, entry.type, context, grams)]
        order = self._order
        return sorted(self._closure(found), key=lambda n: order.get(n, len(order)))

    def tag_new(self, entries: Iterable[Entry]) -> None:
        """Give entries that are about to be added their rule tags (stored as rule tags)."""
        for entry in entries:
            for name in self.match(entry):
                if name not in entry.tags:
                    entry.tags.append(name)
                    entry.rule_tags.append(name)


class Prematched(TopicSet):
    """``topics`` whose tags for some entries were found already (by ``services.read_ahead``'s
    reading process, which matched them against these very rules): ``found`` maps an entry
    object's id to them while the entry is in flight; any other entry is matched here."""

    def __init__(self, topics: TopicSet):  # the same rules, shared, not compiled again
        self.__dict__.update(topics.__dict__)
        self.found: dict[int, list[str]] = {}

    def match(self, entry: Entry) -> list[str]:
        names = self.found.pop(id(entry), None)
        return super().match(entry) if names is None else names
