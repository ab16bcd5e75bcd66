"""database_connection: the PostgreSQL server is down or restarting, connection slots run
out, and the Redis cache is unreachable."""

from __future__ import annotations

from chaos_app.events import Event, Fake
from chaos_app.scenarios._kit import (
    DB_NAMES,
    Fields,
    access,
    endpoint,
    go_log,
    go_quote,
    java_thread,
    jv,
    node_log,
    pg,
)
from chaos_app.scenarios._stacks import (
    DISPATCHER,
    PY_SITE,
    SA,
    SA_CONNECT_FRAMES,
    SA_SESSION_FRAMES,
    SQL_HELPER,
    SQLA_OPERATIONAL,
    java_hash,
    java_stack,
    node_stack,
    py_chain,
    py_handler,
    py_traceback,
    py_web_error,
)


def libpq_failure(fake: Fake, host: str) -> str:
    """What libpq says when it cannot get a session, in its real wordings (old and new)."""
    return fake.choice(
        (
            f'connection to server at "{host}", port 5432 failed: Connection refused\n'
            "\tIs the server running on that host and accepting TCP/IP connections?",
            f'connection to server at "{host}", port 5432 failed: Connection timed out\n'
            "\tIs the server running on that host and accepting TCP/IP connections?",
            "could not connect to server: Connection refused\n"
            f'\tIs the server running on host "{host}" and accepting\n'
            "\tTCP/IP connections on port 5432?",
            "server closed the connection unexpectedly\n"
            "\tThis probably means the server terminated abnormally\n"
            "\tbefore or while processing the request.",
        )
    )


def python_connect_error(fake: Fake, failure: str, retries: int) -> list[Event]:
    """tenacity retry warnings, then the web framework's unhandled-exception line, then a 500."""
    wrapped = (
        f"(psycopg2.OperationalError) {failure}\n(Background on this error at: {SQLA_OPERATIONAL})"
    )
    events = [
        Event(
            "WARNING",
            "app.db",
            (
                f"Retrying app.db.session_scope in {delay} seconds as it raised "
                f"OperationalError: {wrapped}."
            ),
        )
        for delay in (0.5, 1.0, 2.0)[:retries]
    ]
    method, path = endpoint(fake)
    logger, message, frames = py_web_error(fake, method, path)
    cause = py_traceback(SA_CONNECT_FRAMES, f"psycopg2.OperationalError: {failure}")
    effect = py_traceback(
        [*frames, py_handler(fake), *SA_SESSION_FRAMES, *SA_CONNECT_FRAMES],
        f"sqlalchemy.exc.OperationalError: {wrapped}",
    )
    fields: Fields = {"request_id": fake.request_id(), "path": path.split("?")[0]}
    events.append(Event("ERROR", logger, message, py_chain(cause, effect), fields=fields))
    events.append(access(fake, "python", method, path, 500, fake.latency_ms(900, 6000)))
    return events


def _python(fake: Fake, host: str) -> list[Event]:
    return python_connect_error(fake, libpq_failure(fake, host), fake.integer(1, 3))


_PSQL_FRAMES = [
    "org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:342)",
    "org.postgresql.core.ConnectionFactory.openConnection(ConnectionFactory.java:54)",
    "org.postgresql.jdbc.PgConnection.<init>(PgConnection.java:263)",
    "org.postgresql.Driver.makeConnection(Driver.java:443)",
    "org.postgresql.Driver.connect(Driver.java:297)",
    "com.zaxxer.hikari.util.DriverDataSource.getConnection(DriverDataSource.java:138)",
    "com.zaxxer.hikari.pool.PoolBase.newConnection(PoolBase.java:359)",
    "com.zaxxer.hikari.pool.PoolBase.newPoolEntry(PoolBase.java:201)",
    "com.zaxxer.hikari.pool.HikariPool.createPoolEntry(HikariPool.java:470)",
    "com.zaxxer.hikari.pool.HikariPool$PoolEntryCreator.call(HikariPool.java:733)",
    "java.base/java.util.concurrent.FutureTask.run(FutureTask.java:317)",
    "java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1144)",
    "java.base/java.lang.Thread.run(Thread.java:1583)",
]
_SOCKET_FRAMES = [
    "java.base/sun.nio.ch.Net.pollConnect(Native Method)",
    "java.base/sun.nio.ch.Net.pollConnectNow(Net.java:682)",
    "java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:542)",
    "java.base/sun.nio.ch.NioSocketImpl.connect(NioSocketImpl.java:592)",
    "java.base/java.net.Socket.connect(Socket.java:751)",
    "org.postgresql.core.PGStream.createSocket(PGStream.java:243)",
    "org.postgresql.core.PGStream.<init>(PGStream.java:98)",
    "org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect(ConnectionFactoryImpl.java:132)",
]


