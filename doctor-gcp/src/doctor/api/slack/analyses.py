"""The analyses `/doctor` started after its ack: bounded, tracked, and told on shutdown.

- The analysis (boto3, Gemini) blocks, so it runs on a small dedicated thread pool, together
  with the post to response_url; the event loop only parses, acks and schedules. The quick
  reads before an ack (history, the token check) have their own two threads, so a full
  analysis pool never delays an ack past Slack's 3 s.
- Bounded: at most `max_pending` analyses (default 2 x workers: each worker has at most one
  waiting behind it) are running or queued. A queued one then starts within one analysis's
  duration and a burst drains in two, instead of reports arriving minutes after the ack (400
  queued analyses once finished two minutes after the last one was acked). When full, the
  command is answered at once "busy, try again in a minute" and nothing is queued.
- Every task is tracked rather than fire-and-forget, so shutdown can wait for it and nothing
  is garbage-collected mid-flight; whoever is still waiting at shutdown is told to run the
  command again, and nothing more is posted to them after that.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

# Still the logger of `bolt`, where this code was: SlackCommands sets its level (WARNING) and
# its secret-redacting filter, and tests and log filters match the name.
log = logging.getLogger("doctor.api.slack.bolt")
_T = TypeVar("_T")

ANALYSIS_WORKERS = 4  # concurrent /doctor analyses; more wait their turn (Slack allows 30 min)
PENDING_PER_WORKER = 2  # running + queued analyses per worker before /doctor answers "busy"
QUICK_WORKERS = 2  # history reads and the token check, before an ack
SHUTDOWN_GRACE_SECONDS = 5.0  # Cloud Run kills 10 s after SIGTERM; uvicorn drains first


class Analyses:
    """The two thread pools and the tasks running on them. Touched on the event loop only,
    except `abandoned`, which worker threads read."""

    def __init__(self, *, workers: int = ANALYSIS_WORKERS, max_pending: int | None = None) -> None:
        self.max_pending = workers * PENDING_PER_WORKER if max_pending is None else max_pending
        self._pending = 0  # analyses running or queued (reserved ones included)
        self._waiting: dict[asyncio.Task[None], str] = {}  # analyses and their response_url
        self._abandoned: set[str] = set()  # told "restarted": nothing more goes to them
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="slack-analysis")
        self._quick = ThreadPoolExecutor(QUICK_WORKERS, thread_name_prefix="slack-quick")
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def pending(self) -> int:
        """Analyses running or queued (for tests and metrics)."""
        return self._pending

    # --- one analysis: reserve (before the ack), then start or release

    def reserve(self) -> bool:
        """Count one more analysis, or False (nothing counted) when `max_pending` are already
        running or queued. Call it before any await, so concurrent commands see it."""
        if self._pending >= self.max_pending:
            return False
        self._pending += 1
        return True

    def release(self) -> None:
        """Give back a reservation that never became a started analysis."""
        self._pending -= 1

    def start(self, response_url: str, func: Callable[..., None], *args: object) -> None:
        """Run a reserved analysis on the analysis pool (bounded by the reservations); its
        reservation is given back when it ends, however it ends."""
        task = asyncio.get_running_loop().create_task(_run(self._executor, func, *args))
        self._waiting[task] = response_url
        task.add_done_callback(self._done)
        self.track(task)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._pending -= 1
        self._waiting.pop(task, None)

    def abandoned(self, response_url: str) -> bool:
        """True once this response_url's user was told the doctor restarted."""
        return response_url in self._abandoned

    # --- quick work and background tasks

    async def quickly(self, func: Callable[..., _T], *args: object) -> _T:
        """On the pool for quick reads, never behind an analysis."""
        return await _run(self._quick, func, *args)

    def track(self, task: asyncio.Task[Any]) -> None:
        """Keep a background task until it ends: shutdown waits for it, its error is logged."""
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        # Nobody awaits these tasks' results: a bug must still reach the logs.
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("Slack background task failed", exc_info=error)

    # --- lifecycle

    async def aclose(self, grace_seconds: float, tell: Callable[[str], object]) -> None:
        """Give running analyses a bounded grace period, then stop; `tell` (blocking, on the
        quick pool) is called with the response_url of each analysis still waiting, which is
        abandoned first so nothing else reaches it."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=grace_seconds)
            told = []
            for task in pending:
                task.cancel()
                response_url = self._waiting.get(task)
                if response_url is not None:
                    self._abandoned.add(response_url)
                    told.append(self.quickly(tell, response_url))
            if told:
                log.warning("shutting down: %d /doctor analyses unfinished, users told", len(told))
                await asyncio.wait_for(asyncio.gather(*told, return_exceptions=True), 3)
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._quick.shutdown(wait=False, cancel_futures=True)

    async def wait_idle(self, timeout: float) -> bool:
        """True once no analysis is running (for tests and benchmarks)."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
            return not pending
        return True


async def _run(executor: ThreadPoolExecutor, func: Callable[..., _T], *args: object) -> _T:
    # Carry the request's context (its trace id) into the worker's log lines.
    context = contextvars.copy_context()
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, context.run, func, *args)
