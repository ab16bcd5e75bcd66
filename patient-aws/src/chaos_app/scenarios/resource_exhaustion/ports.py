"""port-exhaustion: the ephemeral ports run out, so outbound connects fail with
EADDRNOTAVAIL in Go, Python, Node and Java clients."""

from __future__ import annotations

from chaos_app.events import Event, Fake
from chaos_app.scenarios._kit import (
    Fields,
    access,
    endpoint,
    go_log,
    go_quote,
    java_thread,
    jv,
    node_log,
    service,
)
from chaos_app.scenarios._stacks import (
    REQUESTS_SEND_FRAME,
    java_stack,
    node_stack,
    py_addr,
    py_traceback,
)


def port_exhaustion(fake: Fake) -> list[Event]:
    """Outbound connections opened per request, never reused: the ephemeral ports run out."""
    name, port = service(fake)
    ip = fake.private_ip()
    url = f"http://{name}.internal:{port}/v1/{fake.choice(('quote', 'stock', 'rates'))}"
    method, path = endpoint(fake)
    flavour = fake.integer(0, 3)
    if flavour == 0:
        err = go_quote(
            f'Get "{url}": dial tcp {ip}:{port}: connect: cannot assign requested address'
        )
        return [
            go_log("ERROR", f"upstream call failed service={name} err={err}")
            for _ in range(fake.integer(1, 3))
        ] + [access(fake, "go", method, path, 500, fake.latency_ms(1, 10))]
    if flavour == 1:
        conn = f"<urllib3.connection.HTTPConnection object at {py_addr(fake)}>"
        final = (
            f"requests.exceptions.ConnectionError: HTTPConnectionPool(host='{name}.internal', "
            f"port={port}): Max retries exceeded with url: {url.split(str(port), 1)[1]} (Caused by "
            f"NewConnectionError('{conn}: Failed to establish a new connection: "
            "[Errno 99] Cannot assign requested address'))"
        )
        tb = py_traceback(
            [
                (
                    "/app/clients/http.py",
                    fake.integer(20, 80),
                    "call",
                    "resp = requests.get(url, timeout=2)",
                ),
                REQUESTS_SEND_FRAME,
            ],
            final,
        )
        return [
            Event("ERROR", "app.clients", f"{name} call failed", tb),
            access(fake, "python", method, path, 500, fake.latency_ms(1, 10)),
        ]
    if flavour == 2:
        stack = node_stack(
            f"Error: connect EADDRNOTAVAIL {ip}:{port} - Local (0.0.0.0:0)",
            [
                "internalConnect (node:net:1087:16)",
                "defaultTriggerAsyncIdScope (node:internal/async_hooks:464:18)",
            ],
        )
        fields: Fields = {
            "errno": -99,
            "code": "EADDRNOTAVAIL",
            "syscall": "connect",
            "address": ip,
            "port": port,
        }
        return [node_log("ERROR", "gateway", f"{name} request failed", stack, fields)]
    thread = java_thread(fake)
    stack = java_stack(
        "java.net.NoRouteToHostException: Cannot assign requested address",
        [
            "java.base/sun.nio.ch.Net.connect0(Native Method)",
            "java.base/sun.nio.ch.Net.connect(Net.java:589)",
            "java.base/sun.nio.ch.NioSocketImpl.connect(NioSocketImpl.java:585)",
            "java.base/java.net.Socket.connect(Socket.java:751)",
            "org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator.connect(DefaultHttpClientConnectionOperator.java:207)",
        ],
    )
    return [
        jv(
            "ERROR",
            f"com.acme.clients.{name.capitalize()}Client",
            f'I/O error on GET request for "{url}"',
            thread,
            stack,
        )
    ]
