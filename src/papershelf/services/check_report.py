"""What ``check`` reports: ``Finding`` (one problem and what to do), ``CheckReport`` and the
lints' names in their order. Below ``services.check`` and ``services.check_online``, which
both build findings, so neither imports the other's vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from papershelf.errors import NetworkError, PapershelfError

LINTS = ("missing", "dangling-crossref", "published", "fields", "duplicate", "stale", "unresolved", "mismatch",
         "retracted")


@dataclass
class Finding:
    kind: str  # one of LINTS
    key: str
    message: str
    todo: str  # what to do about it

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "key": self.key, "message": self.message, "todo": self.todo}


class CheckProblems(PapershelfError):
    """``check`` found something to fix (exit 1, like ``db check``)."""


@dataclass
class CheckReport:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    unverified: dict[str, str] = field(default_factory=dict)  # service -> why it could not be asked
    requests: dict[str, int] = field(default_factory=dict)
    online: bool = False  # identifiers were to be verified online

    def verdict(self) -> PapershelfError | None:
        """How ``check`` ends: problems found (exit 1), else a network error when neither
        Crossref nor DataCite could verify the identifiers asked for online."""
        n = len(self.findings)
        if n:
            return CheckProblems(f"{n} problem{'s' if n != 1 else ''} in {self.checked} "
                                 f"entr{'ies' if self.checked != 1 else 'y'} checked",
                                 hint="each is listed above with what to do")
        down = [s for s in self.unverified if s != "openalex"]
        if self.online and down and all(s in self.unverified for s in ("crossref", "datacite")):
            return NetworkError(f"could not verify the identifiers: {', '.join(down)} did not answer",
                                hint="check the connection, or run `papershelf check --online` again later")
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "problems": len(self.findings),
                "findings": [f.to_dict() for f in self.findings], "unverified": self.unverified,
                "requests": self.requests}
