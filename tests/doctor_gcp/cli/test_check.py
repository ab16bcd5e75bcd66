"""`cloud-doctor check`: each path's readiness, the fix for each that is not, no secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from doctor.cli.app import app as cli
from tests.doctor_gcp.conftest import API_TOKEN, LOG_GROUP, ROLE_ARN
from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack

SECRETS = (API_TOKEN, BOT_TOKEN, SIGNING_SECRET)


def run(*args: str, stream: str = "output") -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    for secret in SECRETS:
        assert secret not in result.output
    return result.exit_code, getattr(result, stream)


def checked(*args: str) -> tuple[int, dict[str, Any]]:
    # stdout only, as `| jq` reads it: a library's warning goes to stderr
    code, output = run("--json", *args, stream="stdout")
    return code, json.loads(output)


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, token_file: Path, tmp_path: Path) -> None:
    """Every path configured and complete."""
    for name, value in {
        "AWS_ROLE_ARN": ROLE_ARN,
        "AWS_REGION": "us-east-1",
        "AWS_LOG_GROUP_NAME": LOG_GROUP,
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
        "DOCTOR_API_TOKEN": API_TOKEN,
        "GCP_PROJECT_ID": "test-project",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_CHANNEL": "C0ONCALL",
        "DOCTOR_DATABASE_URL": f"sqlite:///{tmp_path / 'history.sqlite3'}",
    }.items():
        monkeypatch.setenv(name, value)


def test_a_fresh_machine_is_ready_with_everything_optional_off() -> None:
    code, body = checked()
    assert code == 0
    statuses = {name: path["status"] for name, path in body["paths"].items()}
    assert statuses == {"aws": "off", "gemini": "off", "slack": "off", "store": "ready",
                        "api": "off"}  # fmt: skip
    assert (body["ready"], body["serving"]) == (True, False)
    assert "AWS_ROLE_ARN" in body["paths"]["aws"]["fix"]
    assert body["paths"]["gemini"]["facts"]["answers"] == "rules"


def test_everything_configured_is_ready_and_secrets_show_as_set_only(configured: None) -> None:
    code, body = checked()
    assert code == 0, body
    assert all(path["status"] == "ready" for path in body["paths"].values()), body
    assert (body["ready"], body["serving"]) == (True, True)
    assert body["paths"]["slack"]["facts"]["bot_token"] == "set"
    assert body["paths"]["api"]["facts"]["api_token"] == "set"
    [target] = body["paths"]["aws"]["facts"]["targets"]
    assert (target["role_arn"], target["log_groups"]) == (ROLE_ARN, [LOG_GROUP])
    human_code, human = run()
    assert human_code == 0
    assert "Ready: every configured path works." in human
    assert "NOT READY" not in human


def test_an_incomplete_path_fails_with_its_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ROLE_ARN", ROLE_ARN)  # no region, no token source, no log group
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)  # no channel, no signing secret
    monkeypatch.setenv("DOCTOR_ENGINE", "gemini")  # no backend
    code, body = checked()
    assert code == 1
    aws, slack, gemini = (body["paths"][name] for name in ("aws", "slack", "gemini"))
    assert aws["status"] == slack["status"] == gemini["status"] == "not_ready"
    assert {"AWS_REGION", "AWS_LOG_GROUP_NAME", "DOCTOR_TOKEN_AUDIENCE"} <= set(
        aws["fix"].replace(",", " ").replace(";", " ").split()
    )
    assert "SLACK_CHANNEL" in slack["fix"]
    assert "SLACK_SIGNING_SECRET" in slack["fix"]
    assert "GEMINI_API_KEY" in gemini["fix"]
    human_code, human = run()
    assert human_code == 1
    assert "NOT READY" in human
    assert "fix:" in human
    assert "Not ready: AWS, Gemini, Slack need(s) a fix." in human


def test_an_unreadable_token_file_and_a_store_that_cannot_open_are_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, configured: None
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(tmp_path / "missing-token"))
    monkeypatch.setenv("DOCTOR_DATABASE_URL", f"sqlite:///{blocker}/history.sqlite3")
    code, body = checked()
    assert code == 1
    assert "cannot be read" in " ".join(body["paths"]["aws"]["problems"])
    assert body["paths"]["store"]["status"] == "not_ready"
    assert body["paths"]["store"]["fix"]


def test_invalid_configuration_is_one_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_REGION", "mars-1")
    code, output = run()
    assert code == 1
    assert "AWS_REGION" in output
    assert "Traceback" not in output
    code, body = checked()
    assert code == 1
    assert body["ready"] is False
    assert "AWS_REGION" in body["error"]["message"]


def test_values_from_the_environment_are_printed_as_text_not_markup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_CHANNEL", "[bold]#ops[/bold]")
    code, output = run()
    assert code == 1  # a channel alone: Slack is incomplete
    assert "[bold]#ops[/bold]" in output


def test_live_asks_sts_and_slack(
    aws: None, configured: None, monkeypatch: pytest.MonkeyPatch, slack: FakeSlack
) -> None:
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    code, body = checked("--live")
    assert code == 0, body
    aws_path = body["paths"]["aws"]
    assert "STS answered" in aws_path["summary"]
    assert "cloud-doctor" in aws_path["facts"]["live_identities"]["default"]
    assert "auth.test answered" in body["paths"]["slack"]["summary"]
    assert [call.endpoint for call in slack.calls] == ["auth.test"]


def test_live_reports_a_refusing_slack(
    aws: None, configured: None, monkeypatch: pytest.MonkeyPatch, slack: FakeSlack
) -> None:
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-9999-8888-wrongtoken")
    code, body = checked("--live")
    assert code == 1
    assert body["paths"]["slack"]["status"] == "not_ready"
