"""A real `moto_server` process on 127.0.0.1, for tests that cross a process boundary."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3

from doctor.cli.processes import running, wait_http
from tests.fakes.processes import free_port

FAKE_AWS_ENV = {
    # moto accepts any key; these never leave the machine (the endpoint is loopback).
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextmanager
def moto_server(env: dict[str, str] | None = None, *, niceness: int = 0) -> Iterator[str]:
    """Start `python -m moto.server` on a free loopback port; yield its URL; always stop it.
    Started and awaited the way `cloud-doctor demo` starts its own (`doctor.cli.processes`).

    `env` adds to the server's environment (e.g. MOTO_RECORDER_FILEPATH for its recorder);
    `niceness` lowers its CPU priority (benches: AWS does not share the doctor's cores)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    if niceness:
        args = [shutil.which("nice") or "nice", "-n", str(niceness), *args]
    with (
        tempfile.TemporaryDirectory(prefix="moto-") as work,
        running(args, {**os.environ, **(env or {})}, Path(work) / "moto.log") as process,
    ):
        wait_http(f"{url}/moto-api/", process, "moto_server", timeout=20.0)
        yield url


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
