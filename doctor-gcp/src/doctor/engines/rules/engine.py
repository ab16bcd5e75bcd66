"""The offline engine: classify each digest pattern with the knowledge base, group by category,
rank root causes before the symptoms they cause, and write a Diagnosis. No model, no I/O, no
randomness: the same digest always gives the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from doctor.digest.types import Digest, Level, Pattern
from doctor.engines.base import Answer
from doctor.engines.rules.base import Rule
from doctor.engines.rules.knowledge import RULES
from doctor.engines.rules.text import MatchText
from doctor.models import DiagnosedIssue, Diagnosis
from doctor.taxonomy import Category, Severity

if TYPE_CHECKING:
    from doctor.digest import Prompt

_SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}
_BY_RANK = {rank: sev for sev, rank in _SEVERITY_RANK.items()}
_CATEGORY_ORDER = {c: i for i, c in enumerate(Category)}
_MAX_ACTIONS = 5
_TEMPLATE_CHARS = 160


@dataclass(slots=True)
class _Group:
    """The patterns of one category, with the rule that claimed each."""

    category: Category
    members: list[tuple[Pattern, Rule | None]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(p.count for p, _ in self.members)

    @property
    def level(self) -> Level:
        return max(p.level for p, _ in self.members)

    def rules(self, order: dict[str, int]) -> list[Rule]:
        """Distinct rules, the lead first: most specific, then most events, then KB order."""
        events: dict[str, int] = {}
        by_id: dict[str, Rule] = {}
        for pattern, r in self.members:
            if r is not None:
                events[r.id] = events.get(r.id, 0) + pattern.count
                by_id[r.id] = r
        return sorted(by_id.values(), key=lambda r: (-r.weight, -events[r.id], order[r.id]))


STRONG_WEIGHT = 70  # concrete signatures; below are generic ones (HTTP 500, "timeout")


class RulesEngine:
    """Deterministic knowledge-base diagnosis (see knowledge.py for the rules)."""

    name: Final[Literal["rules"]] = "rules"

    def __init__(self, rules: Sequence[Rule] = RULES) -> None:
        self._rules = tuple(rules)
        self._order = {r.id: i for i, r in enumerate(self._rules)}
        # Tried most specific first, knowledge-base order on ties: the first rule that fires is
        # the answer, so a recognised pattern costs a few regex searches, not hundreds.
        self._by_priority = sorted(self._rules, key=lambda r: (-r.weight, self._order[r.id]))

    def classify(self, pattern: Pattern) -> Rule | None:
        """The best rule for one pattern, or None.

        Below WARNING only unmistakable signatures count (weight >= STRONG_WEIGHT): Go's log
        package, the kernel and systemd print failures with no level at all, so "dial tcp ...:
        connection refused" or "Segmentation fault" reach us as INFO, yet are the diagnosis.
        """
        text = MatchText.of(pattern)
        if pattern.level >= Level.WARNING:
            return next((r for r in self._by_priority if r.fires(text, pattern.level)), None)
        strong = (r for r in self._by_priority if r.weight >= STRONG_WEIGHT)
        return next((r for r in strong if r.fires(text, Level.WARNING)), None)

    def diagnose(self, digest: Digest, prompt: Prompt | None = None) -> Answer:
        """The knowledge base's reading of every pattern; `prompt` is not needed."""
        del prompt
        return Answer(self.diagnosis(digest), self.name)

    def close(self) -> None:
        pass  # nothing held

    def diagnosis(self, digest: Digest) -> Diagnosis:
        classified = [(p, self.classify(p)) for p in digest.patterns]
        considered = [(p, r) for p, r in classified if p.level >= Level.WARNING or r is not None]
        groups: dict[Category, _Group] = {}
        for pattern, r in considered:
            if r is not None:
                groups.setdefault(r.category, _Group(r.category)).members.append((pattern, r))
            elif pattern.level >= Level.ERROR:  # an error nobody recognises is still an error
                groups.setdefault(Category.UNKNOWN, _Group(Category.UNKNOWN)).members.append(
                    (pattern, None)
                )
        if not groups:
            return _all_clear(digest, len(considered))

        total = sum(g.count for g in groups.values())
        ranked = sorted(groups.values(), key=lambda g: self._rank_key(g, total))
        issues = [self._issue(g) for g in ranked]
        severity = _BY_RANK[max(_SEVERITY_RANK[self._severity(g)] for g in ranked)]
        return Diagnosis(
            summary=_summary(digest, ranked, issues, severity),
            severity=severity,
            issues=issues,
            priority_actions=self._actions(ranked),
        )

    # -- ranking ---------------------------------------------------------------------------

    def _severity(self, group: _Group) -> Severity:
        rules = group.rules(self._order)
        if not rules:  # unknown: how bad the logs say it is
            return Severity.HIGH if group.level >= Level.CRITICAL else Severity.MEDIUM
        rank = max(_SEVERITY_RANK[r.severity] for r in rules)
        if group.level >= Level.CRITICAL:  # FATAL / PANIC lines: one step worse
            rank = min(rank + 1, 3)
        return _BY_RANK[rank]

    def _rank_key(self, group: _Group, total: int) -> tuple[int, int, int, int, int]:
        """Sort key, most important first.

        Score = 3 x severity + 2 x causal tier (root cause 2, crash loop / throttling 1,
        symptom 0, unrecognised -1) - 1 if it is warnings only + 1 if it holds most of the
        events. So a database outage outranks the 500s it causes and an OOM kill its crash
        loop, while a minor warning does not bury a flood of errors of a worse severity.
        """
        rules = group.rules(self._order)
        tier = rules[0].tier if rules else -1
        share = group.count / total if total else 0.0
        volume = 1 if share >= 0.5 else 0
        warn_only = 1 if group.level < Level.ERROR else 0
        score = 3 * _SEVERITY_RANK[self._severity(group)] + 2 * tier - warn_only + volume
        return (-score, -tier, -int(group.level), -group.count, _CATEGORY_ORDER[group.category])

    # -- text ------------------------------------------------------------------------------

    def _issue(self, group: _Group) -> DiagnosedIssue:
        patterns = [p for p, _ in group.members]
        ids = [p.id for p in patterns]
        top = max(patterns, key=lambda p: (p.count, -patterns.index(p)))
        example = _clip(top.template)
        rules = group.rules(self._order)
        seen = (
            f"{group.count} event(s) in {len(ids)} pattern(s), worst level "
            f'{group.level.name}; most frequent: "{example}".'
        )
        if not rules:
            return DiagnosedIssue(
                type="Unclassified Errors",
                category=Category.UNKNOWN,
                description=f"Errors that match no known failure signature. {seen}",
                root_cause="Not recognised by the offline knowledge base; read the samples.",
                solution=(
                    "Read the sample events of these patterns, look for the first error in "
                    "time and what changed just before it (deploys, config, traffic); run the "
                    "gemini engine for a model-based reading."
                ),
                pattern_ids=ids,
            )
        lead, others = rules[0], rules[1:]
        description = seen
        solution = lead.solution
        if others:  # same category, other signatures: name them and their first step
            description += " Also matched: " + "; ".join(r.title for r in others) + "."
            solution += " " + " ".join(f"Also ({r.title}): {r.action}" for r in others[:2])
        return DiagnosedIssue(
            type=lead.title,
            category=lead.category,
            description=description,
            root_cause=lead.root_cause,
            solution=solution,
            pattern_ids=ids,
        )

    def _actions(self, ranked: list[_Group]) -> list[str]:
        actions: list[str] = []
        for group in ranked:
            rules = group.rules(self._order)
            if rules:
                action = rules[0].action
            else:
                ids = ", ".join(p.id for p, _ in group.members[:5])
                action = f"Read the unclassified error patterns ({ids}) and find the first one."
            if action not in actions:
                actions.append(action)
        return actions[:_MAX_ACTIONS]


def _clip(text: str) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= _TEMPLATE_CHARS else line[: _TEMPLATE_CHARS - 1] + "…"


def _summary(
    digest: Digest, ranked: list[_Group], issues: list[DiagnosedIssue], severity: Severity
) -> str:
    """One or two sentences: the top issue with its counts, what else is going on, how bad."""
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


def _all_clear(digest: Digest, warnings_unmatched: int) -> Diagnosis:
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
