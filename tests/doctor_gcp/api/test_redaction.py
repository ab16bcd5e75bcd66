"""The API's answer and the stored copy behind GET /diagnoses hold none of the planted secrets
or personal data, read from CloudWatch (moto) like any other analysis."""

from __future__ import annotations

import json
import time

import boto3
from fastapi.testclient import TestClient

from doctor.api import create_app
from doctor.settings import Settings
from tests.doctor_gcp.api.conftest import AUTH
from tests.doctor_gcp.cli.test_analyze_redaction import CORPUS, PEM_BODY, _leaks
from tests.doctor_gcp.conftest import LOG_GROUP


def test_nothing_planted_leaks_through_the_api(aws: None, aws_settings: Settings) -> None:
    logs = boto3.client("logs", region_name="us-east-1")
    logs.create_log_group(logGroupName=LOG_GROUP)
    logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName="app")
    now = int(time.time() * 1000) - 60_000
    messages = [f"ERROR [api] {message}" for message, _ in CORPUS]
    messages += ["-----BEGIN RSA PRIVATE KEY-----", *PEM_BODY, "-----END RSA PRIVATE KEY-----"]
    logs.put_log_events(
        logGroupName=LOG_GROUP,
        logStreamName="app",
        logEvents=[{"timestamp": now + n, "message": text} for n, text in enumerate(messages)],
    )
    settings = aws_settings.model_copy(update={"doctor_prompt_token_budget": 60_000})
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        answer = client.post("/analyze", json={"filter_pattern": ""}, headers=AUTH)
        listed = client.get("/diagnoses", headers=AUTH)
    assert answer.status_code == 200, answer.text
    assert answer.json()["summary"]["total_logs_analyzed"] == len(messages)
    assert _leaks(answer.text) == []
    assert _leaks(json.dumps(listed.json())) == []
