"""The lossless .bib path over every .bib file of the shared corpus: import, export, parse both,
compare field by field. Every field of every entry that was imported and not edited comes back
with the same value (whitespace aside), the same entry type, and the file's @preamble and
@string blocks come back too.

Documented exceptions (entries not compared, each with its reason):

* a file that cannot be decoded (refused on import, with a message): nothing was imported;
* a block the reader skips: a block bibtexparser cannot read, a block with no field at all, a
  second block with a key already used (bibtex and biber read only the first, and so does the
  input side of this test);
* an entry the identity rule reports as the same work as an earlier entry of the file (the
  report names it; it is not added twice);
* a key BibTeX cannot cite (non-ASCII, spaces) is renamed on import (the report says what it
  became): the entry is compared under its new key;
* a field whose name is no field name (``% comment\n  editor``: biber's comments, which
  bibtexparser reads into the name) is reported and ignored on import;
* @preamble blocks are kept with the entries that came with them, and each entry with the
  @string definitions its values use: a file of @string definitions alone brings none, and an
  export writes only the definitions its entries use (each as written);
* ``ids`` lists, after the keys the file wrote there, the keys of entries the identity rule
  merged into the entry (so they still cite it when the export is imported again);
* a value bibtexparser splits so that its braces do not nest (``"Simon {"}the {saint"}…"``)
  cannot be written back as read: it is reported, and exported from its decoded text;
* control characters (``\x01`` in a pasted abstract) are removed on export, with a warning:
  bibtex cannot read them. The input side is compared without them.

Files of more than 400 kB run only in CI or with PAPERSHELF_TEST_LARGE=1 (tugboat.bib, 1.5 MB
of TeX macros, is always in), so the default run stays short.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

from papershelf.formats.bibtex.reader import BibEncodingError, balanced, read_file, resolve
from papershelf.formats.bibtex.writer import write_bibtex
from papershelf.services.import_bibtex import import_entries
from papershelf.services.library import Library
from papershelf.storage.catalogue import Catalogue

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "bib"
FILES = sorted(SHARED.rglob("*.bib")) if SHARED.is_dir() else []
_ALWAYS = {"tugboat.bib"}
_LARGE = 400_000
_NAME = re.compile(r"^[a-z_][\w:.+\-]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# read at collection (the isolated_home fixture clears PAPERSHELF_* before each test)
_ALL = (os.environ.get("PAPERSHELF_TEST_LARGE") or os.environ.get("CI") or "").lower() not in ("", "0", "false", "no")


def _runs(path: Path) -> bool:
    return _ALL or path.name in _ALWAYS or path.stat().st_size <= _LARGE


def parsed(text: str) -> tuple[dict[str, tuple[str, dict[str, str]]], list[str], dict[str, str]]:
    """key -> (type, {field: value, @string references and # resolved, whitespace collapsed}),
    the @preamble values and the @string definitions, as bibtexparser splits them."""
    import bibtexparser

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    lib = bibtexparser.parse_string(text, parse_stack=[])
    strings: dict[str, str] = {}
    unknown: set[str] = set()
    for s in lib.strings:
        strings[s.key.lower()] = resolve(s.value, strings, unknown)
    entries: dict[str, tuple[str, dict[str, str]]] = {}
    for e in lib.entries:
        fields = {f.key.strip().lower(): " ".join(_CONTROL.sub("", resolve(f.value, strings, unknown)).split())
                  for f in e.fields if isinstance(f.value, str) and _NAME.match(f.key.strip().lower())}
        entries.setdefault(e.key.strip(), (e.entry_type.lower(), fields))
    return entries, [" ".join(p.value.split()) for p in lib.preambles], \
        {s.key.lower(): " ".join(s.value.split()) for s in lib.strings}


def roundtrip(path: Path, tmp_path: Path) -> tuple[list[tuple[str, str, str, str]], int]:
    """(the changed fields: key, field, before, after; the number of entries compared)."""
    read = read_file(path)
    cat, _ = Catalogue.open(tmp_path / "sweep.db", create=True)
    try:
        report = import_entries(Library(cat), read.entries, autotag=False)
        text = write_bibtex(cat.entries(), "bibtex")
    finally:
        cat.close()
    before, preambles, strings = parsed(path.read_bytes().decode(read.encoding, "replace").lstrip("\ufeff"))
    after, preambles_after, strings_after = parsed(text)
    skipped = {key for key, _, _ in report.duplicates}
    merged: dict[str, set[str]] = {}
    for alias, key in report.aliases:
        merged.setdefault(key, set()).add(alias)
    renamed = {old: new for old, new, _ in report.renamed}
    changed: list[tuple[str, str, str, str]] = []
    compared = 0
    imported = {e.citekey for e in read.entries}
    for key, (kind, fields) in before.items():
        if key not in imported or key in skipped:
            continue
        out_kind, out = after[renamed.get(key, key)]
        compared += 1
        if out_kind != kind:
            changed.append((key, "@type", kind, out_kind))
        if merged.get(key) and "ids" in out:
            ids = [k.strip() for k in out["ids"].split(",") if k.strip() not in merged[key]]
            out = {**out, "ids": ", ".join(ids)} if ids else {n: v for n, v in out.items() if n != "ids"}
        for name in fields.keys() | out.keys():
            if fields.get(name) != out.get(name) and balanced(fields.get(name, "")):
                changed.append((key, name, fields.get(name, "<absent>"), out.get(name, "<absent>")))
    if not compared:
        return changed, compared
    for p in preambles:
        if p not in preambles_after:
            changed.append(("@preamble", "", p, "<absent>"))
    for name, value in strings.items():  # each written back as it was (the values above used them)
        if strings_after.get(name, value) != value:
            changed.append(("@string", name, value, strings_after.get(name, "<absent>")))
    return changed, compared


@pytest.mark.skipif(not FILES, reason=f"the shared corpus is not at {SHARED}")
@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(SHARED)) for p in FILES])
def test_every_field_of_every_imported_entry_comes_back_as_written(path, tmp_path):
    if not _runs(path):
        pytest.skip("over 400 kB: runs in CI or with PAPERSHELF_TEST_LARGE=1")
    try:
        changed, compared = roundtrip(path, tmp_path)
    except BibEncodingError:
        pytest.skip("the file cannot be decoded: import refuses it (documented exception)")
    assert changed == [], f"{len(changed)} field(s) changed over {compared} entries: {changed[:5]}"
