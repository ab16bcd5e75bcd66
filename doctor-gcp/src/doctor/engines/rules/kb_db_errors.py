"""database_error: the database accepted the connection but refused the work — deadlocks, lock
and statement timeouts, constraint violations, schema mismatches, read-only nodes, bad SQL.
"""

from __future__ import annotations

from doctor.engines.rules.base import Rule, rule
from doctor.taxonomy import Category, Severity

DBE = Category.DATABASE_ERROR
HIGH, MED = Severity.HIGH, Severity.MEDIUM

DB_ERROR_RULES: list[Rule] = [
    rule(
        "db-deadlock",
        DBE,
        "Database Deadlock",
        match=[
            r"deadlock detected",
            r"Deadlock found when trying to get lock",
            r"\bORA-00060\b",
            r"chosen as the deadlock victim",
            r"DeadlockLoserDataAccessException|DeadlockDetected",
            r"could not serialize access due to|SerializationFailure",
        ],
        weight=100,
        severity=HIGH,
        root_cause=(
            "Concurrent transactions lock the same rows in different orders (or a serializable "
            "transaction conflicts), so the database aborts one of them."
        ),
        solution=(
            "Read the DETAIL / `SHOW ENGINE INNODB STATUS` deadlock report to see the two "
            "statements; take locks in a consistent order, keep transactions short, index the "
            "columns in WHERE clauses of UPDATE/DELETE, and retry the aborted transaction."
        ),
        action="Read the database's deadlock report and make transactions lock rows in one "
        "order (and retry on deadlock).",
    ),
    rule(
        "db-lock-timeout",
        DBE,
        "Database Lock Wait Timeout",
        match=[
            r"Lock wait timeout exceeded",
            r"canceling statement due to lock timeout",
            r"LockNotAvailable|could not obtain lock|ER_LOCK_WAIT_TIMEOUT",
            r"database is locked",
            r"LockAcquisitionException|PessimisticLockException|LockTimeoutException",
        ],
        weight=100,
        severity=HIGH,
        root_cause=(
            "Statements wait too long for row or table locks held by another transaction: a long "
            "or idle-in-transaction session, a migration taking an exclusive lock, or a hot row."
        ),
        solution=(
            "Find the blocker: PostgreSQL `SELECT pid, pg_blocking_pids(pid), state, query FROM "
            "pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0;`, MySQL "
            "`SELECT * FROM sys.innodb_lock_waits;`. End or shorten the blocking transaction, "
            "run DDL with a lock_timeout, and avoid hot-row updates."
        ),
        action="Find and end the transaction holding the locks (pg_blocking_pids / "
        "innodb_lock_waits).",
    ),
    rule(
        "db-statement-timeout",
        DBE,
        "Slow Queries Hitting Statement Timeout",
        match=[
            r"canceling statement due to statement timeout",
            r"QueryCanceled|Query execution was interrupted",
            r"max_execution_time exceeded|ER_QUERY_TIMEOUT|QueryTimeoutException",
            r"Execution Timeout Expired",
        ],
        weight=95,
        severity=HIGH,
        root_cause=(
            "Queries run longer than the statement timeout: a missing index, a bad plan after "
            "data growth, or lock waits."
        ),
        solution=(
            "Find the slow statements (pg_stat_statements, the MySQL slow query log), run "
            "EXPLAIN (ANALYZE, BUFFERS) on them, add the missing index or rewrite the query, and "
            "ANALYZE tables whose statistics are stale."
        ),
        action="EXPLAIN ANALYZE the slow queries and add the missing indexes.",
    ),
    rule(
        "db-constraint",
        DBE,
        "Database Constraint Violation",
        match=[
            r"violates (?:unique|foreign key|not-null|check|exclusion) constraint",
            r"null value in column .* violates",
            r"Duplicate entry .* for key",
            r"IntegrityError|UniqueViolation|ForeignKeyViolation|NotNullViolation",
            r"ConstraintViolationException|DataIntegrityViolationException",
            r"Integrity constraint violation|UNIQUE constraint failed|E11000 duplicate key",
            r"a foreign key constraint fails|UniqueConstraintError|RecordNotUnique",
        ],
        weight=95,
        severity=MED,
        root_cause=(
            "Writes break a database constraint: duplicate keys from retries or races, rows "
            "referencing missing parents, or required columns left empty."
        ),
        solution=(
            "Read the constraint name and DETAIL in the error. Make inserts idempotent (INSERT ... "
            "ON CONFLICT / upsert), validate input before writing, and write parents before "
            "children in the same transaction."
        ),
        action="Make the failing writes idempotent (upsert) or validate them before insert.",
    ),
    rule(
        "db-schema-mismatch",
        DBE,
        "Database Schema Mismatch",
        match=[
            r"relation \S+ does not exist",
            r"column \S+ (?:of relation \S+ )?does not exist",
            r"Table \S+ doesn't exist|Unknown column",
            r"no such (?:table|column)",
            r"UndefinedTable|UndefinedColumn|ER_NO_SUCH_TABLE|ER_BAD_FIELD_ERROR",
            r"\bORA-00942\b|\bORA-00904\b|Invalid object name|Invalid column name",
        ],
        weight=95,
        severity=HIGH,
        root_cause=(
            "The code expects tables or columns the database does not have: a migration was not "
            "run (or ran against another database/schema), or code and schema were deployed out "
            "of order."
        ),
        solution=(
            "Compare the migration head with the database (`alembic current`, `flyway info`, "
            "`rails db:migrate:status`, `prisma migrate status`), apply pending migrations "
            "(`alembic upgrade head`, `flyway migrate`, `prisma migrate deploy`), check "
            "search_path / the schema in the URL, and deploy migrations before code."
        ),
        action="Apply the pending database migrations to the database the app uses.",
    ),
    rule(
        "db-read-only",
        DBE,
        "Writes Sent to a Read-Only Database",
        match=[
            r"cannot execute \w+ in a read-only transaction",
            r"READONLY You can't write against a read[- ]only (?:replica|slave)",
            r"running with the --(?:super-)?read-only option",
            r"\bORA-16000\b|read-only (?:replica|database|mode)",
            r"NotWritablePrimary|NotPrimaryError|\bnot master\b",
        ],
        weight=95,
        severity=HIGH,
        root_cause=(
            "Writes reach a read-only node: after a failover the endpoint or DNS still points at "
            "the old primary (now a replica), or the app uses the reader endpoint for writes."
        ),
        solution=(
            "Point writes at the cluster's writer endpoint, lower DNS TTL caching in the client, "
            "and make the pool validate connections (pool_pre_ping) so it reconnects after "
            "failover."
        ),
        action="Point database writes at the primary/writer endpoint and reconnect after failover.",
    ),
    rule(
        "db-storage-fault",
        DBE,
        "Database Cannot Persist or Read Its Data",
        match=[
            r"MISCONF Redis is configured to save RDB snapshots",
            r"marked as crashed and should be repaired|Incorrect key file for table",
            r"invalid page in block|could not read block|index \S+ contains unexpected zero page",
            r"WiredTiger error|database disk image is malformed",
        ],
        weight=95,
        severity=HIGH,
        root_cause=(
            "The database cannot write or read its own files: snapshot/persistence failing "
            "(full or read-only disk, permissions, fork failing for lack of memory) or "
            "corrupted tables and indexes."
        ),
        solution=(
            "Read the database's own log around the error: check free space and permissions "
            "on its data directory (`df -h`, `ls -ld`), vm.overcommit_memory=1 for Redis "
            "background saves; for corruption restore from backup or REINDEX / REPAIR TABLE / "
            "mysqlcheck, and check the disk for I/O errors (dmesg)."
        ),
        action="Check the database's disk (space, permissions, I/O errors) and repair or restore "
        "the damaged data.",
    ),
    rule(
        "db-query-error",
        DBE,
        "Database Query Error",
        match=[
            r"syntax error at or near|error in your SQL syntax|SQLSyntaxErrorException",
            r"invalid input syntax for|value too long for type|Data too long for column",
            r"numeric field overflow|Incorrect \w+ value|operator does not exist",
            r"psycopg2?\.errors\.\w+|ProgrammingError|\bDataError\b|BadSqlGrammarException",
            r"QueryFailedError|SQLSTATE\[\w+\]|PSQLException: ERROR|(?-i:\bSqlException\b)",
            r"(?-i:\bER_[A-Z_]{4,}\b)|MongoServerError|MongoWriteError",
        ],
        weight=85,
        severity=MED,
        root_cause=(
            "The database rejects statements the application sends: malformed SQL, values of "
            "the wrong type or size, or data the schema does not accept."
        ),
        solution=(
            "Take the SQLSTATE / error code and the statement from the log, reproduce it in a "
            "SQL shell, and fix the query or the input validation; use bound parameters, never "
            "string-built SQL."
        ),
        action="Reproduce the failing statement from the log in a SQL shell and fix the query "
        "or its input.",
    ),
]
