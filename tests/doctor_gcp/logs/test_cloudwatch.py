"""FilterLogEvents: window and max_logs bounds, slices, pagination, and error mapping.

moto serves the data path. What moto cannot do (empty pages that still carry a nextToken, as real
CloudWatch returns; throttling; access errors) is played by botocore's Stubber, which checks every
request and response against the real service model.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from doctor.errors import (
    AccessDenied,
    InvalidParameter,
    LogGroupNotFound,
    LogSourceError,
    LogSourceUnavailable,
    Throttled,
)
from doctor.logs.cloudwatch import (
    DEFAULT_FILTER_PATTERN,
    IN_FLIGHT_GRACE_SECONDS,
    MAX_PAGES_PER_SLICE,
    CloudWatchLogs,
    time_slices,
)
from doctor.logs.cloudwatch_source import CloudWatchSource
from tests.doctor_gcp.conftest import LOG_GROUP
from tests.fakes.stubbed_logs import stubbed_logs

NOW = datetime.now(UTC).replace(microsecond=0)


def put(client: Any, minutes_ago: list[float], group: str = LOG_GROUP, now: datetime = NOW) -> None:
    client.create_log_group(logGroupName=group)
    client.create_log_stream(logGroupName=group, logStreamName="s")
    events = [
        {
            "timestamp": int((now - timedelta(minutes=m)).timestamp() * 1000),
            "message": f"ERROR at -{m}m",
        }
        for m in sorted(minutes_ago, reverse=True)
    ]
    client.put_log_events(logGroupName=group, logStreamName="s", logEvents=events)


@pytest.fixture
def logs(aws: None) -> Any:
    return boto3.client("logs", region_name="us-east-1")


def test_only_the_window_is_read(logs: Any) -> None:
    put(logs, [90, 45, 29, 10, 1])
    fetched = CloudWatchLogs(logs).fetch(LOG_GROUP, minutes=30, max_logs=100, end=NOW)
    assert [e.message for e in fetched.events] == ["ERROR at -29m", "ERROR at -10m", "ERROR at -1m"]
    assert not fetched.truncated


def test_max_logs_keeps_the_newest_and_says_it_truncated(logs: Any) -> None:
    put(logs, [float(m) for m in range(1, 51)])
    fetched = CloudWatchLogs(logs).fetch(LOG_GROUP, minutes=60, max_logs=5, end=NOW)
    assert [e.message for e in fetched.events] == [f"ERROR at -{m}.0m" for m in (5, 4, 3, 2, 1)]
    assert fetched.truncated


def test_sliced_and_sequential_fetches_agree(logs: Any) -> None:
    put(logs, [m / 7 for m in range(1, 7 * 240, 5)])
    source = CloudWatchLogs(logs)
    sliced = source.fetch(LOG_GROUP, minutes=240, max_logs=10_000, end=NOW)
    sequential = source.fetch(LOG_GROUP, minutes=240, max_logs=10_000, end=NOW, slices=1)
    assert [e.message for e in sliced.events] == [e.message for e in sequential.events]
    assert len(sliced.events) == len(range(1, 7 * 240, 5))


def test_time_slices_cover_the_window_without_gaps_or_overlap() -> None:
    slices = time_slices(1000, 100_999, 7)
    assert slices[0][0] == 1000
    assert slices[-1][1] == 100_999
    assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(slices))
    assert time_slices(5, 7, 10) == [(5, 5), (6, 6), (7, 7)]


def event(ms: int, message: str) -> dict[str, Any]:
    return {"timestamp": ms, "message": message, "logStreamName": "s", "eventId": str(ms)}


def test_empty_pages_with_a_token_are_followed_to_the_end() -> None:
    client, stub = stubbed_logs()
    base = int(NOW.timestamp() * 1000)
    stub.add_response(
        "filter_log_events", {"events": [event(base - 3000, "first")], "nextToken": "t1"}
    )
    stub.add_response("filter_log_events", {"events": [], "nextToken": "t2"})
    stub.add_response("filter_log_events", {"events": [], "nextToken": "t3"})
    stub.add_response("filter_log_events", {"events": [event(base - 1000, "last")]})
    with stub:
        fetched = CloudWatchLogs(client).fetch(LOG_GROUP, minutes=5, max_logs=10, end=NOW)
    stub.assert_no_pending_responses()
    assert [e.message for e in fetched.events] == ["first", "last"]


class EndlessPages:
    """A client whose FilterLogEvents pages never end (an empty page with a token, forever),
    or whose first call of the newest slice never returns (`hang`): what moto cannot play."""

    def __init__(self, *, hang: bool = False) -> None:
        self.calls = 0
        self.hang = hang
        self.release = threading.Event()
        self.lock = threading.Lock()

    def get_paginator(self, _: str) -> EndlessPages:
        return self

    def paginate(self, **params: Any) -> Iterator[dict[str, Any]]:
        newest = params["endTime"] >= int(NOW.timestamp() * 1000)
        while True:
            with self.lock:
                self.calls += 1
            if self.hang and newest:
                self.release.wait(60)  # a call in flight that does not come back
            yield {"events": [event(params["startTime"], "old")] if not newest else []}


def test_pages_are_capped_per_slice() -> None:
    client = EndlessPages()
    fetched = CloudWatchLogs(client).fetch(LOG_GROUP, minutes=5, max_logs=1, end=NOW, slices=1)
    assert client.calls == MAX_PAGES_PER_SLICE  # not one call per page until the deadline
    assert fetched.truncated


def test_a_call_that_never_returns_is_given_up_at_the_deadline() -> None:
    client = EndlessPages(hang=True)
    started = time.monotonic()
    try:
        fetched = CloudWatchLogs(client, deadline_seconds=1).fetch(
            LOG_GROUP, minutes=30, max_logs=100, end=NOW, slices=2
        )
    finally:
        client.release.set()
    assert time.monotonic() - started < 1 + IN_FLIGHT_GRACE_SECONDS + 1
    assert fetched.timed_out
    assert fetched.truncated
    assert {e.message for e in fetched.events} == {"old"}  # what the other slice read


def test_the_default_filter_is_sent_and_an_empty_one_means_everything() -> None:
    client, stub = stubbed_logs()
    end_ms = int(NOW.timestamp() * 1000)
    start_ms = end_ms - 5 * 60_000
    # The page size is CloudWatch's maximum whatever max_logs is (max_logs: 1 once made 690
    # calls of 2 events each in 60 s).
    common = {"logGroupName": LOG_GROUP, "startTime": start_ms, "endTime": end_ms, "limit": 10_000}
    stub.add_response(
        "filter_log_events", {"events": []}, {**common, "filterPattern": DEFAULT_FILTER_PATTERN}
    )
    stub.add_response("filter_log_events", {"events": []}, common)
    with stub:
        CloudWatchLogs(client).fetch(LOG_GROUP, minutes=5, max_logs=10, end=NOW)
        CloudWatchLogs(client).fetch(LOG_GROUP, minutes=5, max_logs=10, end=NOW, filter_pattern="")
    stub.assert_no_pending_responses()
    assert "?ERROR" in DEFAULT_FILTER_PATTERN
    assert len(DEFAULT_FILTER_PATTERN) <= 1024  # CloudWatch's limit


@pytest.mark.parametrize(
    ("code", "error", "hint_part"),
    [
        ("ResourceNotFoundException", LogGroupNotFound, "AWS_REGION"),
        ("AccessDeniedException", AccessDenied, "logs:FilterLogEvents"),
        ("ThrottlingException", Throttled, "retry"),
        ("InvalidParameterException", InvalidParameter, "filter pattern"),
        ("ServiceUnavailableException", LogSourceUnavailable, "retry"),
        ("SomethingNew", LogSourceError, ""),
    ],
)
def test_aws_errors_map_to_the_hierarchy_without_sdk_text(
    code: str, error: type[Exception], hint_part: str
) -> None:
    client, stub = stubbed_logs()
    stub.add_client_error("filter_log_events", code, "internal detail arn:aws:secret", 400)
    with stub, pytest.raises(error) as caught:
        CloudWatchLogs(client).fetch(LOG_GROUP, minutes=5, max_logs=10, end=NOW)
    assert type(caught.value) is error
    assert "internal detail" not in str(caught.value)
    assert hint_part in caught.value.hint  # type: ignore[attr-defined]


def test_a_refused_role_assumption_points_at_the_trust_policy() -> None:
    from doctor.logs.aws_errors import aws_errors

    failure = ClientError(
        {
            "Error": {
                "Code": "AccessDenied",
                "Message": "Not authorized to perform sts:AssumeRoleWithWebIdentity",
            }
        },
        "AssumeRoleWithWebIdentity",
    )
    with pytest.raises(AccessDenied) as caught, aws_errors(LOG_GROUP):
        raise failure
    assert "trust policy" in caught.value.hint
    assert "accounts.google.com:aud" in caught.value.hint
    assert "Not authorized" not in caught.value.message


def test_an_unreachable_identity_provider_is_503_retry_not_a_trust_problem() -> None:
    from doctor.logs.aws_errors import aws_errors

    failure = ClientError(
        {"Error": {"Code": "IDPCommunicationError", "Message": "could not reach"}},
        "AssumeRoleWithWebIdentity",
    )
    with pytest.raises(LogSourceUnavailable) as caught, aws_errors(LOG_GROUP):
        raise failure
    assert caught.value.status == 503
    assert "trust policy" not in caught.value.hint


def count_filter_calls(client: Any) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    client.meta.events.register(
        "provide-client-params.logs.FilterLogEvents", lambda params, **_: calls.append(params)
    )
    return calls


def test_older_slices_are_not_read_once_the_newest_hold_enough(logs: Any) -> None:
    put(logs, [m / 10 for m in range(1, 10 * 240)])  # 10 events a minute for 4 hours
    calls = count_filter_calls(logs)
    source = CloudWatchLogs(logs, in_flight=1)
    fetched = source.fetch(LOG_GROUP, minutes=240, max_logs=50, end=NOW, slices=8)
    assert [e.message for e in fetched.events][-1] == "ERROR at -0.1m"
    assert len(fetched.events) == 50
    assert fetched.truncated
    newest_slice_start = calls[0]["startTime"]
    assert all(call["startTime"] == newest_slice_start for call in calls)  # one slice only


def test_a_fetch_past_its_deadline_returns_what_it_read(logs: Any) -> None:
    put(logs, [m / 10 for m in range(1, 10 * 60)])
    source = CloudWatchLogs(logs, deadline_seconds=0)
    fetched = source.fetch(LOG_GROUP, minutes=60, max_logs=5000, end=NOW, slices=4)
    assert fetched.timed_out
    assert fetched.truncated
    assert 0 < len(fetched.events) <= 599


def test_the_window_before_is_read_as_the_baseline(logs: Any) -> None:
    put(logs, [55, 50, 45, 40, 35, 20, 10, 1, 75], now=datetime.now(UTC))
    batch = CloudWatchSource(CloudWatchLogs(logs), LOG_GROUP, minutes=30, max_logs=100).read()
    assert [text for text, _ in batch.records] == ["ERROR at -20m", "ERROR at -10m", "ERROR at -1m"]
    assert [text for text, _ in batch.baseline] == [f"ERROR at -{m}m" for m in (55, 50, 45, 40, 35)]
    assert batch.baseline_minutes == 30
    assert batch.warnings == []


def test_a_capped_baseline_covers_only_the_span_of_what_was_read(logs: Any) -> None:
    # 4 a minute, from 31 to 60 minutes ago (the source reads up to now: stamps from now)
    put(logs, [m / 4 for m in range(4 * 31, 4 * 60)], now=datetime.now(UTC))
    batch = CloudWatchSource(CloudWatchLogs(logs), LOG_GROUP, minutes=30, max_logs=20).read()
    assert len(batch.baseline) == 20
    assert batch.baseline_minutes == 6  # the newest 20 of 4 a minute: about 5 minutes


def test_a_baseline_that_fails_is_a_warning_and_the_window_is_still_read(logs: Any) -> None:
    put(logs, [45, 10], now=datetime.now(UTC))
    window_start = (datetime.now(UTC) - timedelta(minutes=30)).timestamp() * 1000

    def refuse_the_older_window(params: dict[str, Any], **_: Any) -> Any:
        if json.loads(params["body"])["endTime"] < window_start:
            error = {"Error": {"Code": "ThrottlingException", "Message": "slow down"}}
            return SimpleNamespace(status_code=400, headers={}), error
        return None

    logs.meta.events.register(
        "before-call.cloudwatch-logs.FilterLogEvents", refuse_the_older_window
    )
    batch = CloudWatchSource(CloudWatchLogs(logs), LOG_GROUP, minutes=30, max_logs=100).read()
    assert [text for text, _ in batch.records] == ["ERROR at -10m"]
    assert batch.baseline == []
    assert batch.baseline_minutes == 0
    assert len(batch.warnings) == 1
    assert "could not be read" in batch.warnings[0]
    assert "slow down" not in batch.warnings[0]
