"""The alarm step of `cloud-doctor demo`: an alarm fires, the doctor answers in Slack.

The bootstrap has created the alarm path of infra/terraform/aws/alarms.tf in the emulator
(metric filter, alarm, EventBridge rule, connection, API destination). moto stores rules but
delivers no events, so this step plays EventBridge: it POSTs the API destination's request, the
exact "CloudWatch Alarm State Change" event AWS documents, to the doctor's /alerts/aws with the
connection's `Authorization: Bearer <DOCTOR_ALERT_TOKEN>`: first ALARM, then OK. The doctor
diagnoses in the background and posts to Slack (the demo's stand-in unless a real Slack is
configured), where the incident is one thread: the diagnosis as parent, "Resolved after …" as
reply, the parent edited to resolved.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from doctor.cli.demo_slack import DemoSlack, SlackMessage, thread_panel
from doctor.cli.options import step
from doctor.errors import ConfigurationError

ALARM_WAIT_SECONDS = 60.0  # the background diagnosis of the alarm's window
OK_WAIT_SECONDS = 15.0  # an OK needs no diagnosis: only two Slack calls
RESOLVED = "Resolved after"
# The alarm's settings as the bootstrap creates them (variables.tf's defaults).
THRESHOLD, PERIOD_SECONDS, EVALUATION_PERIODS = 5.0, 60, 2
INCIDENT_MINUTES = 3  # how long ago the demo's alarm fired, so the reply has a duration


def alarm_event(
    alarm: Mapping[str, str],
    *,
    state: str,
    previous: str,
    changed_at: datetime,
    description: str,
    datapoints: tuple[float, ...],
) -> dict[str, Any]:
    """The event EventBridge delivers for a state change of `alarm` (the bootstrap's alarm
    output: alarm_arn, alarm_name, metric_namespace, metric_name), shaped as in AWS's event
    reference ("Alarm events and EventBridge", single metric alarm)."""
    _, _, _, region, account, _ = alarm["alarm_arn"].split(":", 5)
    previous_at = changed_at - timedelta(minutes=INCIDENT_MINUTES)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": changed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [alarm["alarm_arn"]],
        "detail": {
            "alarmName": alarm["alarm_name"],
            "state": _state(state, changed_at, datapoints),
            "previousState": _state(previous, previous_at, ()),
            "configuration": {
                "metrics": [
                    {
                        "id": str(uuid.uuid4()),
                        "metricStat": {
                            "metric": {
                                "namespace": alarm["metric_namespace"],
                                "name": alarm["metric_name"],
                                "dimensions": {},
                            },
                            "period": PERIOD_SECONDS,
                            "stat": "Sum",
                        },
                        "returnData": True,
                    }
                ],
                "description": description,
            },
        },
    }


def _aws_time(moment: datetime) -> str:
    """CloudWatch's own timestamp format in alarm events: milliseconds and +0000."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _state(value: str, at: datetime, datapoints: tuple[float, ...]) -> dict[str, str]:
    start = at - timedelta(seconds=PERIOD_SECONDS * EVALUATION_PERIODS)
    values = ", ".join(f"{v:g} ({start + timedelta(minutes=i):%d/%m/%y %H:%M:00})" for i, v in
                       enumerate(datapoints))  # fmt: skip
    crossed = (
        "was greater than or equal to" if value == "ALARM" else "was not greater than or equal to"
    )
    reason = (
        f"Threshold Crossed: {len(datapoints)} out of the last {EVALUATION_PERIODS} datapoints "
        f"[{values}] {crossed} the threshold ({THRESHOLD:g}) (minimum {EVALUATION_PERIODS} "
        f"datapoints for {'OK -> ALARM' if value == 'ALARM' else 'ALARM -> OK'} transition)."
        if datapoints
        else "Unchecked: Initial alarm creation"
    )
    reason_data = {
        "version": "1.0",
        "queryDate": _aws_time(at),
        "startDate": _aws_time(start),
        "statistic": "Sum",
        "period": PERIOD_SECONDS,
        "recentDatapoints": list(datapoints),
        "threshold": THRESHOLD,
    }
    return {
        "value": value,
        "reason": reason,
        "reasonData": json.dumps(reason_data, separators=(",", ":")),
        "timestamp": _aws_time(at),
    }


