"""The Doctor end to end with scripted engines: sources, statuses, summary facts, truncation,
fallback, grounding, and the Slack outlet."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from doctor.engines import Engine, FallbackEngine
from doctor.errors import EngineUnavailable, InvalidParameter, NotAllowed
from doctor.logs import CloudWatchSource, FileSource
from doctor.models import AnalysisResponse, DiagnosedIssue, Diagnosis, EngineName, Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from doctor.taxonomy import Category, Severity
from tests.doctor_gcp.conftest import LOG_GROUP, prepared
from tests.fakes.engines import StubEngine
from tests.fakes.slack import BOT_TOKEN, FakeSlack


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


def _doctor(engine: Engine, settings: Settings | None = None) -> Doctor:
    engines: dict[EngineName, Engine] = {engine.name: engine}
    return Doctor(settings or Settings(doctor_engine=engine.name), engines=engines)


def _file(tmp_path: Path, lines: list[str]) -> str:
    path = tmp_path / "app.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_no_events_means_no_logs_and_no_engine_call(tmp_path: Path) -> None:
    engine = StubEngine("gemini")
    query = Query(file=_file(tmp_path, ["", "   "]), log_group="/g")
    response = _doctor(engine).analyze(query)
    assert response.status == "no_logs"
    assert engine.calls == []
    assert response.summary.total_logs_analyzed == 0
    assert response.summary.prompt_tokens == 0
    assert response.analysis.issues == []
    assert "No log events" in response.analysis.summary
    assert "/g" in response.analysis.summary


def test_success_fills_the_summary_from_the_digest_and_prompt(sample_log: Path) -> None:
    digest, prompt = prepared(sample_log, log_group=LOG_GROUP)
    engine = StubEngine("gemini", diagnosis=_citing(digest.patterns[0].id))
    response = _doctor(engine).analyze(Query(file=str(sample_log), log_group=LOG_GROUP))
    assert response.status == "success"
    assert len(engine.calls) == 1
    summary = response.summary
    assert summary.engine == "gemini"
    assert summary.total_logs_analyzed == digest.events_total
    assert summary.distinct_patterns == len(digest.patterns)
    assert summary.prompt_tokens == prompt.tokens > 0
    assert (summary.input_truncated, summary.prompt_truncated, summary.truncated) == (
        False,
        False,
        False,
    )
    assert summary.log_group == LOG_GROUP
    assert summary.duration_ms >= 0
    # Grounded: the count is the digest's, not something the engine said.
    assert response.analysis.issues[0].count == digest.patterns[0].count
    # The document survives a JSON round trip in the contract's shape.
    assert AnalysisResponse.model_validate_json(response.model_dump_json()) == response


def _many_patterns(tmp_path: Path) -> str:
    """512 errors that share no words, so each is its own pattern: more than 2,000 tokens."""
    letters = "abcdefgh"
    words = [a + b + c for a in letters for b in letters for c in letters]
    lines = [
        f"2026-05-04T10:00:{n % 60:02d}Z ERROR {w} {w[::-1]} {w[1:] + w[0]} broke"
        for n, w in enumerate(words)
    ]
    return _file(tmp_path, lines)


@pytest.mark.parametrize(("name", "cut"), [("gemini", True), ("rules", False)])
def test_prompt_truncated_only_when_the_answer_was_read_from_the_cut_prompt(
    tmp_path: Path, name: EngineName, cut: bool
) -> None:
    # A budget too small for every pattern: the model reads a cut prompt; the rules engine
    # reads every pattern, so its answer is not cut even though the prompt was.
    settings = Settings(doctor_prompt_token_budget=2000, doctor_engine=name)
    engine = StubEngine(name)
    response = _doctor(engine, settings).analyze(Query(file=_many_patterns(tmp_path)))
    [(_, prompt)] = engine.calls
    assert prompt.truncated  # the prompt was cut in both cases
    assert response.summary.prompt_truncated is cut
    assert response.summary.input_truncated is False
    assert response.summary.truncated is cut
    assert response.model_dump()["summary"]["truncated"] is cut  # serialised too


def test_a_degraded_answer_reads_all_patterns_so_it_is_not_prompt_truncated(
    tmp_path: Path,
) -> None:
    failing = StubEngine("gemini", error=EngineUnavailable("Vertex AI failed (HTTP 503)"))
    settings = Settings(doctor_prompt_token_budget=2000, doctor_engine="gemini")
    engine = FallbackEngine(failing, StubEngine("rules"))
    response = _doctor(engine, settings).analyze(Query(file=_many_patterns(tmp_path)))
    assert (response.status, response.summary.engine) == ("degraded", "rules")
    assert response.summary.prompt_truncated is False


def test_gemini_failure_degrades_to_the_fallback(sample_log: Path) -> None:
    failing = StubEngine("gemini", error=EngineUnavailable("Vertex AI failed (HTTP 503)"))
    rules = StubEngine("rules")
    response = _doctor(FallbackEngine(failing, rules)).analyze(Query(file=str(sample_log)))
    assert response.status == "degraded"
    assert response.summary.engine == "rules"
    assert len(rules.calls) == 1
    assert any("HTTP 503" in w for w in response.warnings)


def test_invented_pattern_ids_are_dropped_with_a_warning(sample_log: Path) -> None:
    engine = StubEngine("rules", diagnosis=_citing("p999"))
    response = _doctor(engine).analyze(Query(file=str(sample_log)))
    assert response.status == "success"
    assert response.analysis.issues == []
    assert any("Database Connection Failure" in w for w in response.warnings)


def test_max_logs_keeps_the_newest_events_of_a_file_and_says_so(tmp_path: Path) -> None:
    lines = [f"2026-05-04T10:00:{n:02d}Z ERROR job {n} failed: disk quota" for n in range(10)]
    lines.insert(3, "Traceback (most recent call last):")  # joined to event 2: events, not lines
    lines.insert(4, '  File "/app/job.py", line 3, in run')
    lines.insert(5, "OSError: [Errno 122] Disk quota exceeded")
    engine = StubEngine("rules")
    response = _doctor(engine).analyze(Query(file=_file(tmp_path, lines), max_logs=3))
    summary = response.summary
    assert summary.total_logs_analyzed == 3
    assert (summary.input_truncated, summary.prompt_truncated, summary.truncated) == (
        True,
        False,
        True,
    )
    assert "input truncated (newest 3 events read)" in summary.cuts()
    assert any("held 10 log events; the newest 3" in w for w in response.warnings)
    [(digest, _)] = engine.calls
    seen = {sample for pattern in digest.patterns for sample in pattern.samples}
    assert any("job 9 failed" in s for s in seen)
    assert not any("job 6 failed" in s or "job 0 failed" in s for s in seen)


def test_cloudwatch_only_options_on_a_file_are_noted_first(sample_log: Path) -> None:
    query = Query(file=str(sample_log), minutes=60, filter_pattern="ERROR")
    response = _doctor(StubEngine("rules")).analyze(query)
    assert response.warnings[:2] == [
        "--minutes applies to CloudWatch; the file was analysed whole.",
        "--filter-pattern applies to CloudWatch; the file was not filtered.",
    ]


def test_the_engine_sees_redacted_text_only(sample_log: Path, canaries: dict[str, str]) -> None:
    engine = StubEngine("rules")
    _doctor(engine).analyze(Query(file=str(sample_log)))
    [(digest, prompt)] = engine.calls
    seen = prompt.system + prompt.user + repr(digest)
    for secret in canaries.values():
        assert secret not in seen


# --- sources


def test_a_query_with_a_file_reads_the_file_and_nothing_else(sample_log: Path) -> None:
    settings = Settings(aws_log_group_name=LOG_GROUP)
    source = Doctor(settings).source_for(Query(file=str(sample_log), log_group="label"))
    assert isinstance(source, FileSource)
    assert (source.label, source.minutes) == ("label", None)


def test_a_cloudwatch_query_is_checked_against_policy_before_any_read() -> None:
    settings = Settings(aws_log_group_name=LOG_GROUP, aws_region="us-east-1", doctor_max_logs=50)
    doctor = Doctor(settings, logs=object())  # type: ignore[arg-type]  # never called here
    source = doctor.source_for(Query(max_logs=20))
    assert isinstance(source, CloudWatchSource)
    assert (source.log_group, source.minutes, source.max_logs) == (LOG_GROUP, 30, 20)
    default = doctor.source_for(Query())
    assert isinstance(default, CloudWatchSource)
    assert default.max_logs == 50  # the cap is the default
    with pytest.raises(InvalidParameter, match="above this doctor's limit of 50"):
        doctor.source_for(Query(max_logs=51))
    with pytest.raises(NotAllowed):
        doctor.source_for(Query(log_group="/other/group"))
    with pytest.raises(InvalidParameter, match="No log group"):
        Doctor(Settings()).source_for(Query())


def test_a_file_analysis_never_reads_aws_configuration(
    sample_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")  # boto3.Session() would raise
    doctor = Doctor.from_settings(Settings(doctor_engine="rules"), ambient_aws=True)
    assert doctor.analyze(Query(file=str(sample_log))).status == "success"


# --- the Slack outlet


def _slack_doctor(slack: FakeSlack) -> Doctor:
    settings = Settings(
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_channel="C0ONCALL",
        slack_api_url=slack.api_url,
        doctor_engine="rules",
    )
    return Doctor(settings)


def test_notify_slack_posts_the_report(slack: FakeSlack, sample_log: Path) -> None:
    response = _slack_doctor(slack).analyze(Query(file=str(sample_log)), notify_slack=True)
    assert response.warnings == []
    (post,) = slack.calls_to("chat.postMessage")
    assert response.id in post.json["blocks"][-1]["elements"][0]["text"]


def test_a_failed_post_is_a_logged_warning_never_a_failed_analysis(
    slack: FakeSlack, sample_log: Path, caplog: pytest.LogCaptureFixture
) -> None:
    slack.stop()
    with caplog.at_level(logging.WARNING, logger="doctor.orchestrator"):
        response = _slack_doctor(slack).analyze(Query(file=str(sample_log)), notify_slack=True)
    assert response.status == "success"
    assert response.analysis.issues
    assert response.warnings[-1].startswith("Slack delivery failed: Slack could not be reached")
    assert response.id in caplog.text
    assert f"severity={response.analysis.severity.value}" in caplog.text
