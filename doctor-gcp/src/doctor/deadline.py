"""Deadlines on blocking calls: the caller stops waiting when the time is up.

A blocking SDK call (slack_sdk's urllib, boto3) cannot be interrupted from outside; what can be
bounded is how long a request waits for it. `call_within` runs the call on a small shared pool
of daemon threads and gives up waiting at the deadline: the call ends by its own timeouts in
the background, and the request goes on (or answers) in time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from doctor.errors import DeadlineExceeded

T = TypeVar("T")


def call_within(seconds: float, what: str, call: Callable[[], T]) -> T:
    """`call()`'s result, or DeadlineExceeded naming `what` after `seconds`."""
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(call())
        except BaseException as exc:  # handed to the waiting caller, who re-raises it
            future.set_exception(exc)

    # A thread per call rather than a pool: a hung call must not hold a pool slot others need.
    threading.Thread(target=run, name=f"within-{what}", daemon=True).start()
    try:
        return future.result(timeout=seconds)
    except TimeoutError:
        raise DeadlineExceeded(
            f"{what} did not finish within {seconds:g} s.",
            hint="It may still complete in the background; retry later if it did not.",
        ) from None
