"""The HTTP transport under the google-genai client: a deadline for the whole call, a size cap.

httpx's timeouts bound each connect and each read, so a reply that trickles in a byte a second
never trips them, and the SDK retries on top. This transport wraps httpx's own: a request is not
sent once the calling thread's deadline has passed, and a reply body is cut the moment the
deadline passes or it grows past `max_bytes`. Both errors are ours, so the SDK does not retry
them. The deadline is per thread: one engine serves concurrent analyses.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


class DeadlineExceeded(Exception):
    """The call's deadline passed before or while the reply arrived."""


class ReplyTooLarge(Exception):
    """The reply body grew past the transport's size cap."""


class BoundedTransport(httpx.BaseTransport):
    def __init__(self, max_bytes: int, inner: httpx.BaseTransport | None = None) -> None:
        self._inner = inner if inner is not None else httpx.HTTPTransport()
        self._max_bytes = max_bytes
        self._local = threading.local()

    @contextmanager
    def deadline(self, at: float) -> Iterator[None]:
        """Requests this thread sends inside the block must be done by `at` (monotonic)."""
        previous = getattr(self._local, "at", None)
        self._local.at = at
        try:
            yield
        finally:
            self._local.at = previous

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        at: float | None = getattr(self._local, "at", None)
        if at is not None and time.monotonic() >= at:
            raise DeadlineExceeded
        response = self._inner.handle_request(request)
        stream = response.stream
        if not isinstance(stream, httpx.SyncByteStream):  # a sync transport's always is
            return response
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_BoundedStream(stream, at, self._max_bytes),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()


class _BoundedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, at: float | None, max_bytes: int) -> None:
        self._inner = inner
        self._at = at
        self._max_bytes = max_bytes

    def __iter__(self) -> Iterator[bytes]:
        read = 0
        for chunk in self._inner:
            read += len(chunk)
            if read > self._max_bytes:
                raise ReplyTooLarge
            if self._at is not None and time.monotonic() >= self._at:
                raise DeadlineExceeded
            yield chunk

    def close(self) -> None:
        self._inner.close()