def _java(fake: Fake, host: str) -> list[Event]:
    thread = java_thread(fake)
    unavailable = (
        "HikariPool-1 - Connection is not available, request timed out after 30000ms "
        f"(total=0, active=0, idle=0, waiting={fake.integer(1, 40)})"
    )
    refused = (
        f"Connection to {host}:5432 refused. Check that the hostname and port are correct "
        "and that the postmaster is accepting TCP/IP connections."
    )
    stack = java_stack(
        f"org.postgresql.util.PSQLException: {refused}",
        _PSQL_FRAMES,
        [("java.net.ConnectException: Connection refused", _SOCKET_FRAMES, 10)],
    )
    events: list[Event] = []
    if fake.chance(0.5):
        events.append(
            jv(
                "WARNING",
                "com.zaxxer.hikari.pool.PoolBase",
                "HikariPool-1 - Failed to validate connection org.postgresql.jdbc.PgConnection@"
                f"{java_hash(fake)} (This connection has been closed.). "
                "Possibly consider using a shorter maxLifetime value.",
                thread,
            )
        )
    failed = (
        "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw "
        "exception [Request processing failed: org.springframework.dao."
        f"DataAccessResourceFailureException: Unable to acquire JDBC Connection [{unavailable}] "
        "[n/a]] with root cause"
    )
    events += [
        jv("WARNING", SQL_HELPER, "SQL Error: 0, SQLState: 08001", thread),
        jv("ERROR", SQL_HELPER, unavailable, thread),
        jv("ERROR", DISPATCHER, failed, thread, stack),
    ]
    method, path = endpoint(fake)
    events.append(access(fake, "java", method, path, 500, 30000 + fake.latency_ms(1, 80)))
    return events


def _go(fake: Fake, host: str) -> list[Event]:
    dial = f"dial tcp {host}:5432: connect: connection refused"
    err = fake.choice(
        (
            f"failed to connect to `host={host} user=app database={fake.choice(DB_NAMES)}`: "
            f"dial error ({dial})",  # pgx v5
            dial,  # lib/pq
        )
    )
    events = [
        go_log("WARNING", f"database ping failed attempt={n} err={go_quote(err)}")
        for n in range(1, fake.integer(2, 4))
    ]
    method, path = endpoint(fake)
    route = path.split("?")[0]
    events.append(
        go_log(
            "ERROR",
            (
                f"query failed method={method} path={route} request_id={fake.uuid()} "
                f"err={go_quote(err)}"
            ),
        )
    )
    events.append(access(fake, "go", method, path, 500, fake.latency_ms(1, 20)))
    return events


def _node(fake: Fake, host: str) -> list[Event]:
    method, path = endpoint(fake)
    request_id = fake.uuid()
    if fake.chance(0.5):  # node-postgres: the socket error, with pino's serialised err fields
        stack = node_stack(
            f"Error: connect ECONNREFUSED {host}:5432",
            ["TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)"],
        )
        error = node_log(
            "ERROR",
            "orders-api",
            "failed to load order",
            stack,
            {"request_id": request_id, "errno": -111, "code": "ECONNREFUSED", "port": 5432},
        )
    else:  # Prisma's P1001
        where = f"`{host}`:`5432`"
        stack = node_stack(
            f"PrismaClientInitializationError: Can't reach database server at {where}\n\n"
            f"Please make sure your database server is running at {where}.",
            [
                (
                    "$n.handleRequestError "
                    "(/app/node_modules/@prisma/client/runtime/library.js:121:7615)"
                ),
                (
                    "$n.handleAndLogRequestError "
                    "(/app/node_modules/@prisma/client/runtime/library.js:121:6623)"
                ),
                "async OrdersService.findOne (/app/dist/orders/orders.service.js:41:23)",
            ],
        )
        error = node_log(
            "ERROR",
            "orders-api",
            "Unhandled error in request handler",
            stack,
            {"request_id": request_id, "errorCode": "P1001"},
        )
    return [error, access(fake, "node", method, path, 500, fake.latency_ms(2, 80))]


