"""Entries → BibTeX or biblatex text. Pure: no catalogue, no terminal, no bibtexparser.

Two styles:

``bibtex``
    For ``\\bibliographystyle{plain}`` and friends. Non-ASCII letters are written as LaTeX
    (``B{\\"a}ck``) so ``bibtex`` sorts and case-changes them; characters LaTeX has no
    spelling for (CJK) stay UTF-8. Standard entry types only (``@online`` → ``@misc``). Every
    entry is written so that ``plain.bst`` has nothing to warn about: an entry missing a
    field its type requires (a book without a publisher) is written as ``@misc`` with
    ``papershelf-type = {book}`` so it reads back as what it is; a ``number`` that ``plain``
    cannot print (no volume, or beside one) is written as ``issue``; an entry without
    authors gets ``key`` (its citekey) to sort by.
``biblatex``
    For biber. UTF-8 throughout, biblatex field names (``journaltitle``, ``location``,
    ``date``, ``eprinttype``/``eprintclass``) and ``@online`` for preprints.

Preprints (``misc`` with an arXiv id) are ``@misc``/``@online`` with ``eprint``,
``archivePrefix``/``eprinttype``, ``primaryClass``/``eprintclass`` and the abs-page URL; a
published paper keeps its eprint beside journal or booktitle. An arXiv ``journal_ref``
(a preprint whose venue is known only as free text) is written as ``note`` - never turned
into a journal or booktitle - unless the entry already has a note. An arXiv ``article`` with no
journal (a DOI was all arXiv knew) is written as the preprint, never as ``papershelf-type``.
An entry's aliases (merged-away keys) are written as ``ids`` in both styles: biber cites them,
bibtex skips the field, and a re-import reads them back as aliases; bibtex has no ids, so each
alias the document cites (``alias_copies``) also gets a copy of the entry under that key.

Catalogue-only data is not written: ``section``, ``links``, ``categories``,
``arxiv_version``, ``arxiv_comment``, and the ``aliases`` field (other names of the work, for
search) unless a .bib file wrote it (then verbatim, as every field it wrote). Tags are written
as ``keywords``, notes as ``annote`` (``annotation`` in biblatex), so a re-import keeps them;
``minimal=True`` leaves out abstract, keywords and notes.

An entry read from a .bib file (``Entry.source_type`` set) is written as the file wrote it:
its type, and every field's verbatim value (``Entry.source_fields``) in the file's order; only
the fields changed since (``Entry.edited``) that no verbatim text replaced are generated from
the decoded view, encoded for the style. No plain.bst adaptation is made to such an entry (it
is the user's); a value the file wrote otherwise than as one ``{…}`` group (``Entry.source_raw``:
``month = aug``, ``journal = jair``, ``"Foo"``) is written as it was, so a macro stays a macro
(an undefined one too: bibtex warns as it did) and ``month = {aug}`` keeps its braces.
``write_bibtex`` puts first the ``@string`` definitions the entries' values use, then the
``@preamble`` blocks of the files they came from (unless ``preamble=False``). Control characters
are never written (removed, and reported in ``cleaned``).

Keywords (``keywords=``): ``source`` (default) writes a .bib entry's own ``keywords`` field
unchanged and none for an entry papershelf made; ``tags`` writes the entry's tags instead;
``both`` the source's keywords followed by the tags they lack.

Output is deterministic: entries in the order given, fields in a fixed order (other fields
after them alphabetically), two-space indent, one field per line, LF line endings.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterable, Iterator
from functools import lru_cache

from papershelf.formats.bibtex.fields import names_field, preprint_url, title_field
from papershelf.formats.bibtex.latex import encode
from papershelf.formats.bibtex.shapes import (
    BIBTEX_TYPES,
    ISO_DATE,
    TO_BIBLATEX,
    WriteReport,
    biblatex_shape,
    bibtex_shape,
)
from papershelf.model.entry import Entry

STYLES = ("bibtex", "biblatex")
# Fields papershelf keeps for search and writes only as a .bib file wrote them (verbatim): other
# names of the work (``model.names``). No BibTeX style reads them (bibtex and pandoc skip an
# unknown field; biber leaves out what its data model lacks).
CATALOGUE_ONLY_EXTRA = frozenset({"aliases"})
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


_ORDER = (
    "author", "editor", "title", "subtitle", "journal", "journaltitle", "booktitle", "chapter",
    "series", "volume", "number", "issue", "pages", "publisher", "organization", "institution",
    "school", "address", "location", "edition", "type", "howpublished", "year", "month", "date",
    "isbn", "issn", "doi", "eprint", "archivePrefix", "eprinttype", "primaryClass", "eprintclass",
    "url", "urldate", "note", "key", "papershelf-type", "entrysubtype",
)
_LAST = ("keywords", "abstract", "annote", "annotation")
# Values written as they are (identifiers, URLs): LaTeX-escaping would corrupt them.
_VERBATIM = frozenset({"doi", "url", "eprint", "isbn", "issn", "urldate", "date", "year", "pages",
                       "file", "pdf", "archivePrefix", "primaryClass", "eprinttype",
                       "eprintclass", "key", "papershelf-type"})
_BARE = frozenset({"month"})

KEYWORDS = ("source", "tags", "both")
# Control characters bibtex cannot take (NUL ends a string in its C pool); tab and LF stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CONTROL_CHARS = tuple(c for c in map(chr, range(128)) if _CONTROL.match(c))


# --- one entry -------------------------------------------------------------------------------

def _fields(entry: Entry, style: str) -> tuple[str, dict[str, str]]:
    """The entry type and the field values (already encoded), before ordering."""
    ascii = style == "bibtex"
    f: dict[str, str] = {}
    if entry.authors:
        f["author"] = names_field(entry.authors, ascii=ascii)
    if entry.editors:
        f["editor"] = names_field(entry.editors, ascii=ascii)
    if entry.title:
        f["title"] = title_field(entry.title, ascii=ascii)
    for name in ("journal", "booktitle", "volume", "number", "pages", "publisher", "edition",
                 "isbn", "doi"):
        value = getattr(entry, name)
        if value:
            f[name] = value if name in _VERBATIM else encode(str(value), ascii=ascii)
    year = entry.year or (int(entry.date[:4]) if entry.date and entry.date[:4].isdigit() else None)
    if year:
        f["year"] = str(year)
        date = entry.publication_date
        if date and len(date) >= 7 and date[5:7].isdigit() and 1 <= int(date[5:7]) <= 12:
            f["month"] = MONTHS[int(date[5:7]) - 1]
    if entry.arxiv_id:
        f["eprint"] = entry.arxiv_id
        f["archivePrefix"] = "arXiv"
        if entry.primary_class:
            f["primaryClass"] = entry.primary_class
    url = entry.url or (preprint_url(entry) if entry.is_preprint else None)
    if url:
        f["url"] = url.replace("{", "%7B").replace("}", "%7D")
    for key, value in sorted(entry.extra.items()):
        if key in f or not value:
            continue
        if key in ("abstract", "keywords", "annote", "annotation") or key in CATALOGUE_ONLY_EXTRA:
            continue
        f[key] = value.replace("{", "%7B").replace("}", "%7D") if key in _VERBATIM else \
            encode(value, ascii=ascii)
    if entry.journal_ref and not entry.has_venue and "note" not in f:
        f["note"] = encode(entry.journal_ref, ascii=ascii)
    if entry.aliases:  # other keys that cite it: biber's ids (bibtex ignores the field)
        f["ids"] = _ids(f.get("ids"), entry.aliases)
    return entry.type or "misc", f


def _ids(written: str | None, aliases: list[str]) -> str:
    """``ids``: the keys a file wrote there (as written, when they are all), then the entry's
    other aliases."""
    listed = [*filter(None, map(str.strip, (written or "").split(",")))]
    if written and set(aliases) <= set(listed):
        return written
    return ", ".join(dict.fromkeys([*listed, *aliases]))


def _keywords(entry: Entry, style: str, keywords: str, source: str | None) -> str | None:
    """The ``keywords`` value to write (see the module docstring), or None."""
    if keywords == "source":
        return source
    tags = encode(", ".join(entry.tags), ascii=style == "bibtex") if entry.tags else None
    if keywords == "tags" or not source:
        return tags
    from papershelf.formats.bibtex.mapping import tags as tags_of

    have = set(tags_of(source))  # the source's words in their tag form
    more = [t for t in entry.tags if t.lower() not in have]
    return ", ".join([source, encode(", ".join(more), ascii=style == "bibtex")]) if more else source


def _long_fields(entry: Entry, style: str, minimal: bool, keywords: str = "source") -> dict[str, str]:
    ascii = style == "bibtex"
    f: dict[str, str] = {}
    if minimal:
        return f
    kw = _keywords(entry, style, keywords, entry.source_fields.get("keywords"))
    if kw:
        f["keywords"] = kw
    abstract = entry.abstract or entry.extra.get("abstract")
    if abstract:
        f["abstract"] = encode(abstract.strip(), ascii=ascii)
    if entry.notes and entry.notes.strip():
        f["annotation" if style == "biblatex" else "annote"] = "\n".join(
            encode(line.rstrip(), ascii=ascii) for line in entry.notes.strip("\n").splitlines())
    return f


_LONG = frozenset({"abstract", "keywords", "annote", "annotation"})
# Generated names a style writes under another name (bibtex name -> biblatex name).
_GROUPS_BIBLATEX = {"year": "date", "month": "date"}


def generates(edited: Collection[str], fields: Collection[str]) -> bool:
    """Whether an entry read from a .bib file has fields to generate: its type or a field
    changed since (``Entry.edited``) that no verbatim text replaced."""
    return any(name == "@type" or name not in fields for name in edited)


def _verbatim_fields(entry: Entry, style: str, minimal: bool, keywords: str) -> tuple[str, dict[str, str]]:
    """An entry read from a .bib file: its own type and fields as written; the fields changed
    since and not written by the user are generated (see the module docstring)."""
    edited = set(entry.edited)
    kind = entry.source_type or entry.type or "misc"
    out = {name: value for name, value in entry.source_fields.items()}
    if generates(edited, out):
        missing = (edited - set(out)) - {"@type"}
        gen_kind, gen = _fields(dataclasses.replace(entry, aliases=[], extra={
            k: v for k, v in entry.extra.items() if k not in out}), style)
        gen.update(_long_fields(entry, style, False, "tags"))
        if "@type" in edited:
            kind = "misc" if style == "bibtex" and gen_kind not in BIBTEX_TYPES else gen_kind
        by_lower = {name.lower(): name for name in gen}
        for name in sorted(missing):
            if name in by_lower and name != "keywords":
                written = by_lower[name]
                if style == "biblatex":
                    written = _GROUPS_BIBLATEX.get(written, TO_BIBLATEX.get(written.lower(), written))
                if written == "date" and "date" not in out:
                    date = entry.publication_date
                    out["date"] = date if date and ISO_DATE.fullmatch(date) else gen["year"]
                elif written != "date":
                    out.setdefault(written, gen[by_lower[name]])
    kw = None if minimal else _keywords(entry, style, keywords, entry.source_fields.get("keywords"))
    return kind, _finished(out, kw, entry.aliases, minimal)


def _finished(out: dict[str, str], kw: str | None, aliases: list[str], minimal: bool) -> dict[str, str]:
    """A verbatim entry's fields with its ``keywords`` (``kw``, last) or without the long
    fields (``minimal``), and its aliases in ``ids``."""
    if minimal:
        out = {k: v for k, v in out.items() if k not in _LONG}
    else:
        out.pop("keywords", None)
        if kw:
            out["keywords"] = kw
    if aliases:  # other keys that cite it: biber's ids (bibtex ignores the field)
        out["ids"] = _ids(out.get("ids"), aliases)
    return out


def verbatim_to_bibtex(key: str, kind: str, fields: dict[str, str], raw: dict[str, str],
                       aliases: list[str], *, minimal: bool, report: WriteReport) -> str:
    """The text ``entry_to_bibtex`` (``keywords="source"``, either style) gives an entry read
    from a .bib file that has nothing to generate (``generates`` False), from what the rows
    keep of it alone: its key, type as written (``kind``), verbatim fields (``fields``,
    ``Entry.source_fields``) and how they were written (``raw``, ``Entry.source_raw``), and
    its aliases. No ``Entry`` is built: the first export of a catalogue of .bib entries."""
    return _verbatim_text(key, kind, _finished(dict(fields), fields.get("keywords"), aliases, minimal),
                          fields, raw, report)


def _verbatim_text(key: str, kind: str, f: dict[str, str], fields: dict[str, str], raw: dict[str, str],
                   report: WriteReport) -> str:
    forms = _forms(f, fields, raw)  # before cleaning: a cleaned value is no longer the one written
    _clean(key, f, report)
    return _lines_of(key, kind, f, f, forms)


def _forms(f: dict[str, str], fields: dict[str, str], raw: dict[str, str]) -> dict[str, str]:
    """How the fields of ``f`` that still hold their verbatim value (``fields``) were written,
    when not as one ``{…}`` group (``raw``, ``Entry.source_raw``): ``month = aug``, ``journal = jair``."""
    out = {name: _CONTROL.sub("", form) for name, form in raw.items()
           if name in f and fields.get(name) == f[name]} if raw else {}
    for name in _BARE:  # a month generated since (not the file's): its bare macro, as for any entry
        if name in f and name not in fields and f[name] in MONTHS:
            out[name] = f[name]
    return out


def _clean(key: str, f: dict[str, str], report: WriteReport) -> None:
    """No control character reaches the file (bibtex stops at NUL); each removal reported."""
    joined = "".join(f.values())
    if not any(c in joined for c in _CONTROL_CHARS):  # (substring tests: faster than the regex)
        return
    for name, value in f.items():
        if _CONTROL.search(value):
            f[name] = _CONTROL.sub("", value)
            report.cleaned.setdefault(key, []).append(name)


def _lines_of(key: str, kind: str, f: dict[str, str], names: Iterable[str],
              forms: dict[str, str] | None = None) -> str:
    """The entry's text: each value between braces, or as ``forms`` says it was written; a
    generated month (``forms`` None) as its bare macro."""
    lines = [f"@{kind}{{{key},\n"]
    if forms is not None and not forms:  # every value between braces (most .bib entries)
        lines += [f"  {name} = {{{f[name]}}},\n" for name in names]
        names = ()
    for name in names:
        value = f[name]
        if forms is not None:
            form = forms.get(name)
            lines.append(f"  {name} = {form},\n" if form is not None else f"  {name} = {{{value}}},\n")
        elif name in _BARE and value in MONTHS:
            lines.append(f"  {name} = {value},\n")
        else:
            lines.append(f"  {name} = {{{value}}},\n")
    lines.append("}\n")
    return "".join(lines)


_RANK = {name: i for i, name in enumerate(_ORDER)}
_RANK_LAST = {name: i for i, name in enumerate(_LAST)}


@lru_cache(maxsize=4096)
def _field_order(names: tuple[str, ...]) -> tuple[str, ...]:
    """The fixed field order (see the module docstring); entries share a few sets of names."""
    return tuple(sorted(names, key=lambda n: (n in _RANK_LAST, _RANK_LAST.get(n, 0),
                                              _RANK.get(n, len(_RANK)), n.lower())))


def entry_to_bibtex(entry: Entry, style: str = "bibtex", *, minimal: bool = False,
                    report: WriteReport | None = None, keywords: str = "source") -> str:
    """One entry as text, ending with a newline."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}")
    report = report if report is not None else WriteReport()
    if entry.source_type is not None:
        kind, f = _verbatim_fields(entry, style, minimal, keywords)
        return _verbatim_text(entry.citekey, kind, f, entry.source_fields, entry.source_raw, report)
    kind, f = _fields(entry, style)
    for name, value in entry.source_fields.items():  # what a user wrote (``set``) is kept as written
        if name in CATALOGUE_ONLY_EXTRA:  # papershelf's own search names: never in an entry it made
            continue
        for other in [n for n in f if n.lower() == name]:
            del f[other]
        f[name] = value
    if style == "bibtex":
        kind = bibtex_shape(entry, kind, f, report)
    else:
        f.update(_long_fields(entry, style, minimal, keywords))
        kind = biblatex_shape(entry, kind, f, report)
    if style == "bibtex":
        f.update(_long_fields(entry, style, minimal, keywords))
    _clean(entry.citekey, f, report)
    return _lines_of(entry.citekey, kind, f, _field_order(tuple(f)))


