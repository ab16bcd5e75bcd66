"""Writing a stream out in the shape an operator would have collected it.

- `compose`: `docker compose logs`: every line of a container prefixed `api-1     | `, the name
  padded as compose pads it; compose's own `api-1 exited with code 137` when one dies.
- `kubectl`: `kubectl logs --prefix --timestamps`: `[pod/api-7d9f8c6b5-x2k4q/api]
  2026-03-16T17:49:25.958123456Z <line>` on every line; the cluster's events (BackOff,
  OOMKilling) from an event-exporter pod.
- `json`: a shipper's JSON lines, each logger's own keys (see `jsonshape`); journald's JSON for
  the hosts.
- `text`: plain lines with the service in each head, a head per service (`[api]`, syslog's
  `host api[pid]:`, `| worker |`, logfmt's `service=auth`); the hosts' syslog.

Each record (one log event, its stack included) is one string; its lines are joined by "\\n".
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime

from chaos_app.events import Fake, Style
from chaos_app.incidents.cast import Cast, Header, Instance, Service, k8s_suffix
from chaos_app.incidents.healthy import hexid
from chaos_app.incidents.host import SIGNALS
from chaos_app.incidents.incident import Stream
from chaos_app.incidents.jsonshape import (
    app_json,
    compact,
    journald,
    json_record,
    nanos,
    split_logfmt,
)
from chaos_app.incidents.model import Line, Origin, Shape
from chaos_app.incidents.native import RAW_LOGGERS, body, container_text, millis
from chaos_app.render import iso_millis
from chaos_app.scenarios._kit import slog_level

_LEVEL_PRIORITY = {"CRITICAL": 2, "ERROR": 3, "WARNING": 4, "INFO": 6, "DEBUG": 7}
_EXIT_STATUS = {1: "1/FAILURE", 2: "2/INVALIDARGUMENT"}
_EVENTS_NAMESPACE = "prod"


def render(stream: Stream, shape: Shape) -> Iterator[tuple[datetime, str]]:
    """(time, record) for each line the shape shows, in time order."""
    writer = _Writer(stream, shape)
    for line in stream.lines:
        record = writer.record(line)
        if record is not None:
            yield line.at, record


def render_text(stream: Stream, shape: Shape) -> str:
    return "".join(f"{record}\n" for _, record in render(stream, shape))


def syslog_time(at: datetime) -> str:
    return f"{at:%b} {at.day:2d} {at:%H:%M:%S}"


class _Writer:
    def __init__(self, stream: Stream, shape: Shape) -> None:
        self.cast: Cast = stream.cast
        self.shape = shape
        # Values only a shape has (the event exporter's pod, event uids), seeded by the stream.
        rng = random.Random(f"{stream.seed}/{stream.incident.name}/{shape}")
        self.fake = Fake(rng)
        self.exporter = f"event-exporter-{k8s_suffix(self.fake, 10)}-{k8s_suffix(self.fake, 5)}"
        self.width = self.cast.compose_width()

    def record(self, line: Line) -> str | None:
        service = self.cast[line.service]
        instance = service.instances[line.instance]
        if line.origin is Origin.RUNTIME:
            return self._runtime(line, service, instance)
        if line.origin is Origin.HOST:
            return self._host(line, instance)
        match self.shape:
            case Shape.compose:
                prefix = f"{instance.compose:<{self.width}} | "
                return "\n".join(prefix + part for part in self._container(line, service, instance))
            case Shape.kubectl:
                prefix = f"[pod/{instance.pod}/{service.name}] {self._nanos(line.at)} "
                return "\n".join(prefix + part for part in self._container(line, service, instance))
            case Shape.json:
                pid = instance.pid_at(line.at)
                return json_record(line.event, line.at, service.runtime, service.name, pid)
            case _:
                return self._text(line, service, instance)

    def _nanos(self, at: datetime) -> str:
        # The container runtime stamps each line when it reads it: microseconds, then more.
        return nanos(at)[:-4] + f"{self.fake.integer(0, 999):03d}Z"

    def _container(self, line: Line, service: Service, instance: Instance) -> list[str]:
        if service.container_json:
            pid = instance.pid_at(line.at)
            own = app_json(line.event, line.at, service.runtime, service.name, pid)
            if own is not None:
                return [own]
        return container_text(line.event, line.at, service.runtime).split("\n")

    def _text(self, line: Line, service: Service, instance: Instance) -> str:
        event, at = line.event, line.at
        level = event.level
        lines = body(event, at)
        first, rest = lines[0], lines[1:]
        match service.header:
            case Header.SYSLOG:
                head = f"{syslog_time(at)} {instance.host} {service.name}[{instance.pid_at(at)}]: "
                # journald makes a record of every line a process writes.
                if event.style in (Style.APP, Style.JAVA) and event.logger not in RAW_LOGGERS:
                    first = f"{level} {first}"
                return "\n".join(head + part for part in [first, *rest])
            case Header.PIPE:
                head = f"{at:%Y-%m-%d %H:%M:%S},{millis(at)} | {level:<8} | {service.name} | "
            case Header.LOGFMT if event.logger in ("main", "log"):
                message = first.split(" ", 1)[1] if event.logger == "main" else first
                msg, attrs = split_logfmt(message)
                pairs = "".join(f" {k}={_quote(str(v))}" for k, v in attrs.items())
                head = f"time={iso_millis(at)} level={slog_level(level)} service={service.name}"
                first = f"{head} msg={_quote(msg)}{pairs}"
                return "\n".join([first, *rest])
            case Header.LOGFMT:
                head = f"time={iso_millis(at)} level={level} service={service.name} msg="
                return "\n".join([head + _quote(first), *rest])
            case _:
                head = f"{iso_millis(at)} {level:<5} [{service.name}] "
        return "\n".join([head + first, *rest])

    def _host(self, line: Line, instance: Instance) -> str | None:
        event, at = line.event, line.at
        match self.shape:
            case Shape.text:
                return f"{syslog_time(at)} {instance.host} {event.logger}: {event.message}"
            case Shape.json:
                priority = _LEVEL_PRIORITY.get(event.level, 6)
                return journald(at, instance, event.logger, event.message, priority)
            case Shape.kubectl if "Killed process" in event.message:
                # node-problem-detector reports the kernel's kill as a node event.
                message = event.message.split("] ", 1)[-1] if "] " in event.message else None
                text = message or event.message
                return self._k8s_event(at, "OOMKilling", "Warning", text, instance, "Node")
            case _:
                return None  # compose shows only the containers' output

    def _runtime(self, line: Line, service: Service, instance: Instance) -> str | None:
        fields = line.event.fields
        kind, code = fields["kind"], int(fields["code"])
        unit = f"{service.name}.service"
        at = line.at
        if kind == "exit":
            match self.shape:
                case Shape.compose:
                    return f"{instance.compose} exited with code {code}"
                case Shape.text | Shape.json:
                    if code > 128:
                        status = f"code=killed, status={code - 128}/{SIGNALS.get(code, 'KILL')}"
                        result = "oom-kill" if fields.get("reason") == "oom" else "signal"
                    else:
                        status = f"code=exited, status={_EXIT_STATUS.get(code, str(code))}"
                        result = "exit-code"
                    messages = [
                        f"{unit}: Main process exited, {status}",
                        f"{unit}: Failed with result '{result}'.",
                    ]
                    return self._systemd(at, instance, messages, 3)
                case _:
                    return None
        count = int(fields["count"])
        match self.shape:
            case Shape.text | Shape.json:
                messages = [
                    f"{unit}: Scheduled restart job, restart counter is at {count}.",
                    f"Started {unit} - {service.name}.",
                ]
                return self._systemd(at, instance, messages, 6)
            case Shape.kubectl:
                message = (
                    f"Back-off restarting failed container {service.name} in pod "
                    f"{instance.pod}_{_EVENTS_NAMESPACE}({self.fake.uuid()})"
                )
                return self._k8s_event(at, "BackOff", "Warning", message, instance, "Pod", count)
            case _:
                return None

    def _systemd(self, at: datetime, instance: Instance, messages: list[str], priority: int) -> str:
        if self.shape is Shape.json:
            return "\n".join(journald(at, instance, "systemd", m, priority) for m in messages)
        return "\n".join(f"{syslog_time(at)} {instance.host} systemd[1]: {m}" for m in messages)

    def _k8s_event(
        self,
        at: datetime,
        reason: str,
        kind: str,
        message: str,
        instance: Instance,
        involved: str,
        count: int = 1,
    ) -> str:
        """kubernetes-event-exporter's stdout: the Event object as JSON."""
        stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        name = instance.pod if involved == "Pod" else instance.host
        record: dict[str, object] = {
            "metadata": {
                "name": f"{name}.{hexid(self.fake, 16)}",
                "namespace": _EVENTS_NAMESPACE if involved == "Pod" else "default",
            },
            "reason": reason,
            "message": message,
            "source": {
                "component": "kubelet" if involved == "Pod" else "kernel-monitor",
                "host": instance.host,
            },
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": count,
            "type": kind,
            "involvedObject": {"kind": involved, "name": name},
        }
        prefix = f"[pod/{self.exporter}/event-exporter] {self._nanos(at)} "
        return prefix + compact(record)


def _quote(value: str) -> str:
    """logfmt quotes a value with spaces, quotes or `=` in it, as strconv.Quote does."""
    if value and not any(c in value for c in ' "=\\\t'):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
