"""The error a Python web service logs when it cannot get a PostgreSQL session, with
tenacity's retries before it and a 500 after: db-outage and db-pool-exhausted both end in it."""

from __future__ import annotations

from chaos_app.events import Event, Fake
from chaos_app.scenarios._kit import (
    Fields,
    access,
    endpoint,
)
from chaos_app.scenarios._stacks import (
    SA_CONNECT_FRAMES,
    SA_SESSION_FRAMES,
    SQLA_OPERATIONAL,
    py_chain,
    py_handler,
    py_traceback,
    py_web_error,
)


def python_connect_error(fake: Fake, failure: str, retries: int) -> list[Event]:
    """tenacity retry warnings, then the web framework's unhandled-exception line, then a 500."""
    wrapped = (
        f"(psycopg2.OperationalError) {failure}\n(Background on this error at: {SQLA_OPERATIONAL})"
    )
    events = [
        Event(
            "WARNING",
            "app.db",
            (
                f"Retrying app.db.session_scope in {delay} seconds as it raised "
                f"OperationalError: {wrapped}."
            ),
        )
        for delay in (0.5, 1.0, 2.0)[:retries]
    ]
    method, path = endpoint(fake)
    logger, message, frames = py_web_error(fake, method, path)
    cause = py_traceback(SA_CONNECT_FRAMES, f"psycopg2.OperationalError: {failure}")
    effect = py_traceback(
        [*frames, py_handler(fake), *SA_SESSION_FRAMES, *SA_CONNECT_FRAMES],
        f"sqlalchemy.exc.OperationalError: {wrapped}",
    )
    fields: Fields = {"request_id": fake.request_id(), "path": path.split("?")[0]}
    events.append(Event("ERROR", logger, message, py_chain(cause, effect), fields=fields))
    events.append(access(fake, "python", method, path, 500, fake.latency_ms(900, 6000)))
    return events
