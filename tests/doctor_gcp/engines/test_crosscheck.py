"""A model's answer against the rules engine's reading of the same digest."""

from __future__ import annotations

from doctor.digest.types import Digest
from doctor.engines.base import Answer, Usage
from doctor.engines.crosscheck import cross_checked
from doctor.models import DiagnosedIssue, Diagnosis
from doctor.taxonomy import Category, Severity
from tests.doctor_gcp.engines.patterns import make_pattern

IDS = ["p1", "p2", "p3"]
DIGEST = Digest(
    3,
    [make_pattern(p, text) for p, text in zip(IDS, ["db down", "disk full", "slow"], strict=True)],
    IDS,
    [],
    None,
    {},
)


def _answer(engine: str, severity: Severity, *issues: tuple[Category, list[str]]) -> Answer:
    diagnosis = Diagnosis(
        summary=f"{engine} says",
        severity=severity,
        issues=[
            DiagnosedIssue(
                type=category.value,
                category=category,
                description="d",
                root_cause="r",
                solution="s",
                pattern_ids=ids,
            )
            for category, ids in issues
        ],
        priority_actions=[],
    )
    usage = Usage(10, 5, 0.01) if engine == "gemini" else None
    return Answer(diagnosis, engine, usage=usage)  # type: ignore[arg-type]


def test_an_answer_that_agrees_is_returned_as_it_is() -> None:
    model = _answer("gemini", Severity.HIGH, (Category.DATABASE_CONNECTION, [IDS[0]]))
    rules = _answer("rules", Severity.CRITICAL, (Category.DATABASE_CONNECTION, [IDS[0]]))
    assert cross_checked(model, rules, DIGEST) is model


def test_a_severity_two_steps_low_is_raised_and_said() -> None:
    model = _answer("gemini", Severity.LOW, (Category.DATABASE_CONNECTION, [IDS[0]]))
    rules = _answer("rules", Severity.HIGH, (Category.DATABASE_CONNECTION, [IDS[0]]))
    checked = cross_checked(model, rules, DIGEST)
    assert (checked.engine, checked.degraded) == ("gemini", False)
    assert checked.diagnosis.severity is Severity.HIGH
    assert "rated the severity LOW" in checked.warnings[0]


def test_one_step_is_a_judgement_the_model_may_make() -> None:
    model = _answer("gemini", Severity.MEDIUM, (Category.DATABASE_CONNECTION, [IDS[0]]))
    rules = _answer("rules", Severity.HIGH, (Category.DATABASE_CONNECTION, [IDS[0]]))
    assert cross_checked(model, rules, DIGEST).diagnosis.severity is Severity.MEDIUM


def test_the_rules_leading_finding_is_added_when_the_model_ignores_its_patterns() -> None:
    model = _answer("gemini", Severity.HIGH, (Category.TIMEOUT, [IDS[2]]))
    rules = _answer("rules", Severity.CRITICAL, (Category.DISK_FULL, [IDS[1]]))
    checked = cross_checked(model, rules, DIGEST)
    assert [i.category for i in checked.diagnosis.issues] == [Category.TIMEOUT, Category.DISK_FULL]
    assert any("leading finding (disk_full" in w for w in checked.warnings)


def test_an_answer_about_no_pattern_of_the_logs_is_replaced_keeping_its_cost() -> None:
    model = _answer("gemini", Severity.LOW, (Category.TIMEOUT, ["p999"]))
    rules = _answer("rules", Severity.MEDIUM, (Category.DISK_FULL, [IDS[1]]))
    checked = cross_checked(model, rules, DIGEST)
    assert (checked.engine, checked.degraded) == ("rules", True)
    assert checked.diagnosis == rules.diagnosis
    assert checked.usage == Usage(10, 5, 0.01)
