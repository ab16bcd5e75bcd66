"""timeout and upstream_unavailable: a dependency that answers too slowly, or not at all."""

from __future__ import annotations

from chaos_app.events import Event, Fake
from chaos_app.scenarios._kit import (
    access,
    endpoint,
    go_log,
    go_quote,
    java_thread,
    jv,
    nginx,
    nginx_conn,
    nginx_request,
    node_log,
    service,
)
from chaos_app.scenarios._stacks import (
    PY_SITE,
    REQUESTS_SEND_FRAME,
    java_stack,
    node_stack,
    py_addr,
    py_traceback,
)

_REQUESTS_SEND = (
    f"{PY_SITE}/requests/adapters.py",
    532,
    "send",
    "raise ReadTimeout(e, request=request)",
)


def _dependency(fake: Fake) -> tuple[str, int, str, str]:
    """(service, port, upstream ip, url path) of the call that fails."""
    name, port = service(fake)
    route = fake.choice(
        ("/v1/charges", f"/v1/stock/SKU-{fake.integer(1000, 99999)}", "/v1/quote", "/v1/labels")
    )
    return name, port, fake.private_ip(), route


def upstream_timeout(fake: Fake) -> list[Event]:
    name, port, ip, route = _dependency(fake)
    url = f"http://{name}.internal:{port}{route}"
    method, path = endpoint(fake)
    flavour = fake.integer(0, 5)
    if flavour == 0:  # nginx in front of a backend that stopped answering
        pid = fake.integer(20, 90)
        return [
            nginx(
                "ERROR",
                "error",
                f"{nginx_conn(fake)} upstream timed out (110: Connection timed out) while "
                "reading response header "
                f"from upstream{nginx_request(fake, method, path, f'{ip}:{port}')}",
                pid,
            )
            for _ in range(fake.integer(1, 3))
        ]
    if flavour == 1:  # requests' ReadTimeout
        timeout = fake.choice((2, 5, 10, 30))
        tb = py_traceback(
            [
                (
                    "/app/clients/http.py",
                    fake.integer(20, 80),
                    "call",
                    f"resp = self.session.post(url, json=body, timeout={timeout})",
                ),
                (
                    f"{PY_SITE}/requests/sessions.py",
                    637,
                    "post",
                    'return self.request("POST", url, data=data, json=json, **kwargs)',
                ),
                (
                    f"{PY_SITE}/requests/sessions.py",
                    703,
                    "send",
                    "r = adapter.send(request, **kwargs)",
                ),
                _REQUESTS_SEND,
            ],
            f"requests.exceptions.ReadTimeout: HTTPConnectionPool(host='{name}.internal', "
            f"port={port}): "
            f"Read timed out. (read timeout={timeout})",
        )
        return [
            Event(
                "ERROR",
                "app.clients",
                f"{name} call failed after {timeout}s",
                tb,
                fields={"trace_id": fake.trace_id()},
            ),
            access(fake, "python", method, path, 504, timeout * 1000 + fake.latency_ms(1, 40)),
        ]
    if flavour == 2:  # Go's http.Client timeout, or a gRPC deadline
        err = fake.choice(
            (
                (
                    f'Post "{url}": context deadline exceeded (Client.Timeout exceeded while '
                    "awaiting headers)"
                ),
                "rpc error: code = DeadlineExceeded desc = context deadline exceeded",
            )
        )
        return [
            go_log(
                "ERROR",
                f"call {name} failed method={method} path={path.split('?')[0]} err={go_quote(err)}",
            ),
            access(fake, "go", method, path, 504, fake.latency_ms(5000, 10000)),
        ]
    if flavour == 3:  # Spring's RestTemplate behind an Envoy sidecar that gave up first
        thread = java_thread(fake)
        stack = java_stack(
            "java.net.SocketTimeoutException: Read timed out",
            [
                "java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
                "java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:314)",
                "java.base/java.net.Socket$SocketInputStream.read(Socket.java:1099)",
                "org.apache.hc.core5.http.impl.io.SessionInputBufferImpl.fillBuffer(SessionInputBufferImpl.java:149)",
                "org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:882)",
            ],
        )
        return [
            jv(
                "ERROR",
                f"com.acme.clients.{name.capitalize()}Client",
                f'I/O error on POST request for "{url}": Read timed out',
                thread,
                stack,
            ),
            access(fake, "java", method, path, 504, 15000 + fake.latency_ms(1, 30), flags="UT"),
        ]
    if flavour == 4:  # axios
        ms = fake.choice((3000, 5000, 10000))
        stack = node_stack(
            f"AxiosError: timeout of {ms}ms exceeded",
            [
                (
                    "RedirectableRequest.handleRequestTimeout "
                    "(/app/node_modules/axios/lib/adapters/http.js:647:16)"
                ),
                "Timeout.<anonymous> (/app/node_modules/follow-redirects/index.js:221:12)",
                "listOnTimeout (node:internal/timers:573:17)",
            ],
        )
        return [
            node_log(
                "ERROR",
                "gateway",
                f"{name} request failed",
                stack,
                {"code": "ECONNABORTED", "url": url},
            ),
            access(fake, "node", method, path, 504, ms + fake.latency_ms(1, 20)),
        ]
    task = f"reports.tasks.build_export[{fake.uuid()}]"  # Celery's time limits
    soft, hard = fake.choice(((240, 300), (540, 600), (3300, 3600)))
    return [
        Event("WARNING", "celery.worker.request", f"Soft time limit ({soft}s) exceeded for {task}"),
        Event("ERROR", "celery.worker.request", f"Hard time limit ({hard}s) exceeded for {task}"),
    ]


def upstream_down(fake: Fake) -> list[Event]:
    name, port, ip, route = _dependency(fake)
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
