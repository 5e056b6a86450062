"""The MCP server: the tools of ``tools.Tools`` offered over stdio with the official SDK's
``MCPServer`` (``mcp`` 2.x).

Eight tools, each described in a sentence or two: agents read the whole list before every
conversation, so its size is kept small (``bench/bench_mcp.py`` measures it), and the JSON
Schema titles Pydantic adds to every argument are left out. Read-only by default: ``add``,
``tag`` and ``note`` are listed (so an agent can tell the user how to enable them) but refuse,
with a tool error saying how. No tool deletes. A ``PapershelfError`` becomes a tool error with
the CLI's one-line message (and hint); anything else is reported as a bug of papershelf, its
traceback on stderr (the client's log), and the server goes on serving.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from papershelf import __version__
from papershelf.errors import PapershelfError
from papershelf.mcp_server.tools import Options, Tools, one_line

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

INSTRUCTIONS = ("The user's own bibliography (papershelf). Cite only keys this server returns: resolve a "
                "reference before citing it, add what is missing (when writing is allowed).")


def build(options: Options) -> MCPServer:
    """The server, its tools bound to the catalogue ``options`` names."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.tools import Tool
    from mcp.types import ToolAnnotations

    tools = Tools(options)
    reads = ToolAnnotations(read_only_hint=True, open_world_hint=False)
    writes = ToolAnnotations(read_only_hint=False, destructive_hint=False)

    def search(query: str, limit: int = 10) -> str:
        return _call(lambda: tools.search(query, limit))

    def get(key: str, format: Literal["fields", "bibtex", "biblatex", "csl-json"] = "fields") -> str:
        return _call(lambda: tools.get(key, format))

    def resolve(reference: str) -> str:
        return _call(lambda: tools.resolve(reference))

    def export(keys: Sequence[str] = (), aux: str = "", style: Literal["bibtex", "biblatex"] | None = None) -> str:
        return _call(lambda: tools.export(keys, aux, style))

    def check(keys: Sequence[str] = (), online: bool = False) -> str:
        return _call(lambda: tools.check(keys, online))

    def add(refs: Sequence[str] = (), bibtex: str = "", tags: Sequence[str] = (), dry_run: bool = False) -> str:
        return _call(lambda: tools.add(refs, bibtex, tags, dry_run))

    def tag(keys: Sequence[str], tags: Sequence[str]) -> str:
        return _call(lambda: tools.tag(keys, tags))

    def note(key: str, text: str) -> str:
        return _call(lambda: tools.note(key, text))

    readonly = "" if options.allow_write else " Refused: the server is read-only."
    table: list[tuple[Callable[..., str], str, ToolAnnotations]] = [
        (search, 'Search the library, best first: words, "phrases", author:, title:, tag:, year:2020..2023, '
                 "OR, -word; acronyms (DDPM), keys, arXiv ids, DOIs. Returns key, title, authors, year.", reads),
        (get, "One entry by key (or arXiv id, DOI, unique key prefix): its fields, BibTeX or CSL-JSON.", reads),
        (resolve, "Is this in my library? A key, arXiv id, DOI or a reference as written in a paper -> the "
                  "entry, or candidates. Resolve before citing.", reads),
        (export, "BibTeX of entries: by keys, or exactly what a LaTeX .aux file's text cites.", reads),
        (check, "Lint entries (all without keys): missing fields, duplicates, published preprints; online: "
                "identifiers checked against Crossref/arXiv (if the server allows network).", reads),
        (add, "Add works by arXiv id, DOI, ISBN or DBLP key (looked up), or BibTeX entries; duplicates are "
              "reported, not added. dry_run: show what would be added." + readonly, writes),
        (tag, "Add tags to entries." + readonly, writes),
        (note, "Append text to an entry's notes." + readonly, writes),
    ]
    made = []
    for fn, description, hints in table:
        tool = Tool.from_function(fn, description=description, annotations=hints, structured_output=False)
        tool.parameters = _without_titles(tool.parameters)
        made.append(tool)
    return MCPServer("papershelf", version=__version__, instructions=INSTRUCTIONS, tools=made,
                     log_level="WARNING")


def _call(work: Callable[[], str]) -> str:
    """``work()``; a PapershelfError as the tool error an agent reads, anything else as a bug."""
    from mcp.server.mcpserver.exceptions import ToolError

    try:
        return work()
    except PapershelfError as exc:
        raise ToolError(one_line(exc)) from None
    except Exception as exc:
        import traceback

        traceback.print_exc(file=sys.stderr)
        raise ToolError(f"unexpected {type(exc).__name__}: {exc} (a bug in papershelf; "
                        "the traceback is in the server's log)") from None


def _without_titles(schema: Any) -> Any:
    """A JSON Schema without the ``title`` of each property (Pydantic's, the names again)."""
    if isinstance(schema, dict):
        return {k: _without_titles(v) for k, v in schema.items() if not (k == "title" and isinstance(v, str))}
    if isinstance(schema, list):
        return [_without_titles(v) for v in schema]
    return schema


def serve(db: Path, *, create: bool, allow_write: bool, allow_network: bool) -> None:
    """Check that the catalogue opens (making the default one on first use, as every command
    does), then serve until the client closes stdin."""
    from papershelf.services.library import opened

    with opened(db, create=create, seed=create) as (_, seeded):
        if seeded is not None:
            sys.stderr.write(f"Created your catalogue at {db} with the {seeded} items of the bundled reading list.\n")
    if sys.stdin.isatty():
        sys.stderr.write("papershelf mcp speaks the Model Context Protocol on stdin and stdout: register it "
                         "with an MCP client (see the README); Ctrl-D ends it.\n")
    build(Options(db, allow_write=allow_write, allow_network=allow_network)).run("stdio")
