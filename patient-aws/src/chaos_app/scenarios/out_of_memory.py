"""out_of_memory: heaps that fill up inside the runtime, and processes the kernel OOM-kills."""

from __future__ import annotations

from chaos_app.events import Event, Fake, Style
from chaos_app.scenarios._kit import access, java_thread, jv, kernel_prefix, node_log, syslog
from chaos_app.scenarios._stacks import (
    CELERY_TASK_FRAMES,
    DISPATCHER,
    GO_ROOT,
    go_goroutine,
    go_ptr,
    java_stack,
    py_traceback,
)


def _java_heap(fake: Fake) -> list[Event]:
    thread = java_thread(fake)
    kind = fake.choice(("Java heap space", "Java heap space", "GC overhead limit exceeded"))
    line = fake.integer(60, 190)
    stack = java_stack(
        f"java.lang.OutOfMemoryError: {kind}",
        [
            "java.base/java.util.Arrays.copyOf(Arrays.java:3541)",
            "java.base/java.util.ArrayList.grow(ArrayList.java:237)",
            "java.base/java.util.ArrayList.add(ArrayList.java:483)",
            f"com.acme.orders.report.ReportExporter.collectRows(ReportExporter.java:{line})",
            "com.acme.orders.report.ReportController.download(ReportController.java:58)",
            "java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)",
        ],
    )
    method, path = "GET", f"/api/v1/reports/orders.csv?from=2025-{fake.integer(1, 12):02d}-01"
    return [
        jv(
            "WARNING",
            "com.acme.orders.report.ReportExporter",
            f"export of {fake.integer(2, 9)}M rows requested, streaming disabled",
            thread,
        ),
        jv(
            "ERROR",
            DISPATCHER,
            "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw "
            "exception "
            f"[Handler dispatch failed: java.lang.OutOfMemoryError: {kind}] with root cause",
            thread,
            stack,
        ),
        access(fake, "java", method, path, 500, fake.latency_ms(8000, 40000)),
    ]


def _python_numpy(fake: Fake) -> list[Event]:
    rows = fake.choice((500_000, 2_000_000, 8_000_000))
    cols = fake.choice((120, 480, 1000))
    gib = rows * cols * 8 / 2**30
    task = f"reports.tasks.build_export[{fake.uuid()}]"
    if fake.chance(0.6):
        final = (
            f"numpy.core._exceptions._ArrayMemoryError: Unable to allocate {gib:.2f} GiB for an "
            f"array with shape ({rows}, {cols}) and data type float64"
        )
        shown = f"_ArrayMemoryError(({rows}, {cols}), dtype('float64'))"  # celery logs repr(exc)
    else:
        final, shown = "MemoryError", "MemoryError()"
    tb = py_traceback(
        [
            *CELERY_TASK_FRAMES,
            (
                "/app/reports/tasks.py",
                fake.integer(30, 140),
                "build_export",
                "frame = pd.DataFrame(np.zeros((len(rows), len(columns))))",
            ),
        ],
        final,
    )
    return [Event("ERROR", "celery.app.trace", f"Task {task} raised unexpected: {shown}", tb)]


def _node_heap(fake: Fake) -> list[Event]:
    heap = fake.choice((2043.1, 4091.6, 1523.8))
    addr = f"0x{fake.hex(7)}"
    gcs = "\n".join(
        f"[1:{addr}] {fake.integer(500_000, 3_000_000)} ms: Mark-Compact {heap + i * 0.9:.1f} "
        f"({heap + 38:.1f}) -> {heap + i * 0.9 - 1.2:.1f} ({heap + 39.3:.1f}) MB, "
        f"{fake.integer(1500, 2400)}.{fake.integer(10, 99)} / 0.00 ms  (average mu = "
        f"0.1{fake.integer(10, 99)}, "
        f"current mu = 0.0{fake.integer(10, 99)}) allocation failure; scavenge might not succeed"
        for i in range(2)
    )
    native = "\n".join(
        f" {i}: 0x{fake.hex(6)} {frame}"
        for i, frame in enumerate(
            (
                "node::Abort() [node]",
                "node::OOMErrorHandler(char const*, v8::OOMDetails const&) [node]",
                (
                    "v8::internal::V8::FatalProcessOutOfMemory(v8::internal::Isolate*, char "
                    "const*, v8::OOMDetails const&) [node]"
                ),
                "v8::internal::Heap::FatalProcessOutOfMemory(char const*) [node]",
                (
                    "v8::internal::Heap::CollectGarbage(v8::internal::AllocationSpace, "
                    "v8::internal::GarbageCollectionReason, v8::GCCallbackFlags) [node]"
                ),
            ),
            start=1,
        )
    )
    return [
        node_log(
            "WARNING",
            "orders-api",
            "event loop delay high",
            fields={"lag_ms": fake.integer(900, 4000)},
        ),
        node_log(
            "CRITICAL",
            "node",
            "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
            f"<--- Last few GCs --->\n\n{gcs}\n\n\n<--- JS stacktrace --->\n\n{native}",
        ),
    ]


