"""database_connection: the PostgreSQL server is down or restarting, connection slots run
out, and the Redis cache is unreachable.

One module per scenario (`outage`, `pool`, `redis`); `_postgres` holds the error a Python
service logs for a failed PostgreSQL connection, which `outage` and `pool` share.
"""

from chaos_app.scenarios.database_connection.outage import db_outage
from chaos_app.scenarios.database_connection.pool import db_pool_exhausted
from chaos_app.scenarios.database_connection.redis import redis_down

__all__ = ["db_outage", "db_pool_exhausted", "redis_down"]
