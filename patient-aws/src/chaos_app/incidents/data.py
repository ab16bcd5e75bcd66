"""Incidents in the data layer: the database's disk fills up, a password is rotated under a
running service (Redis's, PostgreSQL's)."""

from __future__ import annotations

from collections.abc import Callable

from chaos_app.events import Event, Fake
from chaos_app.incidents._lines import (
    celery_failure,
    celery_retry,
    gateway_failure,
    hikari_timeout,
    sqlalchemy_connect_error,
    sqlalchemy_pool_timeout,
)
from chaos_app.incidents.healthy import TASKS, hexid
from chaos_app.incidents.timeline import Timeline
from chaos_app.scenarios._kit import pg
from chaos_app.scenarios._stacks import PY_SITE, py_traceback

CONNECTION = "database_connection"
CHECKOUT = ("POST", "/api/v1/checkout")


def _db_ip(tl: Timeline) -> str:
    return tl.cast["db"].instances[0].ip


def _worker_db_failure(failure: str, exc: str) -> Callable[[Fake], Event]:
    """A Celery task that cannot reach the database: a retry, or its last failure."""

    def build(fake: Fake) -> Event:
        task = fake.choice(TASKS)[0]
        error = f"OperationalError({failure!r})"
        if fake.chance(0.7):
            return celery_retry(fake, task, error, fake.choice((10, 30, 60)))
        return celery_failure(fake, task, error, f"{exc}: {failure}", "with session_scope() as s:")

    return build


def _gateway_timeouts(tl: Timeline, t0: float, rate: float) -> None:
    def build(fake: Fake) -> list[Event]:
        return gateway_failure(fake, "timeout", tl.address("api", 8000), CHECKOUT)

    tl.steady("gateway", t0, tl.end, rate, build, category="timeout")


def db_disk_full(tl: Timeline) -> None:
    """PostgreSQL's volume fills: writes fail, the WAL cannot be written, the server PANICs and
    restarts into crash recovery, which keeps failing; clients are turned away meanwhile."""
    fake, t = tl.fake, tl.onset
    ip = _db_ip(tl)
    postmaster = 1
    for _ in range(fake.integer(1, 3)):
        pid = fake.pid()
        relation = f"base/{fake.integer(16384, 16400)}/{fake.integer(16400, 99999)}"
        tl.root(
            t,
            "db",
            pg("ERROR", f'could not extend file "{relation}": No space left on device', pid),
            "disk_full",
        )
        tl.root(t + 0.0003, "db", pg("HINT", "Check free disk space.", pid, "ERROR"), "disk_full")
        t += fake.rng.uniform(0.05, 0.8)
    walwriter = fake.pid()
    crash = [
        pg(
            "PANIC",
            f'could not write to file "pg_wal/xlogtemp.{walwriter}": No space left on device',
            walwriter,
        ),
        pg(
            "LOG",
            f"WAL writer process (PID {walwriter}) was terminated by signal 6: Aborted",
            postmaster,
        ),
        pg("LOG", "terminating any other active server processes", postmaster),
        pg("LOG", "all server processes terminated; reinitializing", postmaster),
        pg(
            "LOG",
            "database system was interrupted; last known up at "
            f"{tl.moment(t - 300):%Y-%m-%d %H:%M:%S} UTC",
            fake.pid(),
        ),
        pg(
            "LOG",
            "database system was not properly shut down; automatic recovery in progress",
            fake.pid(),
        ),
    ]
    for event in crash:
        tl.root(t, "db", event, "disk_full")
        t += fake.rng.uniform(0.001, 0.2)
    # Crash recovery needs WAL space too: it fails again, now and then, until someone acts.
    retry = t
    for _ in range(fake.integer(2, 3)):
        retry += fake.rng.uniform(120, 300)
        startup = fake.pid()
        tl.root(
            retry,
            "db",
            pg(
                "PANIC",
                f'could not write to file "pg_wal/xlogtemp.{startup}": No space left on device',
                startup,
            ),
            "disk_full",
        )
        tl.root(
            retry + 0.01,
            "db",
            pg(
                "LOG",
                f"startup process (PID {startup}) was terminated by signal 6: Aborted",
                postmaster,
            ),
            "disk_full",
        )
    failure = (
        f'connection to server at "{ip}", port 5432 failed: FATAL:  the database system is in '
        "recovery mode\n"
    )
    tl.steady(
        "db",
        t,
        tl.end,
        fake.rng.uniform(0.5, 1.2),
        lambda f: pg("FATAL", "the database system is in recovery mode", f.pid()),
        category=CONNECTION,
    )
    tl.steady(
        "api",
        t + fake.rng.uniform(0.2, 2),
        tl.end,
        fake.rng.uniform(0.25, 0.6),
        lambda f: sqlalchemy_connect_error(f, failure),
        category=CONNECTION,
    )
    worker = _worker_db_failure(failure, "psycopg2.OperationalError")
    tl.steady(
        "worker",
        t + fake.rng.uniform(1, 5),
        tl.end,
        fake.rng.uniform(0.1, 0.35),
        worker,
        category=CONNECTION,
    )
    cause = "org.postgresql.util.PSQLException: FATAL: the database system is in recovery mode"
    tl.steady(
        "payments",
        t + fake.rng.uniform(1, 4),
        tl.end,
        fake.rng.uniform(0.1, 0.3),
        lambda f: hikari_timeout(f, cause if f.chance(0.5) else None),
        category=CONNECTION,
    )
    _gateway_timeouts(tl, t + 30 + fake.rng.uniform(0, 3), fake.rng.uniform(0.1, 0.3))


