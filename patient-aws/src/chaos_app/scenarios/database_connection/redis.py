"""redis-down: the Redis cache refuses connections, as redis-py, ioredis, Lettuce and a Go
service report it."""

from __future__ import annotations

from chaos_app.events import Event, Fake
from chaos_app.scenarios._kit import (
    go_log,
    go_quote,
    java_thread,
    jv,
    node_log,
)
from chaos_app.scenarios._stacks import (
    DISPATCHER,
    PY_SITE,
    java_stack,
    node_stack,
    py_traceback,
)


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
