"""Recent events from CloudWatch Logs through FilterLogEvents, bounded by window and max_logs.

Large windows are cut into time slices fetched concurrently (each its own paginator); the newest
`max_logs` events are kept, since the on-call question is what is wrong *now*. Pagination ends
only when a page has no nextToken: real CloudWatch returns empty pages that still carry one.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from doctor.errors import (
    AccessDenied,
    ConfigurationError,
    DoctorError,
    InvalidParameter,
    LogGroupNotFound,
    LogSourceError,
    LogSourceUnavailable,
    Throttled,
)

log = logging.getLogger(__name__)

# Warnings and worse, as the software of DESIGN.md's taxonomy spells them. CloudWatch's `?term`
# is an OR of case-sensitive substrings; JSON lines match on their "level":"ERROR" text too.
DEFAULT_FILTER_PATTERN = " ".join(
    f"?{term}"
    for term in (
        "ERROR", "Error", "error", "FATAL", "Fatal", "fatal", "CRITICAL", "CRIT", "crit",
        "PANIC", "panic", "emerg", "alert", "Exception", "exception", "Traceback", "WARN",
        "Warn", "warn", "Killed", "killed", "refused", "denied", "Denied", "timed", "timeout",
        "Timeout", "OOM", "segfault", "SIGSEGV", "Back-off",
    )
)  # fmt: skip

# Adaptive mode adds client-side rate limiting on top of backoff: concurrent slices of one
# account share FilterLogEvents' per-account TPS quota.
LOGS_CONFIG = Config(
    connect_timeout=5,
    read_timeout=30,
    retries={"mode": "adaptive", "max_attempts": 8},
    max_pool_connections=16,
)
PAGE_SIZE = 10_000  # FilterLogEvents' maximum `limit`
SLICE_MINUTES = 15  # windows longer than this are cut into slices of about this length
MAX_SLICES = 8


@dataclass(frozen=True, slots=True)
class FetchedEvent:
    timestamp: datetime
    message: str
    stream: str


@dataclass(frozen=True, slots=True)
class Fetched:
    events: list[FetchedEvent]  # chronological
    truncated: bool  # the window held more than max_logs matching events


def time_slices(start_ms: int, end_ms: int, count: int) -> list[tuple[int, int]]:
    """Split [start, end] into `count` contiguous, non-overlapping, inclusive ranges."""
    count = max(1, min(count, end_ms - start_ms + 1))
    width = (end_ms - start_ms + 1) / count
    bounds = [start_ms + round(i * width) for i in range(count)] + [end_ms + 1]
    return [(bounds[i], bounds[i + 1] - 1) for i in range(count)]


class CloudWatchSource:
    def __init__(self, client: Any, *, max_slices: int = MAX_SLICES) -> None:
        self._client = client
        self._max_slices = max_slices

    def fetch(
        self,
        log_group: str,
        *,
        minutes: int,
        max_logs: int,
        filter_pattern: str | None = None,
        end: datetime | None = None,
        slices: int | None = None,
    ) -> Fetched:
        end = end or datetime.now(UTC)
        end_ms = int(end.timestamp() * 1000)
        start_ms = int((end - timedelta(minutes=minutes)).timestamp() * 1000)
        if slices is None:
            slices = max(1, min(self._max_slices, -(-minutes // SLICE_MINUTES)))
        ranges = time_slices(start_ms, end_ms, slices)
        pattern = DEFAULT_FILTER_PATTERN if filter_pattern is None else filter_pattern

        def fetch_slice(bounds: tuple[int, int]) -> tuple[list[FetchedEvent], bool]:
            return self._fetch_slice(log_group, bounds[0], bounds[1], max_logs, pattern)

        with aws_errors(log_group):
            if len(ranges) == 1:
                parts = [fetch_slice(ranges[0])]
            else:
                with ThreadPoolExecutor(len(ranges), thread_name_prefix="cw-slice") as pool:
                    parts = list(pool.map(fetch_slice, ranges))
        merged = list(heapq.merge(*(events for events, _ in parts), key=lambda e: e.timestamp))
        truncated = any(capped for _, capped in parts) or len(merged) > max_logs
        return Fetched(events=merged[-max_logs:], truncated=truncated)

    def _fetch_slice(
        self, log_group: str, start_ms: int, end_ms: int, max_logs: int, pattern: str
    ) -> tuple[list[FetchedEvent], bool]:
        """Newest `max_logs` of one slice; True when the slice held more."""
        params: dict[str, Any] = {
            "logGroupName": log_group,
            "startTime": start_ms,
            "endTime": end_ms,
            "limit": min(PAGE_SIZE, max_logs + 1),
        }
        if pattern:
            params["filterPattern"] = pattern
        events: list[FetchedEvent] = []
        capped = False
        for page in self._pages(params):
            for raw in page.get("events", ()):
                events.append(
                    FetchedEvent(
                        timestamp=datetime.fromtimestamp(raw["timestamp"] / 1000, UTC),
                        message=raw["message"],
                        stream=raw.get("logStreamName", ""),
                    )
                )
            if len(events) > max_logs:
                # FilterLogEvents walks forward in time; keep reading so the newest survive,
                # but only a bounded number in memory.
                capped = True
                events.sort(key=lambda e: e.timestamp)
                del events[: len(events) - max_logs]
        events.sort(key=lambda e: e.timestamp)
        return events, capped

    def _pages(self, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """botocore's paginator: it stops only on a page without nextToken (empty pages that
        carry one are followed) and raises if a token repeats."""
        paginator = self._client.get_paginator("filter_log_events")
        page_size = params.pop("limit")
        yield from paginator.paginate(**params, PaginationConfig={"PageSize": page_size})


@contextmanager
def aws_errors(log_group: str) -> Iterator[None]:
    """Map boto errors to the doctor's hierarchy, with hints; never echo the SDK's text."""
    try:
        yield
    except ClientError as exc:
        log.warning("AWS call failed", exc_info=exc)
        raise _from_client_error(exc, log_group) from None
    except NoCredentialsError:
        raise ConfigurationError(
            "No AWS credentials to read CloudWatch with.",
            hint="Set AWS_ROLE_ARN with DOCTOR_TOKEN_AUDIENCE or AWS_WEB_IDENTITY_TOKEN_FILE "
            "(or, for the CLI, log in to AWS, e.g. `aws sso login`).",
        ) from None
    except BotoCoreError as exc:
        log.warning("AWS unreachable", exc_info=exc)
        raise LogSourceError(
            "Could not reach AWS to read the logs.",
            hint="Check network egress to AWS and AWS_REGION; then retry.",
        ) from None


_THROTTLED = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "LimitExceededException"}
    | {"RequestLimitExceeded"}
)
_DENIED = frozenset(
    {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"}
    | {"UnrecognizedClientException"}
)
# What STS answers when the role's trust policy does not accept the token.
_TRUST = frozenset(
    {"AccessDenied", "InvalidIdentityToken", "IDPRejectedClaim", "ExpiredTokenException"}
)
# Passing failures on AWS's side: the caller can only retry.
_UNAVAILABLE = frozenset(
    {"ServiceUnavailableException", "ServiceUnavailable", "InternalFailure"}
    | {"IDPCommunicationError"}
)


def _from_client_error(exc: ClientError, group: str) -> DoctorError:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    if exc.operation_name == "AssumeRoleWithWebIdentity":
        return _from_sts_error(code)
    if code == "ResourceNotFoundException":
        return LogGroupNotFound(
            f"Log group {group!r} does not exist in this account and region.",
            hint="Check the name (case matters) and AWS_REGION.",
        )
    if code == "InvalidParameterException":
        return InvalidParameter(
            "CloudWatch rejected the query parameters (often the filter pattern).",
            hint="Check filter_pattern against CloudWatch's filter pattern syntax.",
        )
    if code in _DENIED:
        return AccessDenied(
            f"The doctor's AWS role may not read {group!r} ({code}).",
            hint="Allow logs:FilterLogEvents on this group's ARN in the role's policy.",
        )
    return _from_service_state(code, "CloudWatch Logs")


def _from_service_state(code: str, service: str) -> DoctorError:
    """Throttling and outages, the same for every AWS service the doctor calls."""
    if code in _THROTTLED:
        return Throttled(f"{service} is throttling the doctor ({code}).")
    if code in _UNAVAILABLE:
        return LogSourceUnavailable(f"{service} is unavailable right now ({code}).")
    return LogSourceError(f"{service} failed ({code or 'unknown error'}).")


def _from_sts_error(code: str) -> DoctorError:
    if code in _TRUST:
        return AccessDenied(
            f"AWS refused to let the doctor assume its role ({code}).",
            hint="Check the role's trust policy: accounts.google.com:aud must be the service "
            "account's numeric unique id (also :sub), and :oaud the DOCTOR_TOKEN_AUDIENCE.",
        )
    return _from_service_state(code, "AWS STS")