def _postgres_restart(fake: Fake, host: str) -> list[Event]:
    """A maintenance restart (RDS-style) in the server log, then what a client saw."""
    postmaster = fake.pid()
    events = [
        pg("LOG", "received fast shutdown request", postmaster, "WARNING"),
        pg("LOG", "aborting any active transactions", postmaster, "WARNING"),
    ]
    events += [
        pg("FATAL", "terminating connection due to administrator command", fake.pid())
        for _ in range(fake.integer(1, 3))
    ]
    events.append(pg("FATAL", "the database system is shutting down", fake.pid()))
    failure = fake.choice(
        (
            f'connection to server at "{host}", port 5432 failed: '
            "FATAL:  the database system is shutting down\n",
            "server closed the connection unexpectedly\n"
            "\tThis probably means the server terminated abnormally\n"
            "\tbefore or while processing the request.",
        )
    )
    return events + python_connect_error(fake, failure, 0)


def db_outage(fake: Fake) -> list[Event]:
    host = fake.private_ip()
    flavour = fake.choice((_python, _java, _go, _node, _postgres_restart))
    return flavour(fake, host)


_HIKARI_FRAMES = [
    "com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)",
    "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)",
    "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:144)",
    "com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:127)",
    "org.hibernate.engine.jdbc.connections.internal.DatasourceConnectionProviderImpl"
    ".getConnection(DatasourceConnectionProviderImpl.java:122)",
    "org.hibernate.internal.NonContextualJdbcConnectionAccess.obtainConnection"
    "(NonContextualJdbcConnectionAccess.java:46)",
    "org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.acquireConnectionIfNeeded"
    "(LogicalConnectionManagedImpl.java:126)",
]


def _python_queuepool(fake: Fake) -> list[Event]:
    size, overflow = fake.choice(((5, 10), (10, 20), (20, 0)))
    method, path = endpoint(fake)
    logger, message, frames = py_web_error(fake, method, path)
    tb = py_traceback(
        [
            *frames,
            py_handler(fake),
            (f"{SA}/orm/session.py", 2308, "execute", "return self._execute_internal("),
            (f"{SA}/engine/base.py", 3293, "raw_connection", "return self.pool.connect()"),
            (f"{SA}/pool/base.py", 452, "connect", "return _ConnectionFairy._checkout(self)"),
            (f"{SA}/pool/base.py", 1269, "_checkout", "fairy = _ConnectionRecord.checkout(pool)"),
            (f"{SA}/pool/base.py", 716, "checkout", "rec = pool._do_get()"),
            (f"{SA}/pool/impl.py", 157, "_do_get", "raise exc.TimeoutError("),
        ],
        f"sqlalchemy.exc.TimeoutError: QueuePool limit of size {size} overflow {overflow} "
        "reached, connection timed out, timeout 30.00 "
        "(Background on this error at: https://sqlalche.me/e/20/3o7r)",
    )
    fields: Fields = {"request_id": fake.request_id(), "path": path.split("?")[0]}
    return [
        Event("ERROR", logger, message, tb, fields=fields),
        access(fake, "python", method, path, 500, 30000 + fake.latency_ms(5, 400)),
    ]


