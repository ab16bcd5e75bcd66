"""The guard itself must hold, or every other test's promise of 'no real network' is empty."""

from __future__ import annotations

import socket
import threading

import pytest

from tests.conftest import NetworkAccessError


def test_connecting_to_a_public_address_fails_before_any_packet() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(NetworkAccessError, match=r"203\.0\.113\.7"),
    ):
        sock.connect(("203.0.113.7", 443))


def test_resolving_a_public_name_fails() -> None:
    with pytest.raises(NetworkAccessError, match=r"logs\.us-east-1\.amazonaws\.com"):
        socket.getaddrinfo("logs.us-east-1.amazonaws.com", 443)


def test_loopback_is_allowed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]

        def accept_once() -> None:
            server.accept()[0].close()

        accepted = threading.Thread(target=accept_once)
        accepted.start()
        with socket.create_connection(("localhost", port), timeout=5):
            pass
        accepted.join(timeout=5)


def test_a_child_process_cannot_reach_a_public_endpoint_either() -> None:
    import subprocess
    import sys

    code = (
        "import boto3, botocore.config, botocore.exceptions\n"
        "c = boto3.client('logs', region_name='us-east-1', aws_access_key_id='x',"
        " aws_secret_access_key='x', config=botocore.config.Config(retries={'max_attempts': 1},"
        " connect_timeout=2, read_timeout=2))\n"
        "try:\n    c.describe_log_groups()\n"
        "except botocore.exceptions.ProxyConnectionError:\n    print('blocked')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == "blocked", result.stderr
