"""`cloud-doctor slack-manifest`: the Slack app manifest for this doctor."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from doctor.api.slack.manifest import base_url
from doctor.cli import app

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
