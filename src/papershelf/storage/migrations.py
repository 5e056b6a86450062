"""The catalogue schema, as an ordered list of migrations.

Each migration is a function named ``mNNN_<what>``; its name is its identity, recorded by
sqlite-utils' ``Migrations`` in ``_sqlite_migrations``. Never rename, reorder or edit one that
has shipped: add a new one. ``MIGRATION_NAMES`` is what this papershelf knows; a catalogue that
lists a name not in it was written by a newer papershelf and is refused.

sqlite-utils is imported only when something is pending, so opening an up-to-date catalogue
costs no extra import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from papershelf.storage.fts import reindex_all

if TYPE_CHECKING:
    from sqlite_utils import Database

MIGRATION_SET = "papershelf"

_M001_CORE = [
    """
    CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        citekey TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL DEFAULT 'misc',
        title TEXT NOT NULL DEFAULT '',
        year INTEGER,
        date TEXT,
        abstract TEXT,
        journal TEXT,
        booktitle TEXT,
        volume TEXT,
        number TEXT,
        pages TEXT,
        publisher TEXT,
        edition TEXT,
        isbn TEXT,
        doi TEXT,
        url TEXT,
        arxiv_id TEXT UNIQUE,
        arxiv_version INTEGER,
        primary_class TEXT,
        categories TEXT NOT NULL DEFAULT '[]',
        arxiv_comment TEXT,
        journal_ref TEXT,
        section TEXT,
        notes TEXT,
        links TEXT NOT NULL DEFAULT '[]',
        extra TEXT NOT NULL DEFAULT '{}',
        needs_sync INTEGER NOT NULL DEFAULT 0,
        added TEXT NOT NULL,
        updated TEXT NOT NULL
    )
    """,
    "CREATE INDEX entries_year ON entries(year)",
    "CREATE INDEX entries_type ON entries(type)",
    "CREATE INDEX entries_doi ON entries(lower(doi))",
    "CREATE INDEX entries_added ON entries(added)",
    """
    CREATE TABLE people (
        entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('author', 'editor')),
        position INTEGER NOT NULL,
        family TEXT NOT NULL,
        given TEXT NOT NULL DEFAULT '',
        prefix TEXT NOT NULL DEFAULT '',
        suffix TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (entry_id, role, position)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX people_family ON people(family COLLATE NOCASE)",
    """
    CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE
    )
    """,
    """
    CREATE TABLE entry_tags (
        entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        source TEXT NOT NULL DEFAULT 'user' CHECK (source IN ('user', 'rule')),
        PRIMARY KEY (entry_id, tag_id)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX entry_tags_tag ON entry_tags(tag_id)",
    # Rule tags the user took off an entry: topic rules must not put them back.
    """
    CREATE TABLE dismissed_tags (
        entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        tag TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (entry_id, tag)
    ) WITHOUT ROWID
    """,
]

# One FTS5 row per entry (rowid = entries.id), written by the catalogue in the same
# transaction as the entry (see catalogue._reindex). CJK text is stored with a space around
# each character (text.split_cjk) so unicode61 indexes characters, not whole clauses; English
# words are stemmed (porter), so "models" finds "model" and "diffusions" finds "diffusion".
_M002_FTS = [
    """
    CREATE VIRTUAL TABLE entries_fts USING fts5(
        title, authors, abstract, notes, tags, section,
        tokenize = "porter unicode61 remove_diacritics 2"
    )
    """,
]


# A change of an entry's own row or of a row that belongs to it (people, tags, aliases, the
# verbatim source's blocks) appends a ``changes`` row. A child row's update or delete is logged
# only while its entry exists (the cascade of an entry's removal logs just ``removed``); an insert
# is logged without that lookup (the foreign key already asks it; it is most of an import's
# rows, and a row for an entry that is not there costs a reader nothing). Every 1,000th
# row prunes those 100,000 rows older (``storage.changes.KEEP``); triggers do not recurse.
_LOG = "INSERT INTO changes(entry_id, kind, token) "
_M012_CHANGE_LOG = [
    "CREATE TABLE meta (name TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
    "INSERT INTO meta(name, value) VALUES ('catalogue_id', lower(hex(randomblob(16))))",
    """
    CREATE TABLE changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_id INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('added', 'changed', 'removed')),
        token BLOB NOT NULL
    )
    """,
    f"CREATE TRIGGER entries_added AFTER INSERT ON entries BEGIN {_LOG}"
    "VALUES (new.id, 'added', randomblob(8)); END",
    f"CREATE TRIGGER entries_changed AFTER UPDATE ON entries BEGIN {_LOG}"
    "SELECT old.id, 'removed', randomblob(8) WHERE old.id != new.id; "
    f"{_LOG}VALUES (new.id, CASE WHEN old.id = new.id THEN 'changed' ELSE 'added' END, randomblob(8)); END",
    f"CREATE TRIGGER entries_removed AFTER DELETE ON entries BEGIN {_LOG}"
    "VALUES (old.id, 'removed', randomblob(8)); END",
    *(f"CREATE TRIGGER {table}_{when.lower()} AFTER {when} ON {table} BEGIN "
      + "".join(f"{_LOG}VALUES (new.entry_id, 'changed', randomblob(8)); " if also is None else
                f"{_LOG}SELECT {row}.entry_id, 'changed', randomblob(8) "
                f"WHERE EXISTS (SELECT 1 FROM entries WHERE id = {row}.entry_id){also}; " for row, also in rows)
      + "END"
      for table in ("people", "entry_tags", "aliases", "entry_bib_blocks")
      for when, rows in (("INSERT", (("new", None),)),
                         ("UPDATE", (("new", ""), ("old", " AND old.entry_id != new.entry_id"))),
                         ("DELETE", (("old", ""),)))),
    # A tag renamed or a @string/@preamble block rewritten changes every entry that has it.
    f"CREATE TRIGGER tags_renamed AFTER UPDATE ON tags BEGIN {_LOG}"
    "SELECT entry_id, 'changed', randomblob(8) FROM entry_tags WHERE tag_id IN (old.id, new.id); END",
    f"CREATE TRIGGER bib_blocks_changed AFTER UPDATE ON bib_blocks BEGIN {_LOG}"
    "SELECT entry_id, 'changed', randomblob(8) FROM entry_bib_blocks WHERE block_id IN (old.id, new.id); END",
    "CREATE TRIGGER changes_pruned AFTER INSERT ON changes WHEN new.seq % 1000 = 0 BEGIN "
    "DELETE FROM changes WHERE seq <= new.seq - 100000; END",
]


def change_log_triggers() -> list[str]:
    """The names of the triggers ``m012`` makes (``db check`` reports any that are gone)."""
    return [sql.split()[2] for sql in _M012_CHANGE_LOG if sql.startswith("CREATE TRIGGER")]


def m001_core(db: Database) -> None:
    for sql in _M001_CORE:
        db.execute(sql)


def m002_fts(db: Database) -> None:
    for sql in _M002_FTS:
        db.execute(sql)
    # Index what a catalogue of the m001 schema already holds.
    reindex_all(db.conn)


def m003_canonical_arxiv_ids(db: Database) -> None:
    """Old-style arXiv ids as arXiv writes them (``math.DG/0211159`` → ``math/0211159``): the
    .bib reader of 0.1 kept the subject class, so ``add`` of the same paper made a second row.
    A row whose canonical id another row already holds keeps its id (nothing is merged here)."""
    from papershelf.model.identifiers import canonical_arxiv

    conn = db.conn
    for row_id, ident in conn.execute(
            "SELECT id, arxiv_id FROM entries WHERE arxiv_id LIKE '%.%/%'").fetchall():
        canonical = canonical_arxiv(ident)
        if canonical and canonical != ident and not conn.execute(
                "SELECT 1 FROM entries WHERE arxiv_id = ?", (canonical,)).fetchone():
            conn.execute("UPDATE entries SET arxiv_id = ? WHERE id = ?", (canonical, row_id))


def m004_revisions_and_aliases(db: Database) -> None:
    """A revision per entry (bumped by every write, so a read-modify-write can tell that the
    entry changed meanwhile), and aliases: keys that still cite an entry after a merge."""
    db.execute("ALTER TABLE entries ADD COLUMN revision INTEGER NOT NULL DEFAULT 0")
    db.execute("""
        CREATE TABLE aliases (
            alias TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE
        ) WITHOUT ROWID
    """)
    db.execute("CREATE INDEX aliases_entry ON aliases(entry_id)")


def m005_verbatim_source(db: Database) -> None:
    """What a .bib file said, verbatim: per entry the type and each field as written, and the
    fields changed since (JSON); per file its @preamble and @string blocks, stored once each
    and linked to the entries that came with them, so an export can write them again."""
    db.execute("ALTER TABLE entries ADD COLUMN source_type TEXT")
    db.execute("ALTER TABLE entries ADD COLUMN source_fields TEXT NOT NULL DEFAULT '{}'")
    db.execute("ALTER TABLE entries ADD COLUMN edited TEXT NOT NULL DEFAULT '[]'")
    db.execute("""
        CREATE TABLE bib_blocks (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('preamble', 'string')),
            name TEXT NOT NULL DEFAULT '',
            value TEXT NOT NULL,
            UNIQUE (kind, name, value)
        )
    """)
    db.execute("""
        CREATE TABLE entry_bib_blocks (
            entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
            block_id INTEGER NOT NULL REFERENCES bib_blocks(id) ON DELETE CASCADE,
            PRIMARY KEY (entry_id, block_id)
        ) WITHOUT ROWID
    """)
    db.execute("CREATE INDEX entry_bib_blocks_block ON entry_bib_blocks(block_id)")


def m006_key_nocase_index(db: Database) -> None:
    """An index on the citation key without case: keys compare without case (a key lookup,
    ``key_taken``, ``resolve``), and the UNIQUE index of ``m001`` is BINARY, so each such lookup
    scanned the table (an import of n entries did n scans)."""
    db.execute("CREATE INDEX entries_citekey_nocase ON entries(citekey COLLATE NOCASE)")


def m007_search_names(db: Database) -> None:
    """The search index in its m007 shape (``storage.fts``): the stemmed table gains the
    ``names`` (acronyms, short names, aliases) and ``ids`` (keys, arXiv id, DOI, URL) columns,
    and an unstemmed twin, ``entries_exact``, ranks exact words above shared stems. Both are
    made afresh and filled from the tables. ``topic_aliases`` keeps the topic aliases search
    expands (written when entries are added or autotagged), so a search never reads the rules."""
    from papershelf.storage.fts import create_tables

    create_tables(db.conn)


def m008_trash(db: Database) -> None:
    """The trash: each removed entry as one row, its whole record as JSON (``storage.trash``),
    until ``restore`` brings it back or the retention period purges it."""
    db.execute("""
        CREATE TABLE trash (
            id INTEGER PRIMARY KEY,
            citekey TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            year INTEGER,
            removed TEXT NOT NULL,
            record TEXT NOT NULL
        )
    """)
    db.execute("CREATE INDEX trash_citekey ON trash(citekey COLLATE NOCASE)")
    db.execute("CREATE INDEX trash_removed ON trash(removed)")


def m009_venue_evidence(db: Database) -> None:
    """What ``sync --venues`` found for each entry it asked about, and when: the status
    (published, none, conflict), whether the venue was written to the entry (``applied``), the
    venue and DOI, the agreeing sources (JSON list) and the evidence (JSON: records and scores).
    ``check`` reads it for preprints with a known published version and for stale entries."""
    db.execute("""
        CREATE TABLE venue_evidence (
            id INTEGER PRIMARY KEY,
            entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
            checked TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('published', 'none', 'conflict')),
            applied INTEGER NOT NULL DEFAULT 0,
            venue TEXT,
            doi TEXT,
            sources TEXT NOT NULL DEFAULT '[]',
            evidence TEXT NOT NULL DEFAULT '{}'
        )
    """)
    db.execute("CREATE INDEX venue_evidence_entry ON venue_evidence(entry_id, checked)")


def m010_journal(db: Database) -> None:
    """The operations journal (``storage.journal``), for ``undo``: one ``journal`` row per
    import or merge (the last ``journal.KEEP``), and per entry it touched what it did (added,
    updated, aliased, merged into another) with the entry's revision after it and, for an
    entry it changed, the whole record before (JSON, as the trash keeps it). The trash says why
    an entry is there (``reason``: merged into another, an undone import)."""
    db.execute("""
        CREATE TABLE journal (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT ''
        )
    """)
    db.execute("""
        CREATE TABLE journal_items (
            id INTEGER PRIMARY KEY,
            op_id INTEGER NOT NULL REFERENCES journal(id) ON DELETE CASCADE,
            action TEXT NOT NULL CHECK (action IN ('added', 'updated', 'aliased', 'merged')),
            entry_id INTEGER NOT NULL,
            citekey TEXT NOT NULL,
            revision INTEGER,
            detail TEXT,
            before TEXT
        )
    """)
    db.execute("CREATE INDEX journal_items_op ON journal_items(op_id)")
    db.execute("ALTER TABLE trash ADD COLUMN reason TEXT")


def m011_source_raw(db: Database) -> None:
    """How each verbatim field not written as one ``{…}`` group was written (JSON: name -> raw
    text, ``month = aug``, ``journal = jair``, ``"Foo"``): ``Entry.source_raw``, so an export
    writes a macro as a macro and a braced month in braces."""
    db.execute("ALTER TABLE entries ADD COLUMN source_raw TEXT NOT NULL DEFAULT '{}'")


def m012_change_log(db: Database) -> None:
    """The change log (``storage.changes``): a random id for the catalogue in ``meta``, and a
    ``changes`` row (a rising ``seq``, the entry's id, ``added``/``changed``/``removed``, a random
    ``token``) appended by triggers on every table an entry's text comes from, whatever wrote
    it (papershelf or a direct ``sqlite3`` edit), in the writer's own transaction. The oldest
    rows are pruned by a trigger too, so the log stays bounded (``changes.KEEP`` rows)."""
    for sql in _M012_CHANGE_LOG:
        db.execute(sql)


def m013_files(db: Database) -> None:
    """Files attached to entries (``storage.files``): where each is (a name in the catalogue's
    files folder, or the path of a linked file), its original name, size, pages, sha256 and what
    text extraction found. A child of ``entries``, so the trash keeps the rows with the entry.
    And ``pdf_pages`` (``storage.fulltext``): the text of each page, by sha256, in FTS5."""
    db.execute("""
        CREATE TABLE files (
            id INTEGER PRIMARY KEY,
            entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            original TEXT NOT NULL DEFAULT '',
            linked INTEGER NOT NULL DEFAULT 0,
            size INTEGER NOT NULL,
            pages INTEGER,
            sha256 TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT '',
            added TEXT NOT NULL,
            UNIQUE (entry_id, sha256)
        )
    """)
    db.execute("CREATE INDEX files_name ON files(name)")
    db.execute("CREATE INDEX files_sha256 ON files(sha256)")
    from papershelf.storage.fulltext import TABLE_SQL

    db.execute(TABLE_SQL)


def m014_identity_keys(db: Database) -> None:
    """The identity index (``storage.identity_rows``): each entry's arXiv id, DOI, ISBN, URL and
    normalised title with year, as the identity rule compares them, indexed, so an add looks up
    the few entries that could be the same work instead of reading every entry. Filled from the
    catalogue's entries a chunk at a time."""
    from papershelf.storage import identity_rows

    for sql in identity_rows.TABLE_SQL:
        db.execute(sql)
    identity_rows.rebuild(db.conn)


