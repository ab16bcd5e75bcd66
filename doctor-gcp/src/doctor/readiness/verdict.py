"""What readiness says: one verdict per path (`PathCheck`) and the overall verdict (`Readiness`).

A path is `ready`, `off` (not configured, and nothing needs it: e.g. no Slack at all), `not_ready`
(configured, or needed, but unusable: the fix says what to do) or `unchecked` (configured, not
probed here). `ready` overall means no path is `not_ready`; `serving` means `POST /analyze`
could work: AWS and the API token are both ready.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["ready", "off", "not_ready", "unchecked"]
PATHS = ("aws", "gemini", "slack", "store", "api")
# What POST /analyze needs: without these it answers 503 whatever the request.
SERVING_PATHS = ("aws", "api")


@dataclass(frozen=True, slots=True)
class PathCheck:
    """One path's verdict: what is configured (`facts`, no secrets), what is wrong, the fix."""

    name: str
    status: Status
    summary: str
    facts: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "summary": self.summary,
            "facts": self.facts,
            "problems": self.problems,
            "fix": self.fix,
        }


@dataclass(frozen=True, slots=True)
class Readiness:
    paths: list[PathCheck]

    def path(self, name: str) -> PathCheck:
        return next(check for check in self.paths if check.name == name)

    @property
    def ready(self) -> bool:
        """Every configured path works (a path that is off is not a failure)."""
        return all(check.status != "not_ready" for check in self.paths)

    def serving_blockers(self) -> list[PathCheck]:
        """The paths that keep POST /analyze from working (empty: it can work)."""
        return [self.path(name) for name in SERVING_PATHS if self.path(name).status != "ready"]

    @property
    def serving(self) -> bool:
        return not self.serving_blockers()

    def to_dict(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "serving": self.serving,
            "paths": {check.name: check.to_dict() for check in self.paths},
        }

    def statuses(self) -> str:
        """`aws=ready gemini=off …`: the one-line form for logs."""
        return " ".join(f"{check.name}={check.status}" for check in self.paths)
