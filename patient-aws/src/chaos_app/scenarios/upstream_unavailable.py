"""upstream_unavailable: a dependency that refuses connections or answers 502/503."""

from __future__ import annotations

from chaos_app.events import Event, Fake
from chaos_app.scenarios._kit import (
    access,
    dependency,
    endpoint,
    go_log,
    go_quote,
    java_thread,
    jv,
    nginx,
    nginx_conn,
    nginx_request,
    node_log,
)
from chaos_app.scenarios._stacks import (
    REQUESTS_SEND_FRAME,
    java_stack,
    node_stack,
    py_addr,
    py_traceback,
)


def upstream_down(fake: Fake) -> list[Event]:
    name, port, ip, route = dependency(fake)
    url = f"http://{name}.internal:{port}{route}"
    method, path = endpoint(fake)
    flavour = fake.integer(0, 4)
    if flavour == 0:  # nginx: the backend refuses, then nginx marks it down
        pid = fake.integer(20, 90)
        events = [
            nginx(
                "ERROR",
                "error",
                f"{nginx_conn(fake)} connect() failed (111: Connection refused) while "
                "connecting to "
                f"upstream{nginx_request(fake, method, path, f'{ip}:{port}')}",
                pid,
            )
            for _ in range(fake.integer(1, 3))
        ]
        events.append(
            nginx(
                "ERROR",
                "error",
                (
                    f"{nginx_conn(fake)} no live upstreams while connecting to "
                    f"upstream{nginx_request(fake, method, path, name)}"
                ),
                pid,
            )
        )
        return events
    if flavour == 1:  # Java: 503s through the mesh, then the circuit breaker opens
        thread = java_thread(fake)
        unavailable = f"503 Service Unavailable from GET {url}"
        stack = java_stack(
            "org.springframework.web.reactive.function.client."
            f"WebClientResponseException$ServiceUnavailable: {unavailable}",
            [
                "org.springframework.web.reactive.function.client.WebClientResponseException.create(WebClientResponseException.java:336)",
                "org.springframework.web.reactive.function.client.DefaultClientResponse.lambda$createException$1(DefaultClientResponse.java:214)",
            ],
        )
        breaker = f"CircuitBreaker '{name}' is OPEN and does not permit further calls"
        return [
            access(
                fake,
                "java",
                "GET",
                route,
                503,
                fake.latency_ms(1, 5),
                flags="UF",
                upstream=(name, port),
            ),
            jv(
                "ERROR",
                f"com.acme.clients.{name.capitalize()}Client",
                f"{name} call failed: {unavailable}",
                thread,
                stack,
            ),
            jv(
                "WARNING",
                "io.github.resilience4j.circuitbreaker.internal.CircuitBreakerStateMachine",
                f"CircuitBreaker '{name}' changed state from CLOSED to OPEN",
                thread,
            ),
            jv("ERROR", "com.acme.orders.OrderController", f"fallback failed: {breaker}", thread),
        ]
    if flavour == 2:  # requests: refused outright
        conn = f"<urllib3.connection.HTTPConnection object at {py_addr(fake)}>"
        tb = py_traceback(
            [
                (
                    "/app/clients/http.py",
                    fake.integer(20, 80),
                    "call",
                    "resp = self.session.get(url, timeout=5)",
                ),
                REQUESTS_SEND_FRAME,
            ],
            "requests.exceptions.ConnectionError: "
            f"HTTPConnectionPool(host='{name}.internal', port={port}): "
            f"Max retries exceeded with url: {route} (Caused by NewConnectionError('{conn}: "
            "Failed to "
            "establish a new connection: [Errno 111] Connection refused'))",
        )
        return [
            Event("ERROR", "app.clients", f"{name} unavailable", tb),
            access(fake, "python", method, path, 502, fake.latency_ms(1, 30)),
        ]
    if flavour == 3:
        err = go_quote(f'Get "{url}": dial tcp {ip}:{port}: connect: connection refused')
        return [
            go_log("ERROR", f"call {name} failed err={err}"),
            access(fake, "go", method, path, 502, fake.latency_ms(1, 9)),
        ]
    status = fake.choice((502, 503))
    stack = node_stack(
        f"AxiosError: Request failed with status code {status}",
        [
            "settle (/app/node_modules/axios/lib/core/settle.js:19:12)",
            "IncomingMessage.handleStreamEnd (/app/node_modules/axios/lib/adapters/http.js:599:11)",
        ],
    )
    return [
        node_log(
            "ERROR",
            "gateway",
            f"{name} request failed",
            stack,
            {"code": "ERR_BAD_RESPONSE", "url": url},
        ),
        access(fake, "node", method, path, 502, fake.latency_ms(1, 40)),
    ]
