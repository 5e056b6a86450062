"""The search language, turned into an FTS5 expression plus SQL filters.

    lora                      a word (any field); words are ANDed
    "low-rank adaptation"     a phrase
    diffus*                   a prefix
    author:ho  title:survey   a word, phrase or prefix in one field (also abstract:, notes:,
                              section:)
    tag:lora  type:book       an exact tag / entry type
    year:2020  year:2020..2023  year:..2019  year:2021..
    lora OR peft, NOT gan, -gan, ( … )   boolean operators, grouping
    蒸餾                       CJK text matches anywhere (characters are indexed one by one)
    DDPM  DeiT  LoRA          what a paper is called: acronyms of its title, the short name its
                              title gives, its aliases/shorthand/shorttitle fields
    2112.10752  arXiv:2112.10752v2  https://arxiv.org/abs/…  10.1109/…  doi:…  a citation key
                              identifiers find their entry (any form arXiv ids are pasted in)

A word or phrase that is a topic's alias (``綜述`` for ``survey``) also matches the entries
tagged with that topic, when the caller passes ``topic_of`` (the service that knows the topics):
``ParsedQuery.fts`` carries those alternatives, ``ParsedQuery.literal`` is the query without
them (the search ranks literal hits first).

Everything the user types is quoted before it reaches FTS5, so punctuation is never FTS5
syntax; what cannot be parsed raises ``QuerySyntaxError`` with a one-line reason, and so does
a query over the bounds (``MAX_QUERY_CHARS``, ``MAX_TERMS``, ``MAX_PREFIXES``, ``MIN_PREFIX_CHARS``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from papershelf.errors import QuerySyntaxError
from papershelf.model.tags import tag_form
from papershelf.model.text import has_cjk, script_variants, split_cjk

FTS_FIELDS = {"title": "title", "author": "authors", "authors": "authors",
              "abstract": "abstract", "note": "notes", "notes": "notes", "section": "section"}
FILTER_FIELDS = ("tag", "type", "year")
ID_FIELDS = ("arxiv", "doi")  # arXiv:2112.10752v2 and doi:10.… are identifiers, as pasted
URL_SCHEMES = ("http", "https")
OPERATORS = {"AND", "OR", "NOT"}
# Bounds on one search, so no query can keep SQLite busy for minutes or overflow its expression
# tree: at most this many characters, and this many terms (words, phrases, prefixes and
# tag:/type:/year: filters; --tag and --type options count as filters too).
MAX_QUERY_CHARS = 2000
MAX_TERMS = 100
# A prefix term (``diffus*``) reads every indexed word it starts: the costly kind. At most this
# many in one query, each of at least two letters (one CJK character is enough).
MAX_PREFIXES = 10
MIN_PREFIX_CHARS = 2

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lparen>\() | (?P<rparen>\)) |
        (?P<neg>-)?(?:(?P<field>[A-Za-z_]+):)?
        (?:"(?P<phrase>[^"]*)"(?P<pstar>\*)? | (?P<word>[^\s()"]+))
        | (?P<badquote>")
    )""",
    re.VERBOSE,
)


@dataclass
class Filters:
    """Conditions shared by ``list`` and ``search``."""

    tags: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    year_min: int | None = None
    year_max: int | None = None
    # Per tag in ``tags``: the stored tag names it matches (the tag, and the topic it is an
    # alias of). Filled in by the service that knows the topics; empty means "exactly the tag".
    tag_groups: list[list[str]] = field(default_factory=list)
    has_pdf: bool | None = None  # True: only entries with an attached file; False: only without

    def __post_init__(self) -> None:
        if len(self.tags) + len(self.types) > MAX_TERMS:
            raise QuerySyntaxError(f"too many tag and type filters ({len(self.tags) + len(self.types)}): "
                                   f"at most {MAX_TERMS}")

    def is_empty(self) -> bool:
        return not self.tags and not self.types and self.year_min is None and self.year_max is None \
            and self.has_pdf is None

    def merge(self, other: Filters) -> Filters:
        lo = [y for y in (self.year_min, other.year_min) if y is not None]
        hi = [y for y in (self.year_max, other.year_max) if y is not None]
        return Filters(self.tags + other.tags, self.types + other.types,
                       max(lo) if lo else None, min(hi) if hi else None,
                       has_pdf=self.has_pdf if self.has_pdf is not None else other.has_pdf)

    def with_tag_groups(self, names_for: Callable[[str], list[str]]) -> Filters:
        """These filters with each tag expanded to the stored names it matches."""
        return replace(self, tag_groups=[names_for(t) for t in self.tags])

    def tag_name_groups(self) -> list[list[str]]:
        return self.tag_groups if len(self.tag_groups) == len(self.tags) else [
            [tag_form(t)] for t in self.tags]


