"""Why a search result matched: the extract of its best-matching text, with the hits marked.

The index returns an extract with each hit between two private-use marks (``storage.fts``) and
CJK characters spaced apart (as they are indexed); ``Snippet.parse`` gives the text as it was
written, and the hits as ``(start, end)`` offsets into it, adjacent hits joined (``蒸餾`` is one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from papershelf.model.text import has_cjk

HIT_START, HIT_END = "\ue000", "\ue001"  # as storage.fts.snippets writes them


@dataclass
class Snippet:
    text: str
    hits: list[tuple[int, int]] = field(default_factory=list)
    column: str = ""  # where it comes from: title, names, authors, abstract, notes, tags, section, ids

    @classmethod
    def parse(cls, marked: str, column: str = "") -> Snippet:
        chars = list(marked)

        def neighbour(i: int, step: int) -> str:
            while 0 <= i < len(chars) and chars[i] in (HIT_START, HIT_END):
                i += step
            return chars[i] if 0 <= i < len(chars) else ""

        kept: list[str] = []
        # (the marks are private-use characters, above the CJK blocks' first: left out, Latin
        # text is ruled out at once, as ``has_cjk`` does, without its regex)
        if has_cjk(marked.replace(HIT_START, "").replace(HIT_END, "")):  # undo the index's spaces around CJK
            for i, ch in enumerate(chars):
                if ch == " " and (has_cjk(neighbour(i - 1, -1)) or has_cjk(neighbour(i + 1, 1))):
                    continue
                kept.append(ch)
        else:  # nothing to undo (the loop above is most of the time of a search with 1,000 PDF hits)
            kept = chars
        joined = "".join(kept).replace(HIT_END + HIT_START, "")
        text: list[str] = []
        hits: list[tuple[int, int]] = []
        start = -1
        for ch in joined:
            if ch == HIT_START:
                start = len(text)
            elif ch == HIT_END:
                if start >= 0:
                    hits.append((start, len(text)))
                start = -1
            else:
                text.append(ch)
        return cls(" ".join("".join(text).split("\n")), hits, column)

    @property
    def words(self) -> list[str]:
        """The hit texts."""
        return [self.text[a:b] for a, b in self.hits]

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.column, "text": self.text, "hits": [list(h) for h in self.hits]}
