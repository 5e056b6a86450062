"""Markdown reading lists, read the way their owner wrote them.

A reading list is headings and nested bullets. ``parse`` (``parser``) turns the text into a
tree of ``Bullet``s; ``read`` (``reader``) then decides what each bullet is, as a careful
reader would, with ``classify`` (``links``) telling what each link points at:

* a bullet that links a work (an arXiv abs/pdf link or ``arXiv:ID``, a PMLR or other
  proceedings page, a book: an O'Reilly/publisher page or any link with an ISBN in it, a DOI)
  is an entry. Its nested text bullets are its notes, verbatim (relative indentation kept);
  nested bare links (and code/web links in the bullet itself) are its links, labelled
  ``code`` for code hosts and ``link`` otherwise. A bullet with no link that names a
  well-known work (``KNOWN_WORKS``) is that work. arXiv papers are placeholders (their
  canonical id, ``needs_sync``) that arXiv sync completes.
* a bullet with entries below it is a label: the heading and the labels above an entry,
  joined by `` › ``, are the entry's section.
* any other bullet with a web link (its own, or a bare link nested under it) is an ``online``
  entry: a tutorial, a code repository, a web page.
* what is left (text with no link outside any entry, a broken link, a second copy of an item)
  is reported as a ``Problem`` with its line, never dropped silently.

Pure text in, ``Entry`` objects out: no catalogue, no network, no terminal.
"""

from __future__ import annotations

from papershelf.formats.readinglist.links import (
    BOOK_PATHS,
    CODE_HOSTS,
    PROCEEDINGS_HOSTS,
    Link,
    Work,
    classify,
    isbn_in_url,
)
from papershelf.formats.readinglist.parser import SECTION_SEP, Bullet, Problem, parse
from papershelf.formats.readinglist.reader import KNOWN_WORKS, ReadingList, read

__all__ = [
    "BOOK_PATHS", "CODE_HOSTS", "KNOWN_WORKS", "PROCEEDINGS_HOSTS", "SECTION_SEP", "Bullet", "Link",
    "Problem", "ReadingList", "Work", "classify", "isbn_in_url", "parse", "read",
]
