"""POST /alerts/aws: an EventBridge "CloudWatch Alarm State Change" in, a stored job and a 202
out, the diagnosis in the background (AWS in moto), repeats harmless, pending jobs resumed."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from doctor.alerts import AlertJobs, parse_event
from doctor.api import create_app
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from tests.doctor_gcp.api.conftest import AUTH, error_of

ALERT_TOKEN = "alert-token-0123456789abcdef-0123456789"
ALERT = {"Authorization": f"Bearer {ALERT_TOKEN}"}
ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:chaos-app-errors"


def event(state: str = "ALARM", *, event_id: str | None = None, **changes: Any) -> dict[str, Any]:
    """The shape of AWS's own example of the event (EventBridge event reference)."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime())
    body: dict[str, Any] = {
        "version": "0",
        "id": event_id or str(uuid.uuid4()),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": "123456789012",
        "time": now,
        "region": "us-east-1",
        "resources": [ARN],
        "detail": {
            "alarmName": "chaos-app-errors",
            "state": {"value": state, "reason": "Threshold Crossed", "timestamp": now},
            "previousState": {"value": "OK", "reason": "", "timestamp": now},
        },
    }
    return body | changes


@pytest.fixture
def alert_settings(aws_settings: Settings) -> Settings:
    return aws_settings.model_copy(update={"doctor_alert_token": SecretStr(ALERT_TOKEN)})


@pytest.fixture
def alert_client(aws: None, alert_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(alert_settings), raise_server_exceptions=False) as client:
        yield client


def _idle(client: TestClient, seconds: float = 30) -> None:
    runner = client.app.state.alert_runner  # type: ignore[attr-defined]
    deadline = time.monotonic() + seconds
    while not runner.idle() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert runner.idle()


def test_an_alarm_is_acknowledged_at_once_and_diagnosed_in_the_background(
    alert_client: TestClient, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", count=200)
    started = time.monotonic()
    answer = alert_client.post("/alerts/aws", json=event(), headers=ALERT)
    assert time.monotonic() - started < 1.0
    assert answer.status_code == 202, answer.text
    assert answer.json()["target"] == "default"
    _idle(alert_client)
    [stored] = alert_client.get("/diagnoses", headers=AUTH).json()["items"]
    assert stored["summary"]["target"] == "default"
    assert any(i["category"] == "database_connection" for i in stored["analysis"]["issues"])


def test_repeats_of_an_event_or_of_a_change_do_nothing(
    alert_client: TestClient, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", count=100)
    first = event()
    assert alert_client.post("/alerts/aws", json=first, headers=ALERT).status_code == 202
    again = alert_client.post("/alerts/aws", json=first, headers=ALERT)
    same_change = alert_client.post("/alerts/aws", json=first | {"id": "other"}, headers=ALERT)
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert same_change.status_code == 200
    _idle(alert_client)
    assert len(alert_client.get("/diagnoses", headers=AUTH).json()["items"]) == 1


def test_ok_is_recorded_without_a_diagnosis(alert_client: TestClient) -> None:
    assert alert_client.post("/alerts/aws", json=event("OK"), headers=ALERT).status_code == 202
    _idle(alert_client)
    assert alert_client.get("/diagnoses", headers=AUTH).json()["items"] == []


@pytest.mark.parametrize(
    ("body", "status", "said"),
    [
        (b"{not json", 400, "Not a CloudWatch Alarm State Change event"),
        (event(source="aws.ec2"), 400, "source"),
        (event(**{"detail-type": "EC2 Instance State-change Notification"}), 400, "detail-type"),
        (event(resources=["arn:aws:ec2:us-east-1:123456789012:instance/i-1"]), 400, "alarm ARN"),
        (event(account="999999999999"), 422, "AWS account 999999999999 in region us-east-1"),
        (event(region="eu-west-3"), 422, "region eu-west-3"),
    ],
)
def test_a_bad_or_foreign_event_is_refused_naming_what(
    alert_client: TestClient, body: Any, status: int, said: str
) -> None:
    if isinstance(body, bytes):
        answer = alert_client.post(
            "/alerts/aws", content=body, headers=ALERT | {"Content-Type": "application/json"}
        )
    else:
        answer = alert_client.post("/alerts/aws", json=body, headers=ALERT)
    assert answer.status_code == status, answer.text
    assert said in error_of(answer)["message"]


def test_only_the_alert_token_opens_the_route(
    alert_client: TestClient, aws: None, aws_settings: Settings
) -> None:
    with_api_token = alert_client.post("/alerts/aws", json=event(), headers=AUTH)
    assert with_api_token.status_code == 401
    assert "DOCTOR_ALERT_TOKEN" in error_of(with_api_token)["hint"]  # says which token
    assert alert_client.post("/alerts/aws", json=event()).status_code == 401
    with TestClient(create_app(aws_settings), raise_server_exceptions=False) as closed:
        answer = closed.post("/alerts/aws", json=event(), headers=ALERT)
    assert answer.status_code == 503
    assert "DOCTOR_ALERT_TOKEN" in error_of(answer)["hint"]


def test_a_job_left_pending_by_a_restart_is_resumed(
    aws: None, alert_settings: Settings, seed_logs: Callable[..., int]
) -> None:
    import json

    seed_logs("disk-full", count=150)
    doctor = Doctor(alert_settings)  # the process that stored the job and died
    store = doctor.store()
    assert store is not None
    job = AlertJobs(store).add(parse_event(json.dumps(event()).encode()), "default")
    assert job is not None
    doctor.close()
    with TestClient(create_app(alert_settings), raise_server_exceptions=False) as client:
        _idle(client)
        [stored] = client.get("/diagnoses", headers=AUTH).json()["items"]
    assert any(i["category"] == "disk_full" for i in stored["analysis"]["issues"])
