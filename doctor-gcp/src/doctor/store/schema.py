"""The history's tables (SQLAlchemy 2). Changes go through a migration in `migrations/`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


def utc(moment: datetime) -> datetime:
    """A datetime read back from a column: every one is written in UTC, and SQLite returns
    them without their zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class DiagnosisRow(Base):
    """One diagnosis: what was asked, what the logs held, and the answer as it was given."""

    __tablename__ = "diagnoses"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    target: Mapped[str | None] = mapped_column(String(64))
    log_group: Mapped[str | None] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    engine: Mapped[str] = mapped_column(String(16))
    duration_ms: Mapped[int] = mapped_column(Integer)
    prompt_tokens: Mapped[int] = mapped_column(Integer)
    output_tokens: Mapped[int] = mapped_column(Integer)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[dict[str, Any]] = mapped_column(JSON)  # patterns with counts, timeline
    response: Mapped[dict[str, Any]] = mapped_column(JSON)  # the AnalysisResponse

    __table_args__ = (
        # The listing's keyset order, overall and per target.
        Index("ix_diagnoses_created", "created_at", "id"),
        Index("ix_diagnoses_target_created", "target", "created_at", "id"),
    )


class CategoryRow(Base):
    """The categories of a diagnosis's issues, for `?category=`."""

    __tablename__ = "diagnosis_categories"

    diagnosis_id: Mapped[str] = mapped_column(
        ForeignKey("diagnoses.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(32), primary_key=True)

    __table_args__ = (Index("ix_diagnosis_categories_category", "category", "diagnosis_id"),)


class AlertJobRow(Base):
    """One alarm state change to diagnose: stored before the 202, so no alert is lost to a
    restart; the unique change (alarm, state, time) makes EventBridge's retries harmless."""

    __tablename__ = "alert_jobs"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    alarm_arn: Mapped[str] = mapped_column(String(2048))
    state: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    target: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # pending, done, failed
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    diagnosis_id: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    claimed_by: Mapped[str | None] = mapped_column(String(32))  # the instance handling it
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("alarm_arn", "state", "changed_at", name="uq_alert_jobs_change"),
        Index("ix_alert_jobs_status", "status", "received_at"),
    )


class IncidentRow(Base):
    """One incident of a target: opened by its first alarm in ALARM, joined by the alarms that
    fire while it is open, resolved when every one of them is OK again. At most one open
    incident per target (a partial unique index), so a storm of alarms is one Slack thread."""

    __tablename__ = "alert_incidents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    target: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # open, resolved
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    alarms: Mapped[dict[str, Any]] = mapped_column(JSON)  # alarm ARN -> {name, state}
    diagnosis_id: Mapped[str | None] = mapped_column(String(64))  # the latest
    diagnosed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str | None] = mapped_column(String(64))  # set once the parent is posted
    thread_ts: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        Index(
            "uq_alert_incidents_open",
            "target",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )


class SlackPostRow(Base):
    """The Slack outbox: a message is stored with the incident change that caused it and sent
    afterwards, in order per incident, retried with backoff until sent or too old."""

    __tablename__ = "alert_slack_posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(String(32), ForeignKey("alert_incidents.id"))
    kind: Mapped[str] = mapped_column(String(16))  # parent, reply, update
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ts: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (Index("ix_alert_slack_posts_status", "status", "next_at"),)
