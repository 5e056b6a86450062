"""bench_peers.py's export check: does a tool's BibTeX export hold every entry of the file it
was given, with the same title, authors, year and DOI, as BibTeX reads them?

Apart from cutting an author list at its ``and``s (papershelf's ``split_names``: bibtexparser's
own drops an accent command after an ``and``), independent of papershelf's reader, whose export
it judges too: bibtexparser 2 cuts the file into entries and fields and splits each person into
BibTeX's four parts (first, von, last, jr) by BibTeX's rules; pylatexenc decodes the LaTeX.

* Each compared value must be one BibTeX value (``{…}``, ``"…"``, a number or a macro, joined by
  ``#``). bibtexparser 2 reads ``title = {GANs}: Video …,`` up to the comma, but bibtex stops
  there ("I was expecting a `,' or a `}'", the rest of the entry skipped) and biber 2.18 reads
  no entry of such a file at all: "not valid BibTeX".
* title, year, DOI: compared on their letters and digits (LaTeX decoded; accents, case, braces
  and punctuation dropped): a tool may re-case or re-brace a title.
* author: the people in order, each person's four parts LaTeX-decoded (NFC), braces dropped,
  ties and spaces made one space; accents and case kept. A name written in another LaTeX form
  that bibtex and biber print alike (``Nguy{\\~{\\^{e}}}n, Åsa`` and ``Nguyễn, {\\r{A}}sa``, or
  ``Ren{\\'e} Roux`` and ``Roux, René``) is equal. A person dropped, added, moved or renamed
  differs, and so does a person whose words moved between parts (``Davis, Jr., Jon`` →
  ``Davis Jr., Jon``: "Jr." read as part of the last name; ``Ana van der Berg`` → ``der Berg,
  Ana van``: "van" read as a given name, abbreviated "A. v. der Berg"); the report names the kind.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import warnings
from collections import defaultdict
from dataclasses import dataclass

COMPARED = ("title", "author", "year", "doi")
Person = tuple[str, str, str, str]  # (first, von, last, jr), decoded


@dataclass(frozen=True)
class Invalid:
    """A value bibtex cannot read (as written, for the report)."""

    raw: str


@functools.cache
def _latex():
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text()


@functools.lru_cache(maxsize=200_000)
def _decoded(value: str) -> str:
    """LaTeX decoded by pylatexenc (an independent decoder), NFC; as written if it does not decode."""
    if "\\" in value or "$" in value or "~" in value:
        try:
            value = _latex().latex_to_text(value)
        except Exception:  # leave it as written: a real difference will still show
            pass
    return unicodedata.normalize("NFC", value)


@functools.lru_cache(maxsize=200_000)
def plain(value: str) -> str:
    """A field's text whatever way a tool wrote it: LaTeX decoded, accents dropped, case and
    everything but letters and digits ignored."""
    value = unicodedata.normalize("NFKD", _decoded(value).replace("{", "").replace("}", ""))
    return "".join(c for c in value.lower() if c.isalnum() and not unicodedata.combining(c))


def _part(words: list[str]) -> str:
    """One part of a name as text. BibTeX (and bibtexparser) cut words at a tie, also the one
    of an unbraced ``Ca\\~nete``, and print them joined again: so are they here."""
    written = "".join(w + ("~" if w.endswith("\\") else " ") for w in words)
    return " ".join(_decoded(written).replace("{", "").replace("}", "").split())


@functools.lru_cache(maxsize=200_000)
def _person(name: str) -> Person:
    from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

    try:
        p = parse_single_name_into_parts(name, strict=False)
    except InvalidNameError:  # e.g. a stray comma: the whole name as its last part
        return ("", "", _part([name]), "")
    return (_part(p.first), _part(p.von), _part(p.last), _part(p.jr))


def people(value: str) -> tuple[Person, ...]:
    """An author list as BibTeX reads it: each person's (first, von, last, jr), decoded."""
    from papershelf.formats.bibtex.mapping import split_names

    return tuple(_person(name) for name in split_names(" ".join(value.split())))


def show(person: Person) -> str:
    """``von Last, Jr, First``: a person's parts as one BibTeX name."""
    first, von, last, jr = person
    return ", ".join(filter(None, [" ".join(filter(None, [von, last])), jr, first]))


