"""The history store, on a SQLite file and on a real PostgreSQL server alike."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from doctor.errors import InvalidParameter
from doctor.models import AnalysisResponse
from doctor.store import Store
from doctor.store.store import HEAD, MIGRATIONS
from tests.doctor_gcp.notify.reports import T0, make_issue, make_response


def _stored(
    store: Store, minute: int, *, target: str | None = "payments", issue: int = 1
) -> AnalysisResponse:
    response = make_response([make_issue(issue)])
    response.id = uuid.uuid4().hex
    response.timestamp = T0 + timedelta(minutes=minute)
    response.summary = response.summary.model_copy(update={"target": target})
    store.save(response, request={"target": target}, digest={"patterns": []})
    return response


def test_a_saved_diagnosis_comes_back_exactly(store: Store) -> None:
    saved = _stored(store, 0)
    assert store.get(saved.id) == saved
    assert store.get(uuid.uuid4().hex) is None


def test_pages_run_newest_first_and_the_cursor_visits_each_once(store: Store) -> None:
    ids = [_stored(store, minute).id for minute in range(25)]
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = store.page(limit=10, cursor=cursor)
        seen += [item.id for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == list(reversed(ids))


def test_filters_by_target_time_and_category(store: Store) -> None:
    old = _stored(store, 0, target="payments", issue=1)
    new = _stored(store, 60, target="payments", issue=2)
    other = _stored(store, 61, target="search", issue=1)
    assert [i.id for i in store.page(target="payments").items] == [new.id, old.id]
    since = T0 + timedelta(minutes=30)
    assert [i.id for i in store.page(since=since).items] == [other.id, new.id]
    category = old.analysis.issues[0].category.value
    assert [i.id for i in store.page(category=category).items] == [other.id, old.id]


def test_latest_is_the_targets_most_recent_with_its_digest(store: Store) -> None:
    _stored(store, 0)
    last = _stored(store, 5)
    _stored(store, 9, target="search")
    found = store.latest("payments")
    assert found is not None
    assert found.response.id == last.id
    assert found.digest == {"patterns": []}
    assert store.latest("nobody") is None


def test_a_cursor_that_was_not_given_out_is_refused(store: Store) -> None:
    with pytest.raises(InvalidParameter, match="cursor"):
        store.page(cursor="not-a-cursor")


def test_sqlite_runs_in_wal_mode_and_migrating_twice_is_harmless(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    first, second = Store(url), Store(url)
    first.migrate()
    second.migrate()
    with first._engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    first.close()
    second.close()


def test_head_is_alembics_head() -> None:
    """The store skips Alembic when the database is at HEAD: HEAD must be Alembic's own."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


def test_a_database_behind_head_is_still_upgraded(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    old = Store(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with old.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")  # a history written by the first release
    old.close()
    store = Store(url)
    store.migrate()
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        assert inspect(connection).has_table("alert_incidents")  # 0003's table
    store.close()


def test_a_folder_that_cannot_be_created_is_a_store_error_naming_it(tmp_path: Path) -> None:
    from doctor.errors import StoreError

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as caught:
        Store(f"sqlite:///{blocker / 'sub' / 'history.sqlite3'}")
    assert str(blocker / "sub") in caught.value.message
    assert "DOCTOR_DATABASE_URL" in caught.value.hint
