"""The entry file of a shared library (``papershelf share``): one entry as canonical text, and
the three-way merge of two versions of one (the merge driver). Pure text in, text out.

One field per line, ``NAME = VALUE``, VALUE being JSON (so any value, newlines included, is one
line), in a fixed order: the header (format, share id), the key and its aliases, the decoded
fields in ``Entry`` order, ``extra.*`` sorted, the verbatim .bib source (``bib.@type``,
``bib.*`` and ``raw.*`` sorted, ``edited``, ``preamble``, ``string.*``), then tags
(sorted), attached files (name and sha256, sorted) and notes (one line of the notes per line).
When an entry was added (``added``) and its revision are each clone's own, not shared.
Names hold no whitespace. Written twice, an entry gives the same bytes; different entries are
different files, so git merges them without ever touching the same lines.

``alias``, ``tag`` and ``file`` lines are sets, ``note`` and ``preamble`` lines sequences;
every other name appears at most once. The three-way ``merge`` takes each name on its own: a
field changed on one side takes that side's value; changed on both sides to different values,
the file keeps ours and the other value in ``extra.conflict-NAME`` (``show`` lists it, ``edit``
resolves it by deleting that field): no value is lost. Sets merge as sets (an element removed on
one side goes, one added on either side stays), notes keep the lines added on both sides.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from typing import Any

from papershelf.errors import UsageError
from papershelf.model.entry import SOURCE_FIELDS_OF, Entry, Person

FORMAT = 1
HEADER = "papershelf-entry"
MAX_BYTES = 16 * 1024 * 1024  # an entry file larger than this is refused (a field holds at most 1 MiB)
CONFLICT = "conflict-"  # extra fields holding the other side's value of a field edited both ways
SHARE_ID = re.compile(r"^[0-9a-f]{12,64}$")
_NAME = re.compile(r"^[^\s=]+$")

SETS = ("alias", "tag", "file")
SEQUENCES = ("note", "preamble")
_MULTI = SETS + SEQUENCES
# decoded fields, in ``Entry`` order (key, tags, notes, aliases and the verbatim source apart)
_SKIP = {"citekey", "tags", "rule_tags", "notes", "aliases", "revision", "extra", "source_type",
         "source_fields", "source_raw", "edited", "bib_preambles", "bib_strings", "added", "updated", "id"}
DECODED = tuple(f.name for f in fields(Entry) if f.name not in _SKIP)


class ShareFormatError(UsageError):
    """An entry file that is not one (markers of a text merge, a broken line, too large)."""


@dataclass
class Shared:
    """One entry file: its share id, the entry, and the attached files it lists (name, sha256)."""

    share_id: str
    entry: Entry
    files: list[tuple[str, str]] = field(default_factory=list)


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def render(shared: Shared) -> str:
    """The entry file's text (ends with a newline)."""
    e = shared.entry
    lines = [f"{HEADER} = {FORMAT}", f"id = {_value(shared.share_id)}", f"key = {_value(e.citekey)}"]
    lines += [f"alias = {_value(a)}" for a in sorted(set(e.aliases))]
    for name in DECODED:
        value = getattr(e, name)
        if name in ("authors", "editors"):
            value = [p.to_dict() for p in value]
        if value in (None, "", [], {}, False):
            continue
        lines.append(f"{name} = {_value(value)}")
    lines += [f"extra.{k} = {_value(v)}" for k, v in sorted(e.extra.items())]
    if e.source_type is not None:
        lines.append(f"bib.@type = {_value(e.source_type)}")
    lines += [f"bib.{k} = {_value(v)}" for k, v in sorted(e.source_fields.items())]
    lines += [f"raw.{k} = {_value(v)}" for k, v in sorted(e.source_raw.items())]
    if e.edited:
        lines.append(f"edited = {_value(sorted(e.edited))}")
    lines += [f"preamble = {_value(p)}" for p in e.bib_preambles]
    lines += [f"string.{k} = {_value(v)}" for k, v in sorted(e.bib_strings.items())]
    lines += [f"tag = {_value(t)}" for t in sorted(set(e.tags))]
    lines += [f"file = {_value({'name': n, 'sha256': h})}" for n, h in sorted(set(shared.files))]
    if e.notes:
        lines += [f"note = {_value(line)}" for line in e.notes.split("\n")]
    for line in lines:
        name = line.partition(" = ")[0]
        if not _NAME.match(name):
            raise ShareFormatError(f"cannot share {e.citekey!r}: field name {name!r} holds a space or '='")
    return "\n".join(lines) + "\n"


