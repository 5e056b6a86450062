"""Bash completion of words with a colon in them (citation keys like ``smith:2020``).

Bash splits the line at every character of ``COMP_WORDBREAKS``, ``:`` among them, so for
``papershelf show smith:20<TAB>`` the program is given the words ``smith``, ``:``, ``20`` and
bash replaces only ``20`` with what it prints. Here the pieces are joined again before the
command line is parsed, and each answer loses the part bash will keep (``smith:``).
"""

from __future__ import annotations

import os
import shlex


def rejoin_colon_words(words: list[str], cword: int) -> tuple[list[str], int, str]:
    """``words`` with each run of colons glued to its neighbours, the index of the word being
    completed in the result, and the part of that word bash keeps (to drop from answers)."""
    out: list[str] = []
    at = cword
    glue = False  # the next word continues the previous one
    for i, word in enumerate(words):
        is_colons = word != "" and set(word) == {":"}
        if out and i > 0 and (is_colons or glue):
            out[-1] += word
            if i <= cword:
                at = len(out) - 1
        else:
            out.append(word)
            if i <= cword:
                at = len(out) - 1
        glue = is_colons and i < cword
    current = words[cword] if cword < len(words) else ""
    joined = out[at] if at < len(out) else ""
    keep = joined[:len(joined) - len(current)] if joined.endswith(current) else ""
    return out, at, keep


def bash_words(raw: str, cword_text: str) -> tuple[str, str, str] | None:
    """``COMP_WORDS`` and ``COMP_CWORD`` (as bash sets them) with the colon words rejoined, and
    the prefix to drop from each answer (maybe ""); None when no word has a colon."""
    try:
        words = shlex.split(raw)
        cword = int(cword_text)
    except ValueError:
        return None
    if raw.endswith(" ") and cword >= len(words):
        words.append("")
    if ":" not in raw or cword >= len(words):
        return None
    joined, at, keep = rejoin_colon_words(words, cword)
    return " ".join(shlex.quote(w) if w else "''" for w in joined), str(at), keep


def prepare_bash() -> str:
    """Rewrite ``COMP_WORDS``/``COMP_CWORD`` for Typer's bash completion; return the prefix
    to drop from each answer ("" when no colon is involved)."""
    found = bash_words(os.environ.get("COMP_WORDS", ""), os.environ.get("COMP_CWORD", ""))
    if found is None:
        return ""
    os.environ["COMP_WORDS"], os.environ["COMP_CWORD"], keep = found
    return keep


def trim_answers(output: str, keep: str) -> str:
    """Typer's answers (one per line) without the part of the word bash keeps."""
    if not keep:
        return output
    return "\n".join(line[len(keep):] if line.startswith(keep) else line for line in output.split("\n"))
