"""What ``check`` reports: ``Finding`` (one problem and what to do), ``CheckReport`` and the
lints' names in their order. Below ``services.check`` and ``services.check_online``, which
both build findings, so neither imports the other's vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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


@dataclass
class CheckReport:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    unverified: dict[str, str] = field(default_factory=dict)  # service -> why it could not be asked
    requests: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "problems": len(self.findings),
                "findings": [f.to_dict() for f in self.findings], "unverified": self.unverified,
                "requests": self.requests}