def m015_share(db: Database) -> None:
    """A shared library in git (``storage.share``): each shared entry's stable id, which never
    changes when its key does (no foreign key: the id of a removed entry is still needed to
    delete its file from the share), and the share's state (its folder, the change-log position
    of the last sync)."""
    db.execute("""
        CREATE TABLE share_entries (
            share_id TEXT PRIMARY KEY,
            entry_id INTEGER NOT NULL UNIQUE
        )
    """)
    db.execute("CREATE TABLE share_state (name TEXT PRIMARY KEY, value TEXT NOT NULL)")


# m016: a child row inserted while its entry is not there yet (``EntryWrites`` stores a batch's
# people and tags before the entries, foreign keys deferred) is covered by the entry's ``added``
# row, so the insert triggers log only a child of an entry that exists: one log row per new entry
# instead of one per person and tag (an import's log was seven rows an entry).
_CHILD_TABLES = ("people", "entry_tags", "aliases", "entry_bib_blocks")
_M016_CHILD_INSERTS = [
    sql for table in _CHILD_TABLES for sql in (
        f"DROP TRIGGER IF EXISTS {table}_insert",
        f"CREATE TRIGGER {table}_insert AFTER INSERT ON {table} "
        "WHEN EXISTS (SELECT 1 FROM entries WHERE id = new.entry_id) BEGIN "
        f"{_LOG}VALUES (new.entry_id, 'changed', randomblob(8)); END")]


def m016_quiet_child_inserts(db: Database) -> None:
    """The change log's insert triggers on an entry's child rows log only children of an entry
    that exists (``_M016_CHILD_INSERTS``): what a reader learns is the same, an import writes a
    seventh of the rows."""
    for sql in _M016_CHILD_INSERTS:
        db.execute(sql)


MIGRATIONS: list[Callable[[Database], None]] = [
    m001_core,
    m002_fts,
    m003_canonical_arxiv_ids,
    m004_revisions_and_aliases,
    m005_verbatim_source,
    m006_key_nocase_index,
    m007_search_names,
    m008_trash,
    m009_venue_evidence,
    m010_journal,
    m011_source_raw,
    m012_change_log,
    m013_files,
    m014_identity_keys,
    m015_share,
    m016_quiet_child_inserts,
]
MIGRATION_NAMES: tuple[str, ...] = tuple(fn.__name__ for fn in MIGRATIONS)


def migration_set(upto: str | None = None):
    """The sqlite-utils ``Migrations`` set, optionally only up to (and including) ``upto``."""
    from sqlite_utils import Migrations

    migrations = Migrations(MIGRATION_SET)
    for fn in MIGRATIONS:
        migrations()(fn)
        if fn.__name__ == upto:
            break
    return migrations