def _go_runtime(fake: Fake) -> list[Event]:
    size = fake.choice((1 << 26, 1 << 28, 1 << 30))
    inuse = fake.integer(1_800_000_000, 3_900_000_000)
    dump = "\nruntime stack:\n" + "\n".join(
        (
            f"runtime.throw({{0x{fake.hex(6)}?, 0x{fake.hex(8)}?}})",
            f"\t{GO_ROOT}/runtime/panic.go:1023 +0x5c",
            f"runtime.sysMapOS({go_ptr(fake)}, 0x{size:x})",
            f"\t{GO_ROOT}/runtime/mem_linux.go:167 +0x11b",
            f"runtime.(*mheap).grow(0x{fake.hex(6)}, 0x{size // 8192:x})",
            f"\t{GO_ROOT}/runtime/mheap.go:1519 +0x219",
        )
    )
    goroutine = go_goroutine(
        fake,
        fake.integer(20, 900),
        "running",
        [
            ("runtime.systemstack_switch()", f"{GO_ROOT}/runtime/asm_amd64.s:474"),
            (
                f"runtime.makeslice(0x{fake.hex(6)}, 0x{fake.hex(5)}, 0x{fake.hex(5)})",
                f"{GO_ROOT}/runtime/slice.go:103",
            ),
            (
                f"main.(*Aggregator).Snapshot({go_ptr(fake)})",
                "/app/internal/metrics/aggregator.go:88",
            ),
        ],
    )
    return [
        Event(
            "CRITICAL",
            "runtime",
            f"runtime: out of memory: cannot allocate {size}-byte block ({inuse} in use)\n"
            "fatal error: out of memory",
            f"{dump}\n\n{goroutine}",
            Style.GO,
        )
    ]


def memory_leak(fake: Fake) -> list[Event]:
    return fake.choice((_java_heap, _python_numpy, _node_heap, _go_runtime))(fake)


def oom_killed(fake: Fake) -> list[Event]:
    host = fake.hostname()
    k = kernel_prefix(fake)
    comm = fake.choice(("java", "node", "python3", "gunicorn", "orders-api"))
    pid, uid = fake.pid(), fake.choice((0, 1000, 10001))
    limit = fake.choice((524288, 1048576, 2097152, 4194304))
    docker = fake.chance(0.4)
    cg = (
        f"/system.slice/docker-{fake.hex(64)}.scope"
        if docker
        else "/system.slice/chaos-app.service"
    )
    rss = limit - fake.integer(2000, 30000)
    cpuset = cg.rsplit("/", 1)[1]
    events = [
        syslog(
            "WARNING",
            "kernel",
            f"{k}{comm} invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
            host,
        ),
        syslog(
            "WARNING",
            "kernel",
            f"{k}memory: usage {limit}kB, limit {limit}kB, failcnt {fake.integer(1, 9000)}",
            host,
        ),
        syslog(
            "INFO",
            "kernel",
            f"{k}oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset={cpuset},mems_allowed=0,"
            f"oom_memcg={cg},task_memcg={cg},task={comm},pid={pid},uid={uid}",
            host,
        ),
        syslog(
            "ERROR",
            "kernel",
            f"{k}Memory cgroup out of memory: Killed process {pid} ({comm}) "
            f"total-vm:{rss * 2 + fake.integer(0, 900000)}kB, "
            f"anon-rss:{rss}kB, file-rss:{fake.integer(1000, 40000)}kB, shmem-rss:0kB, UID:{uid} "
            f"pgtables:{fake.integer(900, 9000)}kB oom_score_adj:0",
            host,
        ),
        syslog(
            "INFO",
            "kernel",
            (
                f"{k}oom_reaper: reaped process {pid} ({comm}), now anon-rss:0kB, file-rss:0kB, "
                "shmem-rss:0kB"
            ),
            host,
        ),
    ]
    if comm == "gunicorn":  # gunicorn's arbiter sees its worker vanish
        return [
            *events,
            Event(
                "ERROR",
                "gunicorn.error",
                f"Worker (pid:{pid}) was sent SIGKILL! Perhaps out of memory?",
                fields={"pid": pid},
            ),
            Event("INFO", "gunicorn.error", f"Booting worker with pid: {fake.pid()}"),
        ]
    if docker:
        # The entrypoint ran the app as a child, so bash reports the kill; Docker then records
        # exit code 137 (128 + SIGKILL) and compose prints it.
        command = {"java": "java $JAVA_OPTS -jar /app/app.jar", "node": "node dist/main.js"}
        return [
            *events,
            Event(
                "ERROR",
                "entrypoint",
                f"/docker-entrypoint.sh: line {fake.integer(8, 30)}: "
                f"{fake.integer(7, 60):>5} Killed"
                f"                  {command.get(comm, comm)}",
            ),
            Event("ERROR", "compose", "chaos-app-1 exited with code 137"),
        ]
    return [
        *events,
        syslog(
            "WARNING",
            "systemd[1]",
            "chaos-app.service: A process of this unit has been killed by the OOM killer.",
            host,
        ),
        syslog(
            "ERROR",
            "systemd[1]",
            "chaos-app.service: Main process exited, code=killed, status=9/KILL",
            host,
        ),
        syslog("ERROR", "systemd[1]", "chaos-app.service: Failed with result 'oom-kill'.", host),
    ]
