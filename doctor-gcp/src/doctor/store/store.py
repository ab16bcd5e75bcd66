"""The history: every diagnosis, kept in SQLite (a file, no setup) or PostgreSQL.

`DOCTOR_DATABASE_URL` picks the database (SQLAlchemy URL); unset, a SQLite file under the
user's data directory. The schema is Alembic's (`migrations/`), brought to head when the store
opens. Listing is keyset-paginated on (created_at, id), newest first: a page costs the same at
the 10,000th diagnosis as at the first. Every call is blocking: callers keep it off the loop.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    event,
    insert,
    inspect,
    make_url,
    select,
    text,
    tuple_,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from doctor.errors import InvalidParameter, StoreError
from doctor.models import MAX_HISTORY_PAGE, AnalysisResponse
from doctor.store.schema import CategoryRow, DiagnosisRow, utc

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
# Migration files are named after their revision ("0004_….py"): the newest is the head.
HEAD = max(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))
MAX_PAGE = MAX_HISTORY_PAGE
CONNECT_TIMEOUT_SECONDS = 5


@dataclass(frozen=True, slots=True)
class Page:
    items: list[AnalysisResponse]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class Previous:
    response: AnalysisResponse
    digest: dict[str, Any]


class Store:
    """One database; build once per process, `close()` once."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = _engine(url)
        self._migrated = False
        self._migrating = threading.Lock()  # Alembic's context is module-global: one at a time
        # SQLite has one writer; its busy handler sleeps 1, 2, 5 ... 100 ms between tries, so
        # this process's writers queue on a lock instead (an alert ack waits ~0.1 ms, not 50).
        self._write_lock: threading.Lock | None = (
            threading.Lock() if url.startswith("sqlite") else None
        )

    @property
    def engine(self) -> Engine:
        """For the store's other tables (alert jobs); call `migrate()` first."""
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction (commit on success, rollback on error)."""
        if self._write_lock is None:
            with self._engine.begin() as connection:
                yield connection
            return
        with self._write_lock, self._engine.begin() as connection:
            yield connection

    def migrate(self) -> None:
        """Bring the schema to the newest migration (idempotent)."""
        if self._migrated:
            return
        with self._migrating:
            if not self._migrated:
                self._upgrade()

    def _upgrade(self) -> None:
        try:
            if self._revision() != HEAD:
                # Only when the schema must change: importing Alembic costs ~0.3 s, which
                # every CLI run would pay for nothing.
                from alembic import command
                from alembic.config import Config

                config = Config()
                config.set_main_option("script_location", str(MIGRATIONS))
                with self._engine.begin() as connection:
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
        except SQLAlchemyError as exc:
            raise _failed("open", exc) from exc
        self._migrated = True

    def _revision(self) -> str | None:
        with self._engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def save(
        self,
        response: AnalysisResponse,
        *,
        request: dict[str, Any],
        digest: dict[str, Any],
    ) -> None:
        self.migrate()
        summary = response.summary
        row = {
            "id": response.id,
            "created_at": response.timestamp.astimezone(UTC),
            "target": summary.target,
            "log_group": summary.log_group,
            "status": response.status,
            "severity": response.analysis.severity.value,
            "engine": summary.engine,
            "duration_ms": summary.duration_ms,
            "prompt_tokens": summary.prompt_tokens,
            "output_tokens": summary.output_tokens,
            "cost_usd": summary.cost_usd,
            "request": request,
            "digest": digest,
            "response": json.loads(response.model_dump_json()),
        }
        tags = [
            {"diagnosis_id": response.id, "category": c} for c in response.analysis.categories()
        ]
        try:
            # Core inserts, one transaction: the ORM's unit of work is not needed to append.
            with self.begin() as connection:
                connection.execute(insert(DiagnosisRow), [row])
                if tags:
                    connection.execute(insert(CategoryRow), tags)
        except SQLAlchemyError as exc:
            raise _failed("write", exc) from exc

    def get(self, diagnosis_id: str) -> AnalysisResponse | None:
        found = self.stored(diagnosis_id)
        return found.response if found is not None else None

    def stored(self, diagnosis_id: str) -> Previous | None:
        """A diagnosis with the digest summary kept beside it (the report page draws both)."""
        self.migrate()
        try:
            with Session(self._engine) as session:
                row = session.get(DiagnosisRow, diagnosis_id)
                if row is None:
                    return None
                return Previous(AnalysisResponse.model_validate(row.response), row.digest)
        except SQLAlchemyError as exc:
            raise _failed("read", exc) from exc

    def latest(self, target: str) -> Previous | None:
        """The target's most recent diagnosis, with its digest summary."""
        self.migrate()
        query = (
            select(DiagnosisRow)
            .where(DiagnosisRow.target == target)
            .order_by(DiagnosisRow.created_at.desc(), DiagnosisRow.id.desc())
            .limit(1)
        )
        try:
            with Session(self._engine) as session:
                row = session.scalars(query).first()
                if row is None:
                    return None
                return Previous(AnalysisResponse.model_validate(row.response), row.digest)
        except SQLAlchemyError as exc:
            raise _failed("read", exc) from exc

    def page(
        self,
        *,
        target: str | None = None,
        since: datetime | None = None,
        category: str | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page:
        """Diagnoses newest first, filtered; `next_cursor` continues after the last one."""
        self.migrate()
        query = select(DiagnosisRow.response, DiagnosisRow.created_at, DiagnosisRow.id)
        if target is not None:
            query = query.where(DiagnosisRow.target == target)
        if since is not None:
            query = query.where(DiagnosisRow.created_at >= since.astimezone(UTC))
        if category is not None:
            query = query.where(
                DiagnosisRow.id.in_(
                    select(CategoryRow.diagnosis_id).where(CategoryRow.category == category)
                )
            )
        if cursor is not None:
            at, last_id = _decode(cursor)
            query = query.where(tuple_(DiagnosisRow.created_at, DiagnosisRow.id) < (at, last_id))
        limit = max(1, min(limit, MAX_PAGE))
        query = query.order_by(DiagnosisRow.created_at.desc(), DiagnosisRow.id.desc())
        try:
            with Session(self._engine) as session:
                rows = session.execute(query.limit(limit + 1)).all()
        except SQLAlchemyError as exc:
            raise _failed("read", exc) from exc
        items = [AnalysisResponse.model_validate(row[0]) for row in rows[:limit]]
        more = len(rows) > limit
        last = rows[limit - 1] if more else None
        return Page(items, _encode(last[1], last[2]) if last is not None else None)


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            folder = Path(database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError:
                raise StoreError(
                    f"The history's folder {str(folder)!r} cannot be created.",
                    hint="Point DOCTOR_DATABASE_URL (or XDG_DATA_HOME) at a writable place, or "
                    "set DOCTOR_HISTORY=false.",
                ) from None
        engine = create_engine(url, connect_args={"timeout": CONNECT_TIMEOUT_SECONDS})

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _: Any) -> None:
            # WAL: readers never wait for the writer; foreign keys are off by default in SQLite.
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


def _encode(created_at: datetime, diagnosis_id: str) -> str:
    raw = json.dumps([utc(created_at).isoformat(), diagnosis_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, diagnosis_id = json.loads(raw)
        return datetime.fromisoformat(at).astimezone(UTC), str(diagnosis_id)
    except (ValueError, TypeError, binascii.Error):
        raise InvalidParameter(
            "The cursor is not one this doctor gave out.",
            hint="Pass the next_cursor of a previous page unchanged, or leave it out.",
        ) from None


def _failed(what: str, exc: SQLAlchemyError) -> StoreError:
    log.warning("history %s failed: %s: %s", what, type(exc).__name__, exc)
    return StoreError(
        f"The history database could not {what} ({type(exc).__name__})",
        hint="Check DOCTOR_DATABASE_URL and that the database is reachable.",
    )
