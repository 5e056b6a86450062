""""Did you mean …?": the names closest to one a user mistyped (a citation key, a tag).

Pure string work over the candidates the caller gathered (storage finds them through its
indexes, so a miss never reads a whole 100,000-entry catalogue). ``difflib`` is imported on a
miss only.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_SUGGESTIONS = 3
CUTOFF = 0.75  # difflib ratio: "ho2020denosing" ~ "ho2020denoising" is 0.97, unrelated keys < 0.5
NEAR = 0.03  # suggestions this much less alike than the best one are left out


def closest(word: str, candidates: Iterable[str], n: int = MAX_SUGGESTIONS,
            cutoff: float = CUTOFF) -> list[str]:
    """Up to ``n`` candidates most like ``word`` (case-insensitive), best first, each once."""
    import difflib

    by_folded: dict[str, str] = {}
    for name in candidates:
        by_folded.setdefault(name.casefold(), name)
    by_folded.pop(word.casefold(), None)  # the word itself is no suggestion
    folded = word.casefold()
    found = difflib.get_close_matches(folded, list(by_folded), n=n, cutoff=cutoff)
    if not found:
        return []
    # Only the near-best: one clear winner is named alone, not beside keys one digit further.
    best = difflib.SequenceMatcher(None, folded, found[0]).ratio()
    return [by_folded[f] for f in found if difflib.SequenceMatcher(None, folded, f).ratio() >= best - NEAR]


def did_you_mean(names: list[str]) -> str:
    """`` (did you mean a, b or c?)`` for a message, or "" when there is nothing to suggest."""
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return f" (did you mean {listed}?)"

