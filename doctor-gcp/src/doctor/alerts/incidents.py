"""Incidents: what a target's alarm state changes add up to, one Slack thread each.

An incident opens with the first alarm of a target in ALARM; alarms of the same target that
fire while it is open join it (a storm is one incident, not a hundred); it is resolved when
every alarm that joined is OK again. `fold` is the pure part: it applies a batch of state
changes, in the order they happened, to the target's open incident. An OK that arrives before
its ALARM (EventBridge does not promise order) is found by `cleared_after`, so the incident it
ends is reported as already resolved rather than left open forever.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from doctor.alerts.jobs import Job
from doctor.store.schema import AlertJobRow, IncidentRow

ALARM, OK = "ALARM", "OK"


@dataclass
class Incident:
    id: str
    target: str
    opened_at: datetime
    alarms: dict[str, dict[str, str]]  # alarm ARN -> {"name", "state"}, in the order they joined
    status: str = "open"
    resolved_at: datetime | None = None
    diagnosis_id: str | None = None
    diagnosed_at: datetime | None = None
    channel: str | None = None
    thread_ts: str | None = None

    def names(self) -> list[str]:
        return [alarm["name"] for alarm in self.alarms.values()]

    def alarming(self) -> list[str]:
        return [alarm["name"] for alarm in self.alarms.values() if alarm["state"] == ALARM]


@dataclass
class Touched:
    """What one batch did to one incident."""

    incident: Incident
    opened: bool = False
    joined: list[str] = field(default_factory=list)  # names that (re)fired in this batch
    resolved: bool = False
    first_alarm_at: datetime | None = None  # the earliest ALARM of this batch


def alarm_name(job: Job) -> str:
    detail = job.event.get("detail") or {}
    name = detail.get("alarmName") if isinstance(detail, dict) else None
    return str(name or job.alarm_arn.rsplit(":", 1)[-1])


def fold(
    incident: Incident | None,
    jobs: list[Job],
    cleared_after: Callable[[str, datetime], datetime | None],
) -> list[Touched]:
    """Apply `jobs` (one target's) in the order they happened; the incidents they touched."""
    touched: list[Touched] = []
    current: Touched | None = None
    for job in sorted(jobs, key=lambda j: j.changed_at):
        if job.state == ALARM:
            if incident is None or incident.status != "open":
                incident = Incident(uuid.uuid4().hex, job.target, job.changed_at, {})
                current = Touched(incident, opened=True)
                touched.append(current)
            elif current is None or current.incident is not incident:
                current = Touched(incident)
                touched.append(current)
            name = alarm_name(job)
            incident.alarms[job.alarm_arn] = {"name": name, "state": ALARM}
            if not current.opened and name not in current.joined:
                current.joined.append(name)
            if current.first_alarm_at is None or job.changed_at < current.first_alarm_at:
                current.first_alarm_at = job.changed_at
            cleared = cleared_after(job.alarm_arn, job.changed_at)
            if cleared is not None:  # its OK came first: the alarm is already over
                incident.alarms[job.alarm_arn]["state"] = OK
                _resolve_if_over(current, cleared)
        elif job.state == OK and incident is not None and incident.status == "open":
            if job.alarm_arn not in incident.alarms:
                continue  # an alarm that never joined this incident cannot end it
            if current is None or current.incident is not incident:
                current = Touched(incident)
                touched.append(current)
            incident.alarms[job.alarm_arn]["state"] = OK
            _resolve_if_over(current, job.changed_at)
        # INSUFFICIENT_DATA, and an OK with no open incident: recorded, nothing to say.
    return touched


def _resolve_if_over(current: Touched, at: datetime) -> None:
    incident = current.incident
    if incident.status == "open" and not incident.alarming():
        incident.status, incident.resolved_at = "resolved", max(at, incident.opened_at)
        current.resolved = True


# --- the store


def open_incident(connection: Connection, target: str) -> Incident | None:
    query = select(IncidentRow).where(IncidentRow.target == target, IncidentRow.status == "open")
    row = connection.execute(query).mappings().first()
    return None if row is None else _incident(dict(row))


def get_incident(connection: Connection, incident_id: str) -> Incident | None:
    row = (
        connection.execute(select(IncidentRow).where(IncidentRow.id == incident_id))
        .mappings()
        .first()
    )
    return None if row is None else _incident(dict(row))


def cleared_after(connection: Connection) -> Callable[[str, datetime], datetime | None]:
    """The first OK of an alarm, later than `when`, that was already handled."""

    def lookup(arn: str, when: datetime) -> datetime | None:
        query = (
            select(AlertJobRow.changed_at)
            .where(
                AlertJobRow.alarm_arn == arn,
                AlertJobRow.state == OK,
                AlertJobRow.status == "done",
                AlertJobRow.changed_at > when,
            )
            .order_by(AlertJobRow.changed_at)
            .limit(1)
        )
        found = connection.execute(query).scalar_one_or_none()
        return None if found is None else _aware(found)

    return lookup


def save_incident(connection: Connection, touched: Touched) -> None:
    incident = touched.incident
    values: dict[str, Any] = {
        "target": incident.target,
        "status": incident.status,
        "opened_at": incident.opened_at,
        "resolved_at": incident.resolved_at,
        "alarms": incident.alarms,
        "diagnosis_id": incident.diagnosis_id,
        "diagnosed_at": incident.diagnosed_at,
    }
    if touched.opened:
        connection.execute(insert(IncidentRow), [{"id": incident.id, **values}])
    else:
        connection.execute(update(IncidentRow).where(IncidentRow.id == incident.id).values(values))


def set_thread(connection: Connection, incident_id: str, channel: str, ts: str) -> None:
    connection.execute(
        update(IncidentRow)
        .where(IncidentRow.id == incident_id)
        .values(channel=channel, thread_ts=ts)
    )


def _incident(row: dict[str, Any]) -> Incident:
    return Incident(
        id=row["id"],
        target=row["target"],
        opened_at=_aware(row["opened_at"]),
        alarms=dict(row["alarms"]),
        status=row["status"],
        resolved_at=_aware(row["resolved_at"]) if row["resolved_at"] else None,
        diagnosis_id=row["diagnosis_id"],
        diagnosed_at=_aware(row["diagnosed_at"]) if row["diagnosed_at"] else None,
        channel=row["channel"],
        thread_ts=row["thread_ts"],
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
