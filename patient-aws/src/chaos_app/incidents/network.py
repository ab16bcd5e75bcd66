"""Incidents between services: an internal certificate expires, name resolution breaks, a
third party throttles. Circuit breakers and back-off keep the root cause's own lines few; the
callers' timeouts and 5xx are many."""

from __future__ import annotations

from collections.abc import Callable

from chaos_app.events import Event, Fake
from chaos_app.incidents._lines import (
    celery_failure,
    celery_retry,
    gateway_failure,
    gateway_status,
    python_http_error,
    requests_http_error,
)
from chaos_app.incidents.healthy import order_id
from chaos_app.incidents.host import go_raw
from chaos_app.incidents.timeline import Timeline
from chaos_app.scenarios._kit import java_thread, jv
from chaos_app.scenarios._stacks import java_stack

PAYMENTS_URL = "http://payments.internal:8080/v1/charges"
PSP_HOST = "api.psp-partner.example.com"
UNAVAILABLE = "upstream_unavailable"


def _caller(tl: Timeline) -> str:
    service = tl.fake.choice(("api", "api", "worker", "payments", "gateway"))
    return f"{tl.fake.choice(tl.cast[service].instances).ip}:{tl.fake.port()}"


def _breaker_open(name: str) -> Event:
    return jv(
        "WARNING",
        "io.github.resilience4j.circuitbreaker.internal.CircuitBreakerStateMachine",
        f"CircuitBreaker '{name}' changed state from CLOSED to OPEN",
        "reactor-http-epoll-2",
    )


def _breaker_rejects(name: str, path: str) -> Callable[[Fake], list[Event]]:
    def build(fake: Fake) -> list[Event]:
        thread = java_thread(fake)
        return [
            jv(
                "ERROR",
                "com.acme.payments.web.ApiExceptionHandler",
                f"{path} failed: io.github.resilience4j.circuitbreaker.CallNotPermittedException: "
                f"CircuitBreaker '{name}' is OPEN and does not permit further calls",
                thread,
            ),
            jv(
                "INFO",
                "com.acme.payments.web.RequestLogFilter",
                f"POST /v1/charges 503 {fake.integer(1, 6)}ms",
                thread,
            ),
        ]

    return build


def _worker_http(status: int, phrase: str, url: str) -> Callable[[Fake], Event]:
    def build(fake: Fake) -> Event:
        error = f"HTTPError('{requests_http_error(status, phrase, url)}')"
        return celery_retry(fake, "orders.tasks.capture_payment", error, fake.choice((30, 60)))

    return build


def internal_cert_expired(tl: Timeline) -> None:
    """The auth service's internal certificate expires: every client refuses the handshake,
    their circuit breakers open, and requests that need a token are answered 503."""
    fake, t = tl.fake, tl.onset
    alerts = (
        "expired certificate",
        "expired certificate",
        "expired certificate",
        "bad certificate",
    )

    def handshake(fake: Fake) -> Event:
        alert = fake.choice(alerts)
        return go_raw(
            "ERROR", f"http: TLS handshake error from {_caller(tl)}: remote error: tls: {alert}"
        )

    for _ in range(fake.integer(4, 9)):
        tl.root(t, "auth", handshake(fake), "tls_certificate")
        t += fake.rng.uniform(0.01, 0.7)
    probe = t
    for _ in range(fake.integer(3, 8)):  # half-open breakers try again, one handshake each
        probe += fake.rng.uniform(40, 150)
        tl.root(probe, "auth", handshake(fake), "tls_certificate")

    def api_error(fake: Fake) -> list[Event]:
        return python_http_error(
            fake,
            "app.auth",
            "token introspection failed",
            "pybreaker.CircuitBreakerError: Failures threshold reached, circuit breaker is open",
            "return self.breaker.call(self._introspect, token)",
            503,
        )

    tl.steady(
        "api",
        t + fake.rng.uniform(0.5, 3),
        tl.end,
        fake.rng.uniform(0.3, 0.9),
        api_error,
        category=UNAVAILABLE,
    )
    tl.symptom(t + fake.rng.uniform(0.2, 2), "payments", _breaker_open("auth"), UNAVAILABLE)
    tl.steady(
        "payments",
        t + 2,
        tl.end,
        fake.rng.uniform(0.1, 0.3),
        _breaker_rejects("auth", "POST /v1/charges"),
        category=UNAVAILABLE,
    )
    upstream = tl.address("api", 8000)
    tl.steady(
        "gateway",
        t + fake.rng.uniform(1, 4),
        tl.end,
        fake.rng.uniform(0.3, 0.8),
        lambda f: gateway_status(f, 503, upstream),
        category=UNAVAILABLE,
    )
    tl.steady(
        "worker",
        t + fake.rng.uniform(3, 9),
        tl.end,
        fake.rng.uniform(0.05, 0.2),
        _worker_http(503, "Service Unavailable", PAYMENTS_URL),
        category=UNAVAILABLE,
    )


def _unknown_host(fake: Fake) -> Event:
    thread = java_thread(fake)
    why = fake.choice(("Temporary failure in name resolution", "Name or service not known"))
    stack = java_stack(
        f"java.net.UnknownHostException: {PSP_HOST}: {why}",
        [
            "java.base/java.net.Inet6AddressImpl.lookupAllHostAddr(Native Method)",
            "java.base/java.net.InetAddress$PlatformResolver.lookupByName(InetAddress.java:1211)",
            "java.base/java.net.InetAddress.getAllByName0(InetAddress.java:1828)",
            "io.netty.resolver.DefaultNameResolver.doResolve(DefaultNameResolver.java:43)",
        ],
    )
    return jv(
        "ERROR",
        "com.acme.payments.psp.PspClient",
        f'I/O error on POST request for "https://{PSP_HOST}/v1/charges": {PSP_HOST}: {why}',
        thread,
        stack,
    )


