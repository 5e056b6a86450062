"""The acceptance harness of issue 17: a real LaTeX document printed from the original .bib files
and from papershelf's export of them must give the same ``.bbl``, byte for byte, with no new
bibtex/biber warning.

``run_document(tex, where)`` runs one document:

1. read the document (``doc.tex``): its ``\\bibliographystyle`` + ``\\bibliography{a,b,c}``
   (bibtex) or its ``biblatex`` style + ``\\addbibresource`` lines (biber), and every key its
   ``\\cite``-like commands cite, in order;
2. build it from the ORIGINAL files with the real tool: the ``.aux`` (bibtex) or the ``.bcf``
   control file (biber, from a ``.bcf`` biblatex wrote, kept beside this module in
   ``data/documents/``) is written here, so no LaTeX run is needed; keep the ``.bbl`` and the
   warnings;
3. ``papershelf --db X init --empty``, then ``papershelf --db X import bibtex a.bib b.bib c.bib``
   into the empty catalogue, one command, in the order the document lists the files (twice, for
   ``reimport``);
4. ``papershelf --db X export bibtex --style bibtex|biblatex --aux doc.aux -o refs.bib`` (or, for
   ``\\nocite{*}``, a full export ``-o all.bib``, or ``--aux`` of the ``\\nocite{*}`` document);
5. build again against the exported file and compare.

``Outcome.identical`` is the acceptance condition; ``Outcome.summary()`` says what differs
(entries lost, entries whose printed text changed, the warnings that are new).
"""

from __future__ import annotations

import difflib
import hashlib
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import need_tool

DOCUMENTS = Path(__file__).resolve().parent / "data" / "documents"
BIB = Path(__file__).resolve().parent / "data" / "bib"
# The acceptance documents (tests/data/documents/<name>/doc.tex; README.md there says what each
# tests) and the three ways each is run.
DOCS = ["natbib-thesis", "biblatex-examples", "group", "non-latin"]
MODES = ["cited", "nocite-all", "nocite-aux", "reimport"]
GROUP_SOURCES = [DOCUMENTS / "group" / "xampl.bib", DOCUMENTS / "group" / "jabref-crossref.bib",
                 BIB / "bibtexparser_crossref_entries.bib"]

_CITE = re.compile(r"\\(?:no)?[a-zA-Z]*cite[a-zA-Z]*\*?(?:\s*\[[^\]]*\]){0,2}\s*\{([^}]*)\}")
_BIBLIOGRAPHY = re.compile(r"\\bibliography\s*\{([^}]*)\}")
_BST = re.compile(r"\\bibliographystyle\s*\{([^}]*)\}")
_RESOURCE = re.compile(r"\\addbibresource\s*(?:\[[^\]]*\])?\s*\{([^}]*)\}")
_BIBLATEX = re.compile(r"\\usepackage\s*(?:\[([^\]]*)\])?\s*\{biblatex\}")
_COMMENT = re.compile(r"(?<!\\)%.*")


_INPUT = re.compile(r"\\(?:input|include|subfile)\s*\{([^}]*)\}")


def _source(tex: Path, root: Path, seen: set[Path]) -> str:
    """The text of ``tex`` without comments, with its \\input/\\include files in place (paths
    relative to the main file's folder, as LaTeX reads them)."""
    seen.add(tex.resolve())
    text = "\n".join(_COMMENT.sub("", line) for line in tex.read_text(encoding="utf-8").splitlines())

    def inline(m: re.Match[str]) -> str:
        name = m.group(1).strip()
        for candidate in (root / name, root / f"{name}.tex"):
            if candidate.is_file() and candidate.resolve() not in seen:
                return _source(candidate, root, seen)
        return ""

    return _INPUT.sub(inline, text)


