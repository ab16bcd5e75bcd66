"""db-pool-exhausted: no database connection to be had: client pools time out (SQLAlchemy,
HikariCP with a leak, Knex), PostgreSQL or MySQL runs out of connection slots."""

from __future__ import annotations

from chaos_app.events import Event, Fake
from chaos_app.scenarios._kit import (
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
    SQL_HELPER,
    java_hash,
    java_stack,
    node_stack,
    py_handler,
    py_traceback,
    py_web_error,
)
from chaos_app.scenarios.database_connection._postgres import python_connect_error

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