def _api_timeout(fake: Fake) -> list[Event]:
    return python_http_error(
        fake,
        "app.payments",
        "charge request failed",
        "requests.exceptions.ReadTimeout: HTTPConnectionPool(host='payments.internal', "
        "port=8080): Read timed out. (read timeout=10)",
        "resp = self.session.post(url, json=body, timeout=10)",
        504,
    )


def dns_failure(tl: Timeline) -> None:
    """The payments service's resolver stops answering: each lookup of the payment provider
    hangs, then fails; callers time out first, then the breaker opens and they get 503s."""
    fake, t = tl.fake, tl.onset
    for _ in range(fake.integer(2, 5)):
        tl.root(t, "payments", _unknown_host(fake), "dns_resolution")
        t += fake.rng.uniform(5, 10)  # resolv.conf: timeout 5, attempts 2
    tl.symptom(t + 0.01, "payments", _breaker_open("psp"), UNAVAILABLE)
    probe = t
    for _ in range(fake.integer(3, 7)):
        probe += fake.rng.uniform(60, 180)
        tl.root(probe, "payments", _unknown_host(fake), "dns_resolution")
    tl.steady(
        "api",
        tl.onset + fake.rng.uniform(1, 4),
        tl.end,
        fake.rng.uniform(0.2, 0.6),
        _api_timeout,
        category="timeout",
    )
    upstream = tl.address("api", 8000)
    tl.steady(
        "gateway",
        tl.onset + fake.rng.uniform(10, 12),
        tl.end,
        fake.rng.uniform(0.1, 0.3),
        lambda f: gateway_failure(f, "timeout", upstream, ("POST", "/api/v1/checkout")),
        category="timeout",
    )
    tl.steady(
        "payments",
        t + 0.5,
        tl.end,
        fake.rng.uniform(0.1, 0.25),
        _breaker_rejects("psp", "POST /v1/charges"),
        category=UNAVAILABLE,
    )
    tl.steady(
        "worker",
        t + fake.rng.uniform(2, 8),
        tl.end,
        fake.rng.uniform(0.05, 0.2),
        _worker_http(503, "Service Unavailable", PAYMENTS_URL),
        category=UNAVAILABLE,
    )


def _throttled(fake: Fake, with_stack: bool) -> Event:
    pause = fake.choice((30, 60))
    head = f"429 Too Many Requests from POST https://{PSP_HOST}/v1/charges"
    stack = (
        java_stack(
            "org.springframework.web.reactive.function.client.WebClientResponseException"
            f"$TooManyRequests: {head}",
            [
                "org.springframework.web.reactive.function.client.WebClientResponseException.create(WebClientResponseException.java:336)",
                "com.acme.payments.psp.PspClient.charge(PspClient.java:88)",
            ],
        )
        if with_stack
        else None
    )
    return jv(
        "WARNING",
        "com.acme.payments.psp.PspClient",
        f"PSP rate limit hit: {head} (Retry-After: {pause}); pausing PSP calls for {pause}s",
        java_thread(fake),
        stack,
    )


def partner_rate_limited(tl: Timeline) -> None:
    """The payment provider starts answering 429: the payments service pauses its calls as
    told, charges queue behind the pause, and its callers time out and exhaust their retries."""
    fake, t = tl.fake, tl.onset
    tl.root(t, "payments", _throttled(fake, True), "rate_limited")
    for _ in range(fake.integer(1, 3)):
        t += fake.rng.uniform(0.05, 1.5)
        tl.root(t, "payments", _throttled(fake, False), "rate_limited")
    pause = t
    for _ in range(fake.integer(5, 12)):
        pause += fake.rng.uniform(30, 90)
        tl.root(pause, "payments", _throttled(fake, False), "rate_limited")

    def queued(fake: Fake) -> Event:
        return jv(
            "WARNING",
            "com.acme.payments.ChargeService",
            f"Timed out after 30000ms waiting for a PSP permit (order {order_id(fake)}); "
            "answering 504",
            java_thread(fake),
        )

    tl.steady("payments", t + 30, tl.end, fake.rng.uniform(0.15, 0.4), queued, category="timeout")
    tl.steady(
        "api",
        tl.onset + fake.rng.uniform(0.5, 2),
        tl.end,
        fake.rng.uniform(0.3, 0.7),
        _api_timeout,
        category="timeout",
    )
    upstream = tl.address("api", 8000)
    tl.steady(
        "gateway",
        t + 11,
        tl.end,
        fake.rng.uniform(0.1, 0.3),
        lambda f: gateway_failure(f, "timeout", upstream, ("POST", "/api/v1/checkout")),
        category="timeout",
    )
    timeout = (
        "ReadTimeout(HTTPConnectionPool(host='payments.internal', port=8080): Read timed out. "
        "(read timeout=10))"
    )

    def worker(fake: Fake) -> Event:
        task = "orders.tasks.capture_payment"
        if fake.chance(0.75):
            return celery_retry(fake, task, timeout, fake.choice((30, 60, 120)))
        args = f"('{order_id(fake)}',)"
        final = (
            f"celery.exceptions.MaxRetriesExceededError: Can't retry {task}[{fake.uuid()}] "
            f"args:{args} kwargs:{{}}"
        )
        return celery_failure(
            fake,
            task,
            f'MaxRetriesExceededError("Can\'t retry {task}")',
            final,
            "raise self.retry(exc=exc, countdown=backoff)",
        )

    tl.steady("worker", t + 12, tl.end, fake.rng.uniform(0.1, 0.3), worker, category="timeout")
