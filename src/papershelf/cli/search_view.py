"""How ``search`` shows what it found, and why each entry matched.

    $ papershelf search ddpm
    2 entries match 'ddpm'
    key                 year  authors            title
    ho2020denoising     2020  Ho, Jain, Abbeel   Denoising Diffusion Probabilistic Models
                                                 names: DDPM
    ...

On a terminal: the ``list`` table, with the hits highlighted in the title, or under it an
extract of the text that matched. Into a pipe: the ``list`` lines with the extract as a
seventh tab-separated column, ``field: extract`` (no Rich). ``--json``: the ``list`` objects
with ``snippet`` (``{"field": …, "text": …, "hits": [[start, end], …]}``; null for a
filters-only search and after the first ``SNIPPET_ROWS`` (100) results). The count line
goes to stderr, so stdout holds only the results.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from papershelf.cli._output import console, info, plural, print_json

if TYPE_CHECKING:
    from rich.text import Text

    from papershelf.model.entry import Summary
    from papershelf.model.snippets import Snippet
    from papershelf.services.library import SearchResult


def count_line(n: int, query: str, limit: int | None) -> str:
    if limit is not None and n == limit:
        return f"The first {plural(n, 'entry', 'entries')} matching {query!r}"
    return f"{plural(n, 'entry', 'entries')} {'matches' if n == 1 else 'match'} {query!r}"


def in_title(entry: Summary, snippet: Snippet | None) -> bool:
    """Whether the extract is (a piece of) the title: the hits are shown in the title itself."""
    return snippet is not None and snippet.column == "title"


def show(result: SearchResult[Summary], query: str, limit: int | None, as_json: bool) -> None:
    entries, snippets = result.entries, result.snippets
    if as_json:
        print_json([{**e.summary_dict(), "snippet": snippets[e.citekey].to_dict() if e.citekey in snippets else None,
                     **({"page": result.pages[e.citekey]} if e.citekey in result.pages else {})}
                    for e in entries])
        return
    nothing = result.verdict()
    if nothing is not None:
        info(nothing.message)
        return
    info(count_line(len(entries), query, limit))
    if not sys.stdout.isatty():
        from papershelf.cli.plain import entry_lines, printable

        for e in entries:
            snippet = snippets.get(e.citekey)
            why = f"{snippet.column}: {' '.join(snippet.text.split())}" if snippet else ""
            sys.stdout.write(entry_lines([e]).rstrip("\n") + "\t" + printable(why) + "\n")
        return
    from papershelf.cli.render import entries_table

    console().print(entries_table(entries, titles=[_title(e, snippets.get(e.citekey)) for e in entries]))


def _title(entry: Summary, snippet: Snippet | None) -> Text:
    """The title cell: the title, with its hits in bold, or the extract that matched under it."""
    from rich.text import Text

    from papershelf.cli.plain import printable

    title = Text(printable(" ".join(entry.title.split())))
    if snippet is None:
        return title
    if in_title(entry, snippet):
        title.highlight_words([printable(w) for w in snippet.words], style="bold yellow", case_sensitive=False)
        return title
    why = Text(f"\n{snippet.column}: ", style="dim italic")
    at = 0
    for start, end in snippet.hits:
        why.append(printable(snippet.text[at:start]), style="dim")
        why.append(printable(snippet.text[start:end]), style="bold yellow")
        at = end
    why.append(printable(snippet.text[at:]), style="dim")
    return title + why
