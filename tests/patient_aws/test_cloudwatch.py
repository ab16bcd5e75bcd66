"""The cloudwatch sink against moto. moto does not enforce PutLogEvents' size limits, so every
call the sink makes is captured and checked against them here."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from chaos_app.cli import app
from chaos_app.cloudwatch import (
    EVENT_OVERHEAD_BYTES,
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_EVENT_BYTES,
    CloudWatchSink,
)
from chaos_app.events import Event, Stamped
from chaos_app.render import to_json
from tests.fakes.moto_server import FAKE_AWS_ENV, moto_client, read_log_stream

GROUP = "/aws/ec2/chaos-app"


def recent_start() -> str:
    # Within CloudWatch's 14-day acceptance window, and identical for the runs compared.
    return (datetime.now(UTC) - timedelta(minutes=30)).replace(microsecond=0).isoformat()


@pytest.fixture
def logs_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield boto3.client("logs", region_name="us-east-1")


def capture_put_calls(client: Any) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    client.meta.events.register(
        "provide-client-params.logs.PutLogEvents", lambda params, **_: calls.append(params)
    )
    return calls


def assert_within_limits(calls: list[dict[str, Any]]) -> None:
    for call in calls:
        events = call["logEvents"]
        sizes = [len(e["message"].encode()) + EVENT_OVERHEAD_BYTES for e in events]
        assert len(events) <= MAX_BATCH_EVENTS
        assert sum(sizes) <= MAX_BATCH_BYTES
        assert max(sizes) <= MAX_EVENT_BYTES
        stamps = [e["timestamp"] for e in events]
        assert stamps == sorted(stamps)


def message_sink(client: Any, *, flush_seconds: float = 3600) -> CloudWatchSink:
    """A sink to stream "s" that sends each event's bare message; by default it flushes only
    when a batch is full or on close, so batch boundaries come from the limits alone."""
    return CloudWatchSink(
        client,
        log_group=GROUP,
        log_stream="s",
        render=lambda item: item.event.message,
        flush_seconds=flush_seconds,
    )


def stamped(i: int, message: str, start: datetime) -> Stamped:
    return Stamped(start + timedelta(milliseconds=i), Event("INFO", "t", message), None)


def test_batches_split_at_the_event_count_limit(logs_client: Any) -> None:
    calls = capture_put_calls(logs_client)
    start = datetime.now(UTC) - timedelta(minutes=5)
    sink = message_sink(logs_client)
    for i in range(25_000):
        sink.write(stamped(i, f"event {i}", start))
    sink.close()
    assert [len(c["logEvents"]) for c in calls] == [10_000, 10_000, 5_000]
    assert read_log_stream(logs_client, GROUP, "s") == [f"event {i}" for i in range(25_000)]


def test_batches_split_at_the_byte_limit_and_oversized_events_are_cut(logs_client: Any) -> None:
    calls = capture_put_calls(logs_client)
    start = datetime.now(UTC) - timedelta(minutes=5)
    sink = message_sink(logs_client)
    big = "x" * 100_000
    for i in range(30):
        sink.write(stamped(i, f"{i} {big}", start))
    sink.write(stamped(30, "é" * 200_000, start))  # 400,000 bytes: over the per-event limit
    sink.close()
    assert_within_limits(calls)
    assert len(calls) >= 3
    delivered = read_log_stream(logs_client, GROUP, "s")
    assert [m.split(" ", 1)[0] for m in delivered[:30]] == [str(i) for i in range(30)]
    assert delivered[30].endswith("[truncated by chaos-app]")
    assert sink.stats.truncated == 1
    assert sink.stats.rejected == 0


def test_existing_group_is_not_recreated(logs_client: Any) -> None:
    # On EC2 the instance role may only CreateLogStream/PutLogEvents: never call CreateLogGroup
    # when the group is already there.
    logs_client.create_log_group(logGroupName=GROUP)
    made: list[str] = []
    logs_client.meta.events.register(
        "before-call.logs.CreateLogGroup", lambda **_: made.append("group")
    )
    CloudWatchSink(logs_client, log_group=GROUP, log_stream="s", render=to_json).close()
    assert made == []
    streams = logs_client.describe_log_streams(logGroupName=GROUP)["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["s"]


def test_rejected_events_are_counted_and_reported(
    logs_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sink = message_sink(logs_client, flush_seconds=5.0)
    sink.write(stamped(0, "ancient", datetime.now(UTC) - timedelta(days=30)))
    sink.close()
    assert sink.stats.rejected == 1
    assert sink.stats.events == 0
    assert "rejected 1 of 1" in capsys.readouterr().err


def run_args(stream: str, start: str, sink: str = "cloudwatch") -> list[str]:
    return [
        "run", "--sink", sink, "--scenario", "all", "--seed", "7", "--count", "25000",
        "--fast", "--rate", "1000", "--start", start, "--log-stream", stream,
    ]  # fmt: skip


def test_a_25000_event_run_arrives_whole_and_in_order_in_process(logs_client: Any) -> None:
    start = recent_start()
    calls: list[dict[str, Any]] = []
    # The CLI makes its own client inside mock_aws; capture calls on every logs client made.
    real_client = boto3.client

    def client_with_capture(*args: Any, **kwargs: Any) -> Any:
        client = real_client(*args, **kwargs)
        client.meta.events.register(
            "provide-client-params.logs.PutLogEvents", lambda params, **_: calls.append(params)
        )
        return client

    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(boto3, "client", client_with_capture)
        result = runner.invoke(app, run_args("in-process", start))
    assert result.exit_code == 0, result.output
    expected = runner.invoke(app, run_args("unused", start, sink="stdout")).stdout.splitlines()
    assert len(expected) == 25_000
    assert read_log_stream(logs_client, GROUP, "in-process") == expected
    assert len(calls) >= 3
    assert_within_limits(calls)
    assert "delivered 25000 events" in result.stderr
    assert "(0 rejected" in result.stderr


def chaos_env(moto_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(FAKE_AWS_ENV, AWS_ENDPOINT_URL=moto_url)
    return env


@pytest.mark.slow
def test_a_25000_event_run_arrives_whole_and_in_order_through_moto_server(
    moto_server_url: str,
) -> None:
    start = recent_start()
    chaos = [sys.executable, "-m", "chaos_app"]
    sent = subprocess.run(
        [*chaos, *run_args("process", start)],
        env=chaos_env(moto_server_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert sent.returncode == 0, sent.stderr
    printed = subprocess.run(
        [*chaos, *run_args("unused", start, sink="stdout")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.splitlines()
    client = moto_client(moto_server_url, "logs")
    assert read_log_stream(client, GROUP, "process") == printed
    assert len(printed) == 25_000
    batches = int(sent.stderr.split(" in ")[1].split(" PutLogEvents")[0])
    assert batches >= 3
    assert "(0 rejected" in sent.stderr


@pytest.mark.slow
def test_sigterm_flushes_what_is_buffered(moto_server_url: str) -> None:
    # A paced run buffers up to 5 s of events; SIGTERM (docker stop) must deliver them.
    args = ["run", "--sink", "cloudwatch", "--rate", "50", "--log-stream", "sigterm"]
    process = subprocess.Popen(
        [sys.executable, "-m", "chaos_app", *args],
        # faulthandler: a SIGABRT prints every thread's stack, should it ever hang (below).
        env=chaos_env(moto_server_url) | {"PYTHONFAULTHANDLER": "1"},
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    # Ready once it says so (its SIGTERM handler is installed by then), then ~1 s of traffic.
    assert process.stderr.readline().startswith("chaos-app: sending to CloudWatch")
    time.sleep(1.0)
    process.send_signal(signal.SIGTERM)
    try:
        _, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        _, stacks = process.communicate(timeout=10)
        pytest.fail(
            f"chaos-app did not exit within 30 s of SIGTERM; where it was:\n{stacks[-6000:]}"
        )
    assert process.returncode == 0, stderr
    client = moto_client(moto_server_url, "logs")
    delivered = read_log_stream(client, GROUP, "sigterm")
    assert len(delivered) >= 10
    assert f"delivered {len(delivered)} events" in stderr
    assert all(json.loads(m)["timestamp"] for m in delivered)
