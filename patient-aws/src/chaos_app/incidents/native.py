"""A line as the software itself prints it, with its own head or without it.

`container_text` is what a service writes to its stdout when it logs plain text (what
`docker compose logs` and `kubectl logs` show after their prefixes). `body` is the same line
without the time, for shapes that put their own head in front (syslog, the plain-text shape).
"""

from __future__ import annotations

from datetime import datetime

from chaos_app.events import Event, Stamped, Style
from chaos_app.incidents.cast import Runtime
from chaos_app.render import to_text

# Raw stderr: a Go panic, a JVM crash banner. No logger formats them, whatever the service's
# logging setup, so every shape writes them as they are.
RAW_LOGGERS = frozenset({"stderr"})
_NATIVE_KEYS = frozenset({"pid", "host", "thread", "mark", "process"})


def clf_time(at: datetime) -> str:
    return at.strftime("%d/%b/%Y:%H:%M:%S +0000")


def millis(at: datetime) -> str:
    return f"{at.microsecond // 1000:03d}"


def access_line(event: Event, at: datetime) -> str:
    """nginx's `main` log format with its timing variables."""
    f = event.fields
    return (
        f'{f["remote_addr"]} - - [{clf_time(at)}] "{f["method"]} {f["path"]} HTTP/1.1" '
        f'{f["status"]} {f["bytes"]} "-" "{f["user_agent"]}" rt={f["request_time"]:.3f} '
        f'uct="0.000" urt="{f["upstream_time"]}"'
    )


def context_fields(event: Event) -> dict[str, object]:
    """The event's fields a logger writes as its context: not those its own head carries."""
    return {k: v for k, v in event.fields.items() if k not in _NATIVE_KEYS}


def context(event: Event) -> str:
    """Structured loggers print their context as key=value after the message."""
    pairs = " ".join(f"{k}={v}" for k, v in context_fields(event).items())
    return f" {pairs}" if pairs else ""


def _celery_process(event: Event) -> str:
    if event.logger == "celery.app.trace":
        return f"ForkPoolWorker-{len(event.message) % 4 + 1}"
    return "MainProcess"


def container_text(event: Event, at: datetime, runtime: Runtime) -> str:
    """The whole record (stack lines included) as the service prints it on stdout."""
    if event.logger in RAW_LOGGERS:
        head = event.message
    elif event.logger == "nginx.access":
        head = access_line(event, at)
    elif event.logger == "redis":
        mark = event.fields.get("mark", "*")
        head = f"1:M {at:%d %b %Y %H:%M:%S}.{millis(at)} {mark} {event.message}"
    elif event.logger == "gunicorn.error":
        head = f"[{at:%Y-%m-%d %H:%M:%S} +0000] [{event.fields.get('pid', 1)}] [{event.level}] "
        head += event.message
    elif runtime is Runtime.CELERY and event.style is Style.APP:
        head = (
            f"[{at:%Y-%m-%d %H:%M:%S},{millis(at)}: {event.level}/{_celery_process(event)}] "
            f"{event.message}{context(event)}"
        )
    else:
        return to_text(Stamped(at, event, None))
    if event.exception:
        return f"{head}\n{event.exception.rstrip()}"
    return head


def body(event: Event, at: datetime) -> list[str]:
    """The record without its time, line by line (the shape writes its own head in front of
    the first; the others are the message's further lines and the stack)."""
    native = event.native_level or event.level
    fields = event.fields
    match event.style:
        case Style.POSTGRES:
            first = f"[{fields.get('pid', 1)}] {native}:  {event.message}"
        case Style.NGINX:
            pid = fields.get("pid", 1)
            first = f"[{native.lower()}] {pid}#{pid}: {event.message}"
        case Style.JAVA:
            first = f"[{fields.get('thread', 'main')}] {event.logger} : {event.message}"
        case Style.GO | Style.KERNEL:
            first = event.message
        case _ if event.logger in RAW_LOGGERS:
            first = event.message
        case _ if event.logger == "nginx.access":
            first = access_line(event, at)
        case _ if event.logger == "redis":
            first = f"{fields.get('mark', '*')} {event.message}"
        case _:
            first = f"{event.logger}: {event.message}{context(event)}"
    lines = first.split("\n")
    if event.exception:
        lines += event.exception.rstrip().split("\n")
    return lines
