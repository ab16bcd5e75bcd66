"""`/doctor history [target]`: the latest diagnoses, answered in the ack."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.doctor_gcp.api.conftest import AUTH
from tests.doctor_gcp.api.slack.helpers import send
from tests.fakes.slack import FakeSlack


def test_slack_history_lists_the_latest(
    slack_client: TestClient, slack: FakeSlack, seed_logs: Callable[..., int]
) -> None:
    empty = send(slack_client, "history", slack.response_url())[2]
    assert "No stored diagnoses" in empty["text"]
    seed_logs("db-outage", count=100)
    slack_client.post("/analyze", headers=AUTH)
    _, _, ack = send(slack_client, "history", slack.response_url())
    assert ack["response_type"] == "ephemeral"
    assert "Cloud Doctor history" in ack["text"]
    body = json.dumps(ack["blocks"])
    assert "default" in body
    unknown = send(slack_client, "history nope", slack.response_url())[2]
    assert "'nope' is not a target" in unknown["text"]
