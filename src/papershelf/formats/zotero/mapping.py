"""A Zotero item as a papershelf entry, its type mapped as Better BibTeX maps it.

journalArticle/magazineArticle/newspaperArticle → article, conferencePaper → inproceedings,
bookSection → incollection, thesis → phdthesis or mastersthesis (by its thesis type), report →
techreport, webpage/blogPost/forumPost → online, preprint → misc with its arXiv eprint,
manuscript → unpublished, anything else (software, presentation, patent…) → misc. Creators keep
their roles (authors and editors as such; translators and others in the field of their role,
as BBT writes them); a one-field name is kept whole. Zotero's multipart date
(``2021-03-00 2021-03``) gives the year and the known part of the date. ``extra`` lines are
read as BBT reads them: ``Citation Key:`` (the key), ``arXiv:`` (the eprint), ``tex.field:``
(a field), the rest kept as ``note``-like ``extra``. Notes (HTML) become readable text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from papershelf.errors import UsageError
from papershelf.formats.zotero.baseline import seen_of
from papershelf.formats.zotero.reader import EXTRA_KEY, ZoteroItem
from papershelf.model.entry import Entry, Person
from papershelf.model.tags import normalise_tag

TYPES = {
    "journalArticle": "article", "magazineArticle": "article", "newspaperArticle": "article",
    "conferencePaper": "inproceedings", "book": "book", "bookSection": "incollection",
    "thesis": "phdthesis", "report": "techreport", "webpage": "online", "blogPost": "online",
    "forumPost": "online", "manuscript": "unpublished", "preprint": "misc",
}
# Zotero fields whose value is the container: journal for articles, booktitle for parts of books
CONTAINERS = ("publicationTitle", "proceedingsTitle", "bookTitle", "websiteTitle", "blogTitle",
              "forumTitle", "encyclopediaTitle", "dictionaryTitle")
PUBLISHERS = ("publisher", "university", "institution", "company", "label", "distributor", "network",
              "studio", "programmingLanguage")
PUBLISHER_FIELD = {"phdthesis": "school", "mastersthesis": "school", "techreport": "institution"}
EXTRA_FIELDS = {"place": "address", "language": "language", "series": "series", "seriesNumber": "number",
                "numPages": "pagetotal", "shortTitle": "shorttitle", "accessDate": "urldate",
                "ISSN": "issn", "journalAbbreviation": "shortjournal", "archiveID": "eprint",
                "versionNumber": "version", "reportNumber": "number", "reportType": "type",
                "conferenceName": "eventtitle", "rights": "rights"}
NAME_ROLES = {"translator": "translator", "bookAuthor": "bookauthor", "seriesEditor": "editora",
              "contributor": "editorb", "director": "editorc"}
AUTHOR_ROLES = ("author", "programmer", "presenter", "inventor", "artist", "podcaster", "creator",
                "interviewee", "cartographer", "director", "composer", "sponsor")
ARXIV_LINE = re.compile(r"^\s*arxiv\s*:\s*(\S+)\s*$", re.I)
TEX_LINE = re.compile(r"^\s*(?:tex|biblatex|bibtex)\.([A-Za-z][\w-]*)\s*[:=]\s*(.*?)\s*$")  # "=": raw, as BBT has it
ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:v\d+)?(?:\.pdf)?$", re.I)


def _person(creator_last: str, creator_first: str, single: bool) -> Person:
    if single or not creator_first:
        return Person(family=creator_last.strip())
    return Person(family=creator_last.strip(), given=creator_first.strip())


def _bib_name(p: Person) -> str:
    return f"{p.family}, {p.given}" if p.given else "{" + p.family + "}"


def _date(raw: str) -> tuple[int | None, str | None]:
    """Zotero's multipart date ``YYYY-MM-DD original``: the year, and the date as far as known."""
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", raw)
    if not m:
        y = re.search(r"\b(\d{4})\b", raw)
        return (int(y.group(1)) if y else None), None
    year, month, day = m.groups()
    if year == "0000":
        return None, None
    if month == "00":
        return int(year), None
    return int(year), f"{year}-{month}" + (f"-{day}" if day != "00" else "")


class _Text(HTMLParser):
    BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "table",
                        "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [number or -1 for bullets]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.out.append("\n\n")
        if tag == "ul":
            self.lists.append([-1])
        elif tag == "ol":
            self.lists.append([0])
        elif tag == "li":
            marker = "- "
            if self.lists and self.lists[-1][0] >= 0:
                self.lists[-1][0] += 1
                marker = f"{self.lists[-1][0]}. "
            self.out.append("\n" + "  " * max(len(self.lists) - 1, 0) + marker)
        elif tag == "br":
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag in self.BLOCKS:
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.out.append(re.sub(r"[ \t\r\n]+", " ", data))


