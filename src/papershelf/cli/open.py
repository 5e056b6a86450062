"""``open``: an entry's web page in the browser (or, with ``--print``, its address).

    papershelf open ho2020denoising            (arXiv page, else DOI, else URL)
    papershelf open ho2020denoising --print    (just print it: for scripts, or over ssh)
"""

from __future__ import annotations

from typing import Annotated

import typer

from papershelf.cli._library import open_library
from papershelf.cli._output import fail, info, out_line
from papershelf.cli._params import KeyArg


def open_entry(
    key: KeyArg,
    print_only: Annotated[bool, typer.Option("--print", "-p", help="Print the path or address instead of "
                                                                   "opening it.")] = False,
) -> None:
    """Open an entry's attached PDF, or else its page in the web browser: its arXiv page, else
    its DOI, else its URL.

    Examples:

      papershelf open ho2020denoising

      papershelf open 2006.11239 --print
    """
    from papershelf.cli.edit import shown

    with open_library() as lib:
        _, pdf = lib.pdf_of(key)
        page = lib.web_page(key) if pdf is None else None  # no page to open: NotFoundError, exit 3
    if pdf is not None:
        if print_only:
            out_line(str(pdf))
            return
        if typer.launch(str(pdf)) != 0:
            raise fail(f"no PDF viewer could be started for {pdf}", hint="`--print` prints its path")
        info(shown(f"Opened {pdf}"))
        return
    assert page is not None
    entry, url = page
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise fail(f"the link of {entry.citekey} is not a usable address: {url!r}",
                   hint=f"fix it with `papershelf set {entry.citekey} url=…`")
    if print_only:
        out_line(url)
        return
    if not url.lower().startswith(("https://", "http://")):
        raise fail(f"the link of {entry.citekey} is not a web address: {url}",
                   hint="`--print` prints it; fix it with `papershelf set KEY url=…`")
    import webbrowser

    if not webbrowser.open(url):
        raise fail(f"no web browser could be started for {url}",
                   hint="set BROWSER to one, or copy the address (`--print` prints it)")
    info(shown(f"Opened {url}"))