@dataclass(frozen=True)
class Document:
    """What a LaTeX document asks of its bibliography tool."""

    engine: str  # "bibtex" or "biber"
    style: str  # the .bst (bibtex) or the biblatex style, whose .bcf is data/documents/<style>.bcf
    bibs: tuple[str, ...]  # the .bib files, in the order the document lists them (with .bib)
    cites: tuple[str, ...]  # the cited keys in first-citation order; "*" for \nocite{*}

    @classmethod
    def read(cls, tex: Path) -> Document:
        """The document of ``tex`` and of the files it ``\\input``s or ``\\include``s."""
        text = _source(tex, tex.parent, set())
        keys = [k.strip() for m in _CITE.finditer(text) for k in m.group(1).split(",") if k.strip()]
        cites = tuple(dict.fromkeys(keys))
        package = _BIBLATEX.search(text)
        if package:
            options = dict(o.split("=", 1) if "=" in o else (o, "") for o in
                           (p.strip() for p in (package.group(1) or "").split(",")) if o)
            return cls("biber", options.get("style", "numeric"),
                       tuple(m.group(1).strip() for m in _RESOURCE.finditer(text)), cites)
        bst = _BST.search(text)
        bibs = _BIBLIOGRAPHY.search(text)
        if not bst or not bibs:
            raise ValueError(f"{tex}: no \\bibliographystyle/\\bibliography and no biblatex")
        return cls("bibtex", bst.group(1).strip(),
                   tuple(b.strip() if b.strip().endswith(".bib") else b.strip() + ".bib"
                         for b in bibs.group(1).split(",") if b.strip()), cites)

    def with_cites(self, cites: tuple[str, ...]) -> Document:
        return Document(self.engine, self.style, self.bibs, cites)


@dataclass
class Build:
    """One run of bibtex or biber: its exit status, its .bbl and its warnings (normalised so that
    a warning about ``a.bib`` line 12 and one about ``refs.bib`` line 40 compare equal)."""

    status: int
    bbl: str
    warnings: list[str]
    log: str


def write_aux(where: Path, doc: Document, bibs: list[str], name: str = "doc") -> Path:
    """The .aux LaTeX would write: for bibtex ``\\citation``/``\\bibdata``/``\\bibstyle``; for
    biblatex (read by ``export --aux``) ``\\abx@aux@cite{0}{key}`` or ``\\abx@aux@nociteall``."""
    aux = where / f"{name}.aux"
    if doc.engine == "bibtex":
        lines = ["\\relax "] + [f"\\citation{{{k}}}" for k in doc.cites]
        lines += [f"\\bibstyle{{{doc.style}}}", f"\\bibdata{{{','.join(b.removesuffix('.bib') for b in bibs)}}}"]
    else:
        lines = ["\\relax ", f"\\abx@aux@refcontext{{{doc.style}/global//global/global}}"]
        for k in doc.cites:
            lines += ["\\abx@aux@nociteall"] if k == "*" else [f"\\abx@aux@cite{{0}}{{{k}}}",
                                                                f"\\abx@aux@segm{{0}}{{0}}{{{k}}}"]
    aux.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return aux


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_WRITTEN_BCF: dict[str, str] = {}


def bcf_template(style: str, *, stored: bool = True) -> str:
    """A .bcf biblatex wrote for ``style``: the one stored in data/documents, or (``stored=False``,
    for a biber that belongs to another biblatex version) one the installed biblatex writes."""
    if stored:
        return (DOCUMENTS / f"{style}.bcf").read_text(encoding="utf-8")
    if style not in _WRITTEN_BCF:
        import tempfile

        if not shutil.which("pdflatex") or subprocess.run(["kpsewhich", "biblatex.sty"], capture_output=True,
                                                          text=True).stdout.strip() == "":
            pytest.fail(f"biber cannot read data/documents/{style}.bcf (written by biblatex 3.18b) and there "
                        "is no biblatex to write one (apt-get install texlive-bibtex-extra)")
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "t.tex").write_text(
                f"\\documentclass{{article}}\\usepackage[backend=biber,style={style}]{{biblatex}}"
                "\\addbibresource{t.bib}\\begin{document}\\cite{t}\\printbibliography\\end{document}\n")
            subprocess.run(["pdflatex", "-interaction=nonstopmode", "t.tex"], cwd=tmp, capture_output=True,
                           timeout=300)
            _WRITTEN_BCF[style] = (Path(tmp) / "t.bcf").read_text(encoding="utf-8")
    return _WRITTEN_BCF[style]


