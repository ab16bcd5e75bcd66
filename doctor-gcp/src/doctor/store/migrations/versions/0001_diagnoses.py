"""diagnoses and their categories

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "diagnoses",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("target", sa.String(64), nullable=True),
        sa.Column("log_group", sa.String(2048), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("engine", sa.String(16), nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("output_tokens", sa.Integer, nullable=False),
        sa.Column("cost_usd", sa.Float, nullable=True),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("digest", sa.JSON, nullable=False),
        sa.Column("response", sa.JSON, nullable=False),
    )
    op.create_index("ix_diagnoses_created", "diagnoses", ["created_at", "id"])
    op.create_index("ix_diagnoses_target_created", "diagnoses", ["target", "created_at", "id"])
    op.create_table(
        "diagnosis_categories",
        sa.Column(
            "diagnosis_id",
            sa.String(64),
            sa.ForeignKey("diagnoses.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("category", sa.String(32), primary_key=True),
    )
    op.create_index(
        "ix_diagnosis_categories_category", "diagnosis_categories", ["category", "diagnosis_id"]
    )


def downgrade() -> None:
    op.drop_table("diagnosis_categories")
    op.drop_table("diagnoses")
