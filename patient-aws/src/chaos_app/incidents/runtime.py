"""Incidents where a process dies: the kernel OOM-kills the API, a Go panic kills auth. The
orchestrator restarts them with a growing back-off (10 s, 20 s, 40 s, ... 5 min, as the
kubelet does); while an instance is down its callers are refused."""

from __future__ import annotations

from collections.abc import Callable

from chaos_app.events import Event, Fake
from chaos_app.incidents._lines import gateway_failure, gateway_status, python_http_error
from chaos_app.incidents.healthy import hexid
from chaos_app.incidents.host import boot, exited, kernel_oom, restarted
from chaos_app.incidents.model import Role
from chaos_app.incidents.timeline import Timeline
from chaos_app.scenarios._kit import java_thread, jv
from chaos_app.scenarios._stacks import go_goroutine, go_ptr

UNAVAILABLE = "upstream_unavailable"
ROOT_BUDGET = 20  # the root cause stays a handful of records, however long the loop runs

# crash(t, cycle) writes the crash's own lines at t and returns how many root records it wrote.
Crash = Callable[[float, int], int]


def crash_loop(
    tl: Timeline,
    service: str,
    instance: int,
    first: float,
    crash: Crash,
    *,
    code: int,
    serving: tuple[float, float],
    budget: list[int],
    exit_role: Role = Role.SYMPTOM,
    exit_category: str = "crash_loop",
) -> list[tuple[float, float]]:
    """Crash, exit, back off, restart, boot, serve a while, crash again: the windows in which
    the instance was down. Once the root budget is spent the instance stays down (the last
    back-off outlasts the stream)."""
    windows: list[tuple[float, float]] = []
    t, backoff, cycle = first, 10.0, 0
    while t < tl.end:
        if budget[0] <= 0:
            tl.down(service, instance, t, tl.end)
            windows.append((t, tl.end))
            break
        budget[0] -= crash(t, cycle)
        reason = "oom" if code == 137 else ""
        exited(
            tl,
            service,
            instance,
            t + 0.05,
            code,
            role=exit_role,
            category=exit_category,
            reason=reason,
        )
        cycle += 1
        again = t + backoff * tl.fake.rng.uniform(1.0, 1.1)
        restarted(tl, service, instance, again, cycle, "crash_loop")
        tl.restart(service, instance, again)
        ready = boot(tl, service, instance, again + 0.2, "crash_loop")
        tl.down(service, instance, t, ready)
        windows.append((t, ready))
        t = ready + tl.fake.rng.uniform(*serving)
        backoff = min(backoff * 2, 300.0)
    return windows


def while_down(
    tl: Timeline,
    windows: list[tuple[float, float]],
    service: str,
    rate: float,
    build: Callable[[Fake], Event | list[Event]],
    category: str,
) -> None:
    for t0, t1 in windows:
        tl.steady(service, t0 + tl.fake.rng.uniform(0.05, 1), t1, rate, build, category=category)


def oom_killed(tl: Timeline) -> None:
    """An API replica leaks memory on a new report export; the kernel kills it at its cgroup
    limit (exit 137), it restarts, fills up again; the gateway's requests to it are refused."""
    fake = tl.fake
    budget = [ROOT_BUDGET]
    instance = fake.integer(0, len(tl.cast["api"].instances) - 1)

    def crash(t: float, cycle: int) -> int:
        pid = tl.cast.instance("api", instance).pid_at(tl.moment(t))
        lines = 4 if cycle == 0 else 2
        kernel_oom(tl, "api", instance, t, "uvicorn", pid, Role.ROOT, lines=lines)
        return lines + 1  # and the exit with code 137

    windows = crash_loop(
        tl,
        "api",
        instance,
        tl.onset,
        crash,
        code=137,
        serving=(60, 200),
        budget=budget,
        exit_role=Role.ROOT,
        exit_category="out_of_memory",
    )
    upstream = f"{tl.cast.instance('api', instance).ip}:8000"
    for t0, _ in windows:  # requests in flight when it was killed
        for _ in range(fake.integer(2, 6)):
            tl.symptom(
                t0 + fake.rng.uniform(0.01, 0.3),
                "gateway",
                gateway_failure(fake, "closed", upstream, ("GET", "/api/v1/reports/export"))[0],
                UNAVAILABLE,
            )
    while_down(
        tl,
        windows,
        "gateway",
        fake.rng.uniform(0.8, 1.6),
        lambda f: gateway_failure(f, "refused", upstream, ("GET", "/api/v1/orders")),
        UNAVAILABLE,
    )

    def worker(f: Fake) -> list[Event]:
        return python_http_error(
            f,
            "app.clients",
            "api call failed",
            "requests.exceptions.ConnectionError: "
            f"HTTPConnectionPool(host='{upstream.split(':', maxsplit=1)[0]}', port=8000): "
            "Max retries exceeded with url: /internal/orders/pending (Caused by "
            "NewConnectionError('<urllib3.connection.HTTPConnection object at "
            f"0x7f{hexid(f, 10)}>: Failed to establish a new connection: [Errno 111] Connection "
            "refused'))",
            "resp = self.session.get(url, timeout=5)",
            None,
        )

    while_down(tl, windows, "worker", fake.rng.uniform(0.1, 0.3), worker, UNAVAILABLE)


