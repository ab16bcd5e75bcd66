"""`cloud-doctor analyze --slack`: the report also goes to SLACK_CHANNEL, and failures say so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from doctor.cli import app
from doctor.models import AnalysisResponse
from tests.fakes.slack import BOT_TOKEN, FakeSlack, fake_slack

runner = CliRunner()


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    with fake_slack() as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("SLACK_CHANNEL", "C0ONCALL")
        monkeypatch.setenv("SLACK_API_URL", fake.api_url)
        yield fake


def test_analyze_slack_posts_the_report_and_keeps_stdout_clean(
    sample_log: Path, slack: FakeSlack
) -> None:
    args = ["analyze", "--file", str(sample_log), "--engine", "rules", "--json", "--slack"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    response = AnalysisResponse.model_validate_json(result.stdout)
    (post,) = slack.calls_to("chat.postMessage")
    assert post.json["channel"] == "C0ONCALL"
    assert response.id in post.json["blocks"][-1]["elements"][0]["text"]
    assert "Posted to Slack (C0ONCALL)" in result.stderr


def test_analyze_slack_without_configuration_fails_before_analysing(
    sample_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLACK_CHANNEL", raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    result = runner.invoke(app, ["analyze", "--file", str(sample_log), "--slack"])
    assert result.exit_code == 1
    assert "SLACK_CHANNEL" in result.stderr
    assert "Hint:" in result.stderr
    assert result.stdout == ""  # no analysis was run


def test_analyze_slack_with_slack_down_prints_the_report_and_exits_1(
    sample_log: Path, slack: FakeSlack
) -> None:
    slack.stop()
    args = ["analyze", "--file", str(sample_log), "--engine", "rules", "--json", "--slack"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    AnalysisResponse.model_validate_json(result.stdout)  # the analysis is not lost
    assert "Slack could not be reached" in result.stderr


def test_dry_run_posts_nothing(sample_log: Path, slack: FakeSlack) -> None:
    result = runner.invoke(app, ["analyze", "--file", str(sample_log), "--dry-run", "--slack"])
    assert result.exit_code == 0, result.stderr
    assert "--slack posts nothing with --dry-run" in result.stderr
    assert slack.calls == []
