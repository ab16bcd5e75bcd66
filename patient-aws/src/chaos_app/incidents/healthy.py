"""What each service logs while nothing is wrong: INFO traffic, in each software's own words.

The gateway's access log, the API's uvicorn access lines and business events, Celery's task
lines, the Go auth service's request log, Spring's payment lines, PostgreSQL's connection and
checkpoint lines, Redis's background saves. Symptoms reuse `nginx_access` and `celery_task` so
that a failing request reads like a healthy one with another status.
"""

from __future__ import annotations

from collections.abc import Callable

from chaos_app.events import Event, Fake
from chaos_app.healthy import OK_STATUSES, checkpoint_complete
from chaos_app.incidents.cast import Runtime
from chaos_app.scenarios._kit import (
    DB_NAMES,
    TABLES,
    USER_AGENTS,
    access,
    go_duration,
    go_log,
    java_thread,
    jv,
    pg,
)

Builder = Callable[[Fake], Event]

# (task name, typical seconds): the worker's Celery tasks.
TASKS = (
    ("orders.tasks.capture_payment", 0.6),
    ("orders.tasks.send_confirmation", 0.2),
    ("billing.tasks.render_invoice", 1.8),
    ("catalog.tasks.sync_prices", 3.5),
    ("shipping.tasks.book_label", 0.9),
)


def hexid(fake: Fake, length: int) -> str:
    """`length` random hex digits in one draw (ids, hashes, container ids)."""
    return f"{fake.rng.getrandbits(4 * length):0{length}x}"


def order_id(fake: Fake) -> str:
    return f"ord_{hexid(fake, 12)}"


_ROUTES: tuple[Callable[[Fake], tuple[str, str]], ...] = (
    lambda f: ("GET", f"/api/v1/orders/{order_id(f)}"),
    lambda f: ("POST", "/api/v1/orders"),
    lambda f: ("POST", "/api/v1/checkout"),
    lambda f: ("GET", f"/api/v1/products?page={f.integer(1, 40)}&limit=50"),
    lambda f: ("PUT", f"/api/v1/cart/{f.uuid()}"),
    lambda f: ("GET", f"/api/v1/users/{f.user_id()}/profile"),
    lambda f: ("DELETE", f"/api/v1/cart/{f.uuid()}/items/{f.integer(1, 9)}"),
)


def route(fake: Fake) -> tuple[str, str]:
    """A (method, path) of the workload's own API; only the chosen one's ids are drawn."""
    return fake.choice(_ROUTES)(fake)


def nginx_access(
    fake: Fake,
    status: int | None = None,
    seconds: float | None = None,
    method_path: tuple[str, str] | None = None,
    upstream: str | None = None,
) -> Event:
    """One access-log line; shapes render it as nginx's `main` format with timings, or as the
    JSON `log_format` (the fields are the variables nginx would log)."""
    method, path = method_path or route(fake)
    code = status if status is not None else fake.choice(OK_STATUSES[method])
    took = seconds if seconds is not None else fake.latency_ms(2, 600) / 1000
    level = "ERROR" if code >= 500 else "INFO"  # shippers map 5xx access lines to error
    return Event(
        level,
        "nginx.access",
        f'"{method} {path} HTTP/1.1" {code}',
        fields={
            "remote_addr": fake.public_ip(),
            "method": method,
            "path": path,
            "status": code,
            "bytes": 0 if code in (204, 304) else fake.integer(120, 48000),
            "user_agent": fake.choice(USER_AGENTS),
            "request_time": round(took, 3),
            "upstream": upstream or f"{fake.private_ip()}:8000",
            "upstream_time": "-" if code == 502 else f"{max(0.0, took - 0.001):.3f}",
        },
    )


def _api(fake: Fake) -> Event:
    pick = fake.integer(1, 10)
    if pick <= 7:
        method, path = route(fake)
        status = fake.choice(OK_STATUSES[method])
        return access(fake, "python", method, path, status, fake.latency_ms(2, 400))
    if pick <= 9:
        items = fake.integer(1, 6)
        return Event(
            "INFO",
            "app.orders",
            "order created",
            fields={
                "order_id": order_id(fake),
                "user_id": fake.user_id(),
                "items": items,
                "total_cents": items * fake.integer(499, 12999),
                "request_id": hexid(fake, 16),
            },
        )
    return Event("INFO", "app.auth", f"session refreshed user_id={fake.user_id()}")