def write_bcf(where: Path, doc: Document, bibs: list[str], name: str = "doc", *, stored: bool = True) -> Path:
    """The .bcf biblatex would write: a .bcf of the style (``bcf_template``), with this
    document's data sources and citations in section 0 (the ``order`` numbering is biblatex's)."""
    template = bcf_template(doc.style, stored=stored)
    sources = "".join(f'    <bcf:datasource type="file" datatype="bibtex" glob="false">{_xml(b)}</bcf:datasource>\n'
                      for b in bibs)
    keys = "".join(
        f'    <bcf:citekey order="{i}" intorder="1" nocite="1">*</bcf:citekey>\n' if k == "*" else
        f'    <bcf:citekey order="{i}" intorder="1">{_xml(k)}</bcf:citekey>\n'
        for i, k in enumerate(doc.cites, 1))
    bcf = re.sub(r'(<bcf:bibdata section="0">\n).*?(  </bcf:bibdata>)', lambda m: m.group(1) + sources + m.group(2),
                 template, count=1, flags=re.S)
    bcf = re.sub(r'(<bcf:section number="0">\n).*?(  </bcf:section>)', lambda m: m.group(1) + keys + m.group(2),
                 bcf, count=1, flags=re.S)
    path = where / f"{name}.bcf"
    path.write_text(bcf, encoding="utf-8")
    return path


def _bibtex_warnings(log: str) -> list[str]:
    """bibtex's warnings and errors, without the line/file they point at."""
    out = []
    for line in log.splitlines():
        if line.startswith("Warning--") or re.search(r"error message|^I was expecting|^I'm skipping|"
                                                     r"^Repeated entry|^Sorry", line):
            out.append(re.sub(r"---line \d+ of file \S+", "", line).strip())
    return out


def _biber_warnings(log: str, bibs: list[str]) -> list[str]:
    out = []
    for line in log.splitlines():
        m = re.match(r"(?:.*> )?(WARN|ERROR) - (.*)", line)
        if m:
            text = m.group(2)
            for b in bibs:
                text = text.replace(b, "<bib>")
            out.append(m.group(1) + " - " + re.sub(r"line \d+", "line N", text))
    return out


def build(where: Path, doc: Document, bibs: list[str]) -> Build:
    """Run bibtex or biber on ``doc`` citing from ``bibs`` (files in ``where``)."""
    need_tool(doc.engine)
    write_aux(where, doc, bibs)
    if doc.engine == "bibtex":
        proc = subprocess.run(["bibtex", "doc"], cwd=where, capture_output=True, timeout=300)
        log = (where / "doc.blg").read_text(encoding="utf-8", errors="replace") if (where / "doc.blg").exists() else ""
        warnings = _bibtex_warnings(log)
    else:
        for stored in (True, False):
            write_bcf(where, doc, bibs, stored=stored)
            proc = subprocess.run(["biber", "--nolog", "doc"], cwd=where, capture_output=True, timeout=300)
            log = (proc.stdout + proc.stderr).decode("utf-8", "replace")
            if "biblatex control file version" not in log:
                break
        warnings = _biber_warnings(log, bibs)
    bbl = where / "doc.bbl"
    text = bbl.read_bytes().decode("utf-8", "surrogateescape") if bbl.exists() else ""
    return Build(proc.returncode, text, warnings, log)


def papershelf(*args: str) -> tuple[int, str]:
    """Run the papershelf command line in this process (CliRunner): (exit code, stdout + stderr)."""
    from typer.testing import CliRunner

    from papershelf.cli import app

    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


_ITEM = re.compile(r"^\\bibitem|^    \\entry\{([^}]*)\}", re.M)


def _bibitem_key(bbl: str, pos: int) -> str:
    """The key of the ``\\bibitem[label]{key}`` at ``pos`` (the label may hold braces and
    line breaks)."""
    i, depth = pos + len("\\bibitem"), 0
    if bbl.startswith("[", i):
        while i < len(bbl):
            c = bbl[i]
            depth += {"{": 1, "}": -1}.get(c, 0)
            i += 1
            if c == "]" and depth == 0:
                break
    m = re.compile(r"\{([^}]*)\}").match(bbl, i)
    return m.group(1) if m else ""


def items(bbl: str) -> dict[str, str]:
    """The .bbl cut into its references: key -> the text printed for it."""
    starts = [(m.start(), m.group(1) if m.group(1) is not None else _bibitem_key(bbl, m.start()))
              for m in _ITEM.finditer(bbl)]
    out: dict[str, str] = {}
    ends = [begin for begin, _ in starts[1:]] + [len(bbl)]
    for (begin, key), end in zip(starts, ends[:len(starts)], strict=True):
        text = bbl[begin:end]
        for closing in ("\\endentry\n", "\\end{thebibliography}"):  # not the file's trailer
            if closing in text:
                text = text[:text.index(closing) + (len(closing) if closing.endswith("\n") else 0)]
                break
        out.setdefault(key, text)
    return out


