"""db-outage: PostgreSQL is down or restarting. Python, Java, Go and Node clients find their
connections refused, timed out or dropped, or the server log shows a maintenance restart."""

from __future__ import annotations

from chaos_app.events import Event, Fake
from chaos_app.scenarios._kit import (
    DB_NAMES,
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
    SQL_HELPER,
    java_hash,
    java_stack,
    node_stack,
)
from chaos_app.scenarios.database_connection._postgres import python_connect_error


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
