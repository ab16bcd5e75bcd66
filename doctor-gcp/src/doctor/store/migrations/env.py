"""Alembic's environment: run on the connection the Store hands over (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from doctor.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
