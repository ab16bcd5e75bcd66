"""alert job claims: which instance is handling a job, until when

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Several instances share one database (Cloud Run scales out; a rollout runs two
    # revisions): a job is handled by the instance that claimed it, until its lease ends.
    with op.batch_alter_table("alert_jobs") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(32), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_jobs") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("claimed_by")