def write_bibtex(entries: Iterable[Entry], style: str = "bibtex", *, minimal: bool = False,
                 report: WriteReport | None = None, keywords: str = "source",
                 alias_copies: Collection[str] = (), preamble: bool = True) -> str:
    """A whole ``.bib`` file: the @preamble blocks of the files the entries came from
    (``preamble`` False: none) and the @string definitions they use, then the entries, each
    followed by a blank line."""
    entries = list(entries)
    return "".join(iter_bibtex(entries, style, minimal=minimal, report=report, keywords=keywords,
                               alias_copies=alias_copies, head=blocks_of(entries, preamble=preamble)))


def iter_bibtex(entries: Iterable[Entry], style: str = "bibtex", *, minimal: bool = False,
                report: WriteReport | None = None, keywords: str = "source",
                alias_copies: Collection[str] = (), head: str | None = None) -> Iterator[str]:
    """``write_bibtex`` piece by piece, taking the entries as they come (never all at once).

    ``head`` is the @preamble/@string text (``blocks_of`` of all the entries), collected by the
    caller beforehand; None reads the entries into a list to compute it. The ``report`` is
    complete once the pieces are exhausted."""
    report = report if report is not None else WriteReport()
    if head is None:
        entries = list(entries)
        head = blocks_of(entries)
    if head:
        yield head
    first = True
    for e in with_aliases(entries, style, alias_copies):
        text = entry_to_bibtex(e, style, minimal=minimal, report=report, keywords=keywords)
        yield text if first and not head else "\n" + text
        first = False


