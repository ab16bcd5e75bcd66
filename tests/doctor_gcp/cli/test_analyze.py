"""`cloud-doctor analyze`: outputs, exit codes, messages."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import google.auth
import pytest
from google.oauth2.credentials import Credentials
from typer.testing import CliRunner

from doctor.cli import app
from doctor.models import AnalysisResponse
from tests.doctor_gcp.conftest import prepared
from tests.fakes.gemini import FakeGemini, json_reply

runner = CliRunner()


def _json(stdout: str) -> AnalysisResponse:
    return AnalysisResponse.model_validate_json(stdout)


def test_json_prints_only_the_analysis_response(sample_log: Path) -> None:
    result = runner.invoke(
        app, ["analyze", "--file", str(sample_log), "--json", "--engine", "rules"]
    )
    assert result.exit_code == 0, result.stderr
    response = _json(result.stdout)  # the whole of stdout parses: nothing else was printed
    assert response.status == "success"
    assert response.summary.engine == "rules"
    assert response.summary.total_logs_analyzed > 0
    assert response.analysis.issues


def test_the_report_is_readable_and_log_text_cannot_inject_markup(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    line = "2026-05-04T10:00:0{}Z ERROR connection refused to db:5432 [bold red]INJECTED[/]"
    log.write_text("\n".join(line.format(n) for n in range(5)) + "\n")
    result = runner.invoke(
        app, ["analyze", "--file", str(log), "--engine", "rules"], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 0, result.stderr
    assert "Cloud Doctor" in result.stdout
    assert "engine rules" in result.stdout
    # The evidence line (a raw sample: the port is not masked) is printed literally.
    assert "db:5432 [bold red]INJECTED[/]" in result.stdout


def test_dry_run_prints_exactly_the_prompt_and_calls_no_engine(
    sample_log: Path, sample_lines: list[str], gemini: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GCP_PROJECT_ID", "test-project")
    monkeypatch.setenv("GEMINI_BASE_URL", gemini.url)
    result = runner.invoke(app, ["analyze", "--file", str(sample_log), "--dry-run"])
    assert result.exit_code == 0, result.stderr
    _, prompt = prepared(sample_log)
    rendered = prompt.render()
    assert result.stdout == (rendered if rendered.endswith("\n") else rendered + "\n")
    assert gemini.requests == []


def test_gemini_through_the_cli_with_application_default_credentials(
    sample_log: Path, sample_lines: list[str], gemini: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The one seam: ADC itself (on Cloud Run, the metadata server) is replaced by a token.
    def fake_default(*args: object, **kwargs: object) -> tuple[Credentials, str]:
        return Credentials(token="adc-token"), "test-project"  # type: ignore[no-untyped-call]

    monkeypatch.setattr(google.auth, "default", fake_default)
    monkeypatch.setenv("GCP_PROJECT_ID", "test-project")
    monkeypatch.setenv("GEMINI_BASE_URL", gemini.url)
    digest, _ = prepared(sample_log)
    gemini.script(
        json_reply(
            {
                "summary": "Postgres refuses connections.",
                "severity": "CRITICAL",
                "issues": [
                    {
                        "type": "Database Connection Failure",
                        "category": "database_connection",
                        "description": "d",
                        "root_cause": "r",
                        "solution": "s",
                        "pattern_ids": [digest.patterns[0].id],
                    }
                ],
                "priority_actions": ["Restart Postgres"],
            }
        )
    )
    result = runner.invoke(app, ["analyze", "--file", str(sample_log), "--json"])
    assert result.exit_code == 0, result.stderr
    response = _json(result.stdout)
    assert (response.status, response.summary.engine) == ("success", "gemini")
    assert response.analysis.issues[0].count == digest.patterns[0].count
    assert gemini.requests[0].headers["authorization"] == "Bearer adc-token"


def test_file_dash_reads_stdin(sample_log: Path, sample_lines: list[str]) -> None:
    result = runner.invoke(
        app,
        ["analyze", "--file", "-", "--json", "--engine", "rules"],
        input="\n".join(sample_lines) + "\n",
    )
    assert result.exit_code == 0, result.stderr
    digest, _ = prepared(sample_log)
    assert _json(result.stdout).summary.total_logs_analyzed == digest.events_total


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.log"
    result = runner.invoke(app, ["analyze", "--file", str(missing), "--engine", "rules"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "not found" in result.stderr
    assert str(missing) in result.stderr.replace("\n", "")
    assert "Hint:" in result.stderr


def test_a_bad_engine_value_exits_2_naming_it(sample_log: Path) -> None:
    result = runner.invoke(app, ["analyze", "--file", str(sample_log), "--engine", "oracle"])
    assert result.exit_code == 2
    assert "oracle" in result.stderr
    assert "--engine" in result.stderr


def test_a_bad_number_exits_2_naming_the_option(sample_log: Path) -> None:
    result = runner.invoke(app, ["analyze", "--file", str(sample_log), "--max-logs", "0"])
    assert result.exit_code == 2
    assert "--max-logs" in result.stderr


def test_without_a_file_or_aws_credentials_it_says_how_to_log_in(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = runner.invoke(app, ["analyze", "--log-group", "/aws/ec2/chaos-app"])
    assert result.exit_code == 1
    assert "No AWS credentials" in result.stderr
    assert "AWS_ROLE_ARN" in result.stderr


def test_without_a_region_it_says_which_variable(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    result = runner.invoke(app, ["analyze", "--log-group", "/aws/ec2/chaos-app"])
    assert result.exit_code == 1
    assert "AWS_REGION" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_without_a_file_it_reads_cloudwatch(
    aws: None, seed_logs: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A person's own AWS login (here moto's keys), no role: the CLI reads CloudWatch directly.
    seed_logs("dns-failure", count=300)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    result = runner.invoke(
        app,
        [
            "analyze",
            "--log-group",
            "/aws/ec2/chaos-app",
            "--minutes",
            "30",
            "--engine",
            "rules",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    body = AnalysisResponse.model_validate_json(result.stdout)
    assert body.summary.log_group == "/aws/ec2/chaos-app"
    assert body.summary.time_range_minutes == 30
    assert "dns_resolution" in {issue.category.value for issue in body.analysis.issues}
    patterns = runner.invoke(app, ["patterns", "--log-group", "/aws/ec2/chaos-app", "--per-line"])
    assert patterns.exit_code == 0, patterns.stderr
    assert len(patterns.stdout.splitlines()) == body.summary.total_logs_analyzed


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--minutes", "0"], "--minutes"),
        (["--minutes", "lots"], "'lots'"),
        (["--log-group", "no spaces allowed"], "--log-group"),
        (
            ["--minutes", "99999999"],
            "Invalid value for '--minutes': '99999999' is out of range: it must be at most 10080",
        ),
    ],
)
def test_bad_cloudwatch_options_are_usage_errors(args: list[str], named: str) -> None:
    result = runner.invoke(app, ["analyze", *args])
    assert result.exit_code == 2
    assert named in result.output


def test_cloudwatch_only_options_are_reported_not_silently_ignored(sample_log: Path) -> None:
    result = runner.invoke(
        app,
        ["analyze", "--file", str(sample_log), "--json", "--engine", "rules", "--minutes", "15"],
    )
    assert result.exit_code == 0, result.stderr
    response = _json(result.stdout)
    assert any("--minutes" in w for w in response.warnings)
    assert response.summary.time_range_minutes is None


def test_a_configuration_error_exits_1_with_message_and_hint(
    sample_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "changeme")
    result = runner.invoke(app, ["analyze", "--file", str(sample_log), "--engine", "rules"])
    assert result.exit_code == 1
    assert "SLACK_SIGNING_SECRET" in result.stderr
    assert "changeme" not in result.stderr
    assert "Hint:" in result.stderr


@pytest.mark.slow
def test_the_installed_console_script_end_to_end(sample_log: Path) -> None:
    script = Path(sys.executable).with_name("cloud-doctor")
    result = subprocess.run(
        [str(script), "analyze", "--file", str(sample_log), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    response = AnalysisResponse.model_validate_json(result.stdout)
    # No GCP_PROJECT_ID in the test environment: auto means the offline rules engine.
    assert response.summary.engine == "rules"
    assert response.status == "success"


def test_max_logs_on_a_file_keeps_the_newest_and_the_report_says_the_input_was_cut(
    tmp_path: Path,
) -> None:
    log = tmp_path / "app.log"
    lines = [
        f"2026-05-04T10:00:{n:02d}Z ERROR job {n} failed: connection refused" for n in range(9)
    ]
    log.write_text("\n".join(lines) + "\n")
    args = ["analyze", "--file", str(log), "--engine", "rules", "--max-logs", "4"]
    result = runner.invoke(app, args, env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.stderr
    assert "input truncated (newest 4 events read)" in result.stdout
    assert "prompt truncated" not in result.stdout  # the rules engine read every pattern
    answer = _json(runner.invoke(app, [*args, "--json"]).stdout)
    assert answer.summary.total_logs_analyzed == 4
    assert answer.summary.input_truncated
    evidence = " ".join(line for issue in answer.analysis.issues for line in issue.evidence)
    assert "job 5 failed" in evidence  # the oldest of the newest four
    assert not any(f"job {n} failed" in evidence for n in range(5))
