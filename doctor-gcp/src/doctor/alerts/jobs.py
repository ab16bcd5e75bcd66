"""Alert jobs in the history database: stored before the 202, done once.

A job is keyed by the event id, and the change it reports (alarm, state, time) is unique too:
EventBridge's retries and a duplicate delivery of the same change find the job already there,
and nothing more happens. Pending jobs survive a restart and are resumed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from doctor.alerts.event import AlarmEvent
from doctor.errors import StoreError
from doctor.store import Store
from doctor.store.schema import AlertJobRow, utc


@dataclass(frozen=True, slots=True)
class Job:
    event_id: str
    target: str
    state: str
    changed_at: datetime
    alarm_arn: str
    event: dict[str, Any]


class AlertJobs:
    def __init__(self, store: Store) -> None:
        self._store = store

    def add(self, event: AlarmEvent, target: str) -> Job | None:
        """The new job, or None when this event or this change is already known."""
        self._store.migrate()
        payload = json.loads(event.model_dump_json(by_alias=True))
        row = {
            "event_id": event.id,
            "alarm_arn": event.alarm_arn,
            "state": event.detail.state.value,
            "changed_at": event.changed_at.astimezone(UTC),
            "target": target,
            "status": "pending",
            "received_at": datetime.now(UTC),
            "attempts": 0,
            "event": payload,
        }
        try:
            with self._store.begin() as connection:
                connection.execute(insert(AlertJobRow), [row])
        except IntegrityError:
            return None
        except SQLAlchemyError as exc:
            raise StoreError(
                "The alert could not be stored", hint="Check DOCTOR_DATABASE_URL."
            ) from exc
        return _job(row)

    def pending(self, *, unclaimed: bool = False) -> list[Job]:
        """Jobs not handled yet; `unclaimed`: only those no live instance holds (a lease that
        ended is a dead instance's)."""
        self._store.migrate()
        query = select(AlertJobRow).where(AlertJobRow.status == "pending")
        if unclaimed:
            now = datetime.now(UTC)
            query = query.where(
                or_(AlertJobRow.lease_until.is_(None), AlertJobRow.lease_until < now)
            )
        with self._store.engine.connect() as connection:
            rows = connection.execute(query.order_by(AlertJobRow.received_at)).mappings().all()
        return [_job(dict(row)) for row in rows]

    def claim(self, jobs: list[Job], owner: str, lease: timedelta) -> list[Job]:
        """The jobs this instance may handle now: pending, and no other live instance's."""
        now = datetime.now(UTC)
        ids = [job.event_id for job in jobs]
        with self._store.begin() as connection:
            connection.execute(
                update(AlertJobRow)
                .where(
                    AlertJobRow.event_id.in_(ids),
                    AlertJobRow.status == "pending",
                    or_(
                        AlertJobRow.lease_until.is_(None),
                        AlertJobRow.lease_until < now,
                        AlertJobRow.claimed_by == owner,
                    ),
                )
                .values(claimed_by=owner, lease_until=now + lease)
            )
            mine = set(
                connection.execute(
                    select(AlertJobRow.event_id).where(
                        AlertJobRow.event_id.in_(ids),
                        AlertJobRow.claimed_by == owner,
                        AlertJobRow.status == "pending",
                    )
                ).scalars()
            )
        return [job for job in jobs if job.event_id in mine]

    def release(self, jobs: list[Job], *, failed_attempt: bool = False) -> int:
        """Give the jobs back (pending, no lease); `failed_attempt` counts a try. Returns
        the most attempts any of them has had."""
        ids = [job.event_id for job in jobs]
        values: dict[str, Any] = {"claimed_by": None, "lease_until": None}
        if failed_attempt:
            values["attempts"] = AlertJobRow.attempts + 1
        with self._store.begin() as connection:
            connection.execute(
                update(AlertJobRow).where(AlertJobRow.event_id.in_(ids)).values(values)
            )
            most = connection.execute(
                select(func.max(AlertJobRow.attempts)).where(AlertJobRow.event_id.in_(ids))
            ).scalar_one_or_none()
        return int(most or 0)

    @property
    def store(self) -> Store:
        return self._store

    def finish(self, event_id: str, *, status: str, diagnosis_id: str | None = None) -> None:
        with self._store.begin() as connection:
            finish(connection, [event_id], status=status, diagnosis_id=diagnosis_id)


def finish(
    connection: Connection, event_ids: list[str], *, status: str, diagnosis_id: str | None = None
) -> None:
    """Mark jobs done or failed, inside the caller's transaction (with what they caused)."""
    change = (
        update(AlertJobRow)
        .where(AlertJobRow.event_id.in_(event_ids))
        .values(
            status=status,
            diagnosis_id=diagnosis_id,
            attempts=AlertJobRow.attempts + 1,
            claimed_by=None,
            lease_until=None,
        )
    )
    connection.execute(change)


def _job(row: dict[str, Any]) -> Job:
    return Job(
        event_id=row["event_id"],
        target=row["target"],
        state=row["state"],
        changed_at=utc(row["changed_at"]),
        alarm_arn=row["alarm_arn"],
        event=row["event"],
    )
