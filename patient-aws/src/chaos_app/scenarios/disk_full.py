"""disk_full: a full volume, as Python, PostgreSQL, nginx, the JVM, Node and Go report it."""

from __future__ import annotations

from chaos_app.events import Event, Fake
from chaos_app.scenarios._kit import (
    Fields,
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
from chaos_app.scenarios._stacks import java_stack, node_stack, py_traceback


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
