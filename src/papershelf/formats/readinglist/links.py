"""What a reading list's link points at: an arXiv paper, a proceedings page, a book, a DOI, a
web page, or nothing usable. Pure string work, no network."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from papershelf.model import identifiers as arxiv_ids
from papershelf.model.identifiers import doi_of, normalise_isbn

CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "huggingface.co")
PROCEEDINGS_HOSTS = ("proceedings.mlr.press", "proceedings.neurips.cc", "papers.nips.cc",
                     "openaccess.thecvf.com", "aclanthology.org", "www.aclweb.org", "openreview.net",
                     "ojs.aaai.org", "www.ijcai.org", "www.jmlr.org", "jmlr.org")
BOOK_PATHS = (("learning.oreilly.com", "/library/view/"), ("www.oreilly.com", "/library/view/"),
              ("oreilly.com", "/library/view/"), ("www.manning.com", "/books/"),
              ("pragprog.com", "/titles/"), ("nostarch.com", "/"), ("link.springer.com", "/book/"),
              ("www.packtpub.com", "/product/"), ("mitpress.mit.edu", "/books/"),
              ("www.cambridge.org", "/core/books/"))
DOI_HOSTS = ("doi.org", "dx.doi.org")
# The kinds of work a link may name that make an entry of their own.
WORK_KINDS = ("arxiv", "proceedings", "book", "doi")

_ISBN13 = re.compile(r"(?<![0-9])97[89](?:-?[0-9]){10}(?![0-9])")
_AMAZON_DP = re.compile(r"/(?:dp|gp/product)/([0-9]{9}[0-9X])(?:[/?]|$)")
_PMLR = re.compile(r"^/v(\d+)/[A-Za-z\-]+?(\d{2})[a-z]?(?:\.html|\.pdf|/|$)")


@dataclass
class Link:
    text: str
    url: str


@dataclass
class Work:
    """What a link points at: ``kind`` is arxiv, proceedings, book, doi, web or broken."""

    kind: str
    link: Link
    arxiv: arxiv_ids.ArxivId | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # Entry fields the link itself tells
    reason: str = ""


def isbn_in_url(url: str) -> str | None:
    """The ISBN-13 a URL holds (written out, or an Amazon product's ISBN-10), when its check
    digit is right."""
    for m in _ISBN13.finditer(url):
        isbn = normalise_isbn(m.group(0))
        if isbn:
            return isbn
    dp = _AMAZON_DP.search(url)
    return normalise_isbn(dp.group(1)) if dp else None


def classify(link: Link) -> Work:
    url = link.url
    if not url:
        return Work("broken", link, reason="a link with no address")
    aid = arxiv_ids.parse(url)
    if aid:
        return Work("arxiv", link, arxiv=aid)
    parts = urlsplit(url if "://" in url else "https://" + url)
    host = (parts.hostname or "").lower()
    if host.endswith("arxiv.org"):
        return Work("broken", link, reason="an arXiv link without a valid arXiv id")
    if not re.match(r"^https?://", url, re.I) or not host or "." not in host:
        return Work("broken", link, reason="not a web address")
    isbn = isbn_in_url(url)
    doi = doi_of(parts.path[1:]) if host in DOI_HOSTS else None
    if doi:
        return Work("book", link, fields={"doi": doi, "isbn": isbn}) if isbn else \
            Work("doi", link, fields={"doi": doi})
    if isbn or any(host == h and parts.path.startswith(p) for h, p in BOOK_PATHS):
        return Work("book", link, fields={"isbn": isbn} if isbn else {})
    if host in PROCEEDINGS_HOSTS:
        fields: dict[str, Any] = {}
        m = _PMLR.match(parts.path) if host == "proceedings.mlr.press" else None
        if m:
            yy = int(m.group(2))
            fields = {"volume": m.group(1), "publisher": "PMLR", "year": 2000 + yy if yy < 90 else 1900 + yy,
                      "extra": {"series": "Proceedings of Machine Learning Research"}}
        return Work("proceedings", link, fields=fields)
    return Work("web", link)


def link_label(url: str) -> str:
    """``code`` for a code host's page, ``link`` for anything else."""
    host = (urlsplit(url).hostname or "").lower()
    return "code" if any(host == h or host.endswith("." + h) for h in CODE_HOSTS) else "link"


def url_display(url: str) -> str:
    return re.sub(r"^https?://", "", url)
