"""The fault matrix, row by row, against `cloud-doctor serve` as it runs for real: AWS played by
peers on 127.0.0.1 that hang, reset or lie. Each row states its bound; the others live beside
the code they test (README, "Reliability", lists them all)."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.processes import doctor_server
from tests.integration.test_serve import TOKEN, doctor_env

pytestmark = pytest.mark.slow
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@contextmanager
def silent_peer() -> Iterator[str]:
    """Accepts connections (the backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@contextmanager
def resetting_peer() -> Iterator[str]:
    """Accepts and resets every connection at once (RST, as a dying load balancer)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        listener.close()


@contextmanager
def lying_peer() -> Iterator[str]:
    """Answers every call 200 with a body that is not what AWS sends."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b"<html>definitely not AWS</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


PEERS = {"hangs": silent_peer, "resets": resetting_peer, "lies": lying_peer}
# AWS hanging costs two STS tries of 5 s (credentials.STS_CONFIG) and nothing more: the
# request's other readers get the same remembered failure. Resets and lies are answered at once.
BOUNDS = {"hangs": 20.0, "resets": 10.0, "lies": 10.0}


@pytest.mark.parametrize("fault", sorted(PEERS))
def test_aws_that_misbehaves_is_a_clear_error_within_its_bound(fault: str, tmp_path: Path) -> None:
    with (
        PEERS[fault]() as aws,
        doctor_server(doctor_env(aws, tmp_path), tmp_path / "d.log") as (
            base,
            _,
        ),
    ):
        started = time.monotonic()
        answer = httpx.post(f"{base}/analyze", json={}, headers=AUTH, timeout=120)
        took = time.monotonic() - started
        health = httpx.get(f"{base}/healthz", timeout=5)
    assert took < BOUNDS[fault], f"{fault}: answered in {took:.1f} s"
    assert answer.status_code in (502, 503), answer.text  # AWS's fault, never a 500 or a hang
    error = answer.json()["error"]
    assert error["code"].startswith("log_source"), error
    assert "<html>" not in answer.text  # the peer's text is never echoed
    assert health.status_code == 200  # the server itself is fine


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_memory_stays_flat_under_a_minute_of_refused_and_failing_requests(
    tmp_path: Path,
) -> None:
    """Bounded, loopback only: 20 s of 20 concurrent requests of every kind that fails fast
    (no token, bad bodies, unknown routes, AWS resetting); the server's RSS after a warm-up
    round must not keep growing."""
    with (
        resetting_peer() as aws,
        doctor_server(doctor_env(aws, tmp_path), tmp_path / "d.log") as (base, process),
    ):
        requests: list[tuple[str, str, dict[str, Any]]] = [
            ("POST", "/analyze", {"json": {}}),
            ("POST", "/analyze", {"json": {}, "headers": AUTH}),
            ("POST", "/analyze", {"content": b"x" * 20_000, "headers": AUTH}),
            ("POST", "/analyze", {"json": {"time_range_minutes": -1}, "headers": AUTH}),
            ("GET", "/nowhere", {}),
            ("DELETE", "/analyze", {}),
        ]

        def round_of(seconds: float) -> int:
            sent = 0
            deadline = time.monotonic() + seconds

            def worker() -> None:
                nonlocal sent
                with httpx.Client(base_url=base, timeout=30) as client:
                    n = 0
                    while time.monotonic() < deadline:
                        method, path, kwargs = requests[n % len(requests)]
                        client.request(method, path, **kwargs)
                        n += 1
                    sent += n

            threads = [threading.Thread(target=worker) for _ in range(20)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(seconds + 60)
            return sent

        round_of(5)  # warm-up: caches, pools, lazy imports
        before = _rss_kib(process.pid)
        sent = round_of(15)
        after = _rss_kib(process.pid)
    assert sent > 200, sent
    assert after - before < 30 * 1024, f"RSS grew {(after - before) / 1024:.1f} MiB over {sent}"


def test_a_cloudwatch_that_lies_is_no_data_not_a_crash() -> None:
    """botocore reads a non-JSON 200 as an empty answer: the doctor cannot tell a lie from an
    empty window, and says so as "no logs" rather than failing (the STS row above is the lie
    it can tell)."""
    import boto3
    from botocore.config import Config

    from doctor.logs.cloudwatch import CloudWatchLogs

    with lying_peer() as aws:
        client = boto3.client(
            "logs", endpoint_url=aws, region_name="us-east-1", aws_access_key_id="x",
            aws_secret_access_key="x", config=Config(retries={"max_attempts": 1}),
        )  # fmt: skip
        started = time.monotonic()
        fetched = CloudWatchLogs(client).fetch("/g", minutes=5, max_logs=10)
    assert time.monotonic() - started < 5
    assert fetched.events == []
