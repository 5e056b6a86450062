"""Reading a Zotero data directory: ``snapshot`` (a consistent copy, even while Zotero runs),
``reader`` (regular items, creators, tags, collections, notes, attachments, keys) and
``mapping`` (a Zotero item as a papershelf entry, types as Better BibTeX maps them)."""