def celery_task(fake: Fake, task: str | None = None) -> Event:
    name, typical = (task, 1.0) if task else fake.choice(TASKS)
    if fake.chance(0.5):
        return Event("INFO", "celery.worker.strategy", f"Task {name}[{fake.uuid()}] received")
    took = typical * fake.rng.uniform(0.3, 2.5)
    return Event(
        "INFO", "celery.app.trace", f"Task {name}[{fake.uuid()}] succeeded in {took:.3f}s: None"
    )


def _auth(fake: Fake) -> Event:
    if fake.chance(0.7):
        path, status = fake.choice(
            (("/oauth/token", 200), ("/oauth/introspect", 200), ("/.well-known/jwks.json", 200))
        )
        return go_log(
            "INFO",
            f"request method={'GET' if 'jwks' in path else 'POST'} path={path} status={status} "
            f"duration={go_duration(fake.latency_ms(0.4, 30))} remote={fake.private_ip()}",
        )
    client = fake.choice(("api", "worker", "payments", "web"))
    return go_log(
        "INFO", f"token issued sub=svc-{client} client_id={client} ttl=15m0s kid={hexid(fake, 8)}"
    )


def _payments(fake: Fake) -> Event:
    thread = java_thread(fake)
    if fake.chance(0.5):
        return jv(
            "INFO",
            "com.acme.payments.ChargeService",
            f"Charge ch_{hexid(fake, 14)} captured for order {order_id(fake)} "
            f"amount={fake.integer(499, 90000)} currency=USD "
            f"psp_latency_ms={fake.integer(80, 900)}",
            thread,
        )
    method, status = fake.choice((("POST", 201), ("GET", 200), ("POST", 200)))
    path = "/v1/charges" if method == "POST" else f"/v1/charges/ch_{hexid(fake, 14)}"
    return jv(
        "INFO",
        "com.acme.payments.web.RequestLogFilter",
        f"{method} {path} {status} {fake.integer(8, 400)}ms",
        thread,
    )


def _db(fake: Fake) -> Event:
    pid = fake.pid()
    pick = fake.integer(1, 20)
    if pick <= 8:
        return pg("LOG", f"connection received: host={fake.private_ip()} port={fake.port()}", pid)
    if pick <= 16:
        app = fake.choice(("api", "worker", "payments"))
        return pg(
            "LOG",
            f"connection authorized: user=app database={fake.choice(DB_NAMES)} "
            f"application_name={app}",
            pid,
        )
    if pick <= 18:
        table = fake.choice(TABLES)
        return pg(
            "LOG",
            f'automatic vacuum of table "orders.public.{table}": index scans: 1\n'
            f"\tpages: 0 removed, {fake.integer(100, 90000)} remain, "
            f"{fake.integer(10, 900)} scanned (1.2% of total)\n"
            f"\ttuples: {fake.integer(10, 9000)} removed, {fake.integer(1000, 900000)} remain, "
            "0 are dead but not yet removable",
            pid,
        )
    return pg("LOG", checkpoint_complete(fake), fake.integer(30, 90))


def redis_line(message: str, mark: str = "*", level: str = "INFO") -> Event:
    """Redis's own log: `1:M 01 Jan 2026 00:00:01.123 * message`; `#` marks a warning."""
    return Event(level, "redis", message, fields={"mark": mark})


def _cache(fake: Fake) -> Event:
    child = fake.integer(100, 9000)
    return fake.choice(
        (
            redis_line(f"{fake.choice((100, 10000))} changes in 300 seconds. Saving..."),
            redis_line(f"Background saving started by pid {child}"),
            redis_line("DB saved on disk"),
            redis_line(
                f"Fork CoW for RDB: current {fake.integer(0, 9)} MB, peak {fake.integer(1, 9)} "
                "MB, average 0 MB"
            ),
            redis_line("Background saving terminated with success"),
        )
    )


BY_RUNTIME: dict[Runtime, Builder] = {
    Runtime.NGINX: nginx_access,
    Runtime.PYTHON: _api,
    Runtime.CELERY: celery_task,
    Runtime.GO: _auth,
    Runtime.JAVA: _payments,
    Runtime.POSTGRES: _db,
    Runtime.REDIS: _cache,
}
