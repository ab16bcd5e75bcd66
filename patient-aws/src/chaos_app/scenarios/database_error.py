"""database_error: the database answers, but with deadlocks, lock timeouts or rejected queries."""

# The SQL here is text that the logs quote, never executed: S608 does not apply.
# ruff: noqa: S608

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
    SA,
    SQL_HELPER,
    java_stack,
    node_stack,
    py_handler,
    py_traceback,
    py_web_error,
)

_SA_EXECUTE = [
    (f"{SA}/orm/session.py", 2308, "execute", "return self._execute_internal("),
    (f"{SA}/engine/base.py", 1416, "execute", "return meth("),
    (f"{SA}/engine/base.py", 1986, "_exec_single_context", "self._handle_dbapi_exception("),
    (
        f"{SA}/engine/base.py",
        2355,
        "_handle_dbapi_exception",
        "raise sqlalchemy_exception.with_traceback(exc_info[2]) from e",
    ),
    (f"{SA}/engine/base.py", 1967, "_exec_single_context", "self.dialect.do_execute("),
    (f"{SA}/engine/default.py", 941, "do_execute", "cursor.execute(statement, parameters)"),
]


def _python_sa_error(
    fake: Fake, kind: str, text: str, sql: str, params: str, code: str
) -> list[Event]:
    """A psycopg2 error as SQLAlchemy re-raises it, under the framework's unhandled-error line."""
    method, path = endpoint(fake)
    logger, message, frames = py_web_error(fake, method, path)
    final = (
        f"sqlalchemy.exc.{kind}: (psycopg2.errors.{text}\n[SQL: {sql}]\n[parameters: {params}]\n"
        f"(Background on this error at: https://sqlalche.me/e/20/{code})"
    )
    tb = py_traceback([*frames, py_handler(fake), *_SA_EXECUTE], final)
    return [
        Event(
            "ERROR",
            logger,
            message,
            tb,
            fields={"request_id": fake.request_id(), "path": path.split("?")[0]},
        ),
        access(fake, "python", method, path, 500, fake.latency_ms(20, 1500)),
    ]


def db_deadlock(fake: Fake) -> list[Event]:
    a, b = fake.pid(), fake.pid()
    ta, tb = fake.integer(100_000, 9_000_000), fake.integer(100_000, 9_000_000)
    sku_a, sku_b = f"SKU-{fake.integer(1000, 99999)}", f"SKU-{fake.integer(1000, 99999)}"
    update = "UPDATE inventory SET reserved = reserved + 1 WHERE sku = '{}'"
    flavour = fake.integer(0, 3)
    if flavour <= 1:  # PostgreSQL: the server's report, then what the Python client raised
        detail = (
            f"Process {a} waits for ShareLock on transaction {ta}; blocked by process {b}.\n"
            f"\tProcess {b} waits for ShareLock on transaction {tb}; blocked by process {a}.\n"
            f"\tProcess {a}: {update.format(sku_a)}\n\tProcess {b}: {update.format(sku_b)}"
        )
        where = (
            f"while updating tuple ({fake.integer(0, 900)},{fake.integer(1, 60)}) in relation "
            '"inventory"'
        )
        server = [
            pg("ERROR", "deadlock detected", a),
            pg("DETAIL", detail, a, "ERROR"),
            pg("HINT", "See server log for query details.", a, "ERROR"),
            pg("CONTEXT", where, a, "ERROR"),
            pg("STATEMENT", update.format(sku_a), a, "ERROR"),
        ]
        # The client's DETAIL stops before the queries, which only the server log shows.
        waits = detail.split(f"\n\tProcess {a}:", maxsplit=1)[0]
        client_detail = waits.replace("\n\t", "\n")
        text = (
            f"DeadlockDetected) deadlock detected\nDETAIL:  {client_detail}\n"
            f"HINT:  See server log for query details.\nCONTEXT:  {where}\n"
        )
        sql = (
            "UPDATE inventory SET reserved=(inventory.reserved + %(reserved_1)s) WHERE "
            "inventory.sku = %(sku_1)s"
        )
        return server + _python_sa_error(
            fake, "OperationalError", text, sql, f"{{'reserved_1': 1, 'sku_1': '{sku_a}'}}", "e3q8"
        )
    if flavour == 2:  # MySQL InnoDB under Spring + Hibernate
        thread, line = java_thread(fake), fake.integer(40, 160)
        code, state, text = fake.choice(
            (
                (
                    1213,
                    "40001",
                    "Deadlock found when trying to get lock; try restarting transaction",
                ),
                (1205, "40001", "Lock wait timeout exceeded; try restarting transaction"),
            )
        )
        stack = java_stack(
            f"com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException: {text}",
            [
                "com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:123)",
                "com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException(SQLExceptionsMapping.java:122)",
                "com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal(ClientPreparedStatement.java:912)",
                "com.mysql.cj.jdbc.ClientPreparedStatement.executeUpdateInternal(ClientPreparedStatement.java:1054)",
                "com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeUpdate(HikariProxyPreparedStatement.java)",
                f"com.acme.inventory.ReservationService.reserve(ReservationService.java:{line})",
            ],
        )
        return [
            jv("WARNING", SQL_HELPER, f"SQL Error: {code}, SQLState: {state}", thread),
            jv("ERROR", SQL_HELPER, text, thread),
            jv(
                "ERROR",
                DISPATCHER,
                "Servlet.service() for servlet [dispatcherServlet] in context with path [] "
                "threw exception "
                "[Request processing failed: "
                "org.springframework.dao.CannotAcquireLockException: could not "
                f"execute statement [{text}] [update inventory set reserved=? where sku=?]; "
                "SQL [update "
                "inventory set reserved=? where sku=?]] with root cause",
                thread,
                stack,
            ),
        ]
    # Go with pgx: a lock timeout (SET lock_timeout) surfaces as SQLSTATE 55P03
    err = go_quote("ERROR: canceling statement due to lock timeout (SQLSTATE 55P03)")
    method, path = endpoint(fake)
    return [
        pg("ERROR", "canceling statement due to lock timeout", a),
        pg("STATEMENT", update.format(sku_a), a, "ERROR"),
        go_log("ERROR", f"reserve stock failed sku={sku_a} err={err}"),
        access(fake, "go", method, path, 500, fake.latency_ms(2000, 5000)),
    ]