def _panic(fake: Fake) -> Event:
    if fake.chance(0.6):
        head = "panic: runtime error: invalid memory address or nil pointer dereference"
        signal = (
            f"[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x{hexid(fake, 6)}]\n\n"
        )
    else:
        head = "panic: runtime error: index out of range [0] with length 0"
        signal = "\n"
    goroutine = go_goroutine(
        fake,
        fake.integer(20, 400),
        "running",
        [
            (
                f"github.com/acme/auth/internal/jwks.(*Cache).refresh({go_ptr(fake)}, "
                f"{{0x{hexid(fake, 6)}, {go_ptr(fake)}}})",
                "/src/internal/jwks/cache.go:112",
            ),
            (
                "github.com/acme/auth/internal/jwks.(*Cache).Run.func1()",
                "/src/internal/jwks/cache.go:64",
            ),
        ],
    )
    created = (
        "created by github.com/acme/auth/internal/jwks.(*Cache).Run in goroutine 1\n"
        "\t/src/internal/jwks/cache.go:61 +0x8f"
    )
    return Event("CRITICAL", "stderr", head, f"{signal}{goroutine}\n{created}")


def go_panic(tl: Timeline) -> None:
    """The identity provider publishes a key without `use`; auth's JWKS refresher dereferences
    the missing field and panics at every start, so every replica crash-loops and callers
    that need a token get 503."""
    fake = tl.fake
    budget = [ROOT_BUDGET]
    replicas = len(tl.cast["auth"].instances)

    def crash_at(instance: int) -> Crash:
        def crash(t: float, cycle: int) -> int:
            tl.root(t, "auth", _panic(fake), "application_exception", instance=instance)
            return 1

        return crash

    for instance in range(replicas):
        first = tl.onset + instance * fake.rng.uniform(0.5, 20)
        crash_loop(
            tl, "auth", instance, first, crash_at(instance), code=2, serving=(0.5, 4), budget=budget
        )
    start = tl.onset + 0.5

    def api_error(f: Fake) -> list[Event]:
        return python_http_error(
            f,
            "app.auth",
            "token introspection failed",
            "httpx.ConnectError: [Errno 111] Connection refused",
            "resp = await self.client.post(INTROSPECT_URL, data={'token': token})",
            503,
        )

    tl.steady(
        "api",
        start + fake.rng.uniform(0, 2),
        tl.end,
        fake.rng.uniform(0.3, 0.8),
        api_error,
        category=UNAVAILABLE,
    )
    upstream = tl.address("api", 8000)
    tl.steady(
        "gateway",
        start + fake.rng.uniform(0, 2),
        tl.end,
        fake.rng.uniform(0.3, 0.8),
        lambda f: gateway_status(f, 503, upstream),
        category=UNAVAILABLE,
    )
    auth_ip = tl.cast.instance("auth", 0).ip

    def payments(f: Fake) -> Event:
        return jv(
            "ERROR",
            "com.acme.payments.security.ServiceTokenProvider",
            'Could not obtain service token: 503 SERVICE_UNAVAILABLE "auth unreachable"; nested '
            f"exception is io.netty.channel.AbstractChannel$AnnotatedConnectException: "
            f"Connection refused: auth.internal/{auth_ip}:8443",
            java_thread(f),
        )

    tl.steady(
        "payments",
        start + fake.rng.uniform(1, 5),
        tl.end,
        fake.rng.uniform(0.05, 0.2),
        payments,
        category=UNAVAILABLE,
    )
