"""``papershelf mcp``: the catalogue offered to AI agents over the Model Context Protocol (stdio).

The second front-end, beside ``cli/``: it parses a tool call, calls one service, renders the
answer as compact text. ``server`` builds the server on the official ``mcp`` SDK (imported only
when ``papershelf mcp`` runs); ``tools`` holds what each tool does, as plain functions over a
``Library``, with no SDK in sight.

The package is called ``mcp_server``, not ``mcp``: ``papershelf.mcp`` would work (imports are
absolute) but every ``import mcp`` in it would read as if it imported itself, and a traceback
naming ``mcp/server.py`` would not say which of the two it means.
"""