def _java_hikari(fake: Fake) -> list[Event]:
    thread, leaker, leak_line = java_thread(fake), java_thread(fake), fake.integer(40, 200)
    total = fake.choice((10, 20, 30))
    stats = f"(total={total}, active={total}, idle=0, waiting={fake.integer(5, 180)})"
    unavailable = (
        f"HikariPool-1 - Connection is not available, request timed out after 30000ms {stats}"
    )
    leak = java_stack(
        "java.lang.Exception: Apparent connection leak detected",
        [
            "com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:127)",
            f"com.acme.orders.report.ReportExporter.export(ReportExporter.java:{leak_line})",
            "com.acme.orders.report.ReportController.download(ReportController.java:58)",
        ],
    )
    return [
        jv(
            "WARNING",
            "com.zaxxer.hikari.pool.ProxyLeakTask",
            "Connection leak detection triggered for org.postgresql.jdbc.PgConnection@"
            f"{java_hash(fake)} on thread {leaker}, stack trace follows",
            "HikariPool-1 housekeeper",
            leak,
        ),
        jv(
            "DEBUG",
            "com.zaxxer.hikari.pool.HikariPool",
            f"HikariPool-1 - Pool stats {stats}",
            "HikariPool-1 housekeeper",
        ),
        jv("WARNING", SQL_HELPER, "SQL Error: 0, SQLState: null", thread),
        jv("ERROR", SQL_HELPER, unavailable, thread),
        jv(
            "ERROR",
            DISPATCHER,
            "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw "
            "exception [Request processing failed: org.springframework.orm.jpa."
            "JpaSystemException: Unable to acquire JDBC Connection] with root cause",
            thread,
            java_stack(f"java.sql.SQLTransientConnectionException: {unavailable}", _HIKARI_FRAMES),
        ),
    ]


def _postgres_slots(fake: Fake) -> list[Event]:
    reason = fake.choice(
        (
            "sorry, too many clients already",
            "remaining connection slots are reserved for non-replication superuser connections",
            "remaining connection slots are reserved for roles with the SUPERUSER attribute",
        )
    )
    events = [pg("FATAL", reason, fake.pid()) for _ in range(fake.integer(1, 4))]
    host = fake.private_ip()
    failure = f'connection to server at "{host}", port 5432 failed: FATAL:  {reason}\n'
    return events + python_connect_error(fake, failure, fake.integer(0, 2))


def _mysql(fake: Fake) -> list[Event]:
    method, path = endpoint(fake)
    if fake.chance(0.5):  # go-sql-driver/mysql
        err = go_quote("Error 1040 (08004): Too many connections")
        return [
            go_log("ERROR", f"query failed method={method} path={path.split('?')[0]} err={err}"),
            access(fake, "go", method, path, 500, fake.latency_ms(2, 40)),
        ]
    logger, message, frames = py_web_error(fake, method, path)
    cause = "(1040, 'Too many connections')"
    tb = py_traceback(
        [
            *frames,
            py_handler(fake),
            (f"{PY_SITE}/pymysql/connections.py", 353, "__init__", "self.connect()"),
            (f"{PY_SITE}/pymysql/connections.py", 664, "connect", "self._get_server_information()"),
            (
                f"{PY_SITE}/pymysql/err.py",
                143,
                "raise_mysql_exception",
                "raise errorclass(errno, errval)",
            ),
        ],
        f"sqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) {cause}\n"
        "(Background on this error at: https://sqlalche.me/e/20/e3q8)",
    )
    return [
        Event("ERROR", logger, message, tb, fields={"request_id": fake.request_id()}),
        access(fake, "python", method, path, 500, fake.latency_ms(5, 90)),
    ]


def _node_knex(fake: Fake) -> list[Event]:
    method, path = endpoint(fake)
    stack = node_stack(
        "KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full. "
        "Are you missing a .transacting(trx) call?",
        [
            "Client_PG.acquireConnection (/app/node_modules/knex/lib/client.js:332:26)",
            "async Runner.ensureConnection (/app/node_modules/knex/lib/execution/runner.js:305:28)",
            "async Runner.run (/app/node_modules/knex/lib/execution/runner.js:30:19)",
            (
                "async OrderRepository.list "
                f"(/app/dist/orders/repository.js:{fake.integer(20, 90)}:18)"
            ),
        ],
    )
    fields: Fields = {
        "request_id": fake.uuid(),
        "sql": 'select * from "orders" where "user_id" = ?',
    }
    return [
        node_log("ERROR", "orders-api", "request failed", stack, fields),
        access(fake, "node", method, path, 500, 60000 + fake.latency_ms(1, 50)),
    ]


