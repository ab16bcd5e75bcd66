"""The one fixed order in which the engine tries rules: the first rule that fires wins.

Strongest tier first (schema.Strength). Inside a tier, a cause before a consequence (causal
role root, then middle, then symptom), then by rule id; a rule that `refines` others is tried
just before the earliest of them, so the reason inside a wrapper message ("certificate verify
failed: certificate has expired") wins over the wrapper. File and list order play no part.

A fixed order lets a recognised pattern stop at the first rule that fires instead of running
every rule of its tier. Rule ids only keep the order total: no line of the knowledge base is
decided by them (tests/doctor_gcp/engines/test_knowledge.py checks it), so two rules of one
tier that can fire on one line say, by `refines` or by causal role, which one wins.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from doctor.engines.rules.base import Rule


def tiers(rules: Sequence[Rule]) -> list[tuple[Rule, ...]]:
    """The rules grouped by tier, strongest first, each tier in the order it is tried."""
    by_id = {r.id: r for r in rules}

    @functools.cache
    def below(rule_id: str) -> frozenset[str]:
        """Every rule `rule_id` refines, directly or through others (cycles cut)."""
        seen: set[str] = set()
        stack = [rule_id]
        while stack:
            for other in by_id[stack.pop()].refines:
                if other in by_id and other not in seen and other != rule_id:
                    seen.add(other)
                    stack.append(other)
        return frozenset(seen)

    def own(rule: Rule) -> tuple[int, str]:
        return (-rule.causal.rank, rule.id)

    def key(rule: Rule) -> tuple[int, tuple[int, str], int, str]:
        refined = below(rule.id)
        place = min([own(rule), *(own(by_id[other]) for other in refined)])
        # at the place of a rule it refines, the refinement goes first: deeper chains earlier
        return (-rule.strength.rank, place, -len(refined), rule.id)

    ordered = sorted(rules, key=key)
    ranks = sorted({r.strength.rank for r in rules}, reverse=True)
    return [tuple(r for r in ordered if r.strength.rank == rank) for rank in ranks]