def _redis_auth_error(fake: Fake, wrongpass: bool) -> Event:
    reply = (
        "WRONGPASS invalid username-password pair or user is disabled."
        if wrongpass
        else "NOAUTH Authentication required."
    )
    tb = py_traceback(
        [
            ("/app/cache/store.py", fake.integer(20, 90), "get", "raw = await self.redis.get(key)"),
            (
                f"{PY_SITE}/redis/asyncio/connection.py",
                318,
                "on_connect",
                "auth_response = await self.read_response()",
            ),
            (
                f"{PY_SITE}/redis/asyncio/connection.py",
                582,
                "read_response",
                "raise response from None",
            ),
        ],
        f"redis.exceptions.AuthenticationError: {reply}",
    )
    key = f"{fake.choice(('session', 'cart', 'price'))}:{hexid(fake, 12)}"
    return Event("ERROR", "app.cache", f"cache read failed for {key}, falling back to database", tb)


def redis_password_rotated(tl: Timeline) -> None:
    """Redis's password is rotated; the API's cache client still has the old one, so its
    circuit breaker bypasses the cache and every read lands on PostgreSQL, whose connection
    slots run out."""
    fake, t = tl.fake, tl.onset
    wrongpass = fake.chance(0.6)
    replicas = len(tl.cast["api"].instances)
    for _ in range(fake.integer(3, 6)):
        tl.root(t, "api", _redis_auth_error(fake, wrongpass), "authentication_failure")
        t += fake.rng.uniform(0.01, 0.4)
    breaker = Event(
        "WARNING",
        "app.cache",
        "cache circuit opened after 5 consecutive errors; bypassing cache for 60s",
    )
    for instance in range(replicas):
        tl.root(t + instance * 0.05, "api", breaker, "authentication_failure", instance=instance)
    probe = t
    for _ in range(fake.integer(3, 6)):  # the breaker half-opens now and then: one more error
        probe += fake.rng.uniform(60, 150)
        tl.root(probe, "api", _redis_auth_error(fake, wrongpass), "authentication_failure")
    ip = _db_ip(tl)
    tl.steady(
        "api",
        t + fake.rng.uniform(3, 10),
        tl.end,
        fake.rng.uniform(0.15, 0.35),
        sqlalchemy_pool_timeout,
        category=CONNECTION,
    )
    too_many = fake.choice(
        (
            "sorry, too many clients already",
            "remaining connection slots are reserved for roles with the SUPERUSER attribute",
        )
    )
    tl.steady(
        "db",
        t + fake.rng.uniform(1, 4),
        tl.end,
        fake.rng.uniform(0.8, 2.0),
        lambda f: pg("FATAL", too_many, f.pid()),
        category=CONNECTION,
    )
    failure = f'connection to server at "{ip}", port 5432 failed: FATAL:  {too_many}\n'
    worker = _worker_db_failure(failure, "psycopg2.OperationalError")
    tl.steady(
        "worker",
        t + fake.rng.uniform(2, 8),
        tl.end,
        fake.rng.uniform(0.15, 0.4),
        worker,
        category=CONNECTION,
    )
    _gateway_timeouts(tl, t + 30 + fake.rng.uniform(3, 10), fake.rng.uniform(0.2, 0.5))


def postgres_password_rotated(tl: Timeline) -> None:
    """The application role's password is changed in PostgreSQL but not in the services'
    secret: connections already open keep working, new ones are refused, and the pools run
    dry as old connections are retired."""
    fake, t = tl.fake, tl.onset
    admin = fake.pid()
    tl.root(
        t,
        "db",
        pg("LOG", f"statement: ALTER ROLE app WITH PASSWORD '{fake.password()}'", admin, "INFO"),
        "authentication_failure",
    )
    hba = fake.choice(
        (
            'Connection matched file "/var/lib/postgresql/data/pg_hba.conf" line 128: '
            '"host all all all scram-sha-256"',
            'Connection matched pg_hba.conf line 99: "host all all 10.0.0.0/8 md5"',
        )
    )
    t += fake.rng.uniform(0.5, 4)
    t0 = t
    attempts = fake.integer(4, 9)
    for n in range(attempts):
        pid = fake.pid()
        tl.root(
            t,
            "db",
            pg("FATAL", 'password authentication failed for user "app"', pid),
            "authentication_failure",
        )
        tl.root(t + 0.0002, "db", pg("DETAIL", hba, pid, "ERROR"), "authentication_failure")
        t += fake.rng.uniform(0.2, 3) if n < 3 else fake.rng.uniform(30, 120)
    start = t0 + fake.rng.uniform(1, 4)  # the first connections retired find no way back
    tl.steady(
        "api",
        start,
        tl.end,
        fake.rng.uniform(0.3, 0.8),
        sqlalchemy_pool_timeout,
        category=CONNECTION,
    )
    tl.steady(
        "payments",
        start + fake.rng.uniform(0, 20),
        tl.end,
        fake.rng.uniform(0.1, 0.3),
        hikari_timeout,
        category=CONNECTION,
    )
    size = fake.choice((5, 10))
    pool_error = (
        f"QueuePool limit of size {size} overflow {size * 2} reached, connection timed out, "
        "timeout 30.00"
    )

    def worker(f: Fake) -> Event:
        task = f.choice(TASKS)[0]
        return celery_retry(f, task, f"TimeoutError({pool_error!r})", f.choice((10, 30)))

    tl.steady(
        "worker",
        start + fake.rng.uniform(0, 10),
        tl.end,
        fake.rng.uniform(0.1, 0.3),
        worker,
        category=CONNECTION,
    )
    _gateway_timeouts(tl, start + 30, fake.rng.uniform(0.1, 0.35))