def note_text(html: str) -> str:
    """A Zotero note (HTML) as readable text: paragraphs apart, list items on their own lines."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(line if line.strip() else "" for line in lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return "\n".join(line[1:] if line.startswith(" ") and not line.startswith("  ") else line
                     for line in text.split("\n")).strip()


def extra_lines(text: str) -> tuple[str | None, str | None, dict[str, str], str]:
    """Zotero's Extra (or a CSL note) read as Better BibTeX reads it: (the ``Citation Key:``,
    the ``arXiv:`` id without version, the ``tex.field: value`` fields, the other lines)."""
    key = arxiv = None
    fields: dict[str, str] = {}
    rest = []
    for line in text.splitlines():
        k = EXTRA_KEY.match(line)
        if k:
            key = k.group(1)
            continue
        m = ARXIV_LINE.match(line)
        if m:
            arxiv = re.sub(r"v\d+$", "", m.group(1))
            continue
        t = TEX_LINE.match(line)
        if t and t.group(2):
            fields[t.group(1).lower()] = t.group(2)
            continue
        if line.strip():
            rest.append(line)
    return key, arxiv, fields, "\n".join(rest)


def tags_of(names: list[str]) -> list[str]:
    out = []
    for name in names:
        try:
            out.append(normalise_tag(name))
        except UsageError:
            try:
                out.append(normalise_tag(name.replace(",", " ")))
            except UsageError:
                continue
    return list(dict.fromkeys(out))


def origin_url(item: ZoteroItem, group_id: int | None) -> str:
    """The item's address in Zotero (``zotero://select/…``): the identifier a later import finds it by."""
    where = f"groups/{group_id}" if group_id is not None else "library"
    return f"zotero://select/{where}/items/{item.key}"


def to_entry(item: ZoteroItem, origin: str, label: str = "Zotero") -> Entry:
    f = dict(item.fields)
    kind = TYPES.get(item.type, "misc")
    if item.type == "thesis" and re.search(r"master|\bm\.?\s?a\b|\bm\.?\s?sc?\b|msc|magister|硕士",
                                           f.get("thesisType", "") + " " + f.get("type", ""), re.I):
        kind = "mastersthesis"
    entry = Entry(title=f.pop("title", "") or f.get("caseName", "") or f.get("nameOfAct", ""), type=kind)
    if item.citekey:
        entry.citekey = item.citekey
    extra: dict[str, str] = {}
    roles: dict[str, list[Person]] = {}
    for c in item.creators:
        person = _person(c.last, c.first, c.single)
        if not person.family:
            continue
        if c.role in AUTHOR_ROLES:
            entry.authors.append(person)
        elif c.role == "editor":
            entry.editors.append(person)
        else:
            roles.setdefault(NAME_ROLES.get(c.role, c.role.lower()), []).append(person)
    for role, people in roles.items():
        extra[role] = " and ".join(_bib_name(p) for p in people)
    if f.get("date"):
        entry.year, entry.date = _date(f.pop("date"))
    container = next((f.pop(name) for name in CONTAINERS if f.get(name)), None)
    if container:
        if kind == "article":
            entry.journal = container
        elif kind in ("inproceedings", "incollection"):
            entry.booktitle = container
        else:
            extra["howpublished" if kind in ("misc", "online") else "booktitle"] = container
    publisher = next((f.pop(name) for name in PUBLISHERS if f.get(name)), None)
    if publisher:
        if kind in PUBLISHER_FIELD:
            extra[PUBLISHER_FIELD[kind]] = publisher
        else:
            entry.publisher = publisher
    entry.abstract = f.pop("abstractNote", None)
    entry.volume = f.pop("volume", None)
    entry.number = f.pop("issue", None)
    entry.pages = f.pop("pages", None)
    entry.edition = f.pop("edition", None)
    entry.isbn = f.pop("ISBN", None)
    entry.doi = f.pop("DOI", None)
    entry.url = f.pop("url", None)
    if item.type == "thesis" and f.get("thesisType"):
        extra["type"] = f.pop("thesisType")
    for name, target in EXTRA_FIELDS.items():
        if f.get(name) and target not in extra:
            extra[target] = f.pop(name)
    _, arxiv, fields, rest = extra_lines(f.pop("extra", ""))
    entry.arxiv_id = arxiv
    extra.update(fields)
    if rest:
        extra["note"] = rest
    if not entry.arxiv_id and (item.type == "preprint" or (entry.url and "arxiv.org" in entry.url)):
        m = ARXIV_URL.search(entry.url or "")
        if m:
            entry.arxiv_id = m.group(1)
        elif item.type == "preprint" and f.get("archiveID", "").lower().startswith("arxiv:"):
            entry.arxiv_id = f["archiveID"].split(":", 1)[1]
    if item.type == "preprint" and entry.arxiv_id:
        extra.pop("eprint", None)
    entry.extra = {k: v for k, v in sorted(extra.items()) if v}
    entry.tags = tags_of(item.tags + ["/".join(path) for path in item.collections])
    notes = [t for t in (note_text(n) for n in item.notes) if t]
    entry.notes = "\n\n".join(notes) or None
    # what Zotero gave, so that a later import tells Zotero's changes from edits made here
    entry.links = [{"url": origin, "label": label, "seen": seen_of(entry)}]
    return entry
