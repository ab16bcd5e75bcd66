"""Healthy background traffic: what the workload logs while nothing is wrong.

Mostly access lines and business events at INFO, some DEBUG (cache, pool stats), a little
benign WARNING noise (a slow request, a deprecated setting). Never an ERROR: every error in a
run comes from a labelled scenario burst, so the doctor's findings can be checked against them.
"""

from __future__ import annotations

from collections.abc import Callable

from chaos_app.events import Event, Fake, Style
from chaos_app.scenarios._kit import RUNTIMES, access, endpoint, go_log, jv, pg

# What a healthy API answers, by method: mostly success, some redirects and cache hits, the
# odd 404 from a stale link.
OK_STATUSES = {
    "GET": (200, 200, 200, 200, 200, 301, 304, 304, 404),
    "POST": (201, 201, 201, 200),
    "PUT": (200, 200, 204),
    "DELETE": (204, 204, 404),
}


def _access(fake: Fake) -> Event:
    method, path = endpoint(fake)
    status = fake.choice(OK_STATUSES[method])
    return access(fake, fake.choice(RUNTIMES), method, path, status, fake.latency_ms(2, 400))


def _health_check(fake: Fake) -> Event:
    # The load balancer's target health check, every few seconds on every instance.
    return access(fake, fake.choice(RUNTIMES), "GET", "/healthz", 200, fake.latency_ms(0.3, 4))


def _order_created(fake: Fake) -> Event:
    items = fake.integer(1, 6)
    return Event(
        "INFO",
        "app.orders",
        "order created",
        fields={
            "order_id": fake.order_id(),
            "user_id": fake.user_id(),
            "items": items,
            "total_cents": items * fake.integer(499, 12999),
            "request_id": fake.request_id(),
            "trace_id": fake.trace_id(),
        },
    )


def _payment_captured(fake: Fake) -> Event:
    return go_log(
        "INFO",
        f"payment captured order_id={fake.order_id()} amount_cents={fake.integer(499, 90000)} "
        f"currency=USD provider_latency={fake.integer(80, 900)}ms",
    )


def _cache(fake: Fake) -> Event:
    key = f"{fake.choice(('product', 'price', 'session', 'cart'))}:{fake.hex(10)}"
    if fake.chance(0.8):
        return Event("DEBUG", "app.cache", f"cache hit key={key}")
    return Event(
        "DEBUG", "app.cache", f"cache miss key={key}, loaded in {fake.latency_ms(1, 40)}ms"
    )


def _job_finished(fake: Fake) -> Event:
    task = fake.choice(
        ("reports.tasks.nightly_rollup", "billing.tasks.send_invoice", "catalog.tasks.sync_prices")
    )
    seconds = fake.latency_ms(20, 9000) / 1000
    return Event(
        "INFO",
        "celery.app.trace",
        f"Task {task}[{fake.uuid()}] succeeded in {seconds:.3f}s: None",
    )


def _pool_stats(fake: Fake) -> Event:
    total = fake.choice((10, 20))
    active = fake.integer(0, total // 2)
    return jv(
        "DEBUG",
        "com.zaxxer.hikari.pool.HikariPool",
        f"HikariPool-1 - Pool stats (total={total}, active={active}, idle={total - active}, "
        "waiting=0)",
        "HikariPool-1 housekeeper",
    )


def checkpoint_complete(fake: Fake) -> str:
    """PostgreSQL's checkpoint report: buffers written, WAL files recycled, the timings."""
    buffers = fake.integer(20, 9000)
    write = fake.integer(1000, 27000) / 1000
    return (
        f"checkpoint complete: wrote {buffers} buffers ({buffers / 163.84:.1f}%); 0 WAL file(s) "
        f"added, 0 removed, {fake.integer(0, 3)} recycled; write={write:.3f} s, "
        f"sync={fake.integer(1, 90) / 1000:.3f} s, total={write + 0.1:.3f} s"
    )


def _checkpoint(fake: Fake) -> Event:
    return pg(
        "LOG",
        f"{checkpoint_complete(fake)}; "
        f"sync files={fake.integer(3, 80)}, longest=0.00{fake.integer(1, 9)} s, average=0.001 s; "
        f"distance={fake.integer(100, 90000)} kB, estimate={fake.integer(90000, 99000)} kB",
        fake.integer(30, 90),
    )


def _slow_request(fake: Fake) -> Event:
    method, path = endpoint(fake)
    ms = fake.integer(1000, 2600)
    return Event(
        "WARNING",
        "app.middleware",
        f"slow request: {method} {path.split('?')[0]} took {ms}ms",
        fields={"latency_ms": ms, "request_id": fake.request_id(), "path": path.split("?")[0]},
    )


def _deprecated_setting(fake: Fake) -> Event:
    old, new = fake.choice(
        (
            ("CACHE_TTL", "CACHE_TTL_SECONDS"),
            ("DB_POOL", "DB_POOL_SIZE"),
            ("SENTRY_DSN", "ERROR_DSN"),
        )
    )
    return Event(
        "WARNING",
        "py.warnings",
        f"/app/app/config.py:{fake.integer(20, 60)}: DeprecationWarning: {old!r} is deprecated, "
        f"use {new!r}\n  warnings.warn(",
    )


def _session_started(fake: Fake) -> Event:
    session = fake.integer(2, 900)
    return Event(
        "INFO",
        "systemd[1]",
        f"Started session-{session}.scope - Session {session} of User ssm-user.",
        style=Style.KERNEL,
        fields={"host": fake.hostname()},
    )


# (weight, builder): access lines dominate, as in any web workload's logs.
_MIX: tuple[tuple[int, Callable[[Fake], Event]], ...] = (
    (40, _access),
    (10, _health_check),
    (8, _order_created),
    (5, _payment_captured),
    (10, _cache),
    (5, _job_finished),
    (4, _pool_stats),
    (2, _checkpoint),
    (3, _slow_request),
    (1, _deprecated_setting),
    (1, _session_started),
)
_TOTAL = sum(weight for weight, _ in _MIX)


def healthy_event(fake: Fake) -> Event:
    """One background event, drawn from the weighted mix."""
    pick = fake.integer(1, _TOTAL)
    for weight, build in _MIX:
        pick -= weight
        if pick <= 0:
            return build(fake)
    raise AssertionError("unreachable: weights cover the range")  # pragma: no cover