def db_query_error(fake: Fake) -> list[Event]:
    pid = fake.pid()
    email = f"user{fake.integer(10, 99999)}@example.com"
    flavour = fake.integer(0, 3)
    if flavour == 0:  # a unique violation, server side then client side
        detail = f"Key (email)=({email}) already exists."
        sql = (
            "INSERT INTO customers (email, name) VALUES (%(email)s, %(name)s) RETURNING "
            "customers.id"
        )
        return [
            pg(
                "ERROR", 'duplicate key value violates unique constraint "customers_email_key"', pid
            ),
            pg("DETAIL", detail, pid, "ERROR"),
            *_python_sa_error(
                fake,
                "IntegrityError",
                "UniqueViolation) duplicate key value violates unique constraint "
                '"customers_email_key"\n'
                f"DETAIL:  {detail}\n",
                sql,
                f"{{'email': '{email}', 'name': 'Sam Doe'}}",
                "gkpj",
            ),
        ]
    if flavour == 1:  # a deploy ran ahead of its migration: the column is not there yet
        column = fake.choice(("discount_code", "gift_message", "tax_region", "loyalty_tier"))
        message = f"column orders.{column} does not exist"
        return [
            pg("ERROR", f"{message} at character 19", pid),
            pg(
                "STATEMENT",
                f"SELECT orders.id, orders.{column} FROM orders WHERE orders.id = $1",
                pid,
                "ERROR",
            ),
            *_python_sa_error(
                fake,
                "ProgrammingError",
                f"UndefinedColumn) {message}\nLINE 1: SELECT orders.id, orders.{column} FROM "
                "orders...\n"
                "                         ^\n",
                f"SELECT orders.id, orders.{column} FROM orders WHERE orders.id = %(pk_1)s",
                f"{{'pk_1': {fake.integer(1, 999999)}}}",
                "f405",
            ),
        ]
    if flavour == 2:  # node-postgres: a foreign-key violation on insert
        order_id = fake.integer(1, 999999)
        stack = node_stack(
            'error: insert or update on table "order_items" violates foreign key constraint '
            '"order_items_order_id_fkey"',
            [
                "/app/node_modules/pg/lib/client.js:535:17",
                "process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
                (
                    "async OrderItemsRepository.add "
                    f"(/app/dist/orders/items.repository.js:{fake.integer(10, 80)}:5)"
                ),
            ],
        )
        fields: Fields = {
            "code": "23503",
            "detail": f'Key (order_id)=({order_id}) is not present in table "orders".',
        }
        return [node_log("ERROR", "orders-api", "failed to add order item", stack, fields)]
    # Java: a not-null violation via Spring's DataIntegrityViolationException
    thread = java_thread(fake)
    text = (
        'ERROR: null value in column "customer_id" of relation "orders" violates not-null '
        "constraint"
    )
    detail = (
        f"  Detail: Failing row contains ({fake.integer(1, 999999)}, null, PENDING, "
        f"{fake.integer(100, 99999)})."
    )
    return [
        jv("WARNING", SQL_HELPER, "SQL Error: 0, SQLState: 23502", thread),
        jv("ERROR", SQL_HELPER, text + "\n" + detail, thread),
        jv(
            "ERROR",
            DISPATCHER,
            "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw "
            "exception "
            "[Request processing failed: "
            "org.springframework.dao.DataIntegrityViolationException: could not "
            f"execute statement [{text}]] with root cause",
            thread,
            java_stack(
                f"org.postgresql.util.PSQLException: {text}\n{detail}",
                [
                    "org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2725)",
                    "org.postgresql.core.v3.QueryExecutorImpl.processResults(QueryExecutorImpl.java:2412)",
                    "org.postgresql.jdbc.PgPreparedStatement.executeUpdate(PgPreparedStatement.java:152)",
                ],
            ),
        ),
    ]
