"""What the incident stage tells of a digest: each problem pattern's facts and role, and the
order to tell them in (`roles` reads them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from doctor.digest.types import Pattern
from doctor.incident.onset import State
from doctor.taxonomy import Category


class Role(StrEnum):
    ROOT_CAUSE = "root_cause"
    SYMPTOM = "symptom"
    CHRONIC = "chronic"


_ROLE_RANK = {Role.ROOT_CAUSE: 0, Role.SYMPTOM: 1, Role.CHRONIC: 2}


@dataclass(frozen=True, slots=True)
class Facts:
    """One problem pattern as the incident stage sees it."""

    id: str
    category: Category
    role: Role
    state: State
    onset: datetime | None
    services: tuple[str, ...]
    explains: tuple[str, ...]  # ids of the incident patterns it is a known cause of
    baseline: int | None = None  # its events in the baseline window, when one was read
    face: str | None = None  # a chronic pattern's new wording that brought it in (`faces`)


@dataclass(frozen=True, slots=True)
class Incident:
    """The incident stage's reading of a digest."""

    onset: datetime | None  # when the incident began; None without timestamps or incident
    facts: dict[str, Facts]  # problem patterns by id
    order: tuple[str, ...]  # problem pattern ids: root causes, symptoms, chronic
    baseline_minutes: int = 0  # the baseline window read before the one analysed (0: none)
    _places: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_places", {pid: n for n, pid in enumerate(self.order)})

    def place(self, pattern_id: str) -> int:
        """Where a pattern stands in `order` (after all of them when it is not a problem)."""
        return self._places.get(pattern_id, len(self.order))

    def role(self, pattern_ids: Iterable[str]) -> Role | None:
        """The role of an issue made of these patterns: the most causal of theirs."""
        roles = [self.facts[pid].role for pid in pattern_ids if pid in self.facts]
        return min(roles, key=_ROLE_RANK.__getitem__) if roles else None

    def rank(self, pattern_ids: Iterable[str]) -> tuple[int, int]:
        """Sort key for an issue made of these patterns: its role, then its best place."""
        ids = list(pattern_ids)
        role = self.role(ids)
        best = min((self.place(pid) for pid in ids), default=len(self.order))
        return (_ROLE_RANK[role] if role is not None else 1, best)


def services_of(patterns: Sequence[Pattern]) -> list[str]:
    """The services of these patterns, most events first."""
    totals: dict[str, int] = {}
    for pattern in patterns:
        for service, events in pattern.services.items():
            totals[service] = totals.get(service, 0) + events
    return sorted(totals, key=lambda s: (-totals[s], s))