def parse_years(text: str) -> tuple[int | None, int | None]:
    """``2020`` → (2020, 2020); ``2020..2023``, ``..2019``, ``2021..`` → ranges."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})?\s*(\.\.|-)?\s*(\d{4})?", text)
    if not text or not m or (m.group(2) is None and m.group(3) is not None):
        raise QuerySyntaxError(f"bad year {text!r}: use 2020, 2020..2023, ..2019 or 2021..")
    lo = int(m.group(1)) if m.group(1) else None
    hi = int(m.group(3)) if m.group(3) else None
    if m.group(2) is None:
        hi = lo
    if lo is not None and hi is not None and lo > hi:
        raise QuerySyntaxError(f"bad year range {text!r}: {lo} is after {hi}")
    return lo, hi


FULLTEXT_PREFIXES = ("fulltext:", "pdf:")


def fulltext_only(query: str) -> str | None:
    """The rest of a query that asks for the attached PDFs' text only (``fulltext:low-rank
    adaptation``, ``pdf:蒸餾``), else None (a plain query searches metadata, then full text)."""
    stripped = query.strip()
    for prefix in FULLTEXT_PREFIXES:
        if stripped[:len(prefix)].lower() == prefix:
            rest = stripped[len(prefix):].strip()
            if not rest:
                raise QuerySyntaxError(f"nothing to search for after {prefix}")
            return rest
    return None


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _term(text: str, prefix: bool) -> str:
    """One word or phrase as FTS5 wants it; Chinese in either script as the OR of its forms."""
    forms = script_variants(text)
    if len(forms) > 1:
        return "(" + " OR ".join(_one_term(f, prefix) for f in forms) + ")"
    return _one_term(text, prefix)


def _one_term(text: str, prefix: bool) -> str:
    spaced = " ".join(split_cjk(text).split())
    if not spaced.strip():
        raise QuerySyntaxError("empty phrase in query")
    if prefix:
        last = spaced.split()[-1]
        if len(last) < MIN_PREFIX_CHARS and not has_cjk(last):
            raise QuerySyntaxError(f"prefix {last}* is too short: give at least {MIN_PREFIX_CHARS} letters "
                                   "before the *")
    return _quote(spaced) + ("*" if prefix else "")


@dataclass
class ParsedQuery:
    fts: str  # the FTS5 MATCH expression; "" when the query is filters only
    filters: Filters
    literal: str = ""  # ``fts`` without the topic alternatives (== fts when there are none)

    def __post_init__(self) -> None:
        self.literal = self.literal or self.fts


def identifier(text: str) -> str | None:
    """The searchable form of an identifier as pasted: an arXiv id in any form (``arXiv:…v2``,
    abs/pdf URLs, arXiv's own DOI) as its canonical id, a DOI (bare, ``doi:``, resolver URL) as
    the DOI; None for anything else."""
    if not any(c.isdigit() for c in text) or not any(c in "./:" for c in text):
        return None  # most words: no need to load the identifier patterns
    from papershelf.model.identifiers import canonical_arxiv, doi_of, is_arxiv_doi

    doi = doi_of(text)
    if doi and is_arxiv_doi(doi):
        return canonical_arxiv(doi.split("/", 1)[1].split(".", 1)[1])
    return canonical_arxiv(text) or doi


def _searchable(text: str) -> bool:
    """Whether ``text`` holds anything the index has words for (a letter, digit or CJK)."""
    return any(c.isalnum() for c in text)


def parse_query(query: str, topic_of: Callable[[str], str | None] | None = None) -> ParsedQuery:
    """Parse the search language into an FTS5 expression and filters. ``topic_of`` maps a word
    or phrase to the topic it is an alias of (or None); see the module docstring."""
    filters = Filters()
    parts: list[str] = []
    literal: list[str] = []
    pos = 0
    depth = 0
    terms = 0
    prefixes = 0
    query = query.strip()
    if len(query) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query too long ({len(query)} characters): at most {MAX_QUERY_CHARS}")
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            raise QuerySyntaxError(f"cannot read the query from {query[pos:].strip()!r}")
        pos = m.end()
        if m.group("badquote"):
            raise QuerySyntaxError('unbalanced " in query: close the phrase with a second "')
        if m.group("lparen"):
            depth += 1
            parts.append("(")
            literal.append("(")
            continue
        if m.group("rparen"):
            depth -= 1
            if depth < 0:
                raise QuerySyntaxError("unbalanced ) in query")
            parts.append(")")
            literal.append(")")
            continue
        fname = (m.group("field") or "").lower()
        phrase, word = m.group("phrase"), m.group("word")
        negate = bool(m.group("neg"))
        if not fname and phrase is None and word in OPERATORS:
            parts.append(word)
            literal.append(word)
            continue
        if fname in URL_SCHEMES and word is not None:  # a pasted link: https://arxiv.org/abs/…
            link = f"{m.group('field')}:{word}"
            fname, word = "", link if identifier(link) else re.sub(r"^[a-z]+://(www\.)?", "", link, flags=re.I)
        if phrase is None and not fname and not word.endswith("*") and not _searchable(word):
            continue  # punctuation alone ("^", "--"): nothing the index could hold
        terms += 1
        if terms > MAX_TERMS:
            raise QuerySyntaxError(f"too many search terms: at most {MAX_TERMS} words, phrases and "
                                   "filters in one query")
        if fname in FILTER_FIELDS:
            value = phrase if phrase is not None else word
            if negate:
                raise QuerySyntaxError(f"-{fname}: cannot be negated; leave it out instead")
            if fname == "tag":
                filters.tags.append(value)
            elif fname == "type":
                filters.types.append(value.lower())
            else:
                lo, hi = parse_years(value)
                filters = filters.merge(Filters(year_min=lo, year_max=hi))
            continue
        if fname in ID_FIELDS:
            value = phrase if phrase is not None else word
            found = identifier(f"{fname}:{value}") or identifier(value)
            if not found:
                raise QuerySyntaxError(f"{fname}:{value} is not an {'arXiv id' if fname == 'arxiv' else 'DOI'}")
            term = f"ids : {_term(found, False)}"
            term = f"NOT {term}" if negate else term
            parts.append(term)
            literal.append(term)
            continue
        if fname and fname not in FTS_FIELDS:
            known = ", ".join(sorted(set(FTS_FIELDS) | set(FILTER_FIELDS) | set(ID_FIELDS)))
            raise QuerySyntaxError(f"unknown field {fname!r}: fields are {known}",
                                   hint=f'to search for the text itself, quote it: "{m.group(0).strip()}"')
        topic = None
        if phrase is not None:
            prefix = bool(m.group("pstar"))
            term = _term(phrase, prefix)
        else:
            prefix = word.endswith("*")
            bare = word.rstrip("*")
            if not bare:
                raise QuerySyntaxError("a lone * is not a search term: put it after a word, e.g. diffus*")
            found = None if prefix or fname else identifier(bare)
            term = _term(found or bare, prefix)
        if topic_of is not None and not fname and not prefix:
            topic = topic_of(phrase if phrase is not None else word)
        prefixes += prefix
        if prefixes > MAX_PREFIXES:
            raise QuerySyntaxError(f"too many prefix terms (word*): at most {MAX_PREFIXES} in one query")
        if fname:
            term = f"{FTS_FIELDS[fname]} : {term}"
        plain = term
        if topic:  # the alias's topic tag: an alternative, ranked below the literal hit
            term = f"({term} OR tags : {_term(topic.replace('-', ' '), False)})"
        if negate:
            term, plain = f"NOT {term}", f"NOT {plain}"
        parts.append(term)
        literal.append(plain)
    if depth != 0:
        raise QuerySyntaxError("unbalanced ( in query")
    fts = _join(parts)
    if not fts and not filters.tags and not filters.types and filters.year_min is None \
            and filters.year_max is None:
        raise QuerySyntaxError("nothing to search for: give a word, a \"phrase\" or a filter",
                               hint="`papershelf list` shows every entry")
    if fts.startswith("NOT ") or fts.endswith((" NOT", " OR", " AND")) or fts in OPERATORS \
            or "( )" in fts or "()" in fts:
        # FTS5's NOT is binary ("a NOT b"): it needs something to subtract from.
        raise QuerySyntaxError("NOT, OR, AND and -word need a search term on each side")
    return ParsedQuery(fts, filters, _join(literal))


def _join(parts: list[str]) -> str:
    """The parts as one FTS5 expression, with an explicit AND where two operands meet: FTS5
    reads ``a b`` as ``a AND b`` but refuses ``a (b OR c)``."""
    out: list[str] = []
    for part in parts:
        if out and out[-1] not in OPERATORS and out[-1] != "(" and part not in OPERATORS \
                and part != ")" and not part.startswith("NOT "):
            out.append("AND")
        out.append(part)
    return " ".join(out)
