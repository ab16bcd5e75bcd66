"""The offline engine: classify each digest pattern with the knowledge base, group by category,
rank root causes before the symptoms they cause, and write a Diagnosis. No model, no I/O, no
randomness: the same digest always gives the same answer.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Final, Literal

from doctor.digest.types import Digest, Level, Pattern
from doctor.engines.base import Answer
from doctor.engines.rules import knowledge, order
from doctor.engines.rules.base import Rule
from doctor.engines.rules.text import MatchText
from doctor.incident import Incident, Role, assess, services_of
from doctor.incident.story import Item, chain
from doctor.models import DiagnosedIssue, Diagnosis
from doctor.taxonomy import Category, Severity

if TYPE_CHECKING:
    from doctor.digest import Prompt

_CATEGORY_ORDER = {c: i for i, c in enumerate(Category)}
_MAX_ACTIONS = 5
_CLASSIFIED_CACHE = 4096  # patterns remembered; cleared when full (a digest holds fewer)
_TEMPLATE_CHARS = 160


@dataclass(slots=True)
class _Group:
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


@functools.cache
def shared_rules() -> RulesEngine:
    """The process's engine over the packaged knowledge base, built once: the incident stage
    and every engine that is or falls back to rules share its compiled tiers and its memory of
    classified patterns, so an analysis classifies each pattern once."""
    return RulesEngine()


class RulesEngine:
    """Deterministic knowledge-base diagnosis (the rules: kb/<category>.toml)."""

    name: Final[Literal["rules"]] = "rules"

    def __init__(self, rules: Sequence[Rule] | None = None) -> None:
        # One fixed order (order.py): the first rule that fires is the answer, so a recognised
        # pattern costs a few gates and regex searches, not those of every rule.
        self._tiers = order.tiers(knowledge.rules() if rules is None else rules)
        self._links = knowledge.links()
        # The incident stage and the diagnosis classify the same patterns: once is enough. The
        # answer depends on the level, template and samples only (MatchText).
        self._classified: dict[tuple[object, ...], Rule | None] = {}

    def categorize(self, pattern: Pattern) -> tuple[Category, int] | None:
        """The category and causal rank of a pattern (the incident stage asks), or None."""
        rule = self.classify(pattern)
        return (rule.category, rule.causal.rank) if rule is not None else None

    def incident(self, digest: Digest) -> Incident:
        """The incident stage's reading of `digest`, with this knowledge base."""
        return assess(digest, self.categorize, self._links)

    def classify(self, pattern: Pattern) -> Rule | None:
        """The best rule for one pattern, or None.

        Below WARNING only tiers that count there do (schema.Strength.counts_below_warning):
        Go's log package, the kernel and systemd print failures with no level at all, so "dial
        tcp ...: connection refused" or "Segmentation fault" reach us as INFO, yet are the
        diagnosis, while a bare "500" on an INFO line is not.
        """
        key = (pattern.level, pattern.template, *pattern.samples)
        if key in self._classified:
            return self._classified[key]
        contenders = self.contenders(pattern, first_only=True)
        rule = contenders[0] if contenders else None
        if len(self._classified) >= _CLASSIFIED_CACHE:
            self._classified.clear()
        self._classified[key] = rule
        return rule

    def contenders(self, pattern: Pattern, *, first_only: bool = False) -> tuple[Rule, ...]:
        """The rules of the deciding tier that fire on `pattern`, in the order they are tried:
        the first is the answer, the others lost to it (or nothing stronger fired)."""
        text = MatchText.of(pattern)
        below = pattern.level < Level.WARNING
        level = Level.WARNING if below else pattern.level
        for tier in self._tiers:
            if below and not tier[0].strength.counts_below_warning:
                break  # weaker tiers do not count there either
            fired: list[Rule] = []
            for rule in tier:
                if rule.fires(text, level):
                    fired.append(rule)
                    if first_only:
                        break
            if fired:
                return tuple(fired)
        return ()

    def diagnose(
        self, digest: Digest, prompt: Prompt | None = None, incident: Incident | None = None
    ) -> Answer:
        """The knowledge base's reading of every pattern; `prompt` is not needed."""
        del prompt
        return Answer(self.diagnosis(digest, incident), self.name)

    def close(self) -> None:
        pass  # nothing held

    def diagnosis(self, digest: Digest, incident: Incident | None = None) -> Diagnosis:
        """One issue per category (its chronic patterns apart), root cause first (the incident
        stage's order), then by severity and causal role."""
        if incident is None:
            incident = self.incident(digest)
        classified = [(p, self.classify(p)) for p in digest.patterns]
        considered = [(p, r) for p, r in classified if p.level >= Level.WARNING or r is not None]
        groups: dict[tuple[Category, bool], _Group] = {}
        for pattern, r in considered:
            if r is None and pattern.level < Level.ERROR:
                continue  # an unrecognised warning; an unrecognised error is still an error
            category = r.category if r is not None else Category.UNKNOWN
            chronic = incident.role([pattern.id]) is Role.CHRONIC
            group = groups.setdefault((category, chronic), _Group(category))
            group.members.append((pattern, r))
        if not groups:
            return _all_clear(digest, len(considered))

        for group in groups.values():
            group.role = incident.role(group.ids)
        total = sum(g.count for g in groups.values())
        ranked = sorted(
            groups.values(), key=lambda g: (incident.rank(g.ids), self._rank_key(g, total))
        )
        issues = [self._issue(g) for g in ranked]
        severity = Severity.of_rank(max(self._severity(g).rank for g in ranked))
        return Diagnosis(
            summary=_summary(digest, ranked, issues, severity, incident.onset),
            severity=severity,
            issues=issues,
            priority_actions=self._actions(ranked),
        )

    # -- ranking ---------------------------------------------------------------------------

    def _severity(self, group: _Group) -> Severity:
        rules = group.rules()
        if not rules:  # unknown: how bad the logs say it is
            return Severity.HIGH if group.level >= Level.CRITICAL else Severity.MEDIUM
        rank = max(r.severity.rank for r in rules)
        if group.level >= Level.CRITICAL:  # FATAL / PANIC lines: one step worse
            rank = min(rank + 1, Severity.CRITICAL.rank)
        return Severity.of_rank(rank)

    def _rank_key(self, group: _Group, total: int) -> tuple[int, int, int, int, int]:
        """Sort key, most important first.

        Score = 3 x severity + 2 x the lead rule's causal role (root cause 2, crash loop /
        throttling 1, symptom 0, unrecognised -1) - 1 if it is warnings only + 1 if it holds
        most of the events. So a database outage outranks the 500s it causes and an OOM kill
        its crash loop, while a minor warning does not bury a flood of errors of a worse
        severity.
        """
        rules = group.rules()
        causal = rules[0].causal.rank if rules else -1
        share = group.count / total if total else 0.0
        volume = 1 if share >= 0.5 else 0
        warn_only = 1 if group.level < Level.ERROR else 0
        score = 3 * self._severity(group).rank + 2 * causal - warn_only + volume
        return (-score, -causal, -int(group.level), -group.count, _CATEGORY_ORDER[group.category])

    # -- text ------------------------------------------------------------------------------

    def _issue(self, group: _Group) -> DiagnosedIssue:
        patterns = [p for p, _ in group.members]
        ids = [p.id for p in patterns]
        top = max(patterns, key=lambda p: (p.count, -patterns.index(p)))
        example = _clip(top.template)
        rules = group.rules()
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
            rules = group.rules()
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
    digest: Digest,
    ranked: list[_Group],
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
