"""A real `moto_server` process on 127.0.0.1, for tests that cross a process boundary."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from tests.fakes.processes import free_port, stop, wait_for_port

FAKE_AWS_ENV = {
    # moto accepts any key; these never leave the machine (the endpoint is loopback).
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


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
        stop(process)


def moto_client(url: str, service: str) -> Any:
    """A boto3 client for `service` of the moto_server at `url`, with its fake keys."""
    make: Any = boto3.client  # Any: boto3-stubs covers only logs and sts in this workspace
    return make(
        service,
        endpoint_url=url,
        region_name=FAKE_AWS_ENV["AWS_REGION"],
        aws_access_key_id=FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
    )


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
