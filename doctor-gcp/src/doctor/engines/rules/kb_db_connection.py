"""database_connection: refused, dropped, timed-out and exhausted connections to data stores,
as PostgreSQL, MySQL, Redis, MongoDB, Oracle and their clients (psycopg2, asyncpg, JDBC,
HikariCP, SQLAlchemy, node-postgres, Prisma, redis-py, Jedis, pymongo) print them.
"""

from __future__ import annotations

from doctor.engines.rules.base import Rule, rule
from doctor.taxonomy import Category, Severity

DBC = Category.DATABASE_CONNECTION
CRIT, HIGH = Severity.CRITICAL, Severity.HIGH

# Evidence that a generic network failure (refused, reset, timed out) is about a data store:
# a driver, an ORM, a pool, the word database, or a well-known database port.
DB_CONTEXT = [
    r"postgres|\bpsql\b|psycopg|asyncpg|pg8000|libpq|PSQLException|npgsql|\bpg[-_ ]?pool",
    r"mysql|mariadb|\bjdbc\b|jdbc:|hikari|\bc3p0\b|\bdbcp",
    r"sqlalchemy|hibernate|sequelize|typeorm|prisma|\bknex\b|\bgorm\b|activerecord|django\.db",
    r"redis|mongo|cassandra|memcache|\boracle\b|\bORA-\d{4,5}|sql ?server|mssql|cockroach",
    r"\bdatabase\b|\bdb\b|datasource|connection pool",
    r"(?:[:,]\s*|port\s*=?\s*)(?:5432|5433|3306|6379|27017|1433|1521|9042|26257|11211)\b",
]

