"""The CloudWatch Logs sink: PutLogEvents in batches that respect the service's limits.

Limits (CloudWatch Logs PutLogEvents): at most 10,000 events and 1,048,576 bytes per call, where
an event counts as its UTF-8 message plus 26 bytes; at most 262,144 bytes per event; events in a
call in chronological order and spanning at most 24 hours.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from botocore.config import Config
from botocore.exceptions import ClientError

from chaos_app.events import Stamped
from chaos_app.sinks import Renderer

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_logs.type_defs import InputLogEventTypeDef

MAX_BATCH_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD_BYTES = 26
MAX_EVENT_BYTES = 262_144
MAX_BATCH_SPAN_MS = 24 * 3600 * 1000 - 1
TRUNCATION_MARK = " …[truncated by chaos-app]"

# boto3 is given explicit timeouts and standard-mode retries (backoff with jitter, throttling
# aware): a sink that hangs or gives up on the first ThrottlingException loses the demo's data.
CLIENT_CONFIG = Config(
    connect_timeout=5,
    read_timeout=30,
    retries={"mode": "standard", "total_max_attempts": 6},  # tries: max_attempts counts retries
    user_agent_extra="chaos-app/0.1",
)


def fit_message(message: str) -> str:
    """Cut a message so that the event stays within the per-event limit, at a UTF-8 boundary."""
    limit = MAX_EVENT_BYTES - EVENT_OVERHEAD_BYTES
    encoded = message.encode("utf-8")
    if len(encoded) <= limit:
        return message
    mark = TRUNCATION_MARK.encode("utf-8")
    return encoded[: limit - len(mark)].decode("utf-8", errors="ignore") + TRUNCATION_MARK


@dataclass
class DeliveryStats:
    events: int = 0
    batches: int = 0
    rejected: int = 0
    bytes: int = 0
    truncated: int = 0


class CloudWatchSink:
    def __init__(
        self,
        client: CloudWatchLogsClient,
        *,
        log_group: str,
        log_stream: str,
        render: Renderer,
        flush_seconds: float = 5.0,
        report_to: TextIO | None = None,
    ) -> None:
        self._client = client
        self._group = log_group
        self._stream = log_stream
        self._render = render
        self._flush_seconds = flush_seconds
        self._report_to = report_to if report_to is not None else sys.stderr
        self._batch: list[InputLogEventTypeDef] = []
        self._batch_bytes = 0
        self._batch_opened = 0.0
        self.stats = DeliveryStats()
        self._ensure_stream()

    def _ensure_stream(self) -> None:
        # CreateLogStream first: on EC2 the instance role may only create streams in a group
        # that Terraform made, so CreateLogGroup is attempted only when the group is missing.
        try:
            self._client.create_log_stream(logGroupName=self._group, logStreamName=self._stream)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == "ResourceAlreadyExistsException":
                return
            if code != "ResourceNotFoundException":
                raise
            self._create_group()
            self._client.create_log_stream(logGroupName=self._group, logStreamName=self._stream)

    def _create_group(self) -> None:
        try:
            self._client.create_log_group(logGroupName=self._group)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceAlreadyExistsException":
                raise

    def write(self, item: Stamped) -> None:
        message = self._render(item)
        fitted = fit_message(message)
        if fitted is not message:
            self.stats.truncated += 1
        size = len(fitted.encode("utf-8")) + EVENT_OVERHEAD_BYTES
        timestamp = int(item.timestamp.timestamp() * 1000)
        if self._batch and (
            len(self._batch) >= MAX_BATCH_EVENTS
            or self._batch_bytes + size > MAX_BATCH_BYTES
            or timestamp - self._batch[0]["timestamp"] > MAX_BATCH_SPAN_MS
        ):
            self.flush()
        if not self._batch:
            self._batch_opened = time.monotonic()
        self._batch.append({"timestamp": timestamp, "message": fitted})
        self._batch_bytes += size
        if time.monotonic() - self._batch_opened >= self._flush_seconds:
            self.flush()

    def flush(self) -> None:
        if not self._batch:
            return
        # Chronological order is required within a call; stable sort keeps equal stamps in order.
        batch = sorted(self._batch, key=lambda event: event["timestamp"])
        response: Any = self._client.put_log_events(
            logGroupName=self._group, logStreamName=self._stream, logEvents=batch
        )
        self.stats.batches += 1
        self.stats.bytes += self._batch_bytes
        rejected = _count_rejected(response.get("rejectedLogEventsInfo"), len(batch))
        self.stats.rejected += rejected
        self.stats.events += len(batch) - rejected
        if rejected:
            print(
                f"chaos-app: CloudWatch rejected {rejected} of {len(batch)} events "
                f"({response['rejectedLogEventsInfo']}); check the clock and --start",
                file=self._report_to,
            )
        self._batch = []
        self._batch_bytes = 0

    def close(self) -> None:
        self.flush()
        print(
            f"chaos-app: delivered {self.stats.events} events to {self._group}:{self._stream} "
            f"in {self.stats.batches} PutLogEvents calls ({self.stats.rejected} rejected, "
            f"{self.stats.truncated} truncated)",
            file=self._report_to,
        )


def _count_rejected(info: dict[str, int] | None, size: int) -> int:
    """CloudWatch reports rejects as index ranges: too old before, too new from, expired before."""
    if not info:
        return 0
    too_old = info.get("tooOldLogEventEndIndex", -1) + 1
    expired = info.get("expiredLogEventEndIndex", -1) + 1
    too_new = size - info.get("tooNewLogEventStartIndex", size)
    return min(size, max(too_old, expired) + too_new)
