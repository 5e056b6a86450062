"""The command registry (``COMMANDS``): every command of ``papershelf``, once. Imported by the
package (``papershelf.cli.COMMANDS``) and by ``_app``, which imports nothing of the package."""

from __future__ import annotations

# ── The command registry. Add a command here: ONE line, in the order of `papershelf --help`:
#      "name": ("module:attribute", "the one line `papershelf --help` shows"),
#    module is in papershelf.cli; attribute is a command function or a typer.Typer of
#    subcommands (like `export`). Then say so in README.md and run completions/regenerate.sh.
COMMANDS: dict[str, tuple[str, str]] = {
    "list": ("browse:list_entries", "List entries, optionally filtered by tag, type and year."),
    "search": ("browse:search", "Search the catalogue, best matches first."),
    "show": ("browse:show", "Show every field of one entry, with its tags, notes and links."),
    "open": ("open:open_entry", "Open an entry's arXiv page, DOI or URL in the browser."),
    "attach": ("attach:attach", "Attach PDF files to an entry (copied beside the catalogue, or --link)."),
    "detach": ("attach:detach", "Detach files from an entry."),
    "add": ("add:add", "Add papers and books by arXiv id, DOI, ISBN or DBLP key, pasted BibTeX, or by hand."),
    "sync": ("arxiv:sync", "Refresh arXiv entries and report what changed."),
    "tag": ("edit:tag", "Add tags to entries (or to every entry a search finds)."),
    "untag": ("edit:untag", "Remove tags from entries (or from every entry a search finds)."),
    "tags": ("edit:tags", "List every tag with its number of entries."),
    "autotag": ("topics:autotag", "Tag entries by the topic rules and show what was added."),
    "topics": ("topics:topics", "List the topics with their aliases, rules and counts."),
    "note": ("edit:note", "Add to an entry's notes, or edit them in $EDITOR."),
    "edit": ("entry_edit:edit", "Edit an entry as BibTeX in $VISUAL or $EDITOR."),
    "set": ("entry_edit:set_fields", "Set BibTeX fields of an entry from the command line."),
    "remove": ("edit:remove", "Move entries to the trash (`restore` brings them back)."),
    "trash": ("trash:trash", "List the entries in the trash, or empty it."),
    "restore": ("trash:restore", "Bring removed entries back from the trash, unchanged."),
    "merge": ("merge:merge", "Merge one entry into another: its key keeps citing (shows the diff, asks)."),
    "undo": ("merge:undo", "Undo the last import or merge."),
    "rekey": ("edit:rekey", "Rename an entry's citation key."),
    "cite": ("export:cite", "Print the BibTeX of some entries, ready to paste."),
    "check": ("check:check", "Lint what a thesis cites: missing keys, fields, duplicates, published preprints."),
    "stats": ("admin:stats", "Count entries by type, tag and year."),
    "init": ("admin:init", "Create a catalogue, with the bundled reading list or empty."),
    "env": ("admin:env", "Show the paths papershelf uses and the variables it reads."),
    "config": ("config:config", "Show the effective settings and where each came from."),
    "arxiv": ("arxiv:arxiv_app", "Talk to arXiv directly: search it from the terminal."),
    "export": ("export:export_app", "Write entries as BibTeX/biblatex, Markdown or CSL-JSON."),
    "import": ("imports:import_app", "Bring entries in from BibTeX, Markdown, Zotero, CSL-JSON or RIS."),
    "db": ("admin:db_app", "The catalogue file: where it is, what it holds, backups."),
    "share": ("share:share_app", "Share the catalogue through git: one file per entry, merged field by field."),
    "mcp": ("mcp:mcp", "Serve the catalogue to AI agents over MCP (stdio); read-only unless --allow-write."),
}
