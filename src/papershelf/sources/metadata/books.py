"""Books by ISBN: Open Library first, Google Books second.

Open Library: ``GET /api/books?bibkeys=ISBN:<isbn>&format=json&jscmd=data`` → ``{"ISBN:<isbn>":
{"title", "subtitle", "authors": [{"name", "url"}], "publishers": [{"name"}], "publish_date",
"identifiers": {"isbn_13": [...], "isbn_10": [...]}, "url", …}}``, and ``{}`` for an ISBN it does not
know. Google Books: ``GET /volumes?q=isbn:<isbn>`` → ``{"kind": "books#volumes", "totalItems": n,
"items": [{"id", "volumeInfo": {"title", "subtitle", "authors", "publisher", "publishedDate",
"industryIdentifiers": [{"type": "ISBN_13", "identifier"}], "canonicalVolumeLink"}}]}``.
"""

from __future__ import annotations

from typing import Any

from papershelf.model.works import Work, clean_text, family_of, year_of
from papershelf.sources.metadata.service import Service, arr, obj


def _title(title: str, subtitle: str) -> str:
    return f"{title}: {subtitle}" if subtitle and subtitle.lower() not in title.lower() else title


def parse_openlibrary(data: Any, isbn: str) -> Work | None:
    """The book an ``/api/books`` answer holds for ``isbn`` (ISBN-13 digits)."""
    books = obj(data)
    book = obj(books.get(f"ISBN:{isbn}")) or next((obj(v) for v in books.values() if obj(v)), {})
    title = clean_text(book.get("title"))
    if not title:
        return None
    names = [n for n in (clean_text(obj(a).get("name")) for a in arr(book.get("authors"))) if n]
    publisher = next((clean_text(obj(p).get("name")) for p in arr(book.get("publishers"))), "") or None
    date = clean_text(book.get("publish_date"))
    year = next((year_of(w) for w in date.replace(",", " ").split() if year_of(w)), None)
    return Work(source="openlibrary", source_id=str(book.get("key") or f"ISBN:{isbn}"),
                title=_title(title, clean_text(book.get("subtitle"))), authors=tuple(names),
                family_names=tuple(family_of(n) for n in names), year=year, kind="book", publisher=publisher,
                isbn=isbn, url=clean_text(book.get("url")) or None)


def parse_googlebooks(data: Any, isbn: str) -> Work | None:
    items = [obj(i) for i in arr(obj(data).get("items"))]
    for item in items:
        info = obj(item.get("volumeInfo"))
        isbns = {str(obj(i).get("identifier") or "") for i in arr(info.get("industryIdentifiers"))}
        if isbn not in isbns and isbn[3:12] not in {i[:9] for i in isbns if len(i) == 10}:
            continue
        title = clean_text(info.get("title"))
        if not title:
            continue
        names = [n for n in (clean_text(a) for a in arr(info.get("authors"))) if n]
        return Work(source="googlebooks", source_id=str(item.get("id") or ""),
                    title=_title(title, clean_text(info.get("subtitle"))), authors=tuple(names),
                    family_names=tuple(family_of(n) for n in names), year=year_of(info.get("publishedDate")),
                    kind="book", publisher=clean_text(info.get("publisher")) or None, isbn=isbn,
                    url=clean_text(info.get("canonicalVolumeLink")) or None)
    return None


class OpenLibrary(Service):
    name = "openlibrary"

    def isbn(self, isbn: str) -> Work | None:
        data = self.fetch_json(self.url("/api/books", {"bibkeys": f"ISBN:{isbn}", "format": "json",
                                                       "jscmd": "data"}))
        return None if data is None else parse_openlibrary(data, isbn)


class GoogleBooks(Service):
    name = "googlebooks"

    def isbn(self, isbn: str) -> Work | None:
        data = self.fetch_json(self.url("/volumes", {"q": f"isbn:{isbn}"}))
        return None if data is None else parse_googlebooks(data, isbn)
