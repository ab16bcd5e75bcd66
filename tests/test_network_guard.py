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
