"""The EventBridge events the demo delivers (and the README documents) are what the doctor's
/alerts/aws accepts: the shape of AWS's "CloudWatch Alarm State Change" event reference."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rich.console import Console
from slack_sdk.web import WebClient

from doctor.alerts import parse_event
from doctor.cli import demo_alarm
from doctor.cli.demo_alarm import alarm_event, run_alarm_step
from doctor.cli.demo_slack import DEMO_CHANNEL, DemoSlack, SlackMessage, demo_slack
from doctor.errors import ConfigurationError
from doctor.notify.blocks import section

ROOT = Path(__file__).resolve().parents[3]
ALARM = {
    "alarm_arn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cloud-doctor-patient-errors",
    "alarm_name": "cloud-doctor-patient-errors",
    "metric_namespace": "CloudDoctor",
    "metric_name": "PatientErrorLines",
}
AWS_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")


def test_the_demos_events_are_aws_shaped_and_accepted() -> None:
    at = datetime(2026, 11, 26, 7, 0, 5, 123456, tzinfo=UTC)
    event = alarm_event(ALARM, state="ALARM", previous="OK", changed_at=at,
                        description="d", datapoints=(17.0, 23.0))  # fmt: skip
    assert set(event) == {"version", "id", "detail-type", "source", "account", "time", "region",
                          "resources", "detail"}  # fmt: skip
    assert (event["source"], event["detail-type"]) == (
        "aws.cloudwatch",
        "CloudWatch Alarm State Change",
    )
    assert (event["account"], event["region"], event["time"]) == (
        "123456789012",
        "us-east-1",
        "2026-11-26T07:00:05Z",
    )
    detail = event["detail"]
    assert set(detail) == {"alarmName", "state", "previousState", "configuration"}
    assert detail["state"]["timestamp"] == "2026-11-26T07:00:05.123+0000"
    for state in (detail["state"], detail["previousState"]):
        assert set(state) == {"value", "reason", "reasonData", "timestamp"}
        assert AWS_TIME.match(state["timestamp"])
        assert json.loads(state["reasonData"])["version"] == "1.0"
    [metric] = detail["configuration"]["metrics"]
    assert metric["metricStat"]["metric"]["name"] == "PatientErrorLines"
    assert "greater than or equal to the threshold (5)" in detail["state"]["reason"]

    parsed = parse_event(json.dumps(event).encode())
    assert parsed.alarm_arn == ALARM["alarm_arn"]
    assert parsed.detail.state.value == "ALARM"
    assert parsed.changed_at == at.replace(microsecond=123000)
    ok = alarm_event(ALARM, state="OK", previous="ALARM", changed_at=at,
                     description="d", datapoints=(0.0, 0.0))  # fmt: skip
    assert ok["id"] != event["id"]
    assert parse_event(json.dumps(ok).encode()).detail.previous_state is not None


def test_the_readmes_example_event_is_accepted() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n## Alarms\n") :]
    block = re.search(r"```json\n(.*?)\n```", section, re.DOTALL)
    assert block is not None
    event = parse_event(block[1].encode())
    assert event.detail.alarm_name == "cloud-doctor-patient-errors"
    assert event.alarm_arn.endswith(":alarm:cloud-doctor-patient-errors")


# --- the step itself, against a doctor that keeps the Slack contract (or does not, yet)


@contextmanager
def contract_doctor(slack: DemoSlack, token: str, *, follow_up: bool) -> Iterator[str]:
    """A stand-in for `cloud-doctor serve`'s /alerts/aws: checks the bearer token, answers 202,
    posts the parent on ALARM and, with `follow_up`, the resolved reply and parent update on
    OK, through the real WebClient, as issue 14's incident thread will."""
    web = WebClient(token=slack.token, base_url=slack.api_url, timeout=5)
    parents: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Authorization") != f"Bearer {token}":
                self.send_response(401)
                self.end_headers()
                return
            event = parse_event(body)
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
            if event.detail.state.value == "ALARM":
                answer = web.chat_postMessage(
                    channel=DEMO_CHANNEL, text="diagnosis", blocks=[section("*HIGH* · [/admin]")]
                )
                parents.append(str(answer["ts"]))
            elif follow_up:
                web.chat_postMessage(channel=DEMO_CHANNEL, thread_ts=parents[0],
                                     text=":white_check_mark: *Resolved after 3 min*")  # fmt: skip
                web.chat_update(channel=DEMO_CHANNEL, ts=parents[0], text="resolved",
                                blocks=[section("*RESOLVED* · [/admin]")])  # fmt: skip

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run_step(follow_up: bool, tmp_path: Path) -> tuple[str, list[SlackMessage]]:
    token = "a" * 43
    console = Console(record=True, width=120, color_system=None)
    with demo_slack() as slack, contract_doctor(slack, token, follow_up=follow_up) as base:
        messages = run_alarm_step(
            console, base=base, alert_token=token, alarm=ALARM, log_group="/aws/ec2/chaos-app",
            slack=slack, channel=DEMO_CHANNEL, doctor_log=tmp_path / "doctor.log",
        )  # fmt: skip
    return console.export_text(), messages


def test_the_step_shows_the_incident_thread(tmp_path: Path) -> None:
    out, messages = run_step(True, tmp_path)
    parent, reply = messages
    assert reply.thread_ts == parent.ts
    assert parent.edited
    assert f"diagnosis posted to {DEMO_CHANNEL} (thread ts {parent.ts})" in out
    assert "Resolved after … replied in the thread, parent marked resolved" in out
    assert f"{DEMO_CHANNEL} · ts {parent.ts} · edited" in out
    assert "RESOLVED · [/admin]" in out
    assert f"↳ reply · ts {reply.ts}" in out
    assert "Resolved after 3 min" in out
    assert "*" not in out[out.index(f"ts {parent.ts} · edited") :]  # mrkdwn stripped


def test_without_a_follow_up_the_step_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_alarm, "OK_WAIT_SECONDS", 0.3)
    out, messages = run_step(False, tmp_path)
    assert [m.thread_ts for m in messages] == [None]
    [notice] = [line for line in out.splitlines() if "Resolved after" in line]
    assert notice.startswith("! no 'Resolved after …' reply")
    assert "HIGH · [/admin]" in out


def test_a_refused_event_fails_the_demo_with_the_doctors_message(tmp_path: Path) -> None:
    console = Console(record=True, width=120, color_system=None)
    with (
        demo_slack() as slack,
        contract_doctor(slack, "b" * 43, follow_up=True) as base,
        pytest.raises(ConfigurationError, match=r"ALARM\) answered 401"),
    ):
        run_alarm_step(
            console, base=base, alert_token="not-the-token", alarm=ALARM, log_group="/g",
            slack=slack, channel=DEMO_CHANNEL, doctor_log=tmp_path / "doctor.log",
        )  # fmt: skip
