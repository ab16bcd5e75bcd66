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
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from doctor.alerts.jobs import Job
from doctor.store.schema import AlertJobRow, IncidentRow, utc

ALARM, OK = "ALARM", "OK"
# An incident whose OK never came (the alarm deleted, the OK in the dead-letter queue) gives
# way to a new one at the next ALARM rather than collecting replies for weeks.
MAX_INCIDENT_AGE = timedelta(hours=24)


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
    *,
    max_age: timedelta = MAX_INCIDENT_AGE,
) -> list[Touched]:
    """Apply `jobs` (one target's) in the order they happened; the incidents they touched.

    A change older than the last one seen of its alarm is stale (a delivery delayed by
    EventBridge's retries) and changes nothing: a late OK must not end an alarm that fired
    again since, nor a late ALARM reopen one that cleared."""
    folding = _Folding(incident, cleared_after, max_age)
    for job in sorted(jobs, key=lambda j: j.changed_at):
        folding.apply(job)
    return folding.touched


@dataclass
class _Folding:
    incident: Incident | None
    cleared_after: Callable[[str, datetime], datetime | None]
    max_age: timedelta
    touched: list[Touched] = field(default_factory=list)
    current: Touched | None = None

    def apply(self, job: Job) -> None:
        incident = self.incident
        live = incident is not None and incident.status == "open"
        if incident is not None and live and _stale(incident, job):
            return
        if job.state == ALARM:
            self._alarm(job)
        elif job.state == OK and incident is not None and live:
            if job.alarm_arn not in incident.alarms:
                return  # an alarm that never joined this incident cannot end it
            current = self._touch(incident)
            incident.alarms[job.alarm_arn].update(state=OK, at=_at(job))
            _resolve_if_over(current, job.changed_at)
        # INSUFFICIENT_DATA, and an OK with no open incident: recorded, nothing to say.

    def _touch(self, incident: Incident) -> Touched:
        if self.current is None or self.current.incident is not incident:
            self.current = Touched(incident)
            self.touched.append(self.current)
        return self.current

    def _alarm(self, job: Job) -> None:
        incident = self.incident
        too_old = incident is not None and job.changed_at - incident.opened_at > self.max_age
        if incident is not None and incident.status == "open" and too_old:
            incident.status = "expired"  # its OK was lost: a new incident begins
            self._touch(incident)
        if incident is None or incident.status != "open":
            incident = self.incident = Incident(uuid.uuid4().hex, job.target, job.changed_at, {})
            self.current = Touched(incident, opened=True)
            self.touched.append(self.current)
        current = self._touch(incident)
        name = alarm_name(job)
        incident.alarms[job.alarm_arn] = {"name": name, "state": ALARM, "at": _at(job)}
        if not current.opened and name not in current.joined:
            current.joined.append(name)
        if current.first_alarm_at is None or job.changed_at < current.first_alarm_at:
            current.first_alarm_at = job.changed_at
        cleared = self.cleared_after(job.alarm_arn, job.changed_at)
        if cleared is not None:  # its OK came first: the alarm is already over
            incident.alarms[job.alarm_arn].update(state=OK, at=cleared.isoformat())
            _resolve_if_over(current, cleared)


def _at(job: Job) -> str:
    return job.changed_at.astimezone(UTC).isoformat()


def _stale(incident: Incident, job: Job) -> bool:
    seen = incident.alarms.get(job.alarm_arn, {}).get("at")
    return seen is not None and datetime.fromisoformat(seen) >= job.changed_at


def _resolve_if_over(current: Touched, at: datetime) -> None:
    incident = current.incident
    if incident.status == "open" and not incident.alarming():
        incident.status, incident.resolved_at = "resolved", max(at, incident.opened_at)
        current.resolved = True


# --- the store


def open_incident(connection: Connection, target: str, *, lock: bool = False) -> Incident | None:
    """The target's open incident; `lock` holds its row to the end of the transaction
    (PostgreSQL; SQLite has one writer anyway)."""
    query = select(IncidentRow).where(IncidentRow.target == target, IncidentRow.status == "open")
    if lock:
        query = query.with_for_update()
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
    """When an alarm was already handled as OK after `when` (and stayed so): the time of its
    latest handled change after `when`, if that change is an OK."""

    def lookup(arn: str, when: datetime) -> datetime | None:
        query = (
            select(AlertJobRow.state, AlertJobRow.changed_at)
            .where(
                AlertJobRow.alarm_arn == arn,
                AlertJobRow.status != "pending",
                AlertJobRow.changed_at > when,
                AlertJobRow.state.in_([ALARM, OK]),
            )
            .order_by(AlertJobRow.changed_at.desc())
            .limit(1)
        )
        found = connection.execute(query).first()
        if found is None or found.state != OK:
            return None
        return utc(found.changed_at)

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
        opened_at=utc(row["opened_at"]),
        alarms=dict(row["alarms"]),
        status=row["status"],
        resolved_at=utc(row["resolved_at"]) if row["resolved_at"] else None,
        diagnosis_id=row["diagnosis_id"],
        diagnosed_at=utc(row["diagnosed_at"]) if row["diagnosed_at"] else None,
        channel=row["channel"],
        thread_ts=row["thread_ts"],
    )
