"""The knowledge base checks itself: every rule wins on its examples and not on its
counter-examples, every category has its file, and no rule claims an `unclaimed` line.

The lines live with the rules (doctor/engines/rules/kb/<category>.toml); this one generic test
reads them, so adding a rule or an example needs no test code.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from doctor.digest import digest_lines
from doctor.digest.types import Pattern
from doctor.engines.rules import RulesEngine
from doctor.engines.rules.context import NO_CONTEXT, Context
from doctor.engines.rules.knowledge import knowledge
from doctor.engines.rules.schema import Example, RuleSpec
from doctor.taxonomy import Category
from tests.doctor_gcp.engines.patterns import make_pattern

KB = knowledge()
SPECS: list[RuleSpec] = [spec for source in KB.sources for spec in source.spec.rule]


def as_pattern(example: Example) -> Pattern:
    """The pattern the digest would mine from one event."""
    return make_pattern("p1", example.text, example.log_level)


def winner(engine: RulesEngine, example: Example, context: Context = NO_CONTEXT) -> str | None:
    return winner_of(engine, as_pattern(example), context)


def winner_of(engine: RulesEngine, pattern: Pattern, context: Context = NO_CONTEXT) -> str | None:
    rule = engine.classify(pattern, context)
    return rule.id if rule is not None else None


def context_of(spec: RuleSpec) -> Context:
    """Where a rule with `after` may fire: each rule it follows has a pattern (its first
    example) in the digest. NO_CONTEXT for the others."""
    if not spec.after:
        return NO_CONTEXT
    by_id = {s.id: s for s in SPECS}
    before = {other: (as_pattern(by_id[other].examples[0]),) for other in spec.after}
    return Context({spec.id: frozenset(spec.after)}, before)


def _short(text: str) -> str:
    return text.splitlines()[0][:100]


@pytest.fixture(scope="module")
def engine() -> RulesEngine:
    return RulesEngine()


@pytest.mark.parametrize("spec", SPECS, ids=[spec.id for spec in SPECS])
def test_rule_wins_its_examples_and_not_its_counter_examples(
    spec: RuleSpec, engine: RulesEngine
) -> None:
    context = context_of(spec)
    wrong = [
        f"example won by {winner(engine, e, context)}: {_short(e.text)!r} ({e.level})"
        for e in spec.examples
        if winner(engine, e, context) != spec.id
    ]
    wrong += [
        f"counter-example won by this rule: {_short(e.text)!r} ({e.level})"
        for e in spec.counter_examples
        if winner(engine, e, context) == spec.id
    ]
    # a rule that reads a line in its context never fires on the line alone
    wrong += [
        f"example won without the rules it comes after: {_short(e.text)!r} ({e.level})"
        for e in spec.examples
        if spec.after and winner(engine, e) == spec.id
    ]
    assert not wrong, f"{spec.id}:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("spec", [s for s in SPECS if not s.after], ids=lambda spec: spec.id)
def test_rule_wins_its_examples_as_the_digest_reads_them(
    spec: RuleSpec, engine: RulesEngine
) -> None:
    """The same examples through the digest (head read off, redacted, mined), each at least at
    its stated level: a rule must fire on what the digest keeps of a line, not on the raw text
    alone (a redacted `os.environ[`, a head a rule's anchor expects)."""
    wrong = []
    for example in spec.examples:
        digest = digest_lines(example.text.splitlines())
        won = [
            winner_of(engine, replace(p, level=max(p.level, example.log_level)))
            for p in digest.patterns
        ]
        if spec.id not in won:
            wrong.append(f"won by {won}: {_short(example.text)!r}")
    assert not wrong, f"{spec.id}:\n  " + "\n  ".join(wrong)


def test_unclaimed_lines_stay_unclaimed(engine: RulesEngine) -> None:
    (unknown,) = [s for s in KB.sources if s.category is Category.UNKNOWN]
    assert unknown.spec.unclaimed
    claimed = [
        f"{winner(engine, e)}: {_short(e.text)!r} ({e.level})"
        for e in unknown.spec.unclaimed
        if winner(engine, e) is not None
    ]
    assert not claimed, "\n".join(claimed)


def test_every_category_has_its_file_and_rules() -> None:
    assert {s.category for s in KB.sources} == set(Category)
    assert {r.category for r in KB.rules} == set(Category) - {Category.UNKNOWN}
    assert len({r.id for r in KB.rules}) == len(KB.rules) == len(SPECS)


def test_no_line_is_decided_by_rule_ids_alone(engine: RulesEngine) -> None:
    """Two rules of one tier that fire on one line must say which wins: by `refines` (the
    reason inside a wrapper) or by causal role. Their ids only keep the engine total."""
    refined = {r.id: _refined_by(r.id) for r in KB.rules}
    waiting = frozenset(r.id for r in KB.rules if r.after)  # as if each had its context
    undecided = []
    for spec in SPECS:
        for line in [*spec.examples, *spec.counter_examples]:
            first, *others = engine.contenders(as_pattern(line), enabled=waiting) or (None,)
            for other in others:
                assert first is not None
                if first.causal.rank <= other.causal.rank and other.id not in refined[first.id]:
                    undecided.append(f"{first.id} over {other.id} by id: {_short(line.text)!r}")
    assert not undecided, "\n".join(undecided)


def _refined_by(rule_id: str) -> set[str]:
    """Every rule `rule_id` refines, directly or through others."""
    by_id = {r.id: r for r in KB.rules}
    seen: set[str] = set()
    stack = [rule_id]
    while stack:
        for other in by_id[stack.pop()].refines - seen:
            seen.add(other)
            stack.append(other)
    return seen
