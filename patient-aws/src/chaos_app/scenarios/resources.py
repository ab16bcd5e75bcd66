"""disk_full and resource_exhaustion (file descriptors): a full volume, a file-descriptor limit."""

from __future__ import annotations

from chaos_app.events import Event, Fake, Style
from chaos_app.scenarios._kit import (
    Fields,
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
    pg,
)
from chaos_app.scenarios._stacks import PY_LIB, java_stack, node_stack, py_traceback


def _disk_python(fake: Fake) -> list[Event]:
    name = f"/var/lib/app/exports/orders-{fake.hex(8)}.csv"
    errno = fake.choice(("[Errno 28] No space left on device", "[Errno 122] Disk quota exceeded"))
    tb = py_traceback(
        [
            ("/app/reports/export.py", fake.integer(40, 160), "write_csv", "out.write(chunk)"),
        ],
        f"OSError: {errno}",
    )
    return [
        Event(
            "WARNING", "app.reports", f"export buffered {fake.integer(200, 900)} MiB before flush"
        ),
        Event(
            "ERROR",
            "app.reports",
            f"export failed: could not write {name}",
            tb,
            fields={"job_id": fake.uuid()},
        ),
    ]


def _disk_postgres(fake: Fake) -> list[Event]:
    pid = fake.pid()
    relfile = f"base/{fake.integer(16384, 17000)}/{fake.integer(16400, 99999)}"
    events = [
        pg("ERROR", f'could not extend file "{relfile}": No space left on device', pid),
        pg("HINT", "Check free disk space.", pid, "ERROR"),
        pg(
            "STATEMENT",
            "INSERT INTO order_events (order_id, kind, payload) VALUES ($1, $2, $3)",
            pid,
            "ERROR",
        ),
    ]
    if fake.chance(0.5):
        wal = f"pg_wal/xlogtemp.{fake.pid()}"
        events.append(pg("PANIC", f'could not write to file "{wal}": No space left on device', pid))
    return events


def _disk_nginx(fake: Fake) -> list[Event]:
    pid = fake.integer(20, 90)
    temp = f"/var/cache/nginx/client_temp/{fake.integer(1, 9_999_999):010d}"
    request = nginx_request(fake, "POST", "/api/v1/uploads")
    return [
        nginx(
            "CRITICAL",
            "crit",
            f'{nginx_conn(fake)} pwrite() "{temp}" failed (28: No space left on device){request}',
            pid,
        ),
        nginx(
            "ERROR",
            "alert",
            (
                f'{nginx_conn(fake)} write() to "/var/log/nginx/access.log" failed (28: No space '
                f"left on device) while logging request{request}"
            ),
            pid,
        ),
    ]


def _disk_java(fake: Fake) -> list[Event]:
    thread = java_thread(fake)
    stack = java_stack(
        "java.io.IOException: No space left on device",
        [
            "java.base/sun.nio.ch.FileDispatcherImpl.write0(Native Method)",
            "java.base/sun.nio.ch.FileDispatcherImpl.write(FileDispatcherImpl.java:62)",
            "java.base/sun.nio.ch.IOUtil.write(IOUtil.java:132)",
            "java.base/sun.nio.ch.FileChannelImpl.write(FileChannelImpl.java:290)",
            f"com.acme.media.UploadStore.save(UploadStore.java:{fake.integer(40, 120)})",
        ],
    )
    return [
        jv(
            "ERROR",
            "com.acme.media.UploadController",
            f"Failed to store upload {fake.uuid()}",
            thread,
            stack,
        )
    ]


def _disk_node_go(fake: Fake) -> list[Event]:
    batch = f"/var/lib/app/spool/batch-{fake.integer(1, 999999):06d}.json"
    if fake.chance(0.5):
        stack = node_stack(
            "Error: ENOSPC: no space left on device, write", ["async Promise.all (index 3)"]
        )
        fields: Fields = {"errno": -28, "code": "ENOSPC", "syscall": "write", "path": batch}
        return [node_log("ERROR", "ingest-worker", "failed to spool batch", stack, fields)]
    err = go_quote(f"write {batch}: no space left on device")
    return [
        go_log("ERROR", f"spool write failed err={err}"),
        go_log(
            "WARNING", f"dropping batch events={fake.integer(100, 5000)} reason=spool_unavailable"
        ),
    ]


def disk_full(fake: Fake) -> list[Event]:
    return fake.choice((_disk_python, _disk_postgres, _disk_nginx, _disk_java, _disk_node_go))(fake)


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
