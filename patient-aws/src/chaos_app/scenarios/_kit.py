"""Shared values and line builders: access lines, and each software's own log-line shape.

The `Style`-specific helpers keep the scenario modules short: a PostgreSQL, logback, Go, Node,
nginx or syslog line is one call with the fields that software's renderer needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Literal

from chaos_app.events import Event, Fake, Style

Runtime = Literal["python", "java", "go", "node"]
RUNTIMES: tuple[Runtime, ...] = ("python", "java", "go", "node")

# (service, port): the internal dependencies the workload calls.
SERVICES = (
    ("payments", 8080),
    ("inventory", 8080),
    ("pricing", 9000),
    ("shipping", 8000),
    ("users", 3000),
    ("notifications", 8080),
)
DB_NAMES = ("orders", "app", "shop", "billing")
TABLES = ("orders", "order_items", "inventory", "payments", "customers", "shipments")
USER_AGENTS = (
    "okhttp/4.12.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
    "axios/1.6.8",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0.0.0",
)


def go_duration(ms: float) -> str:
    """time.Duration.String(): 1.503s, 87.2ms, 950µs."""
    if ms >= 1000:
        return f"{ms / 1000:.6f}".rstrip("0").rstrip(".") + "s"
    if ms >= 1:
        return f"{ms:.6f}".rstrip("0").rstrip(".") + "ms"
    return f"{ms * 1000:.3f}".rstrip("0").rstrip(".") + "µs"


def java_thread(fake: Fake) -> str:
    """A Tomcat request thread: Spring MVC serves each request on one."""
    return f"http-nio-8080-exec-{fake.integer(1, 200)}"


def service(fake: Fake) -> tuple[str, int]:
    return fake.choice(SERVICES)


def endpoint(fake: Fake) -> tuple[str, str]:
    """A (method, path) of the workload's own API, with ids filled in."""
    return fake.choice(
        (
            ("GET", f"/api/v1/orders/{fake.order_id()}"),
            ("POST", "/api/v1/orders"),
            ("POST", "/api/v1/checkout"),
            ("GET", f"/api/v1/products?page={fake.integer(1, 40)}&limit=50"),
            ("PUT", f"/api/v1/cart/{fake.uuid()}"),
            ("GET", f"/api/v1/users/{fake.user_id()}/profile"),
            ("DELETE", f"/api/v1/cart/{fake.uuid()}/items/{fake.integer(1, 9)}"),
        )
    )


def access(
    fake: Fake,
    runtime: Runtime,
    method: str,
    path: str,
    status: int,
    latency_ms: float,
    *,
    flags: str = "-",
    upstream: tuple[str, int] | None = None,
) -> Event:
    """The access-log line the runtime's usual HTTP stack writes for one request.

    Java services here sit behind an Envoy sidecar (Spring Boot has no access log by default),
    so their requests are seen in Envoy's access log; `flags` are Envoy's response flags.
    """
    phrase = HTTPStatus(status).phrase
    client = f"{fake.private_ip()}:{fake.port()}"
    if runtime == "python":
        # uvicorn logs every request at INFO, whatever the status.
        return Event(
            "INFO", "uvicorn.access", f'{client} - "{method} {path} HTTP/1.1" {status} {phrase}'
        )
    if runtime == "go":
        # chi's middleware.Logger format.
        host = f"api.{fake.choice(('shop', 'store', 'orders'))}.internal"
        size = fake.integer(0, 2048)
        return Event(
            "INFO",
            "http",
            f'"{method} http://{host}{path} HTTP/1.1" from {client} - {status} {size}B '
            f"in {go_duration(latency_ms)}",
            style=Style.GO,
        )
    if runtime == "node":
        # pino-http: one structured line per request, error level for 5xx.
        level = "ERROR" if status >= 500 else "WARNING" if status >= 400 else "INFO"
        return Event(
            level,
            "http",
            "request errored" if status >= 500 else "request completed",
            style=Style.NODE,
            native_level={"ERROR": "error", "WARNING": "warn", "INFO": "info"}[level],
            fields={
                "request_id": fake.uuid(),
                "method": method,
                "path": path,
                "status": status,
                "latency_ms": round(latency_ms),
            },
        )
    upstream_time = "-" if flags != "-" else str(max(1, round(latency_ms) - fake.integer(0, 3)))
    name, port = upstream or service(fake)
    return Event(
        "INFO",
        "envoy.access",
        f'"{method} {path} HTTP/1.1" {status} {flags} {fake.integer(0, 900)} '
        f"{fake.integer(19, 4000)} {round(latency_ms)} {upstream_time} "
        f'"{fake.public_ip()}" "{fake.choice(USER_AGENTS)}" "{fake.uuid()}" '
        f'"{name}.internal" "{fake.private_ip()}:{port}"',
    )


