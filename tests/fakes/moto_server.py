"""A real `moto_server` process on 127.0.0.1, for tests that cross a process boundary."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

FAKE_AWS_ENV = {
    # moto accepts any key; these never leave the machine (the endpoint is loopback).
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, *, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


@contextmanager
def moto_server(env: dict[str, str] | None = None) -> Iterator[str]:
    """Start `python -m moto.server` on a free loopback port; yield its URL; always stop it.

    `env` adds to the server's environment (e.g. MOTO_RECORDER_FILEPATH for its recorder)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def read_log_stream(client: object, group: str, stream: str) -> list[str]:
    """Every message of a stream, oldest first, following forward tokens until they repeat."""
    messages: list[str] = []
    token: str | None = None
    while True:
        kwargs: dict[str, object] = {
            "logGroupName": group,
            "logStreamName": stream,
            "startFromHead": True,
        }
        if token:
            kwargs["nextToken"] = token
        page = client.get_log_events(**kwargs)  # type: ignore[attr-defined]
        messages.extend(event["message"] for event in page["events"])
        if page["nextForwardToken"] == token or not page["events"]:
            return messages
        token = page["nextForwardToken"]
