"""`cloud-doctor slack-manifest` and `cloud-doctor analyze --slack`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from doctor.cli import app
from doctor.models import AnalysisResponse
from doctor.notify.manifest import base_url
from tests.fakes.slack import BOT_TOKEN, FakeSlack, fake_slack

runner = CliRunner()


def test_the_manifest_wires_the_slash_command_to_the_service() -> None:
    result = runner.invoke(app, ["slack-manifest", "--url", "https://doctor-abc-uc.a.run.app/"])
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/doctor"
    assert command["url"] == "https://doctor-abc-uc.a.run.app/slack/events"
    assert "analyze" in command["usage_hint"]
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert set(scopes) == {"commands", "chat:write", "chat:write.public"}
    assert len(manifest["display_information"]["name"]) <= 35
    assert len(manifest["display_information"]["description"]) <= 140
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_a_port_is_kept_and_the_host_lowercased() -> None:
    assert base_url("https://Doctor.Example.com:8443") == "https://doctor.example.com:8443"


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("http://doctor.example.com", "must use https"),
        ("doctor.example.com", "must use https"),
        ("https://doctor.example.com/slack/events", "without a path"),
        ("https://doctor.example.com/?a=1", "without a path"),
        ("https://", "no valid host"),
        ("https://user:pw@doctor.example.com", "no valid host"),
        ("https://doc tor.example.com", "no valid host"),
        ("https://doctor.example.com:99999", "is not a URL"),
        ("ftp://doctor.example.com", "must use https"),
    ],
)
def test_a_bad_url_is_a_usage_error(url: str, named: str) -> None:
    result = runner.invoke(app, ["slack-manifest", "--url", url])
    assert result.exit_code == 2
    assert "--url" in result.stderr
    assert named in result.stderr
    assert result.stdout == ""


def test_the_url_is_required() -> None:
    result = runner.invoke(app, ["slack-manifest"])
    assert result.exit_code == 2
    assert "--url" in result.output


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