@dataclass
class Outcome:
    name: str
    original: Build
    exported: Build
    import_code: int
    import_output: str
    export_code: int
    export_output: str
    refs: str  # the .bib papershelf exported
    lost: list[str] = field(default_factory=list)  # printed from the originals, missing after
    extra: list[str] = field(default_factory=list)  # printed only after
    changed: list[str] = field(default_factory=list)  # printed differently
    changed_lines: int = 0  # lines of the changed references that differ (~ fields changed)

    @property
    def new_warnings(self) -> list[str]:
        return list((Counter(self.exported.warnings) - Counter(self.original.warnings)).elements())

    @property
    def identical(self) -> bool:
        return self.original.bbl == self.exported.bbl and not self.new_warnings

    def diff(self, n: int = 60) -> str:
        lines = difflib.unified_diff(self.original.bbl.splitlines(), self.exported.bbl.splitlines(),
                                     "original.bbl", "exported.bbl", lineterm="", n=0)
        return "\n".join(list(lines)[:n])

    def summary(self) -> str:
        return (f"{self.name}: {len(items(self.original.bbl))} references, {len(self.lost)} lost "
                f"{self.lost[:8]}, {len(self.extra)} extra {self.extra[:8]}, {len(self.changed)} changed "
                f"{self.changed[:8]} ({self.changed_lines} lines), new warnings {self.new_warnings[:8]}"
                f"\nimport (exit {self.import_code}): {self.import_output[-1500:]}"
                f"\nexport (exit {self.export_code}): {self.export_output[-800:]}\n{self.diff()}")


def run_named(name: str, mode: str, where: Path) -> Outcome:
    """Run the acceptance document ``name`` (of ``DOCS``) in ``mode`` (of ``MODES``) in ``where``:
    its .bib files are beside it or in tests/data/bib; the group bibliography's are cut first."""
    dirs: tuple[Path, ...] = (BIB,)
    if name == "group":
        group_bibliography(GROUP_SOURCES, where / "group")
        dirs = (where / "group",)
    return run_document(DOCUMENTS / name / "doc.tex", where / "run", bib_dirs=dirs, mode=mode)


def run_document(tex: Path, where: Path, *, bib_dirs: tuple[Path, ...] = (), mode: str = "cited") -> Outcome:
    """Build the document of ``tex`` from its original .bib files and from papershelf's export of
    them, in ``where``; compare the two. ``mode``: ``cited`` (what the document cites, exported
    with ``--aux``), ``nocite-all`` (``\\nocite{*}`` and a full export), ``nocite-aux``
    (``\\nocite{*}`` exported with ``--aux``: what ``export --watch`` does for such a document) or
    ``reimport`` (``nocite-all`` after importing the same files a second time).

    The .bib files are looked up beside ``tex``, then in ``bib_dirs``."""
    doc = Document.read(tex)
    if mode != "cited":
        doc = doc.with_cites(("*",))
    files = []
    for bib in doc.bibs:
        found = next((d / bib for d in (tex.parent, *bib_dirs) if (d / bib).is_file()), None)
        if found is None:
            raise FileNotFoundError(f"{bib} (cited by {tex}) is not beside it nor in {bib_dirs}")
        files.append(found)
    return compare(doc, files, where, f"{tex.parent.name} ({mode})", full=mode in ("nocite-all", "reimport"),
                   imports=2 if mode == "reimport" else 1)


def nocite_all(bib: Path, where: Path, style: str = "plain") -> Outcome:
    """The sweep's document: ``\\nocite{*}`` of one .bib file with a standard style, against a
    full export."""
    return compare(Document("bibtex", style, (bib.name,), ("*",)), [bib], where, bib.name, full=True)


_ORIGINALS: dict[tuple[Document, tuple[str, ...]], Build] = {}