def post_event(base: str, alert_token: str, event: Mapping[str, Any]) -> httpx.Response:
    """The API destination's request: POST, JSON body, the connection's Authorization."""
    return httpx.post(
        f"{base}/alerts/aws",
        content=json.dumps(event),
        headers={"Authorization": f"Bearer {alert_token}", "Content-Type": "application/json"},
        timeout=10,
    )


def run_alarm_step(
    console: Console,
    *,
    base: str,
    alert_token: str,
    alarm: Mapping[str, str],
    log_group: str,
    slack: DemoSlack | None,
    channel: str,
    doctor_log: Path,
) -> list[SlackMessage]:
    """ALARM, the parent in Slack, OK, the resolved reply: what the stand-in holds after."""
    description = (
        f"Error lines in {log_group}: Cloud Doctor diagnoses on ALARM and follows up on OK."
    )
    fired = datetime.now(UTC) - timedelta(minutes=INCIDENT_MINUTES)
    alarm_on = alarm_event(alarm, state="ALARM", previous="OK", changed_at=fired,
                           description=description, datapoints=(17.0, 23.0))  # fmt: skip
    _post(console, base, alert_token, alarm_on, doctor_log)
    if slack is None:
        console.print(step(f"the doctor posts the diagnosis to Slack channel {channel}"))
        _post(console, base, alert_token, _ok(alarm, description), doctor_log)
        return []
    with console.status(
        f"The doctor diagnoses the alarm in the background (≤ {ALARM_WAIT_SECONDS:g} s) …"
    ):
        if not slack.wait_for(lambda ms: any(_is_parent(m) for m in ms), ALARM_WAIT_SECONDS):
            raise ConfigurationError(
                f"The doctor did not post the alarm's diagnosis within {ALARM_WAIT_SECONDS:g} s.",
                hint=f"See {doctor_log}.",
            )
    [parent] = [m for m in slack.messages() if _is_parent(m)][:1]
    console.print(step(f"diagnosis posted to {channel} (thread ts {parent.ts})"))
    _post(console, base, alert_token, _ok(alarm, description), doctor_log)
    with console.status("Waiting for the doctor to resolve the incident in its thread …"):
        resolved = slack.wait_for(lambda ms: _resolved(ms, parent.ts), OK_WAIT_SECONDS)
    if resolved:
        console.print(step(f"{RESOLVED} … replied in the thread, parent marked resolved"))
    else:
        console.print(
            step(
                f"no '{RESOLVED} …' reply and parent update in the thread within "
                f"{OK_WAIT_SECONDS:g} s (this doctor does not follow up on OK yet)",
                mark="!",
                style="yellow",
            )
        )
    messages = slack.messages()
    console.print(thread_panel(messages, title=f"Slack {channel} (the demo's stand-in)"))
    return messages


def _ok(alarm: Mapping[str, str], description: str) -> dict[str, Any]:
    return alarm_event(alarm, state="OK", previous="ALARM", changed_at=datetime.now(UTC),
                       description=description, datapoints=(0.0, 0.0))  # fmt: skip


def _post(
    console: Console, base: str, token: str, event: Mapping[str, Any], doctor_log: Path
) -> None:
    state = event["detail"]["state"]["value"]
    response = post_event(base, token, event)
    if response.status_code != 202:
        try:
            error = response.json().get("error", {})
        except ValueError:  # not the doctor's JSON
            error = {}
        raise ConfigurationError(
            f"POST /alerts/aws ({state}) answered {response.status_code}: "
            f"{error.get('message', '?')}",
            hint=f"See {doctor_log}.",
        )
    console.print(step(f"POST /alerts/aws, {state} event {event['id'][:8]}… → 202 accepted"))


def _is_parent(message: SlackMessage) -> bool:
    return message.thread_ts is None


def _resolved(messages: list[SlackMessage], parent_ts: str) -> bool:
    replied = any(m.thread_ts == parent_ts and RESOLVED in m.text for m in messages)
    edited = any(m.ts == parent_ts and m.edited for m in messages)
    return replied and edited
