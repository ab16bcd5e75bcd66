"""thread-exhaustion: no more threads or processes: Python and Go hit the thread limit, a Java
executor rejects work, the pids cgroup refuses a fork."""

from __future__ import annotations

from chaos_app.events import Event, Fake, Style
from chaos_app.scenarios._kit import (
    java_thread,
    jv,
    kernel_prefix,
    syslog,
)
from chaos_app.scenarios._stacks import (
    GO_ROOT,
    PY_LIB,
    go_goroutine,
    go_ptr,
    java_hash,
    java_stack,
    py_traceback,
)


def _threads_python(fake: Fake) -> list[Event]:
    tb = py_traceback(
        [
            (
                "/app/notifications/dispatcher.py",
                fake.integer(30, 120),
                "fan_out",
                "worker.start()",
            ),
            (f"{PY_LIB}/threading.py", 935, "start", "_start_new_thread(self._bootstrap, ())"),
        ],
        "RuntimeError: can't start new thread",
    )
    active = fake.integer(4000, 32000)
    return [
        Event(
            "WARNING", "app.notifications", f"dispatcher backlog growing: {active} threads alive"
        ),
        Event(
            "ERROR",
            "app.notifications",
            "failed to dispatch notification batch",
            tb,
            fields={"batch_id": fake.uuid()},
        ),
    ]


def _threads_go(fake: Fake) -> list[Event]:
    have = fake.choice((4096, 10000, 32768))
    dump = go_goroutine(
        fake,
        fake.integer(1, 9000),
        "running",
        [
            ("runtime.newosproc(0xc000" + fake.hex(6) + ")", f"{GO_ROOT}/runtime/os_linux.go:186"),
            (f"runtime.newm1({go_ptr(fake)})", f"{GO_ROOT}/runtime/proc.go:2634"),
            (
                f"runtime.newm(0x{fake.hex(6)}, {go_ptr(fake)}, 0xffffffffffffffff)",
                f"{GO_ROOT}/runtime/proc.go:2609",
            ),
        ],
    )
    return [
        Event(
            "CRITICAL",
            "runtime",
            f"runtime: failed to create new OS thread (have {have} already; errno=11)\n"
            "runtime: may need to increase max user processes (ulimit -u)\nfatal error: newosproc",
            dump,
            Style.GO,
        )
    ]


def _threads_java(fake: Fake) -> list[Event]:
    thread = java_thread(fake)
    size = fake.choice((64, 200, 256))
    queued = fake.choice((500, 1000, 10000))
    rejected = (
        f"Task java.util.concurrent.FutureTask@{java_hash(fake)}[Not completed, task = "
        f"com.acme.pricing.QuoteFetcher$$Lambda/0x00007f{fake.hex(8)}@{java_hash(fake)}] rejected "
        f"from java.util.concurrent.ThreadPoolExecutor@{java_hash(fake)}[Running, pool size "
        f"= {size}, "
        f"active threads = {size}, queued tasks = {queued}, completed tasks = "
        f"{fake.integer(1000, 900000)}]"
    )
    stack = java_stack(
        f"java.util.concurrent.RejectedExecutionException: {rejected}",
        [
            "java.base/java.util.concurrent.ThreadPoolExecutor$AbortPolicy.rejectedExecution(ThreadPoolExecutor.java:2081)",
            "java.base/java.util.concurrent.ThreadPoolExecutor.reject(ThreadPoolExecutor.java:841)",
            "java.base/java.util.concurrent.ThreadPoolExecutor.execute(ThreadPoolExecutor.java:1376)",
            "java.base/java.util.concurrent.AbstractExecutorService.submit(AbstractExecutorService.java:145)",
            f"com.acme.pricing.QuoteService.quoteAll(QuoteService.java:{fake.integer(40, 140)})",
        ],
    )
    return [jv("ERROR", "com.acme.pricing.QuoteController", "quote request failed", thread, stack)]


def _threads_pids(fake: Fake) -> list[Event]:
    host = fake.hostname()
    k = kernel_prefix(fake)
    tb = py_traceback(
        [
            (
                "/app/reports/render.py",
                fake.integer(30, 140),
                "to_pdf",
                'subprocess.run(["wkhtmltopdf", src, dst], check=True)',
            ),
            (f"{PY_LIB}/subprocess.py", 503, "run", "with Popen(*popenargs, **kwargs) as process:"),
            (
                f"{PY_LIB}/subprocess.py",
                971,
                "__init__",
                "self._execute_child(args, executable, preexec_fn, close_fds,",
            ),
            (
                f"{PY_LIB}/subprocess.py",
                1796,
                "_execute_child",
                "self.pid = _posixsubprocess.fork_exec(",
            ),
        ],
        "BlockingIOError: [Errno 11] Resource temporarily unavailable",
    )
    return [
        syslog(
            "WARNING",
            "kernel",
            f"{k}cgroup: fork rejected by pids controller in /system.slice/chaos-app.service",
            host,
        ),
        Event(
            "ERROR", "app.reports", "PDF rendering failed", tb, fields={"report_id": fake.uuid()}
        ),
    ]


def thread_exhaustion(fake: Fake) -> list[Event]:
    return fake.choice((_threads_python, _threads_go, _threads_java, _threads_pids))(fake)
