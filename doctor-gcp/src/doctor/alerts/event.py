"""The EventBridge envelope of a "CloudWatch Alarm State Change" event, read strictly.

Shape (AWS's event reference): `{"version", "id", "detail-type": "CloudWatch Alarm State
Change", "source": "aws.cloudwatch", "account", "time", "region", "resources": [alarm ARN],
"detail": {"alarmName", "state": {"value", "reason", "timestamp"}, "previousState": {...}}}`.
Anything else is a 400 that says which field is wrong; the payload is never echoed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from doctor.errors import InputError

ALARM_ARN = r"^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.{1,255}$"


class AlarmState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    value: Literal["ALARM", "OK", "INSUFFICIENT_DATA"]
    reason: str = Field(default="", max_length=4096)
    timestamp: datetime


class AlarmDetail(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    alarm_name: str = Field(alias="alarmName", min_length=1, max_length=255)
    state: AlarmState
    previous_state: AlarmState | None = Field(default=None, alias="previousState")


class AlarmEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str = Field(min_length=1, max_length=128)
    detail_type: Literal["CloudWatch Alarm State Change"] = Field(alias="detail-type")
    source: Literal["aws.cloudwatch"]
    account: str = Field(pattern=r"^\d{12}$")
    time: datetime
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    resources: list[str] = Field(min_length=1, max_length=10)
    detail: AlarmDetail

    @property
    def alarm_arn(self) -> str:
        return self.resources[0]

    @property
    def changed_at(self) -> datetime:
        stamp = self.detail.state.timestamp
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def parse_event(body: bytes) -> AlarmEvent:
    """The event in `body`, or InputError (400) naming what is wrong."""
    try:
        event = AlarmEvent.model_validate_json(body)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
            for err in exc.errors(include_input=False, include_url=False)[:5]
        )
        raise InputError(
            f"Not a CloudWatch Alarm State Change event: {problems}",
            hint="Point an EventBridge rule for 'CloudWatch Alarm State Change' at this URL "
            "(see the README's alarm section for the payload).",
        ) from None
    if not event.alarm_arn.startswith("arn:") or ":alarm:" not in event.alarm_arn:
        raise InputError(
            "The event's resources[0] is not a CloudWatch alarm ARN.",
            hint="Send the EventBridge event unchanged (no input transformer).",
        )
    return event
