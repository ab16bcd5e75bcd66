"""resource_exhaustion: every limit but memory and disk: file descriptors, thread and process
limits, ephemeral ports."""

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
    kernel_prefix,
    nginx,
    nginx_conn,
    nginx_request,
    node_log,
    service,
    syslog,
)
from chaos_app.scenarios._stacks import (
    GO_ROOT,
    PY_LIB,
    REQUESTS_SEND_FRAME,
    go_goroutine,
    go_ptr,
    java_hash,
    java_stack,
    node_stack,
    py_addr,
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