def compare(doc: Document, files: list[Path], where: Path, name: str, *, full: bool = False,
            imports: int = 1) -> Outcome:
    """Build ``doc`` from ``files`` (its .bib files, in order) and from papershelf's import
    (``imports`` times, one command each) and export of them (``full``: every entry; else the
    keys the document's .aux cites), in ``where``; compare the two builds."""
    original, exported = where / "original", where / "exported"
    original.mkdir(parents=True)
    exported.mkdir()
    # the files, under their own names, in one folder (a document may name them by a path)
    doc = Document(doc.engine, doc.style, tuple(Path(b).name for b in doc.bibs), doc.cites)
    for bib, found in zip(doc.bibs, files, strict=True):
        shutil.copyfile(found, original / bib)
    # the same document from the same bytes builds the same: once per session (nocite-all and
    # nocite-aux share theirs)
    key = (doc, tuple(hashlib.sha256((original / b).read_bytes()).hexdigest() for b in doc.bibs))
    if key not in _ORIGINALS:
        _ORIGINALS[key] = build(original, doc, list(doc.bibs))
    else:
        write_aux(original, doc, list(doc.bibs))
    before = _ORIGINALS[key]

    db = str(where / "catalogue.db")
    code, output = papershelf("--db", db, "init", "--empty")
    assert code == 0, output
    import_code, import_output = 0, ""
    for _ in range(imports):
        code, output = papershelf("--db", db, "import", "bibtex", *(str(original / b) for b in doc.bibs))
        import_code, import_output = max(import_code, code), import_output + output
    style = "bibtex" if doc.engine == "bibtex" else "biblatex"
    refs = "all.bib" if full else "refs.bib"
    selection = [] if full else ["--aux", str(original / "doc.aux")]
    export_code, export_output = papershelf("--db", db, "export", "bibtex", "--style", style, *selection,
                                            "-o", str(exported / refs))
    after = build(exported, doc, [refs])
    text = (exported / refs).read_text(encoding="utf-8", errors="replace") if (exported / refs).exists() else ""
    outcome = Outcome(name, before, after, import_code, import_output, export_code, export_output, text)
    old, new = items(before.bbl), items(after.bbl)
    outcome.lost = [k for k in old if k not in new]
    outcome.extra = [k for k in new if k not in old]
    outcome.changed = [k for k in old if k in new and old[k] != new[k]]
    outcome.changed_lines = sum(
        sum(1 for d in difflib.ndiff(old[k].splitlines(), new[k].splitlines()) if d.startswith("- "))
        for k in outcome.changed)
    return outcome


_BLOCK = re.compile(r"^[ \t]*@\s*([a-zA-Z]+)\s*([{(])\s*([^,\s{}()\"=#]*)", re.M)


def blocks(text: str) -> list[tuple[str, str, str]]:
    """The ``@`` blocks of a .bib text as (type in lower case, key, the block's text as written),
    cut where bibtex cuts them (balanced braces, or parentheses for ``@type(...)``); the text
    between blocks is left out."""
    out = []
    pos = 0
    for m in _BLOCK.finditer(text):
        if m.start() < pos:
            continue
        opener = m.group(2)
        closer = ")" if opener == "(" else "}"
        depth, i = 0, m.start(2)
        while i < len(text):
            c = text[i]
            if c == "{" or c == opener:
                depth += 1
            elif c == "}" or c == closer:
                depth -= 1
                if depth == 0:
                    break
            i += 1
        pos = i + 1
        out.append((m.group(1).lower(), m.group(3), text[m.start():pos]))
    return out


def crossref_parents(texts: list[str]) -> set[str]:
    """The keys (lower case) that an entry of ``texts`` names in its crossref field."""
    found = re.compile(r"\bcrossref\s*=\s*[{\"]\s*([^}\"]+?)\s*[}\"]", re.I)
    return {m.group(1).lower() for t in texts for m in found.finditer(t)}


def group_bibliography(sources: list[Path], dest: Path) -> None:
    """Cut ``sources`` into a group bibliography in ``dest``: ``abbrv.bib`` (every @string),
    ``literatur.bib`` (the @preamble blocks and every entry that is no crossref parent) and
    ``crossref.bib`` (the parents), each block as written, in the order read."""
    texts = [p.read_text(encoding="utf-8") for p in sources]
    parents = crossref_parents(texts)
    files: dict[str, list[str]] = {"abbrv": [], "literatur": [], "crossref": []}
    for text in texts:
        for kind, key, block in blocks(text):
            if kind == "comment":
                continue
            part = "abbrv" if kind == "string" else "crossref" if key.lower() in parents else "literatur"
            files[part].append(block)
    dest.mkdir(parents=True, exist_ok=True)
    for name, parts in files.items():
        (dest / f"{name}.bib").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
