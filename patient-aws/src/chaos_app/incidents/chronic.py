"""Chronic noise: what was already wrong, or merely noisy, long before the incident.

Every production log has it: a deprecation warning on every import of a module, scanners
probing for WordPress, a slow query, a third party that times out or throttles now and then,
a bug everyone knows about, bots guessing passwords, a migration's errors that stopped once
the fix was deployed. It starts near the beginning of the stream, runs at a steady rate, and
is often louder than the incident. Chronic errors have real categories; the stream leaves out
those of the incident's own root category, so that finding the category is finding the cause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chaos_app.events import Event, Fake
from chaos_app.incidents.healthy import hexid, nginx_access, order_id, route
from chaos_app.incidents.host import go_raw
from chaos_app.incidents.model import Role
from chaos_app.scenarios._kit import access, go_log, java_thread, jv, nginx, pg
from chaos_app.scenarios._stacks import PY_SITE, py_traceback, py_web_error

if TYPE_CHECKING:
    from chaos_app.incidents.timeline import Timeline


@dataclass(frozen=True)
class Chronic:
    name: str
    service: str
    category: str | None  # None: noise that is no failure at all
    rate: tuple[float, float]  # lines per second, low and high
    build: Callable[[Fake], Event | list[Event]]
    loud: bool = False  # benign and frequent
    stops: bool = False  # ended (a fix was deployed) before the incident began


def _deprecation(fake: Fake) -> Event:
    text = fake.choice(
        (
            f"{PY_SITE}/pydantic/_internal/_config.py:291: PydanticDeprecatedSince20: Support "
            "for class-based `config` is deprecated, use ConfigDict instead. Deprecated in "
            "Pydantic V2.0 to be removed in V3.0.",
            "/app/app/clock.py:14: DeprecationWarning: datetime.datetime.utcnow() is deprecated "
            "and scheduled for removal in a future version. Use timezone-aware objects to "
            "represent datetimes in UTC: datetime.datetime.now(datetime.UTC).",
        )
    )
    return Event("WARNING", "py.warnings", text)


def _scanner(fake: Fake) -> list[Event]:
    path = fake.choice(("/wp-login.php", "/.env", "/xmlrpc.php", "/phpmyadmin/index.php"))
    request = f'"GET {path} HTTP/1.1"'
    ip = fake.public_ip()
    host = "api.shop.example.com"
    error = nginx(
        "ERROR",
        "error",
        f'*{fake.integer(1000, 9_999_999)} open() "/usr/share/nginx/html{path}" failed '
        f"(2: No such file or directory), client: {ip}, server: {host}, request: {request}, "
        f'host: "{host}"',
        fake.integer(20, 40),
    )
    return [error, nginx_access(fake, 404, 0.0, ("GET", path))]


def _slow_query(fake: Fake) -> Event:
    return pg(  # a slow-query log line: the text of a query, not one being built
        "LOG",
        f"duration: {fake.integer(1000, 4800)}.{fake.integer(0, 999):03d} ms  statement: SELECT "  # noqa: S608
        "o.id, o.status, sum(i.price_cents) FROM orders o JOIN order_items i ON i.order_id = "
        f"o.id WHERE o.created_at > now() - interval '{fake.integer(7, 90)} days' GROUP BY o.id",
        fake.pid(),
    )


def _insecure(fake: Fake) -> Event:
    return Event(
        "WARNING",
        "py.warnings",
        f"{PY_SITE}/urllib3/connectionpool.py:1099: InsecureRequestWarning: Unverified HTTPS "
        "request is being made to host 'metrics.legacy.internal'. Adding certificate "
        "verification is strongly advised. See: "
        "https://urllib3.readthedocs.io/en/latest/advanced-usage.html#tls-warnings",
    )


def _geo_timeout(fake: Fake) -> Event:
    return Event(
        "WARNING",
        "app.enrich",
        f"geo enrichment skipped for order {order_id(fake)}: ReadTimeout: "
        "HTTPSConnectionPool(host='api.geoenrich.example.com', port=443): Read timed out. "
        "(read timeout=5)",
    )


def _mailer_429(fake: Fake) -> Event:
    attempt = fake.integer(1, 4)
    return Event(
        "WARNING",
        "app.notify",
        f"mailer responded 429 Too Many Requests (X-RateLimit-Remaining: 0), retrying in "
        f"{2**attempt}s (attempt {attempt}/5) message_id={fake.uuid()}",
    )


def _known_bug(fake: Fake) -> list[Event]:
    method, path = "GET", f"/api/v1/users/{fake.user_id()}/profile"
    logger, message, frames = py_web_error(fake, method, path)
    tb = py_traceback(
        [
            *frames,
            ("/app/accounts/views.py", 88, "profile", "return render_profile(user, request)"),
            ("/app/i18n/format.py", 41, "render_profile", 'lang = prefs["locale"]'),
        ],
        "KeyError: 'locale'",
    )
    return [
        Event("ERROR", logger, message, tb),
        access(fake, "python", method, path, 500, fake.latency_ms(5, 60)),
    ]


def _bot_login(fake: Fake) -> Event:
    user = fake.choice(("admin", "root", "test", "support"))
    return go_log(
        "WARNING",
        f"login failed reason=invalid_password user={user} remote={fake.public_ip()} "
        f"attempts={fake.integer(1, 40)}",
    )


def _psp_retry(fake: Fake) -> Event:
    return jv(
        "WARNING",
        "com.acme.payments.psp.PspClient",
        f"Retrying fraud score for order {order_id(fake)} (attempt 2/3) after "
        "java.net.SocketTimeoutException: Read timed out (host=score.fraudcheck.example.com)",
        java_thread(fake),
    )


def _tls_probe(fake: Fake) -> Event:
    # The load balancer's TLS health check opens a connection and closes it mid-handshake.
    return go_raw("INFO", f"http: TLS handshake error from {fake.private_ip()}:{fake.port()}: EOF")


def _missing_column(fake: Fake) -> list[Event]:
    pid = fake.pid()
    return [
        pg("ERROR", 'column "discount_code" does not exist at character 58', pid),
        pg(
            "STATEMENT",
            "SELECT id, total_cents, discount_code FROM orders WHERE customer_id = $1",
            pid,
            "ERROR",
        ),
    ]


def _lock_timeout(fake: Fake) -> list[Event]:
    pid = fake.pid()
    return [
        pg("ERROR", "canceling statement due to lock timeout", pid),
        pg(
            "STATEMENT",
            "UPDATE inventory SET reserved = reserved + 1 WHERE sku = "  # noqa: S608 - log text
            f"'SKU-{fake.integer(1000, 99999)}'",
            pid,
            "ERROR",
        ),
    ]


def _open_files(fake: Fake) -> Event:
    # A nightly export that opened a file per shard and never closed them; it has finished.
    tb = py_traceback(
        [
            (
                "/app/reports/export.py",
                fake.integer(40, 90),
                "write_shard",
                'out = open(path, "w")',
            ),
        ],
        f"OSError: [Errno 24] Too many open files: '/tmp/export-{hexid(fake, 8)}.csv'",
    )
    return Event("ERROR", "app.reports", "shard export failed", tb)


def _bad_schedule(fake: Fake) -> Event:
    # celery beat re-reads a schedule with a typo every minute, until someone fixes it.
    return Event(
        "ERROR",
        "celery.beat",
        "Cannot add entry 'cleanup-carts' to database schedule: ValueError(\"Invalid cron "
        "expression '*/0 * * * *': step must be positive\"). Contents: {'task': "
        "'carts.tasks.cleanup', 'schedule': '*/0 * * * *'}",
    )


def _endpoint_slow(fake: Fake) -> Event:
    method, path = route(fake)
    ms = fake.integer(1000, 2600)
    return Event("WARNING", "app.middleware", f"slow request: {method} {path} took {ms}ms")


POOL: tuple[Chronic, ...] = (
    Chronic("deprecation", "api", None, (0.08, 0.5), _deprecation, loud=True),
    Chronic("scanner-404", "gateway", None, (0.04, 0.25), _scanner, loud=True),
    Chronic("slow-query", "db", None, (0.03, 0.15), _slow_query, loud=True),
    Chronic("slow-request", "api", None, (0.03, 0.2), _endpoint_slow, loud=True),
    Chronic("insecure-request", "worker", "tls_certificate", (0.02, 0.2), _insecure),
    Chronic("tls-probe", "auth", "tls_certificate", (0.02, 0.1), _tls_probe),
    Chronic("geo-timeout", "worker", "timeout", (0.02, 0.15), _geo_timeout),
    Chronic("psp-retry", "payments", "timeout", (0.01, 0.08), _psp_retry),
    Chronic("mailer-429", "worker", "rate_limited", (0.02, 0.15), _mailer_429),
    Chronic("known-bug", "api", "application_exception", (0.005, 0.03), _known_bug),
    Chronic("bot-logins", "auth", "authentication_failure", (0.02, 0.15), _bot_login),
    Chronic("missing-column", "db", "database_error", (0.02, 0.1), _missing_column, stops=True),
    Chronic("lock-timeout", "db", "database_error", (0.01, 0.06), _lock_timeout, stops=True),
    Chronic("open-files", "worker", "resource_exhaustion", (0.01, 0.05), _open_files, stops=True),
    Chronic(
        "bad-schedule", "worker", "configuration_error", (0.015, 0.03), _bad_schedule, stops=True
    ),
)


def play(timeline: Timeline, *, avoid: str) -> list[Chronic]:
    """Two or three loud patterns, two to four chronic errors, one that stopped before onset."""
    fake = timeline.fake
    loud = [c for c in POOL if c.loud]
    errors = [c for c in POOL if c.category not in (None, avoid) and not c.stops]
    stopping = [c for c in POOL if c.stops and c.category != avoid]
    fake.rng.shuffle(loud)
    fake.rng.shuffle(errors)
    chosen = [
        *loud[: fake.integer(2, 3)],
        *errors[: fake.integer(2, 4)],
        fake.choice(stopping),
    ]
    onset = timeline.onset
    for pattern in chosen:
        begin = fake.rng.uniform(0, 0.08 * onset)
        stops = pattern.stops or fake.chance(0.15)
        end = fake.rng.uniform(0.45, 0.85) * onset if stops else timeline.length
        timeline.steady(
            pattern.service,
            begin,
            end,
            fake.rng.uniform(*pattern.rate),
            pattern.build,
            role=Role.CHRONIC,
            category=pattern.category,
        )
    return chosen