Lines = dict[str, Any]  # name -> its JSON text (single) or a list of JSON texts (multi)


def lines_of(text: str, where: str = "entry file") -> Lines:
    """The named lines of an entry file (each value still JSON text), checked."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ShareFormatError(f"{where} is over {MAX_BYTES // (1024 * 1024)} MiB: refused")
    out: Lines = {}
    for number, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        if line.startswith(("<<<<<<<", "=======", ">>>>>>>", "|||||||")):
            raise ShareFormatError(f"{where} holds the conflict markers of a text merge (line {number})")
        name, sep, value = line.partition(" = ")
        if not sep or not _NAME.match(name):
            raise ShareFormatError(f"{where}, line {number}: not a NAME = VALUE line")
        try:
            json.loads(value)
        except ValueError:
            raise ShareFormatError(f"{where}, line {number}: the value of {name} is not JSON") from None
        if name in _MULTI:
            out.setdefault(name, []).append(value)
        elif name in out:
            raise ShareFormatError(f"{where}, line {number}: {name} given twice")
        else:
            out[name] = value
    if out.get(HEADER) != str(FORMAT):
        raise ShareFormatError(f"{where} is not a papershelf entry file of format {FORMAT}")
    return out


def parse(text: str, where: str = "entry file") -> Shared:
    """The entry an entry file holds (``render``'s inverse: ``render(parse(t)) == t`` for any
    text ``render`` wrote)."""
    raw = lines_of(text, where)
    got = {k: (json.loads(v) if isinstance(v, str) else [json.loads(x) for x in v]) for k, v in raw.items()}
    sid = got.get("id")
    if not isinstance(sid, str) or not SHARE_ID.match(sid):
        raise ShareFormatError(f"{where} has no valid id line")
    try:
        entry = _entry_of(got)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ShareFormatError(f"{where}: a value of the wrong kind ({exc})") from None
    files = [(str(f["name"]), str(f["sha256"])) for f in got.get("file", [])]
    return Shared(sid, entry, files)


def _entry_of(got: dict[str, Any]) -> Entry:
    def text(v: Any) -> str:
        if not isinstance(v, str):
            raise TypeError(f"{v!r} is not text")
        return v

    kwargs: dict[str, Any] = {}
    for name in DECODED:
        if name in got:
            value = got[name]
            if name in ("authors", "editors"):
                value = [Person.from_dict(p) for p in value]
            kwargs[name] = value
    entry = Entry(title=text(got.get("title", "")), **{k: v for k, v in kwargs.items() if k != "title"})
    entry.citekey = text(got.get("key", ""))
    entry.aliases = [text(a) for a in got.get("alias", [])]
    entry.extra = {k[6:]: text(v) for k, v in got.items() if k.startswith("extra.")}
    entry.source_type = got.get("bib.@type")
    entry.source_fields = {k[4:]: text(v) for k, v in got.items() if k.startswith("bib.") and k != "bib.@type"}
    entry.source_raw = {k[4:]: text(v) for k, v in got.items() if k.startswith("raw.")}
    entry.edited = [text(x) for x in got.get("edited", [])]
    entry.bib_preambles = [text(p) for p in got.get("preamble", [])]
    entry.bib_strings = {k[7:]: text(v) for k, v in got.items() if k.startswith("string.")}
    entry.tags = [text(t) for t in got.get("tag", [])]
    notes = got.get("note")
    entry.notes = "\n".join(text(n) for n in notes) if notes else None
    return entry


# -- the three-way merge (the merge driver) ------------------------------------------------------

def _set_merge(base: list[str], ours: list[str], theirs: list[str]) -> list[str]:
    b, o, t = set(base), set(ours), set(theirs)
    return sorted(x for x in o | t if (x in o and x in t) or (x in o and x not in b) or (x in t and x not in b))


def _seq_merge(base: list[str], ours: list[str], theirs: list[str]) -> list[str]:
    """Ours, without the lines theirs removed, then the lines theirs added (once each)."""
    removed = [x for x in base if x not in theirs]
    out = list(ours)
    for x in removed:
        if x in out and x not in theirs:
            out.remove(x)
    out += [x for x in theirs if x not in base and x not in ours]
    return out


def _shown(value: str | None) -> str:
    if value is None:
        return "(removed on the other side)"
    v = json.loads(value)
    return v if isinstance(v, str) else value


def merge(base: str, ours: str, theirs: str, where: str = "entry file") -> tuple[str, list[str]]:
    """Three-way merge of one entry file: (the merged text, the names edited both ways, whose
    other value went to ``extra.conflict-NAME``). Raises ``ShareFormatError`` on a version that is
    not an entry file (the driver then leaves the file to git's own conflict)."""
    b = lines_of(base, f"{where} (common ancestor)") if base.strip() else {}
    o, t = lines_of(ours, f"{where} (ours)"), lines_of(theirs, f"{where} (theirs)")
    out: Lines = {}
    conflicts: list[str] = []
    keys_kept: list[str] = []
    flags: list[tuple[str, str]] = []  # (name, the other value as shown)
    names = list(dict.fromkeys([*o, *t, *b]))
    for name in names:
        bv, ov, tv = b.get(name), o.get(name), t.get(name)
        if name in SETS:
            out[name] = _set_merge(bv or [], ov or [], tv or [])
            continue
        if name in SEQUENCES:
            out[name] = _seq_merge(bv or [], ov or [], tv or [])
            continue
        if ov == tv or tv == bv:
            value = ov
        elif ov == bv:
            value = tv
        else:  # changed both ways
            value = ov if ov is not None else tv
            other = tv if ov is not None else ov
            if name == "key" and other is not None:  # the other key keeps citing it, as an alias
                keys_kept.append(other)
                conflicts.append(name)
                if value is not None:
                    out[name] = value
                continue
            if name.partition(".")[2].startswith(CONFLICT):  # both sides left another value: keep all
                vals = [json.loads(v) for v in (ov, tv) if v is not None]
                value = _value(" || ".join(dict.fromkeys(vals)))
            else:
                conflicts.append(name)
                flags.append((name, _shown(other)))
        if value is not None and name not in out:
            out[name] = value
    _flag(out, o, flags)
    if keys_kept:
        out["alias"] = sorted(set(out.get("alias", [])) | set(keys_kept))
    if "alias" in out and "key" in out:
        out["alias"] = [a for a in out["alias"] if a != out["key"]]
    return _text_of(out), conflicts


def _flag(out: Lines, ours: Lines, flags: list[tuple[str, str]]) -> None:
    """The other values of the fields edited both ways, as ``extra.conflict-FIELD`` (a .bib
    field's own name, ``conflict-title``; a decoded field papershelf keeps besides, e.g.
    ``conflict-decoded.year``, only when its .bib field did not conflict too), and for an entry
    read from a .bib as a verbatim field too, so that ``edit`` shows it (deleting it there
    resolves the conflict). A value left there by an earlier merge is kept with the new one."""
    bib = {n[4:] for n, _ in flags if n.startswith("bib.")}
    for name, shown in flags:
        if name == "bib.@type":
            flag = f"extra.{CONFLICT}entrytype"
        elif name.startswith("bib."):
            flag = f"extra.{CONFLICT}{name[4:]}"
        elif name.startswith(("extra.", "raw.", "string.")) or name in ("edited",):
            flag = f"extra.{CONFLICT}{name}"
        else:
            if bib & set(SOURCE_FIELDS_OF.get(name, ())):
                continue  # the .bib field's conflict says it, in the form written
            flag = f"extra.{CONFLICT}decoded.{name}"
        held = out.get(flag) or ours.get(flag)
        if held is not None and json.loads(held) != shown:
            shown = f"{json.loads(held)} || {shown}"
        out[flag] = _value(shown)
        if "bib.@type" in out or "bib.@type" in ours:  # a .bib entry: edit shows its verbatim fields
            out["bib." + flag[6:]] = out[flag]


def _text_of(lines: Lines) -> str:
    """Lines back to canonical text: parsed and rendered again (the one order)."""
    text = "\n".join(f"{name} = {v}" for name, value in lines.items()
                     for v in (value if isinstance(value, list) else [value])) + "\n"
    shared = parse(text)
    return render(shared)
