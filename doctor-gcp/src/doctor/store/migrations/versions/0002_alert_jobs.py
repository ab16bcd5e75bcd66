"""alert jobs: one per CloudWatch alarm state change, kept until diagnosed

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "alert_jobs",
        sa.Column("event_id", sa.String(128), primary_key=True),
        sa.Column("alarm_arn", sa.String(2048), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("diagnosis_id", sa.String(64), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("event", sa.JSON, nullable=False),
        sa.UniqueConstraint("alarm_arn", "state", "changed_at", name="uq_alert_jobs_change"),
    )
    op.create_index("ix_alert_jobs_status", "alert_jobs", ["status", "received_at"])


def downgrade() -> None:
    op.drop_table("alert_jobs")
