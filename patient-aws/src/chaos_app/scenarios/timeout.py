"""timeout: a dependency that answers too slowly: read timeouts, deadlines, 504s, task time
limits."""

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
    PY_SITE,
    java_stack,
    node_stack,
    py_traceback,
)

_REQUESTS_SEND = (
    f"{PY_SITE}/requests/adapters.py",
    532,
    "send",
    "raise ReadTimeout(e, request=request)",
)


def upstream_timeout(fake: Fake) -> list[Event]:
    name, port, ip, route = dependency(fake)
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
