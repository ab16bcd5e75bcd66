"""The shape of one knowledge-base rule.

Rules are data: the engine never special-cases a rule id. A rule fires when one of its `match`
regexes is found, one of its `context` regexes too (if it has any), and none of its `unless`.
Each list is compiled into one case-insensitive alternation, behind a substring gate
(prefilter.py). When several rules fire on one pattern the highest `weight` wins, so specific
signatures ("password authentication failed") beat generic words ("timeout").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from doctor.digest.types import Level
from doctor.engines.rules.prefilter import required_literals
from doctor.engines.rules.text import MatchText
from doctor.taxonomy import Category, Severity

_FLAGS = re.IGNORECASE | re.MULTILINE

# Causal tier of a category when a rule does not say: root causes (2) are listed before what
# they set off, crash loops and throttling (1) sit in between, and symptoms (0) — timeouts,
# 5xx from peers, exceptions — come last when they compete with a root cause.
ROOT, MIDDLE, SYMPTOM = 2, 1, 0
_SYMPTOMS = {
    Category.TIMEOUT,
    Category.UPSTREAM_UNAVAILABLE,
    Category.APPLICATION_EXCEPTION,
    Category.UNKNOWN,
}
_MIDDLE = {Category.CRASH_LOOP, Category.RATE_LIMITED}


def default_tier(category: Category) -> int:
    if category in _SYMPTOMS:
        return SYMPTOM
    return MIDDLE if category in _MIDDLE else ROOT


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: Category
    title: str
    match: re.Pattern[str]
    weight: int  # specificity: the best-weighted matching rule claims the pattern
    severity: Severity
    root_cause: str
    solution: str
    action: str  # one imperative line for priority_actions
    context: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None
    min_level: Level = Level.WARNING
    tier: int = ROOT
    full_text: bool = False  # also look inside stack frames (source lines, class paths)
    gate: tuple[str, ...] | None = None  # `match` can only hit text holding one of these

    def fires(self, text: MatchText, level: Level) -> bool:
        if level < self.min_level:
            return False
        if self.gate is not None:
            lowered = text.full_lower if self.full_text else text.head_lower
            if not any(word in lowered for word in self.gate):
                return False
        haystack = text.full if self.full_text else text.head
        if not self.match.search(haystack):
            return False
        if self.context is not None and not self.context.search(haystack):
            return False
        return self.unless is None or not self.unless.search(haystack)


def rule(
    rule_id: str,
    category: Category,
    title: str,
    *,
    match: Sequence[str],
    weight: int,
    severity: Severity,
    root_cause: str,
    solution: str,
    action: str,
    context: Sequence[str] = (),
    unless: Sequence[str] = (),
    min_level: Level = Level.WARNING,
    tier: int | None = None,
    full_text: bool = False,
) -> Rule:
    """Build a rule from plain regex strings (case-insensitive, multi-line)."""
    return Rule(
        id=rule_id,
        category=category,
        title=title,
        match=_any_of(match) or re.compile(r"(?!)"),
        weight=weight,
        severity=severity,
        root_cause=root_cause,
        solution=solution,
        action=action,
        context=_any_of(context),
        unless=_any_of(unless),
        min_level=min_level,
        tier=default_tier(category) if tier is None else tier,
        full_text=full_text,
        gate=required_literals(match),
    )


def _any_of(regexes: Sequence[str]) -> re.Pattern[str] | None:
    """One compiled alternation per list: a single scan of the text instead of one per regex."""
    if not regexes:
        return None
    return re.compile("|".join(f"(?:{rx})" for rx in regexes), _FLAGS)


def http_status(code: int, reason: str) -> list[str]:
    """Regexes for an HTTP status as clients, servers and proxies print it.

    A bare number is never enough (ids, ports and durations collide), so the code must sit next
    to a word that makes it a status: 'HTTP/1.1" 503', 'status=503', '503 Service Unavailable'.
    """
    c = str(code)
    return [
        rf'HTTP/\d(?:\.\d)?"?\s+{c}\b',
        rf"\b(?:status|status[ _-]?code|statuscode|response code|error code|code|http)"
        rf"[\"']?\s*[:=]?\s*[\"']?{c}\b",
        rf"\b{c}\s*[-:]?\s*{reason}",
        rf"\b{c} (?:Server|Client) Error\b",
        rf"\b(?:returned|received|got|responded with|failed with)\s+(?:an?\s+)?(?:HTTP\s+)?{c}\b",
        rf"\bHTTP\s*(?:error\s*)?{c}\b",
        # app access lines: "GET /api/orders 500 3ms" (morgan, many frameworks), gin's "| 500 |"
        rf"\b(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) /\S* {c}\b",
        rf"\|\s*{c}\s*\|",
        # AWS ALB / ELB access logs: elb_status target_status received sent "request"
        rf'\b{c} (?:\d{{3}}|-) \d+ \d+ "(?:GET|POST|PUT|DELETE|HEAD|PATCH|OPTIONS) ',
    ]
