"""Symptom lines several incidents share, in the words of the software that writes them.

nginx's upstream errors with their access lines, SQLAlchemy's pool and connection errors,
HikariCP's request timeout, Celery's retries and failures, an HTTP client's error in a Python
service. Values (ids, addresses, pids) come from the `Fake`, so no two lines are alike.
"""

from __future__ import annotations

from chaos_app.events import Event, Fake
from chaos_app.incidents.healthy import hexid, nginx_access, route
from chaos_app.scenarios._kit import (
    access,
    java_thread,
    jv,
    nginx,
    nginx_conn,
    nginx_request,
)
from chaos_app.scenarios._stacks import (
    CELERY_TASK_FRAMES,
    DISPATCHER,
    PY_SITE,
    SA_SESSION_FRAMES,
    java_stack,
    py_handler,
    py_traceback,
    py_web_error,
)
from chaos_app.scenarios.database_connection._postgres import python_connect_error

SQLA_TIMEOUT = "https://sqlalche.me/e/20/3o7r"

# What nginx writes for each way an upstream fails, and the status the client then gets.
GATEWAY_FAILURES = {
    "refused": ("connect() failed (111: Connection refused) while connecting to upstream", 502),
    "timeout": (
        "upstream timed out (110: Connection timed out) while reading response header from "
        "upstream",
        504,
    ),
    "no_live": ("no live upstreams while connecting to upstream", 502),
    "closed": (
        "upstream prematurely closed connection while reading response header from upstream",
        502,
    ),
}


def gateway_failure(fake: Fake, kind: str, upstream: str, path: tuple[str, str]) -> list[Event]:
    """nginx's error-log line for a failed proxied request, then its access line."""
    message, status = GATEWAY_FAILURES[kind]
    method, route = path
    tail = nginx_request(fake, method, route, None if kind == "no_live" else upstream)
    if kind == "no_live":
        tail = tail.replace(", host:", f', upstream: "http://api{route}", host:')
    seconds = 60.0 + fake.rng.uniform(0, 0.01) if kind == "timeout" else fake.rng.uniform(0, 0.01)
    return [
        nginx("ERROR", "error", f"{nginx_conn(fake)} {message}{tail}", fake.integer(20, 40)),
        nginx_access(fake, status, seconds, path, upstream),
    ]


def gateway_status(fake: Fake, status: int, upstream: str) -> Event:
    """An access line for a request the upstream answered with an error status."""
    return nginx_access(fake, status, fake.rng.uniform(0.002, 0.09), route(fake), upstream)


def sqlalchemy_pool_timeout(fake: Fake) -> list[Event]:
    """A request that waited 30 s for a pooled connection, its traceback, and the 500."""
    method, path = route(fake)
    logger, message, frames = py_web_error(fake, method, path)
    size = fake.choice((5, 10, 20))
    error = (
        f"sqlalchemy.exc.TimeoutError: QueuePool limit of size {size} overflow {size * 2} "
        f"reached, connection timed out, timeout 30.00 (Background on this error at: "
        f"{SQLA_TIMEOUT})"
    )
    tb = py_traceback(
        [
            *frames,
            py_handler(fake),
            *SA_SESSION_FRAMES[:2],
            (f"{PY_SITE}/sqlalchemy/pool/impl.py", 157, "_do_get", "raise exc.TimeoutError("),
        ],
        error,
    )
    return [
        Event("ERROR", logger, message, tb, fields={"request_id": hexid(fake, 16)}),
        access(fake, "python", method, path, 500, 30000 + fake.latency_ms(1, 90)),
    ]


def sqlalchemy_connect_error(fake: Fake, failure: str) -> list[Event]:
    """libpq's failure to connect, as a Python web service logs it (no retries)."""
    return python_connect_error(fake, failure, fake.integer(0, 1))


def hikari_timeout(fake: Fake, cause: str | None = None) -> list[Event]:
    """Spring: no connection within HikariCP's connectionTimeout; the request fails."""
    thread = java_thread(fake)
    unavailable = (
        "HikariPool-1 - Connection is not available, request timed out after 30000ms "
        f"(total={fake.integer(0, 2)}, active={fake.integer(0, 2)}, idle=0, "
        f"waiting={fake.integer(3, 60)})"
    )
    causes = [(cause, ["org.postgresql.Driver.connect(Driver.java:297)"], 14)] if cause else []
    stack = java_stack(
        f"java.sql.SQLTransientConnectionException: {unavailable}",
        [
            "com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)",
            "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)",
            "com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:100)",
            "com.acme.payments.ChargeRepository.save(ChargeRepository.java:57)",
        ],
        causes,
    )
    return [
        jv(
            "WARNING",
            "o.h.engine.jdbc.spi.SqlExceptionHelper",
            "SQL Error: 0, SQLState: 08001",
            thread,
        ),
        jv("ERROR", "o.h.engine.jdbc.spi.SqlExceptionHelper", unavailable, thread),
        jv(
            "ERROR",
            DISPATCHER,
            "Servlet.service() for servlet [dispatcherServlet] threw exception",
            thread,
            stack,
        ),
    ]


def celery_retry(fake: Fake, task: str, error: str, countdown: int) -> Event:
    return Event(
        "INFO",
        "celery.app.trace",
        f"Task {task}[{fake.uuid()}] retry: Retry in {countdown}s: {error}",
    )


def celery_failure(fake: Fake, task: str, error: str, final: str, frame: str) -> Event:
    """`Task ... raised unexpected: Error(...)` with the task's traceback."""
    tb = py_traceback(
        [
            *CELERY_TASK_FRAMES,
            (
                f"/app/{task.split('.', maxsplit=1)[0]}/tasks.py",
                fake.integer(20, 160),
                task.rsplit(".", maxsplit=1)[-1],
                frame,
            ),
        ],
        final,
    )
    return Event(
        "ERROR", "celery.app.trace", f"Task {task}[{fake.uuid()}] raised unexpected: {error}", tb
    )


def requests_http_error(status: int, phrase: str, url: str) -> str:
    """requests' `raise_for_status()` message: `403 Client Error: Forbidden for url: ...`."""
    side = "Client" if status < 500 else "Server"
    return f"{status} {side} Error: {phrase} for url: {url}"


def celery_http_failure(fake: Fake, task: str, status: int, phrase: str, url: str) -> Event:
    """A task whose call was answered with an error status and that let the HTTPError out."""
    message = requests_http_error(status, phrase, url)
    return celery_failure(
        fake,
        task,
        f"HTTPError('{message}')",
        f"requests.exceptions.HTTPError: {message}",
        "resp.raise_for_status()",
    )


def python_http_error(
    fake: Fake, logger: str, message: str, final: str, frame: str, status: int | None
) -> list[Event]:
    """A Python service's failed call to another service, and the status it answered with."""
    tb = py_traceback(
        [("/app/clients/http.py", fake.integer(20, 90), "call", frame)],
        final,
    )
    events = [Event("ERROR", logger, message, tb, fields={"request_id": hexid(fake, 16)})]
    if status is not None:
        method, path = route(fake)
        events.append(access(fake, "python", method, path, status, fake.latency_ms(1, 80)))
    return events