def blocks_of(entries: Iterable[Entry], *, preamble: bool = True) -> str:
    """The ``@preamble`` blocks of these entries' files (none when not ``preamble``) and the
    ``@string`` definitions they use, each once, as written, in the order of the files (as
    ``storage.rows.blocks_of`` gives them)."""
    preambles: dict[str, None] = {}
    strings: dict[tuple[str, str], None] = {}
    # in the order the entries were stored (an import stores its files in order), then the rest
    for e in sorted(entries, key=lambda e: (e.id is None, e.id or 0)):
        add_blocks(e, preambles, strings)
    return render_blocks(preambles if preamble else {}, strings)


def add_blocks(entry: Entry, preambles: dict[str, None], strings: dict[tuple[str, str], None]) -> None:
    """Collect one entry's blocks (for ``render_blocks``), so a caller need not hold every entry."""
    preambles.update(dict.fromkeys(entry.bib_preambles))
    strings.update(dict.fromkeys(entry.bib_strings.items()))


def render_blocks(preambles: dict[str, None], strings: dict[tuple[str, str], None]) -> str:
    """The text of the blocks ``add_blocks`` collected, in the order first seen: the @string
    definitions first (a @preamble may use one: ``"Maintained by " # maintainer``)."""
    lines = [f"@string{{{name} = {_CONTROL.sub('', value)}}}" for name, value in strings]
    lines += [f"@preamble{{{_CONTROL.sub('', p)}}}" for p in preambles]
    return "".join(line + "\n" for line in lines)


def with_aliases(entries: Iterable[Entry], style: str, cited: Collection[str]) -> Iterable[Entry]:
    """bibtex knows no ``ids``: an alias (a merged-away key) that is ``cited`` is written as a
    copy of its entry under that key, so a ``\\cite`` of either key works. Only cited ones: under
    ``\\nocite{*}`` every copy would be one more item in the bibliography."""
    wanted = set(cited)
    for entry in entries:
        yield entry
        if style == "bibtex" and wanted:
            for alias in entry.aliases:
                if alias in wanted:
                    yield dataclasses.replace(entry, citekey=alias, aliases=[])
