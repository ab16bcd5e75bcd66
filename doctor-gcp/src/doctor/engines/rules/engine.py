"""The offline engine: classify each digest pattern with the knowledge base, group by category,
rank root causes before the symptoms they cause, and write a Diagnosis. No model, no I/O, no
randomness: the same digest always gives the same answer.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Literal

from doctor.digest.types import Digest, Level, Pattern
from doctor.engines.base import Answer
from doctor.engines.rules import knowledge, order
from doctor.engines.rules.base import Rule
from doctor.engines.rules.context import NO_CONTEXT, Context, build
from doctor.engines.rules.issues import Group, all_clear, clip, summary
from doctor.engines.rules.text import MatchText
from doctor.incident import Incident, Role, assess
from doctor.models import DiagnosedIssue, Diagnosis
from doctor.taxonomy import Category, Severity

if TYPE_CHECKING:
    from doctor.digest import Prompt

_CATEGORY_ORDER = {c: i for i, c in enumerate(Category)}
_MAX_ACTIONS = 5
_CLASSIFIED_CACHE = 4096  # patterns remembered; cleared when full (a digest holds fewer)


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
        self._after = [r for tier in self._tiers for r in tier if r.after]
        self._links = knowledge.links()
        self._lags = knowledge.lagging()
        # The incident stage and the diagnosis classify the same patterns: once is enough. The
        # answer depends on the level, template and samples only (MatchText).
        self._classified: dict[tuple[object, ...], Rule | None] = {}

    def categorize(
        self, pattern: Pattern, context: Context = NO_CONTEXT
    ) -> tuple[Category, int] | None:
        """The category and causal rank of a pattern (the incident stage asks), or None."""
        rule = self.classify(pattern, context)
        return (rule.category, rule.causal.rank) if rule is not None else None

    def incident(self, digest: Digest) -> Incident:
        """The incident stage's reading of `digest`, with this knowledge base."""
        context = self.context(digest)
        return assess(digest, lambda p: self.categorize(p, context), self._links, self._lags)

    def context(self, digest: Digest) -> Context:
        """What the digest's patterns show to the rules that read a line in its context
        (`after`, context.py)."""
        if not self._after:
            return NO_CONTEXT
        return build(digest.patterns, self.classify, self._after)

    def classify(self, pattern: Pattern, context: Context = NO_CONTEXT) -> Rule | None:
        """The best rule for one pattern, or None.

        Below WARNING only tiers that count there do (schema.Strength.counts_below_warning):
        Go's log package, the kernel and systemd print failures with no level at all, so "dial
        tcp ...: connection refused" or "Segmentation fault" reach us as INFO, yet are the
        diagnosis, while a bare "500" on an INFO line is not.
        """
        enabled = context.enabled(pattern)
        key = (pattern.level, pattern.template, enabled, *pattern.samples)
        if key in self._classified:
            return self._classified[key]
        contenders = self.contenders(pattern, first_only=True, enabled=enabled)
        rule = contenders[0] if contenders else None
        if len(self._classified) >= _CLASSIFIED_CACHE:
            self._classified.clear()
        self._classified[key] = rule
        return rule

    def contenders(
        self, pattern: Pattern, *, first_only: bool = False, enabled: frozenset[str] = frozenset()
    ) -> tuple[Rule, ...]:
        """The rules of the deciding tier that fire on `pattern`, in the order they are tried:
        the first is the answer, the others lost to it (or nothing stronger fired). A rule with
        `after` is tried only when `enabled` names it."""
        text = MatchText.of(pattern)
        below = pattern.level < Level.WARNING
        level = Level.WARNING if below else pattern.level
        for tier in self._tiers:
            if below and not tier[0].strength.counts_below_warning:
                break  # weaker tiers do not count there either
            fired: list[Rule] = []
            for rule in tier:
                if rule.after and rule.id not in enabled:
                    continue
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
        context = self.context(digest)
        classified = [(p, self.classify(p, context)) for p in digest.patterns]
        considered = [(p, r) for p, r in classified if p.level >= Level.WARNING or r is not None]
        groups: dict[tuple[Category, bool], Group] = {}
        for pattern, r in considered:
            if r is None and pattern.level < Level.ERROR:
                continue  # an unrecognised warning; an unrecognised error is still an error
            category = r.category if r is not None else Category.UNKNOWN
            chronic = incident.role([pattern.id]) is Role.CHRONIC
            group = groups.setdefault((category, chronic), Group(category))
            group.members.append((pattern, r))
        if not groups:
            return all_clear(digest, len(considered))

        for group in groups.values():
            group.role = incident.role(group.ids)
        total = sum(g.count for g in groups.values())
        ranked = sorted(
            groups.values(), key=lambda g: (incident.rank(g.ids), self._rank_key(g, total))
        )
        issues = [self._issue(g) for g in ranked]
        severity = Severity.of_rank(max(self._severity(g).rank for g in ranked))
        return Diagnosis(
            summary=summary(digest, ranked, issues, severity, incident.onset),
            severity=severity,
            issues=issues,
            priority_actions=self._actions(ranked),
        )

    # -- ranking ---------------------------------------------------------------------------

    def _severity(self, group: Group) -> Severity:
        rules = group.rules()
        if not rules:  # unknown: how bad the logs say it is
            return Severity.HIGH if group.level >= Level.CRITICAL else Severity.MEDIUM
        rank = max(r.severity.rank for r in rules)
        if group.level >= Level.CRITICAL:  # FATAL / PANIC lines: one step worse
            rank = min(rank + 1, Severity.CRITICAL.rank)
        return Severity.of_rank(rank)

    def _rank_key(self, group: Group, total: int) -> tuple[int, int, int, int, int]:
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

    def _issue(self, group: Group) -> DiagnosedIssue:
        patterns = [p for p, _ in group.members]
        ids = [p.id for p in patterns]
        top = max(patterns, key=lambda p: (p.count, -patterns.index(p)))
        example = clip(top.template)
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

    def _actions(self, ranked: list[Group]) -> list[str]:
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