def kernel_prefix(fake: Fake) -> str:
    """rsyslog keeps the kernel's own uptime stamp on some distributions, not on others."""
    if fake.chance(0.5):
        return ""
    return f"[{fake.integer(10_000, 9_000_000)}.{fake.integer(0, 999_999):06d}] "


Fields = dict[str, str | int | float]

# PostgreSQL severities; DETAIL / HINT / CONTEXT / STATEMENT lines take their parent's level,
# as in PostgreSQL's jsonlog where they are parts of the same record.
_PG_LEVELS = {
    "LOG": "INFO",
    "WARNING": "WARNING",
    "ERROR": "ERROR",
    "FATAL": "ERROR",  # FATAL ends one session, not the server
    "PANIC": "CRITICAL",
}


def pg(native: str, message: str, pid: int, level: str | None = None) -> Event:
    normal = level or _PG_LEVELS.get(native, "ERROR")
    return Event(
        normal, "postgres", message, style=Style.POSTGRES, native_level=native, fields={"pid": pid}
    )


def jv(level: str, logger: str, message: str, thread: str, exception: str | None = None) -> Event:
    """A Spring Boot / logback line; logback spells WARNING as WARN."""
    native = "WARN" if level == "WARNING" else None
    return Event(level, logger, message, exception, Style.JAVA, native, {"thread": thread})


def slog_level(level: str) -> str:
    """Go's slog has no WARNING or CRITICAL: it writes WARN, and ERROR for the worst."""
    return {"WARNING": "WARN", "CRITICAL": "ERROR"}.get(level, level)


def go_log(level: str, message: str, exception: str | None = None) -> Event:
    """slog's default handler, through the log package: `2026/01/01 10:00:00 ERROR msg k=v`."""
    return Event(level, "main", f"{slog_level(level)} {message}", exception, Style.GO)


def go_quote(value: str) -> str:
    """slog's text handler quotes values with spaces as strconv.Quote does."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def node_log(
    level: str,
    logger: str,
    message: str,
    exception: str | None = None,
    fields: Mapping[str, str | int | float] | None = None,
) -> Event:
    """A pino line; pino serialises an error's own properties (code, errno) next to `msg`."""
    native = {"WARNING": "warn", "CRITICAL": "fatal"}.get(level, level.lower())
    return Event(level, logger, message, exception, Style.NODE, native, dict(fields or {}))


def nginx(level: str, native: str, message: str, pid: int) -> Event:
    return Event(
        level, "nginx.error", message, style=Style.NGINX, native_level=native, fields={"pid": pid}
    )


def syslog(level: str, ident: str, message: str, host: str) -> Event:
    """A journald / rsyslog line; `ident` is the syslog tag: kernel, systemd[1], kubelet[812]."""
    return Event(level, ident, message, style=Style.KERNEL, fields={"host": host})


def nginx_request(
    fake: Fake, method: str, path: str, upstream: str | None = None, scheme: str = "http"
) -> str:
    """The `client: ..., server: ..., request: ...` tail nginx appends to request errors."""
    host = f"api.{fake.choice(('shop', 'store'))}.example.com"
    tail = f', client: {fake.public_ip()}, server: {host}, request: "{method} {path} HTTP/1.1"'
    if upstream:
        tail += f', upstream: "{scheme}://{upstream}{path}"'
    return tail + f', host: "{host}"'


def nginx_conn(fake: Fake) -> str:
    return f"*{fake.integer(1000, 9_999_999)}"


def dependency(fake: Fake) -> tuple[str, int, str, str]:
    """(service, port, upstream ip, url path) of the call that fails."""
    name, port = service(fake)
    route = fake.choice(
        ("/v1/charges", f"/v1/stock/SKU-{fake.integer(1000, 99999)}", "/v1/quote", "/v1/labels")
    )
    return name, port, fake.private_ip(), route
