"""fd-exhaustion: too many open files: accept() and open() fail at the descriptor limit in
Python, nginx, Go, Java (Tomcat) and Node."""

from __future__ import annotations

from chaos_app.events import Event, Fake, Style
from chaos_app.scenarios._kit import (
    Fields,
    access,
    endpoint,
    go_log,
    go_quote,
    jv,
    nginx,
    nginx_conn,
    nginx_request,
    node_log,
)
from chaos_app.scenarios._stacks import (
    PY_LIB,
    java_stack,
    node_stack,
    py_traceback,
)


def _fd_python(fake: Fake) -> list[Event]:
    fd = fake.integer(3, 40)
    accept = py_traceback(
        [
            (
                f"{PY_LIB}/asyncio/selector_events.py",
                159,
                "_accept_connection",
                "conn, addr = sock.accept()",
            ),
            (f"{PY_LIB}/socket.py", 293, "accept", "fd, addr = self._accept()"),
        ],
        "OSError: [Errno 24] Too many open files",
    )
    message = (
        "socket.accept() out of system resource\nsocket: <asyncio.TransportSocket "
        f"fd={fd}, family=AddressFamily.AF_INET, type=SocketKind.SOCK_STREAM, proto=6, "
        "laddr=('0.0.0.0', 8000)>"
    )
    template = fake.choice(("invoice.html", "receipt.html", "order_confirmation.txt"))
    opened = py_traceback(
        [
            (
                "/app/notifications/render.py",
                fake.integer(20, 90),
                "load_template",
                "with open(path) as fh:",
            )
        ],
        f"OSError: [Errno 24] Too many open files: '/app/templates/{template}'",
    )
    return [
        *[Event("ERROR", "asyncio", message, accept) for _ in range(fake.integer(1, 3))],
        Event(
            "ERROR",
            "app.notifications",
            "failed to render notification",
            opened,
            fields={"order_id": fake.order_id()},
        ),
    ]


def _fd_nginx(fake: Fake) -> list[Event]:
    pid = fake.integer(20, 90)
    method, path = endpoint(fake)
    upstream = f"{fake.private_ip()}:8080"
    events = [
        nginx("CRITICAL", "crit", "accept4() failed (24: Too many open files)", pid)
        for _ in range(fake.integer(1, 3))
    ]
    events.append(
        nginx(
            "ERROR",
            "alert",
            (
                f"{nginx_conn(fake)} socket() failed (24: Too many open files) while connecting "
                f"to upstream{nginx_request(fake, method, path, upstream)}"
            ),
            pid,
        )
    )
    if fake.chance(0.5):
        events.append(nginx("ERROR", "alert", "1024 worker_connections are not enough", pid))
    return events


def _fd_go(fake: Fake) -> list[Event]:
    # net/http's Server backs off on accept errors and says so through its ErrorLog.
    events = [
        Event(
            "ERROR",
            "http",
            (
                "http: Accept error: accept tcp [::]:8080: accept4: too many open files; "
                f"retrying in {delay}ms"
            ),
            style=Style.GO,
        )
        for delay in (5, 10, 20, 40)[: fake.integer(2, 4)]
    ]
    target = f"{fake.private_ip()}:{fake.choice((8080, 9000))}"
    events.append(
        go_log(
            "ERROR",
            (
                "upstream call failed "
                f"err={go_quote(f'dial tcp {target}: socket: too many open files')}"
            ),
        )
    )
    return events


def _fd_java(fake: Fake) -> list[Event]:
    stack = java_stack(
        "java.io.IOException: Too many open files",
        [
            "java.base/sun.nio.ch.Net.accept(Native Method)",
            "java.base/sun.nio.ch.ServerSocketChannelImpl.implAccept(ServerSocketChannelImpl.java:433)",
            "java.base/sun.nio.ch.ServerSocketChannelImpl.accept(ServerSocketChannelImpl.java:399)",
            "org.apache.tomcat.util.net.NioEndpoint.serverSocketAccept(NioEndpoint.java:521)",
            "org.apache.tomcat.util.net.NioEndpoint.serverSocketAccept(NioEndpoint.java:79)",
            "org.apache.tomcat.util.net.Acceptor.run(Acceptor.java:129)",
            "java.base/java.lang.Thread.run(Thread.java:1583)",
        ],
    )
    return [
        jv(
            "ERROR",
            "org.apache.tomcat.util.net.Acceptor",
            "Socket accept failed",
            "http-nio-8080-Acceptor",
            stack,
        )
        for _ in range(fake.integer(1, 3))
    ]


def _fd_node(fake: Fake) -> list[Event]:
    upload = f"/app/uploads/{fake.uuid()}.jpg"
    stack = node_stack(
        f"Error: EMFILE: too many open files, open '{upload}'",
        ["async open (node:internal/fs/promises:639:25)"],
    )
    method, path = "POST", "/api/v1/uploads"
    fields: Fields = {"errno": -24, "code": "EMFILE", "syscall": "open", "path": upload}
    return [
        node_log("ERROR", "media-api", "upload failed", stack, fields),
        access(fake, "node", method, path, 500, fake.latency_ms(1, 30)),
    ]


def fd_exhaustion(fake: Fake) -> list[Event]:
    return fake.choice((_fd_python, _fd_nginx, _fd_go, _fd_java, _fd_node))(fake)
