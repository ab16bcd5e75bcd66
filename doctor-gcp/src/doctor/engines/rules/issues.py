"""The rules engine's issues: the patterns of one category with the rules that claimed them,
and the words the diagnosis says about them (the summary, the all-clear)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from doctor.digest.types import Digest, Level, Pattern
from doctor.engines.rules.base import Rule
from doctor.incident import Role, services_of
from doctor.incident.story import Item, chain
from doctor.models import DiagnosedIssue, Diagnosis
from doctor.taxonomy import Category, Severity

TEMPLATE_CHARS = 160


@dataclass(slots=True)
class Group:
    """The patterns of one category, with the rule that claimed each."""

    category: Category
    role: Role | None = None  # in the incident (doctor.incident); chronic ones are apart
    members: list[tuple[Pattern, Rule | None]] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [p.id for p, _ in self.members]

    @property
    def count(self) -> int:
        return sum(p.count for p, _ in self.members)

    @property
    def level(self) -> Level:
        return max(p.level for p, _ in self.members)

    def rules(self) -> list[Rule]:
        """Distinct rules, the lead first: strongest tier, then most events, then rule id."""
        events: dict[str, int] = {}
        by_id: dict[str, Rule] = {}
        for pattern, r in self.members:
            if r is not None:
                events[r.id] = events.get(r.id, 0) + pattern.count
                by_id[r.id] = r
        return sorted(by_id.values(), key=lambda r: (-r.strength.rank, -events[r.id], r.id))


def clip(text: str) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= TEMPLATE_CHARS else line[: TEMPLATE_CHARS - 1] + "…"


def summary(
    digest: Digest,
    ranked: list[Group],
    issues: list[DiagnosedIssue],
    severity: Severity,
    onset: datetime | None,
) -> str:
    """One or two sentences: the causal chain (or the top issue with its counts and what else
    is going on), how bad."""
    items = [
        Item(
            issue.type,
            group.role,
            group.count,
            services_of([p for p, _ in group.members]),
            min((p.first_seen for p, _ in group.members if p.first_seen), default=None),
        )
        for group, issue in zip(ranked, issues, strict=True)
    ]
    told = chain(items, onset)
    if told is not None:
        events = digest.events_total
        return f"{told} Overall severity {severity.value} across {events} log event(s)."
    lead = issues[0]
    text = (
        f"Most likely primary problem: {lead.type} ({lead.category.value}, "
        f"{ranked[0].count} event(s) in {len(lead.pattern_ids)} pattern(s))."
    )
    others = [f"{i.type} ({g.count})" for g, i in zip(ranked[1:4], issues[1:4], strict=True)]
    if others:
        text += " Also seen: " + ", ".join(others) + (", ..." if len(issues) > 4 else "") + "."
    text += f" Overall severity {severity.value} across {digest.events_total} log event(s)"
    if digest.spike_start is not None:
        text += f"; errors started rising at {digest.spike_start:%Y-%m-%d %H:%M} UTC"
    return text + "."


def all_clear(digest: Digest, warnings_unmatched: int) -> Diagnosis:
    if warnings_unmatched:
        summary = (
            f"No known failure found: {warnings_unmatched} warning pattern(s) in "
            f"{digest.events_total} log event(s) match no failure signature, and there are "
            "no errors."
        )
    else:
        summary = (
            f"No errors found: none of the {digest.events_total} log event(s) is a warning "
            "or worse."
        )
    return Diagnosis(summary=summary, severity=Severity.LOW, issues=[], priority_actions=[])
