"""Grounding: facts come from the digest, invented pattern ids are dropped, order is kept."""

from __future__ import annotations

from datetime import UTC, datetime

from doctor.digest.types import Digest, Level, Pattern
from doctor.ground import MAX_EVIDENCE_CHARS, MAX_EVIDENCE_LINES, ground
from doctor.models import DiagnosedIssue, Diagnosis
from doctor.taxonomy import Category, Severity


def _at(minute: int) -> datetime:
    return datetime(2026, 5, 4, 10, minute, tzinfo=UTC)


def _pattern(pid: str, count: int, first: int, last: int, *samples: str) -> Pattern:
    return Pattern(
        id=pid,
        template=f"template of {pid} <*>",
        count=count,
        level=Level.ERROR,
        first_seen=_at(first),
        last_seen=_at(last),
        samples=list(samples),
    )


DIGEST = Digest(
    events_total=40,
    patterns=[
        _pattern("p1", 15, 5, 20, "db refused 1", "db refused 2", "db refused 3"),
        _pattern("p2", 7, 2, 30, "pool exhausted 1", "pool exhausted 2"),
        _pattern("p3", 3, 10, 11, "oom killed"),
    ],
    assignments=[],
    timeline=[],
    spike_start=None,
    redactions={},
)


def _issue(title: str, *pattern_ids: str) -> DiagnosedIssue:
    return DiagnosedIssue(
        type=title,
        category=Category.DATABASE_CONNECTION,
        description="d",
        root_cause="r",
        solution="s",
        pattern_ids=list(pattern_ids),
    )


def _diagnosis(*issues: DiagnosedIssue) -> Diagnosis:
    return Diagnosis(
        summary="DB down", severity=Severity.HIGH, issues=list(issues), priority_actions=["fix"]
    )


def test_counts_times_and_evidence_come_from_the_cited_patterns() -> None:
    analysis, warnings = ground(_diagnosis(_issue("DB", "p1", "p2")), DIGEST)
    assert warnings == []
    [issue] = analysis.issues
    assert issue.count == 22  # 15 + 7, whatever the model might have believed
    assert issue.first_seen == _at(2)  # p2 started first
    assert issue.last_seen == _at(30)  # p2 ended last
    assert issue.pattern_ids == ["p1", "p2"]
    # Round-robin: both patterns are represented before either repeats.
    assert issue.evidence[:4] == [
        "db refused 1",
        "pool exhausted 1",
        "db refused 2",
        "pool exhausted 2",
    ]
    assert all(line in {s for p in DIGEST.patterns for s in p.samples} for line in issue.evidence)


def test_unknown_pattern_ids_are_dropped_from_an_issue_with_a_warning() -> None:
    analysis, warnings = ground(_diagnosis(_issue("DB", "p9", "p1", "p1")), DIGEST)
    [issue] = analysis.issues
    assert issue.pattern_ids == ["p1"]
    assert issue.count == 15
    assert len(warnings) == 1
    assert "p9" in warnings[0]
    assert "DB" in warnings[0]


def test_an_issue_citing_no_real_pattern_is_dropped_and_named() -> None:
    analysis, warnings = ground(
        _diagnosis(_issue("Real", "p3"), _issue("Invented Outage", "p42"), _issue("Empty")),
        DIGEST,
    )
    assert [i.type for i in analysis.issues] == ["Real"]
    assert any("Invented Outage" in w and "p42" in w for w in warnings)
    assert any("'Empty'" in w for w in warnings)


def test_when_every_issue_is_dropped_the_warnings_say_so() -> None:
    analysis, warnings = ground(_diagnosis(_issue("A", "x"), _issue("B", "y")), DIGEST)
    assert analysis.issues == []
    assert any("All 2 issues" in w for w in warnings)
    # The engine's own summary and severity are kept; the warning tells the reader to doubt them.
    assert analysis.summary == "DB down"
    assert analysis.severity is Severity.HIGH


def test_engine_order_is_kept() -> None:
    analysis, _ = ground(_diagnosis(_issue("third", "p3"), _issue("first", "p1")), DIGEST)
    assert [i.type for i in analysis.issues] == ["third", "first"]


def test_evidence_is_capped_in_number_and_length() -> None:
    long_line = "x" * (MAX_EVIDENCE_CHARS * 3)
    many = _pattern("p1", 50, 0, 1, long_line, *[f"line {n}" for n in range(20)])
    digest = Digest(50, [many], [], [], None, {})
    analysis, _ = ground(_diagnosis(_issue("Many", "p1")), digest)
    evidence = analysis.issues[0].evidence
    assert len(evidence) == MAX_EVIDENCE_LINES
    assert len(evidence[0]) == MAX_EVIDENCE_CHARS
    assert evidence[0].endswith("…")


def test_a_pattern_without_timestamps_gives_no_times() -> None:
    bare = Pattern("p1", "no time <*>", 2, Level.ERROR, None, None, ["no time 1"])
    analysis, _ = ground(_diagnosis(_issue("T", "p1")), Digest(2, [bare], [], [], None, {}))
    assert analysis.issues[0].first_seen is None
    assert analysis.issues[0].last_seen is None


def test_model_text_echoed_in_warnings_is_capped() -> None:
    _, warnings = ground(_diagnosis(_issue("A" * 1000, *[f"bad{n}" for n in range(50)])), DIGEST)
    assert all(len(w) < 400 for w in warnings)