def db_pool_exhausted(fake: Fake) -> list[Event]:
    flavour = fake.choice((_python_queuepool, _java_hikari, _postgres_slots, _mysql, _node_knex))
    return flavour(fake)


def redis_down(fake: Fake) -> list[Event]:
    host = fake.private_ip()
    key = f"{fake.choice(('session', 'cart', 'rate', 'product'))}:{fake.hex(12)}"
    flavour = fake.integer(0, 3)
    if flavour == 0:  # redis-py
        errno, text = fake.choice(((111, "Connection refused"), (110, "Connection timed out")))
        tb = py_traceback(
            [
                (
                    "/app/orders/cache.py",
                    fake.integer(20, 60),
                    "get_cached",
                    "raw = self.client.get(key)",
                ),
                (
                    f"{PY_SITE}/redis/commands/core.py",
                    1829,
                    "get",
                    'return self.execute_command("GET", name)',
                ),
                (
                    f"{PY_SITE}/redis/client.py",
                    559,
                    "execute_command",
                    "return self._execute_command(*args, **options)",
                ),
                (
                    f"{PY_SITE}/redis/client.py",
                    565,
                    "_execute_command",
                    "conn = self.connection or pool.get_connection(command_name, **options)",
                ),
                (f"{PY_SITE}/redis/connection.py", 1422, "get_connection", "connection.connect()"),
                (
                    f"{PY_SITE}/redis/connection.py",
                    363,
                    "connect",
                    "raise ConnectionError(self._error_message(e))",
                ),
            ],
            f"redis.exceptions.ConnectionError: Error {errno} connecting to {host}:6379. {text}.",
        )
        return [Event("ERROR", "app.cache", f"cache read failed for key {key}", tb)]
    if flavour == 1:  # ioredis: its own retry noise, then the command gives up
        refused = node_stack(
            f"Error: connect ECONNREFUSED {host}:6379",
            ["TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)"],
        )
        noise = [
            node_log("ERROR", "ioredis", "[ioredis] Unhandled error event: " + refused)
            for _ in range(fake.integer(1, 3))
        ]
        gave_up = node_stack(
            (
                "MaxRetriesPerRequestError: Reached the max retries per request limit (which is "
                '20). Refer to "maxRetriesPerRequest" option for details.'
            ),
            ["Socket.<anonymous> (/app/node_modules/ioredis/built/redis/event_handler.js:182:37)"],
        )
        return [
            *noise,
            node_log("ERROR", "orders-api", "session lookup failed", gave_up, {"key": key}),
        ]
    if flavour == 2:  # Lettuce under Spring Data Redis
        thread = java_thread(fake)
        refused = f"Connection refused: redis.internal/{host}:6379"
        root = java_stack(
            f"io.netty.channel.AbstractChannel$AnnotatedConnectException: {refused}",
            [],
            [
                (
                    "java.net.ConnectException: Connection refused",
                    [
                        "java.base/sun.nio.ch.Net.pollConnect(Native Method)",
                        "java.base/sun.nio.ch.SocketChannelImpl.finishConnect(SocketChannelImpl.java:946)",
                        "io.netty.channel.socket.nio.NioSocketChannel.doFinishConnect(NioSocketChannel.java:337)",
                    ],
                    0,
                )
            ],
        )
        return [
            jv(
                "WARNING",
                "io.lettuce.core.protocol.ConnectionWatchdog",
                f"Cannot reconnect to [redis.internal:6379]: {refused}",
                "lettuce-eventExecutorLoop-1-3",
            ),
            jv(
                "ERROR",
                DISPATCHER,
                "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw "
                "exception [Request processing failed: org.springframework.data.redis."
                "RedisConnectionFailureException: Unable to connect to Redis] with root cause",
                thread,
                root,
            ),
        ]
    err = go_quote(f"dial tcp {host}:6379: connect: connection refused")
    return [
        go_log("ERROR", f"cache get failed key={key} err={err}"),
        go_log("WARNING", "rate limiter falling back to allow-all: redis unavailable"),
    ]
