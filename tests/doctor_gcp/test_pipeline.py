"""The pipeline end to end with scripted engines: statuses, summary facts, fallback, grounding."""

from __future__ import annotations

from doctor.engines import FallbackEngine
from doctor.errors import EngineUnavailable
from doctor.models import AnalysisResponse, DiagnosedIssue, Diagnosis
from doctor.pipeline import RunOptions, analyze, prepare
from doctor.taxonomy import Category, Severity
from tests.fakes.engines import StubEngine


def _citing(*pattern_ids: str) -> Diagnosis:
    return Diagnosis(
        summary="Postgres is refusing connections.",
        severity=Severity.HIGH,
        issues=[
            DiagnosedIssue(
                type="Database Connection Failure",
                category=Category.DATABASE_CONNECTION,
                description="d",
                root_cause="r",
                solution="s",
                pattern_ids=list(pattern_ids),
            )
        ],
        priority_actions=["Check the database"],
    )


def test_no_events_means_no_logs_and_no_engine_call() -> None:
    engine = StubEngine("gemini")
    response = analyze(["", "   "], engine=engine, options=RunOptions(log_group="/g", minutes=30))
    assert response.status == "no_logs"
    assert engine.calls == []
    assert response.summary.total_logs_analyzed == 0
    assert response.summary.prompt_tokens == 0
    assert response.analysis.issues == []
    assert "No log events" in response.analysis.summary
    assert "/g" in response.analysis.summary


def test_success_fills_the_summary_from_the_digest_and_prompt(sample_lines: list[str]) -> None:
    digest, prompt = prepare(sample_lines, RunOptions(log_group="/aws/ec2/chaos-app"))
    engine = StubEngine("gemini", diagnosis=_citing(digest.patterns[0].id))
    response = analyze(
        sample_lines, engine=engine, options=RunOptions(log_group="/aws/ec2/chaos-app")
    )
    assert response.status == "success"
    assert len(engine.calls) == 1
    summary = response.summary
    assert summary.engine == "gemini"
    assert summary.total_logs_analyzed == digest.events_total
    assert summary.distinct_patterns == len(digest.patterns)
    assert summary.prompt_tokens == prompt.tokens > 0
    assert summary.truncated is prompt.truncated
    assert summary.log_group == "/aws/ec2/chaos-app"
    assert summary.duration_ms >= 0
    assert len(response.id) == 32
    assert response.timestamp.tzinfo is not None
    # Grounded: the count is the digest's, not something the engine said.
    assert response.analysis.issues[0].count == digest.patterns[0].count
    # The document survives a JSON round trip in the contract's shape.
    assert AnalysisResponse.model_validate_json(response.model_dump_json()) == response


def test_gemini_failure_degrades_to_the_fallback(sample_lines: list[str]) -> None:
    failing = StubEngine("gemini", error=EngineUnavailable("Vertex AI failed (HTTP 503)"))
    rules = StubEngine("rules")
    response = analyze(sample_lines, engine=FallbackEngine(failing, rules), options=RunOptions())
    assert response.status == "degraded"
    assert response.summary.engine == "rules"
    assert len(rules.calls) == 1
    assert any("HTTP 503" in w for w in response.warnings)


def test_invented_pattern_ids_are_dropped_with_a_warning(sample_lines: list[str]) -> None:
    engine = StubEngine("rules", diagnosis=_citing("p999"))
    response = analyze(sample_lines, engine=engine, options=RunOptions())
    assert response.status == "success"
    assert response.analysis.issues == []
    assert any("Database Connection Failure" in w for w in response.warnings)


def test_max_events_caps_the_input_and_says_so(sample_lines: list[str]) -> None:
    response = analyze(sample_lines, engine=StubEngine("rules"), options=RunOptions(max_events=3))
    assert response.summary.total_logs_analyzed == 3
    assert any("Stopped after 3" in w for w in response.warnings)


def test_caller_notes_come_first(sample_lines: list[str]) -> None:
    response = analyze(
        sample_lines, engine=StubEngine("rules"), options=RunOptions(), warnings=["note A"]
    )
    assert response.warnings[0] == "note A"


def test_the_engine_sees_redacted_text_only(
    sample_lines: list[str], canaries: dict[str, str]
) -> None:
    engine = StubEngine("rules")
    analyze(sample_lines, engine=engine, options=RunOptions())
    [(digest, prompt)] = engine.calls
    seen = prompt.system + prompt.user + repr(digest)
    for secret in canaries.values():
        assert secret not in seen
