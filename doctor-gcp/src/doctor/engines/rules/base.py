"""A rule as the engine runs it: a `RuleSpec` from a knowledge-base file, compiled.

Rules are data: the engine never special-cases a rule id. A rule fires when one of its `match`
regexes is found, one of its `context` regexes too (if it has any), and none of its `unless`.
Each list is compiled into one case-insensitive alternation, behind a substring gate
(prefilter.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from doctor.digest.types import Level
from doctor.engines.rules.prefilter import required_literals
from doctor.engines.rules.regexes import any_of
from doctor.engines.rules.schema import (
    Causal,
    KnowledgeError,
    RuleSpec,
    Strength,
)
from doctor.engines.rules.text import MatchText
from doctor.taxonomy import Category, Severity


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: Category
    title: str
    strength: Strength  # how much a match proves: the strongest firing tier claims a pattern
    causal: Causal  # root cause, middle or symptom: ranks issues and breaks ties in a tier
    severity: Severity
    root_cause: str
    solution: str
    action: str  # one imperative line for priority_actions
    match: re.Pattern[str]
    context: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None
    min_level: Level = Level.WARNING
    full_text: bool = False  # also look inside stack frames (source lines, class paths)
    gate: tuple[str, ...] | None = None  # `match` can only hit text holding one of these
    refines: frozenset[str] = frozenset()  # ids this rule beats when both fire in a tier
    after: frozenset[str] = frozenset()  # it fires only after a pattern of one of these

    @classmethod
    def of(cls, spec: RuleSpec, category: Category, causal: Causal) -> Rule:
        """Compile a validated spec; `causal` is the file's default role."""
        regexes = spec.match_regexes()
        match = any_of(regexes)
        if match is None:  # the schema refuses such a spec; this keeps the type exact
            raise KnowledgeError(f"rule {spec.id!r}: match: no regex")
        return cls(
            id=spec.id,
            category=category,
            title=spec.title,
            strength=spec.strength,
            causal=spec.causal or causal,
            severity=spec.severity,
            root_cause=spec.root_cause,
            solution=spec.solution,
            action=spec.action,
            match=match,
            context=any_of(tuple(spec.context)),
            unless=any_of(tuple(spec.unless)),
            min_level=Level[spec.min_level],
            full_text=spec.full_text,
            gate=required_literals(regexes),
            refines=frozenset(spec.refines),
            after=frozenset(spec.after),
        )

    def haystack(self, text: MatchText) -> str:
        return text.full if self.full_text else text.head

    def fires(self, text: MatchText, level: Level) -> bool:
        if level < self.min_level:
            return False
        if self.gate is not None:
            lowered = text.full_lower if self.full_text else text.head_lower
            # a bound method mapped, not a generator: this check runs for every rule tried
            if not any(map(lowered.__contains__, self.gate)):
                return False
        haystack = self.haystack(text)
        if not self.match.search(haystack):
            return False
        if self.context is not None and not self.context.search(haystack):
            return False
        return self.unless is None or not self.unless.search(haystack)