def value_of(raw: str, strings: dict[str, str]) -> str | None:
    """A field's value as bibtex reads it (``{…}``/``"…"``/number/macro parts joined by ``#``);
    None if it is not one BibTeX value (bibtex skips the rest of the entry there)."""
    out: list[str] = []
    i, n = 0, len(raw)
    while True:
        while i < n and raw[i].isspace():
            i += 1
        if i >= n:
            return None  # nothing, or nothing after a '#'
        if raw[i] in '{"':
            depth, j = 0, i
            while j < n:
                c = raw[j]
                depth += (c == "{") - (c == "}")
                if depth < 0 or (depth == 0 and j > i and (c == "}" if raw[i] == "{" else c == '"')):
                    break
                j += 1
            if j >= n or depth < 0:
                return None
            out.append(raw[i + 1:j])
            i = j + 1
        else:
            word = re.match(r'[^\s#{}",=]+', raw[i:])
            if word is None:
                return None
            text = word.group()
            out.append(text if text.isdigit() else strings.get(text.lower(), ""))
            i += len(text)
        while i < n and raw[i].isspace():
            i += 1
        if i >= n:
            return "".join(out)
        if raw[i] != "#":
            return None
        i += 1


def compared(fields: dict[str, str], strings: dict[str, str]) -> dict[str, object]:
    """The fields the check compares, from their raw values: title, year and DOI as ``plain``
    text, the authors as ``people``; a value bibtex cannot read as ``Invalid``."""
    out: dict[str, object] = {}
    for name in COMPARED:
        raw = fields.get(name)
        if raw is None:
            continue
        value = value_of(raw, strings)
        if value is None:
            out[name] = Invalid(raw)
        else:
            out[name] = people(value) if name == "author" else plain(value)
    return out


def bib_fields(text: str) -> dict[str, dict[str, object]]:
    """Citation key → the compared fields of each entry of a .bib text (bibtexparser 2 with no
    middleware: raw values, read here as bibtex reads them; @string macros resolved)."""
    import bibtexparser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        library = bibtexparser.parse_string(text, parse_stack=[])
    strings: dict[str, str] = {}
    for s in library.strings:
        strings[s.key.lower()] = value_of(str(s.value), strings) or ""
    return {e.key: compared({f.key.lower(): str(f.value) for f in e.fields}, strings)
            for e in library.entries}


def _words(person: Person) -> list[str]:
    return sorted(" ".join(person).split())


def author_change(source: tuple[Person, ...], exported: tuple[Person, ...]) -> tuple[str, str]:
    """What kind of change turned one author list into another, and an example from it."""
    if len(source) != len(exported):
        kind = "authors dropped" if len(exported) < len(source) else "authors added"
        return kind, f"{len(source)} → {len(exported)} people"
    if sorted(source) == sorted(exported):
        first = next(i for i, (a, b) in enumerate(zip(source, exported, strict=True)) if a != b)
        return "authors reordered", f"person {first + 1}: {show(source[first])} → {show(exported[first])}"
    changed = [(a, b) for a, b in zip(source, exported, strict=True) if a != b]

    def kind_of(a: Person, b: Person) -> str:
        if _words(a) == _words(b):
            return "name parts moved (the same words, BibTeX reads another name)"
        if sorted(map(plain, _words(a))) == sorted(map(plain, _words(b))):
            return "accents or case changed"
        return "name changed"

    kinds = [kind_of(a, b) for a, b in changed]
    worst = max(range(len(changed)), key=lambda i: (kinds[i] == "name changed",
                                                     kinds[i] == "accents or case changed"))
    a, b = changed[worst]
    return kinds[worst], f"{show(a)} → {show(b)}"


def compare_fields(text: str, source: dict[str, dict[str, object]]) -> str:
    """Whether an export (a .bib text) holds every entry of ``source`` (``bib_fields`` of the
    file it was given) with the same title, authors, year and DOI; else how many differ, by
    kind of difference, with an example of each."""
    exported = bib_fields(text)
    missing = [k for k in source if k not in exported]
    kinds: dict[str, list[str]] = defaultdict(list)  # "field: kind" -> examples
    for key, fields in source.items():
        if key not in exported:
            continue
        for name, want in fields.items():
            got = exported[key].get(name)
            if got == want:
                continue
            if isinstance(got, Invalid):
                kinds[f"{name}: not valid BibTeX (bibtex skips the rest of the entry, biber reads "
                      f"no entry of the file)"].append(f"{key}: {name} = {_short(got.raw)}")
            elif got is None:
                kinds[f"{name}: dropped"].append(key)
            elif name == "author" and isinstance(want, tuple) and isinstance(got, tuple):
                kind, example = author_change(want, got)
                kinds[f"author: {kind}"].append(f"{key}: {example}")
            else:
                kinds[f"{name}: changed"].append(f"{key}: {_short(str(want))} → {_short(str(got))}")
    if not missing and not kinds:
        return f"ok: all {len(source)} entries, {', '.join(COMPARED)} equal"
    parts = []
    if missing:
        parts.append(f"{len(missing)} of {len(source)} entries missing (e.g. {', '.join(missing[:3])})")
    for kind, examples in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        parts.append(f"{len(examples)} × {kind} (e.g. {examples[0]})")
    return "WRONG: " + "; ".join(parts)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
