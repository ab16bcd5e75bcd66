"""One Slack thread per incident, end to end: EventBridge events into POST /alerts/aws, the
diagnosis from CloudWatch (moto), the thread in a fake Slack Web API on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from doctor.api import create_app
from doctor.settings import Settings
from tests.doctor_gcp.api.conftest import AUTH
from tests.doctor_gcp.api.test_alerts import ALERT, ALERT_TOKEN, ARN, event
from tests.fakes.slack import Call, FakeSlack, server_error


def at(minutes_ago: float) -> str:
    moment = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def change(state: str, minutes_ago: float, alarm: str = "chaos-app-errors") -> dict[str, Any]:
    """The event of one state change of `alarm`, as EventBridge delivers it."""
    body = event(state, resources=[ARN.rsplit(":", 1)[0] + ":" + alarm])
    body["detail"]["alarmName"] = alarm
    body["detail"]["state"]["timestamp"] = at(minutes_ago)
    return body


@pytest.fixture
def threads_client(
    aws: None, slack_settings: Settings, seed_logs: Callable[..., int]
) -> Iterator[TestClient]:
    seed_logs("db-outage", count=150)
    settings = slack_settings.model_copy(
        update={"doctor_alert_token": SecretStr(ALERT_TOKEN), "slack_channel": "#oncall"}
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def send(client: TestClient, body: dict[str, Any]) -> int:
    return client.post("/alerts/aws", json=body, headers=ALERT).status_code


def settled(client: TestClient, slack: FakeSlack, seconds: float = 30) -> None:
    """The runner idle and the outbox empty (or as far as it gets in `seconds`)."""
    runner = client.app.state.alert_runner  # type: ignore[attr-defined]
    deadline = time.monotonic() + seconds
    while not runner.idle() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert runner.idle()
    time.sleep(0.3)  # the outbox thread wakes on the commit and sends at once


def parents(slack: FakeSlack) -> list[Call]:
    return [c for c in slack.calls_to("chat.postMessage") if not c.json.get("thread_ts")]


def test_alarm_repeat_ok_is_one_thread_that_ends_resolved(
    threads_client: TestClient, slack: FakeSlack
) -> None:
    assert send(threads_client, change("ALARM", 12)) == 202
    settled(threads_client, slack)
    [parent] = parents(slack)
    assert parent.json["channel"] == "#oncall"
    blocks = parent.json["blocks"]
    assert "In ALARM" in blocks[1]["text"]["text"]
    assert "chaos-app-errors" in blocks[1]["text"]["text"]
    assert any("database_connection" in str(b) for b in blocks)  # the diagnosis itself

    # A second alarm of the same target fires: a reply in the same thread, no new parent.
    assert send(threads_client, change("ALARM", 6, alarm="chaos-app-latency")) == 202
    settled(threads_client, slack)
    assert len(parents(slack)) == 1
    [repeat] = [c for c in slack.calls_to("chat.postMessage") if c.json.get("thread_ts")]
    assert "(Re)fired" in repeat.json["text"]
    assert "in ALARM now" in str(repeat.json["blocks"])
    assert "chaos-app-latency" in repeat.json["text"]
    parent_ts = repeat.json["thread_ts"]

    # Both back to OK: "resolved after N min" in the thread, and the parent edited.
    assert send(threads_client, change("OK", 4)) == 202
    assert send(threads_client, change("OK", 1, alarm="chaos-app-latency")) == 202
    settled(threads_client, slack)
    replies = slack.thread(parent_ts)
    assert len(replies) == 2
    assert "Resolved after 11 min" in replies[-1].json["text"]
    [edit] = slack.calls_to("chat.update")
    assert edit.json["ts"] == parent_ts
    assert edit.json["channel"] == "C0FAKE0001"
    status = next(b for b in edit.json["blocks"] if b.get("block_id") == "incident_status")
    assert "Resolved" in status["text"]["text"]
    assert "11 min" in status["text"]["text"]
    assert len(edit.json["blocks"]) == len(blocks)  # the report is kept, only the status moves

    # The next ALARM is a new incident: a new thread.
    assert send(threads_client, change("ALARM", 0.5)) == 202
    settled(threads_client, slack)
    assert len(parents(slack)) == 2


def test_ok_before_any_alarm_posts_nothing_and_a_late_alarm_comes_resolved(
    threads_client: TestClient, slack: FakeSlack
) -> None:
    assert send(threads_client, change("OK", 2)) == 202  # its ALARM is late, or was never seen
    settled(threads_client, slack)
    assert slack.calls_to("chat.postMessage") == []
    assert send(threads_client, change("ALARM", 9)) == 202  # the late one: it ended 2 min ago
    settled(threads_client, slack)
    [parent] = parents(slack)
    [resolved] = [c for c in slack.calls_to("chat.postMessage") if c.json.get("thread_ts")]
    assert "Resolved after 7 min" in resolved.json["text"]
    assert len(slack.calls_to("chat.update")) == 1
    assert "database_connection" in str(parent.json["blocks"])


def test_a_storm_of_100_alarms_is_one_thread_and_a_few_diagnoses(
    threads_client: TestClient, slack: FakeSlack
) -> None:
    bodies = [change("ALARM", 5 - n / 100, alarm=f"alarm-{n % 40}") for n in range(100)]
    bodies += bodies[:10]  # EventBridge retries some of them
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda b: send(threads_client, b), bodies))
    assert time.monotonic() - started < 10
    assert codes.count(202) == 100
    assert codes.count(200) == 10
    settled(threads_client, slack, seconds=60)
    assert len(parents(slack)) == 1  # one incident, one thread
    replies = [c for c in slack.calls_to("chat.postMessage") if c.json.get("thread_ts")]
    assert len(replies) <= 10  # batched: a reply per batch, not per alarm
    diagnoses = threads_client.get("/diagnoses", headers=AUTH).json()["items"]
    assert 1 <= len(diagnoses) <= 2  # a repeat moments after the first is not rediagnosed
    jobs = threads_client.app.state.alert_jobs  # type: ignore[attr-defined]
    assert jobs.pending() == []


def test_slack_failing_then_recovering_gets_the_thread_out_once(
    threads_client: TestClient, slack: FakeSlack
) -> None:
    slack.script("chat.postMessage", server_error(503), server_error(503))  # one failed delivery
    assert send(threads_client, change("ALARM", 3)) == 202
    settled(threads_client, slack)
    assert slack.wait_for(lambda s: len(parents(s)) == 3, timeout=15)  # retried from the store
    time.sleep(0.5)
    delivered = parents(slack)[-1]
    assert "In ALARM" in str(delivered.json["blocks"])
    assert len(parents(slack)) == 3  # two refused attempts, one post: no duplicate
    assert send(threads_client, change("OK", 0)) == 202
    settled(threads_client, slack)
    assert slack.wait_for(lambda s: len(s.calls_to("chat.update")) == 1, timeout=10)
    [resolved] = [c for c in slack.calls_to("chat.postMessage") if c.json.get("thread_ts")]
    assert "Resolved after 3 min" in resolved.json["text"]


def test_a_restart_resumes_a_pending_job_into_its_thread(
    aws: None, slack_settings: Settings, slack: FakeSlack, seed_logs: Callable[..., int]
) -> None:
    import json

    from doctor.alerts import AlertJobs, parse_event
    from doctor.orchestrator import Doctor

    seed_logs("disk-full", count=150)
    settings = slack_settings.model_copy(update={"doctor_alert_token": SecretStr(ALERT_TOKEN)})
    died = Doctor(settings)  # the process that stored the job (202) and was stopped
    store = died.store()
    assert store is not None
    assert AlertJobs(store).add(parse_event(json.dumps(change("ALARM", 4)).encode()), "default")
    died.close()
    assert slack.calls_to("chat.postMessage") == []
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        settled(client, slack)
        assert slack.wait_for(lambda s: len(parents(s)) == 1, timeout=10)
        assert client.app.state.alert_jobs.pending() == []  # type: ignore[attr-defined]
    assert "disk_full" in str(parents(slack)[0].json["blocks"])
