"""Keyless access: STS AssumeRoleWithWebIdentity through botocore's refreshable credentials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.credentials
import pytest

from doctor.credentials import token_loader_for, web_identity_session
from doctor.errors import ConfigurationError
from doctor.settings import Settings
from tests.doctor_gcp.conftest import LOG_GROUP, ROLE_ARN


def count_sts(session: Any) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    session.events.register(
        "provide-client-params.sts.AssumeRoleWithWebIdentity",
        lambda params, **_: calls.append(dict(params)),
    )
    return calls


def counting_loader(path: Path) -> tuple[list[int], Any]:
    loads: list[int] = []

    def load() -> str:
        loads.append(1)
        return path.read_text().strip()

    return loads, load


def test_many_calls_cost_one_sts_call_and_one_token_read(
    aws: None, aws_settings: Settings, token_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The doctor's session must not need, nor use, keys from the environment.
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    loads, loader = counting_loader(token_file)
    session = web_identity_session(aws_settings, loader)
    calls = count_sts(session)
    client = session.client("logs", region_name="us-east-1")
    client.create_log_group(logGroupName=LOG_GROUP)
    for _ in range(25):
        client.describe_log_groups()
    assert len(calls) == 1
    assert len(loads) == 1
    assert calls[0]["RoleArn"] == ROLE_ARN
    assert calls[0]["WebIdentityToken"] == "header.payload.signature"
    # 3600 s by default: with botocore's 15-min refresh window, one STS call per ~45 min.
    assert calls[0]["DurationSeconds"] == aws_settings.doctor_aws_session_seconds == 3600
    credentials = session.get_credentials()
    assert credentials is not None
    assert credentials.method == "cloud-doctor-web-identity"


def test_building_the_session_calls_nothing(
    aws: None, aws_settings: Settings, token_file: Path
) -> None:
    loads, loader = counting_loader(token_file)
    session = web_identity_session(aws_settings, loader)
    calls = count_sts(session)
    session.client("logs", region_name="us-east-1")
    assert (calls, loads) == ([], [])


def test_credentials_near_expiry_are_refreshed(
    aws: None, aws_settings: Settings, token_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [datetime.now(UTC)]

    def clock() -> datetime:
        return now[0]

    # botocore's fetcher cache reads the module clock; the refreshable credentials take ours.
    monkeypatch.setattr(botocore.credentials, "_local_now", clock)
    loads, loader = counting_loader(token_file)
    session = web_identity_session(aws_settings, loader, clock=clock)
    calls = count_sts(session)
    client = session.client("logs", region_name="us-east-1")
    client.describe_log_groups()
    now[0] += timedelta(minutes=30)  # still 30 min left: no refresh
    client.describe_log_groups()
    assert len(calls) == 1
    now[0] += timedelta(minutes=20)  # 10 min left, inside botocore's 15-min refresh window
    client.describe_log_groups()
    assert len(calls) == 2
    assert len(loads) == 2


def test_no_role_is_a_configuration_error(token_file: Path) -> None:
    with pytest.raises(ConfigurationError, match="AWS_ROLE_ARN") as caught:
        web_identity_session(
            Settings(aws_region="us-east-1", aws_web_identity_token_file=token_file)
        )
    assert "terraform output" in caught.value.hint


def test_no_token_source_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="web identity token") as caught:
        token_loader_for(Settings(aws_role_arn=ROLE_ARN, aws_region="us-east-1"))
    assert "DOCTOR_TOKEN_AUDIENCE" in caught.value.hint


def test_unreadable_or_empty_token_file_says_which_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(ConfigurationError, match="nope"):
        token_loader_for(Settings(aws_web_identity_token_file=missing))()
    empty = tmp_path / "empty"
    empty.write_text("  \n")
    with pytest.raises(ConfigurationError, match="empty"):
        token_loader_for(Settings(aws_web_identity_token_file=empty))()


def test_on_cloud_run_the_token_comes_from_fetch_id_token(monkeypatch: pytest.MonkeyPatch) -> None:
    import google.oauth2.id_token

    asked: list[str] = []

    def fake_fetch(_request: object, audience: str) -> str:
        asked.append(audience)
        return "google-signed"

    monkeypatch.setattr(google.oauth2.id_token, "fetch_id_token", fake_fetch)
    settings = Settings(aws_role_arn=ROLE_ARN, doctor_token_audience="sts.amazonaws.com/doctor")
    assert token_loader_for(settings)() == "google-signed"
    assert asked == ["sts.amazonaws.com/doctor"]


def test_metadata_server_failure_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import google.auth.exceptions
    import google.oauth2.id_token

    def failing(_request: object, _audience: str) -> str:
        raise google.auth.exceptions.TransportError(  # type: ignore[no-untyped-call]
            "metadata.google.internal unreachable: secret"
        )

    monkeypatch.setattr(google.oauth2.id_token, "fetch_id_token", failing)
    with pytest.raises(ConfigurationError) as caught:
        token_loader_for(Settings(doctor_token_audience="aud"))()
    assert "secret" not in str(caught.value)
    assert "AWS_WEB_IDENTITY_TOKEN_FILE" in caught.value.hint
