"""An engine's answer is brought within limits before anyone reads it."""

from __future__ import annotations

from doctor.bounds import MAX_ACTIONS, MAX_ISSUES, MAX_SUMMARY_CHARS, MAX_TEXT_CHARS, bounded
from doctor.models import DiagnosedIssue, Diagnosis
from doctor.taxonomy import Category, Severity


def _issue(
    title: str,
    ids: list[str],
    category: Category = Category.DATABASE_CONNECTION,
    description: str = "d",
) -> DiagnosedIssue:
    return DiagnosedIssue(
        type=title,
        category=category,
        description=description,
        root_cause="r",
        solution="s",
        pattern_ids=ids,
    )


def _diagnosis(issues: list[DiagnosedIssue], **extra: object) -> Diagnosis:
    fields: dict[str, object] = {
        "summary": "s",
        "severity": Severity.HIGH,
        "issues": issues,
        "priority_actions": ["a"],
    }
    return Diagnosis.model_validate(fields | extra)


def test_an_answer_within_the_limits_is_unchanged() -> None:
    answer = _diagnosis(
        [_issue("DB down", ["p1"]), _issue("Disk full", ["p2"], Category.DISK_FULL)]
    )
    assert bounded(answer) == (answer, [])


def test_duplicates_by_title_or_by_patterns_are_merged_into_the_first() -> None:
    answer = _diagnosis(
        [
            _issue("DB down", ["p1"]),
            _issue("  db   DOWN ", ["p2"]),  # the same said again: one issue
            _issue("Postgres refuses", ["p2", "p1"]),  # the same patterns: one issue
            _issue("DB down", ["p3"], Category.DNS_RESOLUTION),  # another category: kept
            _issue("DB down", ["p4"], description="the replica"),  # another database: kept
        ]
    )
    kept, warnings = bounded(answer)
    assert [(i.type, i.pattern_ids) for i in kept.issues] == [
        ("DB down", ["p1", "p2"]),
        ("DB down", ["p3"]),
        ("DB down", ["p4"]),
    ]
    assert warnings == ["Merged 2 duplicate issue(s) in the engine's answer."]


def test_counts_and_lengths_are_capped_with_a_warning_each() -> None:
    answer = _diagnosis(
        [_issue(f"Problem {n}", [f"p{n}"]) for n in range(40)],
        summary="x" * 50_000,
        priority_actions=[f"do {n}" for n in range(30)],
    )
    answer.issues[0].description = "y" * 10_000
    kept, warnings = bounded(answer)
    assert len(kept.issues) == MAX_ISSUES
    assert len(kept.priority_actions) == MAX_ACTIONS
    assert len(kept.summary) == MAX_SUMMARY_CHARS
    assert kept.summary.endswith("…")
    assert len(kept.issues[0].description) == MAX_TEXT_CHARS
    assert any("40 issues" in w for w in warnings)
    assert any("30 priority actions" in w for w in warnings)
    assert any("shortened" in w for w in warnings)
