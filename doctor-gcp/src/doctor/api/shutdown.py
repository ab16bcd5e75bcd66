"""Shutdown as requests see it: SIGTERM sets `Stopping`, and a request still working gets the
rest of the grace period, then a JSON 503 that says to retry, before uvicorn cuts it off.

uvicorn, on SIGTERM, stops accepting and waits `timeout_graceful_shutdown` (10 s: Cloud Run's
own grace) for requests to end, then cancels them: the client would get a bare 500 and nothing
said. `Stopping.begin` is called from uvicorn's signal handler (see `cli/serve.py`), so it only
schedules the event on the loop (call_soon_threadsafe is safe there).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from doctor.errors import DeadlineExceeded, ShuttingDown

T = TypeVar("T")

SHUTDOWN_GRACE_SECONDS = 7.0  # of uvicorn's 10: the time to answer is kept


class Stopping:
    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The server's loop (the lifespan's), where the event lives."""
        self._loop = loop

    def begin(self) -> None:
        """SIGTERM: safe to call from a signal handler."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._event.set)

    async def within(self, work: Awaitable[T], *, deadline: float, what: str) -> T:
        """`work`'s result, or DeadlineExceeded after `deadline` s, or, once the server is
        stopping, ShuttingDown when it has not finished within the grace period."""
        task = asyncio.ensure_future(work)
        stop = asyncio.ensure_future(self._event.wait())
        try:
            done, _ = await asyncio.wait(
                {task, stop}, timeout=deadline, return_when=asyncio.FIRST_COMPLETED
            )
            if task not in done and stop in done:
                done, _ = await asyncio.wait({task}, timeout=SHUTDOWN_GRACE_SECONDS)
                if task not in done:
                    raise ShuttingDown(
                        f"The doctor is restarting and {what} could not finish in time.",
                        hint="Retry in a minute: another instance will answer.",
                    )
            if task not in done:
                raise DeadlineExceeded(
                    f"{what.capitalize()} did not finish within {deadline:g} s.",
                    hint="Narrow the window (time_range_minutes) or ask for fewer logs "
                    "(max_logs); CloudWatch or the model may also be slow right now.",
                )
            return task.result()
        finally:
            stop.cancel()
