"""``mcp``: the catalogue served to AI agents over the Model Context Protocol (stdio).

    papershelf mcp                          read-only: search, get, resolve, export, check
    papershelf mcp --allow-write            also add, tag and note (through the same door as the CLI)
    papershelf --db thesis.db mcp --allow-network

The server lives in ``papershelf.mcp_server``; this command only starts it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from papershelf.cli._context import state


def mcp(
    allow_write: Annotated[bool, typer.Option(
        "--allow-write", help="Let agents add entries (asking arXiv, Crossref… for their records), tag them "
                              "and append to notes. Nothing is ever deleted.")] = False,
    allow_network: Annotated[bool, typer.Option(
        "--allow-network", help="Let `check` verify identifiers online (Crossref, DataCite, DBLP, arXiv).")] = False,
) -> None:
    """Serve the catalogue to AI agents over MCP, on stdin and stdout: search, get, resolve,
    export and check; with --allow-write also add, tag and note. Register it in an MCP client
    (Claude Desktop, Claude Code, Cursor…) as the command `papershelf` with the args `mcp`.

    Examples:

      papershelf mcp

      papershelf mcp --allow-write

      papershelf --db ~/thesis/refs.db mcp --allow-network
    """
    from papershelf.mcp_server.server import serve

    where = state().db
    serve(where.path, create=not where.explicit, allow_write=allow_write, allow_network=allow_network)