DB_CONNECTION_RULES: list[Rule] = [
    rule(
        "db-connection-limit",
        DBC,
        "Database Connection Limit Reached",
        match=[
            r"sorry, too many clients already",
            r"remaining connection slots are reserved",
            r"TooManyConnectionsError",
            r"ER_CON_COUNT_ERROR",
            r"too many connections",
            r"ERR max number of clients reached",
        ],
        weight=100,
        severity=CRIT,
        root_cause=(
            "The database refuses new sessions because max_connections is used up: the sum of "
            "every instance's pool (pool size + overflow x replicas) exceeds the server limit, "
            "or connections leak / sit idle in transaction."
        ),
        solution=(
            "See who holds the slots: PostgreSQL `SELECT usename, application_name, state, "
            "count(*) FROM pg_stat_activity GROUP BY 1,2,3 ORDER BY 4 DESC;`, MySQL `SHOW "
            "PROCESSLIST` / `SHOW STATUS LIKE 'Threads_connected'`. Keep pool_size x replicas "
            "below max_connections, put PgBouncer or RDS Proxy in front, set "
            "idle_in_transaction_session_timeout, and raise max_connections only if memory allows."
        ),
        action="Free database connection slots: find the clients holding them "
        "(pg_stat_activity / SHOW PROCESSLIST) and cap pool sizes below max_connections.",
    ),
    rule(
        "db-pool-exhausted",
        DBC,
        "Database Connection Pool Exhausted",
        match=[
            r"Connection is not available, request timed out after",
            r"Unable to acquire JDBC Connection|CannotGetJdbcConnectionException",
            r"Failed to obtain JDBC Connection",
            r"QueuePool limit of size \S+ overflow \S+ reached",
            r"pool (?:is )?exhausted|exhausted (?:the )?connection pool",
            r"Timeout waiting for idle object",
            r"Could not get a resource from the pool",
            r"timeout exceeded when trying to connect",
            r"Timed out fetching a new connection from the connection pool",
            r"timeout acquiring a connection|acquire connection timeout|pool is probably full",
            r"could not obtain a (?:database )?connection from the pool|ConnectionTimeoutError",
        ],
        unless=[r"refused", r"UnknownHost|could not translate host|Name or service not known"],
        weight=95,
        severity=HIGH,
        root_cause=(
            "Every connection in the application's pool is checked out, so requests wait and "
            "time out: slow or stuck queries hold connections, connections leak (never returned), "
            "or the pool is too small for the concurrency."
        ),
        solution=(
            "Look for long-running queries (`SELECT pid, now()-query_start, state, query FROM "
            "pg_stat_activity WHERE state <> 'idle' ORDER BY 2 DESC;`), enable leak detection "
            "(HikariCP leakDetectionThreshold), make sure sessions are closed (context managers, "
            "try-with-resources), size the pool (maximumPoolSize, pool_size + max_overflow) to the "
            "worker concurrency and add a statement timeout."
        ),
        action="Find what holds the pooled DB connections (long queries, leaks) and right-size "
        "the pool.",
    ),
    rule(
        "db-server-restarting",
        DBC,
        "Database Restarting or Dropping Connections",
        match=[
            r"the database system is (?:starting up|shutting down|in recovery mode|not yet "
            r"accepting connections)",
            r"CannotConnectNowError",
            r"terminating connection (?:due to|because of)",
            r"Connection terminated unexpectedly|Topology was destroyed|AutoReconnect",
            r"all server processes terminated; reinitializing|database system was interrupted",
            r"server closed the connection unexpectedly",
            r"connection was closed in the middle of operation",
            r"LOADING Redis is loading the dataset",
            r"SSL SYSCALL error: EOF detected",
            r"Lost connection to MySQL server|MySQL server has gone away",
        ],
        weight=95,
        severity=CRIT,
        root_cause=(
            "The database server closed established sessions: it restarted, failed over, crashed "
            "(often OOM-killed), or a proxy / load balancer dropped idle connections."
        ),
        solution=(
            "Check the database's own log and events (RDS events, `journalctl -u postgresql`, "
            "`SHOW GLOBAL STATUS LIKE 'Uptime'`) for a restart, failover or crash. Make clients "
            "survive it: SQLAlchemy pool_pre_ping=True / pool_recycle, HikariCP maxLifetime and "
            "keepaliveTime below the proxy idle timeout, retry idempotent transactions."
        ),
        action="Check the database for a restart, failover or crash at the first error time.",
    ),
    rule(
        "db-unreachable",
        DBC,
        "Database Unreachable",
        match=[
            r"could not connect to (?:the )?server",
            r"connection to server (?:at|on) .* failed",
            r"Connection to \S+ refused\. Check that the hostname and port",
            r"Communications link failure|The connection attempt failed",
            r"Can't connect to (?:local )?MySQL server",
            r"SQLSTATE\[HY000\] \[2002\]",
            r"(?:unable|failed|could not) to (?:connect|establish a connection) to (?:the )?"
            r"(?:database|db|postgres\w*|mysql|redis|mongo\w*)",
            r"(?:error|failure) connecting to (?:the )?(?:database|db|postgres\w*|mysql|redis)",
            r"MongoNetwork\w*Error|Mongo(?:ose)?ServerSelectionError|ServerSelectionTimeoutError",
            r"No suitable servers found|MongoTimeoutError",
            r"\bORA-(?:12541|12514|12170|12543|03113|03114)\b|TNS:",
            r"Could not connect to Redis|redis\.exceptions\.ConnectionError",
            r"Error \d+ connecting to \S+:\d+",
            r"JedisConnectionException|RedisConnectionException|ECONNREFUSED.*redis",
            r"Redis::CannotConnectError|ConnectionNotEstablished|Can't reach database server",
            r"SequelizeConnection\w*Error|network-related or instance-specific error",
            r"error occurred while establishing a connection to SQL Server",
        ],
        weight=90,
        severity=CRIT,
        root_cause=(
            "The application cannot open a connection to its database: the server is down or "
            "restarting, the host/port in the connection string is wrong, or a security group, "
            "firewall or network policy blocks the port."
        ),
        solution=(
            "Check the database is up (`pg_isready -h HOST -p 5432`, `mysqladmin -h HOST ping`, "
            "`redis-cli -h HOST ping`, RDS/ElastiCache console status). Verify the host and port "
            "in DATABASE_URL / the JDBC url, the security group inbound rule from the app's subnet "
            "on the DB port, and listen_addresses / bind-address on the server."
        ),
        action="Verify the database is running and reachable from the app (host, port, "
        "security group).",
    ),
    rule(
        "db-connection-generic",
        DBC,
        "Database Connection Failure",
        match=[
            r"connection refused|ECONNREFUSED|Connect call failed",
            r"connection reset|ECONNRESET|broken pipe",
            r"\btimed out\b|\btime ?outs?\b(?!\s*[=:]\s*[\d<])|ETIMEDOUT|deadline exceeded",
            r"(?:could not|cannot|unable to|failed to) (?:connect|open connection)",
            r"no route to host|network is unreachable",
            r"connection (?:is |was )?(?:closed|lost|dropped)",
            r"OperationalError",
            r"Aborted connection|error reading communication packets",
        ],
        context=DB_CONTEXT,
        unless=[r"lock wait timeout|lock timeout|statement timeout"],
        weight=75,
        severity=HIGH,
        root_cause=(
            "Connections to the database fail or time out: the database is overloaded, "
            "restarting or unreachable on the network, or the client's connect timeout is too "
            "short for its latency."
        ),
        solution=(
            "Check database health (CPU, connections, replication lag, RDS events) and network "
            "path (security groups, NACLs, DNS of the endpoint). Test from the app host with "
            "`nc -vz HOST PORT`. Give clients a connect timeout and bounded retries with backoff."
        ),
        action="Check database health and the network path from the app to the DB port.",
    ),
]
