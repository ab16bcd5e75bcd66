"""The history's tables (SQLAlchemy 2). Changes go through a migration in `migrations/`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


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

    __table_args__ = (
        UniqueConstraint("alarm_arn", "state", "changed_at", name="uq_alert_jobs_change"),
        Index("ix_alert_jobs_status", "status", "received_at"),
    )
