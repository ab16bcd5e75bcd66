"""Around a process: its start-up lines, the kernel killing it, and its restarts.

A process's own lines (a boot banner) are `APP` lines. The kernel and systemd on its host are
`HOST` lines: the plain-text shape writes them as the host's syslog, the JSON shape as journald
records. An exit and a restart are `RUNTIME` lines: `docker compose` prints `api-1 exited with
code 137`, Kubernetes records a BackOff event, systemd schedules a restart; each shape writes
the one its platform would (see `shapes`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chaos_app.events import Event, Style
from chaos_app.incidents.cast import Runtime
from chaos_app.incidents.healthy import hexid
from chaos_app.incidents.model import Origin, Role
from chaos_app.scenarios._kit import go_log, jv, kernel_prefix, pg, syslog

if TYPE_CHECKING:
    from chaos_app.incidents.timeline import Timeline

SIGNALS = {137: "KILL", 139: "SEGV", 143: "TERM"}


def go_raw(level: str, message: str) -> Event:
    """A line from Go's standard `log` package (net/http's server errors): no level word."""
    return Event(level, "log", message, style=Style.GO)


def runtime_event(kind: str, *, code: int = 0, count: int = 0, reason: str = "") -> Event:
    """An exit or a restart, as data: each shape words it the way its platform does."""
    level = "ERROR" if kind == "exit" else "WARNING"
    message = f"exited with code {code}" if kind == "exit" else f"restarting (count {count})"
    fields: dict[str, str | int | float] = {"kind": kind, "code": code, "count": count}
    if reason:
        fields["reason"] = reason
    return Event(level, "runtime", message, fields=fields)


def boot(
    timeline: Timeline,
    service: str,
    instance: int,
    t: float,
    category: str | None,
    *,
    role: Role = Role.SYMPTOM,
) -> float:
    """The start-up lines of a fresh process (a symptom when it is a restart); returns when it
    is ready to serve."""
    runtime = timeline.cast[service].runtime
    fake = timeline.fake
    pid = timeline.cast.instance(service, instance).pid_at(timeline.moment(t))
    worker_pid = pid + 1
    events: list[Event]
    if runtime is Runtime.PYTHON:
        events = [
            Event("INFO", "gunicorn.error", "Starting gunicorn 22.0.0"),
            Event("INFO", "gunicorn.error", f"Listening at: http://0.0.0.0:8000 ({pid})"),
            Event("INFO", "gunicorn.error", "Using worker: uvicorn.workers.UvicornWorker"),
            Event("INFO", "gunicorn.error", f"Booting worker with pid: {worker_pid}"),
            Event("INFO", "uvicorn.error", f"Started server process [{worker_pid}]"),
            Event("INFO", "uvicorn.error", "Waiting for application startup."),
            Event("INFO", "uvicorn.error", "Application startup complete."),
        ]
    elif runtime is Runtime.GO:
        events = [
            go_log("INFO", "starting auth version=1.19.2 addr=:8443 tls=true"),
            go_log("INFO", f"jwks loaded keys=2 kid={hexid(fake, 8)}"),
            go_log("INFO", "listening addr=:8443"),
        ]
    elif runtime is Runtime.JAVA:
        thread = "main"
        events = [
            jv(
                "INFO",
                "com.acme.payments.PaymentsApplication",
                f"Starting PaymentsApplication v2.7.1 using Java 21.0.2 with PID {pid}",
                thread,
            ),
            jv(
                "INFO",
                "o.s.b.w.embedded.tomcat.TomcatWebServer",
                "Tomcat started on port 8080 (http) with context path ''",
                thread,
            ),
            jv(
                "INFO",
                "com.acme.payments.PaymentsApplication",
                f"Started PaymentsApplication in {fake.rng.uniform(6, 14):.3f} seconds "
                f"(process running for {fake.rng.uniform(14, 16):.3f})",
                thread,
            ),
        ]
    elif runtime is Runtime.CELERY:
        events = [
            Event("INFO", "celery.worker.consumer.connection", "Connected to redis://cache:6379/0"),
            Event("INFO", "celery.apps.worker", f"celery@{service}-{instance + 1} ready."),
        ]
    elif runtime is Runtime.POSTGRES:
        events = [pg("LOG", "database system is ready to accept connections", pid)]
    else:
        events = [Event("INFO", "nginx.error", "start worker processes")]
    step = fake.rng.uniform(0.05, 0.6)
    for offset, event in enumerate(events):
        timeline.add(
            t + offset * step, service, event, role=role, category=category, instance=instance
        )
    return t + len(events) * step


def exited(
    timeline: Timeline,
    service: str,
    instance: int,
    t: float,
    code: int,
    *,
    role: Role = Role.SYMPTOM,
    category: str = "crash_loop",
    reason: str = "",
) -> None:
    event = runtime_event("exit", code=code, reason=reason)
    timeline.add(
        t, service, event, role=role, category=category, instance=instance, origin=Origin.RUNTIME
    )


def restarted(
    timeline: Timeline, service: str, instance: int, t: float, count: int, category: str
) -> None:
    event = runtime_event("restart", count=count)
    timeline.add(
        t,
        service,
        event,
        role=Role.SYMPTOM,
        category=category,
        instance=instance,
        origin=Origin.RUNTIME,
    )


def kernel_oom(
    timeline: Timeline,
    service: str,
    instance: int,
    t: float,
    comm: str,
    pid: int,
    role: Role,
    *,
    lines: int = 4,
) -> None:
    """The kernel's OOM kill in the container's memory cgroup, on the instance's host: the
    whole report (4 lines), or only its first and last."""
    fake = timeline.fake
    host = timeline.cast.instance(service, instance).host
    k = kernel_prefix(fake)
    limit = fake.choice((524288, 1048576, 2097152))
    rss = limit - fake.integer(2000, 30000)
    scope = f"/kubepods.slice/kubepods-burstable.slice/cri-containerd-{hexid(fake, 64)}.scope"
    report = [
        f"{k}{comm} invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=998",
        f"{k}memory: usage {limit}kB, limit {limit}kB, failcnt {fake.integer(1, 9000)}",
        f"{k}oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset={scope.rsplit('/', 1)[1]},"
        f"mems_allowed=0,oom_memcg={scope},task_memcg={scope},task={comm},pid={pid},uid=10001",
        f"{k}Memory cgroup out of memory: Killed process {pid} ({comm}) total-vm:"
        f"{rss * 2 + fake.integer(0, 900000)}kB, anon-rss:{rss}kB, file-rss:"
        f"{fake.integer(1000, 40000)}kB, shmem-rss:0kB, UID:10001 pgtables:"
        f"{fake.integer(900, 9000)}kB oom_score_adj:998",
    ]
    if lines < len(report):
        report = [report[0], report[-1]]
    for offset, text in enumerate(report):
        level = "ERROR" if "Killed process" in text else "WARNING"
        timeline.add(
            t + offset * 0.0004,
            service,
            syslog(level, "kernel", text, host),
            role=role,
            category="out_of_memory",
            instance=instance,
            origin=Origin.HOST,
        )
