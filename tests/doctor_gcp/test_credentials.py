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


class FailingSts:
    """An STS on 127.0.0.1 that answers every call 503 and counts them."""

    def __init__(self) -> None:
        import http.server
        import threading

        self.calls = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.calls += 1
                body = (
                    b"<ErrorResponse><Error><Code>ServiceUnavailable</Code></Error></ErrorResponse>"
                )
                self.send_response(503)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_a_failing_sts_is_asked_once_by_concurrent_callers_and_not_again_at_once(
    aws_settings: Settings, token_file: Path
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    sts = FailingSts()
    try:
        settings = aws_settings.model_copy(update={"aws_endpoint_url": sts.url})

        def credentials(session: Any) -> str:
            try:
                session.get_credentials().get_frozen_credentials()
            except Exception as exc:  # the test compares what each caller got
                return type(exc).__name__
            return "ok"

        assert credentials(web_identity_session(settings)) != "ok"
        one_refresh = sts.calls  # the HTTP calls of one refresh (botocore's own retries)
        # STS_CONFIG: two tries. botocore reads `max_attempts` as retries (three tries); it
        # once made a hanging STS cost 20 s instead of 10.
        assert one_refresh == 2
        session = web_identity_session(settings)
        with ThreadPoolExecutor(8) as pool:  # a request's slices and baseline, and others
            outcomes = list(pool.map(credentials, [session] * 8))
        again = credentials(session)  # a request right after: the failure is remembered
    finally:
        sts.server.shutdown()
    assert outcomes == [outcomes[0]] * 8
    assert outcomes[0] != "ok"
    assert again == outcomes[0]
    assert sts.calls == 2 * one_refresh  # one refresh for the nine callers, not one each


def test_a_remembered_failure_expires() -> None:
    from botocore.exceptions import EndpointConnectionError

    from doctor.credentials import SharedRefresh

    now = [0.0]
    fetched: list[int] = []

    def fetch() -> dict[str, Any]:
        fetched.append(1)
        if len(fetched) == 1:
            raise EndpointConnectionError(endpoint_url="https://sts.example")
        return {"access_key": "a"}

    refresh = SharedRefresh(fetch, ttl_seconds=30, clock=lambda: now[0])
    for _ in range(3):
        with pytest.raises(EndpointConnectionError):
            refresh()
    assert len(fetched) == 1
    now[0] = 31
    assert refresh() == {"access_key": "a"}
    assert len(fetched) == 2


def test_an_unreadable_sts_answer_is_an_aws_error_remembered_like_the_others() -> None:
    from botocore.exceptions import BotoCoreError

    from doctor.credentials import SharedRefresh

    fetched: list[int] = []

    def fetch() -> dict[str, Any]:
        fetched.append(1)
        raise KeyError("AssumeRoleWithWebIdentityResult")  # what a 200 of HTML parses into

    refresh = SharedRefresh(fetch, ttl_seconds=30, clock=lambda: 0.0)
    for _ in range(2):
        with pytest.raises(BotoCoreError):  # mapped like AWS being unreachable, not a 500
            refresh()
    assert len(fetched) == 1
