"""The history store on both databases it supports: a SQLite file, and a real PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from doctor.store import Store
from tests.doctor_gcp.store.postgres import MISSING, binaries, postgres_server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if binaries() is None:
        if os.environ.get("CI"):
            pytest.fail(MISSING)  # CI installs it: missing there is a broken setup, not a skip
        pytest.skip(MISSING)
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = Store(url)
    opened.migrate()
    if request.param == "postgresql":  # one server for the session: each test starts empty
        with opened._engine.begin() as connection:
            connection.exec_driver_sql(
                "TRUNCATE diagnoses, alert_jobs, alert_incidents, alert_slack_posts CASCADE"
            )
    yield opened
    opened.close()
