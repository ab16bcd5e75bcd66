"""POST /slack/events with a correctly signed body that is not a slash command as Slack sends
it: a 400 in the error shape, logged once without a traceback, nothing run. The signature is
still checked first: the same bodies unsigned are 401."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode

import pytest
from fastapi.testclient import TestClient

from tests.doctor_gcp.api.conftest import error_of
from tests.doctor_gcp.api.slack.helpers import wait_idle
from tests.fakes.slack import FakeSlack, signed_headers, slash_command

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _without(body: str, field: str) -> str:
    return urlencode([(k, v) for k, v in parse_qsl(body, keep_blank_values=True) if k != field])


def _command(slack: FakeSlack) -> str:
    return slash_command("analyze 30m", slack.response_url())


MALFORMED: list[tuple[str, str, object]] = [
    # (case, content type, body: a str, or a function of the fake Slack)
    ("JSON object", JSON, '{"command": "/doctor", "text": "analyze"}'),
    ("JSON not parseable", JSON, '{"command'),
    ("JSON array", JSON, "[1, 2]"),
    ("a form sent as JSON", JSON, _command),
    ("text/plain", "text/plain", _command),
    ("no content type", "", _command),
    ("payload not JSON", FORM, "payload=notjson"),
    ("payload truncated JSON", FORM, "payload=%7B%22type"),
    ("payload a JSON array", FORM, "payload=%5B1%2C2%5D"),
    ("payload a JSON string", FORM, "payload=%22x%22"),
    ("payload twice", FORM, "payload=%7B%7D&payload=%7B%7D"),
    ("empty body", FORM, ""),
    ("not a form", FORM, "garbage"),
    ("no command", FORM, lambda s: _without(_command(s), "command")),
    ("no text", FORM, lambda s: _without(_command(s), "text")),
    ("no response_url", FORM, lambda s: _without(_command(s), "response_url")),
    ("no user_id", FORM, lambda s: _without(_command(s), "user_id")),
    ("command twice", FORM, lambda s: _command(s) + "&command=%2Fother"),
    ("too many fields", FORM, lambda s: _command(s) + "".join(f"&f{i}=1" for i in range(100))),
]


def _body(spec: object, slack: FakeSlack) -> str:
    return spec if isinstance(spec, str) else spec(slack)  # type: ignore[operator]


def _headers(body: str, content_type: str, *, signed: bool = True) -> dict[str, str]:
    headers = signed_headers(body, **({} if signed else {"secret": "not-the-secret"}))
    headers.pop("Content-Type", None)
    if content_type:
        headers["Content-Type"] = content_type
    return headers


@pytest.mark.parametrize(("case", "content_type", "spec"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_signed_malformed_body_is_400_logged_once_without_a_traceback(
    slack_client: TestClient,
    slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    case: str,
    content_type: str,
    spec: object,
) -> None:
    body = _body(spec, slack)
    with caplog.at_level(logging.DEBUG):
        response = slack_client.post(
            "/slack/events", content=body, headers=_headers(body, content_type)
        )
    assert response.status_code == 400, (case, response.text)
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert error["message"].startswith("This is not a Slack slash command: ")
    assert "application/x-www-form-urlencoded" in error["hint"]
    # The start-up token check (in the background) may log its INFO line meanwhile.
    ours = [
        r
        for r in caplog.records
        if r.name.startswith("doctor") and not r.getMessage().startswith("Slack token verified")
    ]
    assert [r.getMessage().split(":")[0] for r in ours] == [
        "refused a signed but malformed Slack request"
    ]
    assert all(r.exc_info is None for r in caplog.records)
    assert "Traceback" not in caplog.text
    assert slack.response_url() not in caplog.text
    wait_idle(slack_client)
    assert slack.calls_to("response/cmd") == []


@pytest.mark.parametrize(("case", "content_type", "spec"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_the_same_bodies_unsigned_are_401(
    slack_client: TestClient, slack: FakeSlack, case: str, content_type: str, spec: object
) -> None:
    body = _body(spec, slack)
    response = slack_client.post(
        "/slack/events", content=body, headers=_headers(body, content_type, signed=False)
    )
    assert response.status_code == 401, case
    assert error_of(response)["code"] == "unauthorized"


def test_the_reason_is_named(slack_client: TestClient, slack: FakeSlack) -> None:
    cases = {
        ("[1]", JSON): "the content type is 'application/json'",
        ("payload=%5B1%5D", FORM): "its payload field is not one JSON object",
        (_without(_command(slack), "response_url"), FORM): "field(s) response_url",
    }
    for (body, content_type), reason in cases.items():
        response = slack_client.post(
            "/slack/events", content=body, headers=_headers(body, content_type)
        )
        assert reason in error_of(response)["message"]


def test_a_well_formed_interactive_payload_has_no_handler(slack_client: TestClient) -> None:
    body = urlencode({"payload": '{"type": "block_actions", "team": "not-an-object"}'})
    response = slack_client.post("/slack/events", content=body, headers=_headers(body, FORM))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_charset_on_the_form_content_type_is_fine(
    slack_client: TestClient, slack: FakeSlack
) -> None:
    body = slash_command("help", slack.response_url())
    headers = _headers(body, "Application/X-WWW-Form-Urlencoded; charset=utf-8")
    response = slack_client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 200
    assert "/doctor analyze 2h" in response.json()["text"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("ssl_check=1&payload=notjson", FORM),  # Bolt would parse the payload: a 500
        ("ssl_check=1&payload=%5B1%5D", FORM),
        ("ssl_check=1", JSON),  # Bolt would parse it as JSON: a 500
        ("ssl_check=1&command=%2Fdoctor&text=analyze", FORM),
        ("ssl_check=1" + "".join(f"&f{i}=1" for i in range(200)), FORM),
    ],
)
def test_only_the_bare_ssl_check_probe_skips_the_signature(
    slack_client: TestClient, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = slack_client.post(
            "/slack/events", content=body, headers={"Content-Type": content_type}
        )
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert "Traceback" not in caplog.text


def test_an_odd_content_type_is_not_echoed(slack_client: TestClient) -> None:
    body = "command=%2Fdoctor"
    content_type = "text/<script>alert(1)</script>"
    response = slack_client.post(
        "/slack/events", content=body, headers=_headers(body, content_type)
    )
    assert response.status_code == 400
    assert "script" not in response.text
    assert "missing or invalid" in error_of(response)["message"]
