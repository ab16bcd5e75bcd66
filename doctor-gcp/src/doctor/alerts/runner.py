"""Diagnoses of alarms, in the background: bounded concurrency, resumed after a restart.

An ALARM job diagnoses its target over the alarm's window plus a lead time (the cause often
starts before the metric crosses its threshold) and posts the report to Slack when Slack is
configured. OK and INSUFFICIENT_DATA jobs are recorded and need no diagnosis. A job that fails
is marked failed with a logged reason; shutdown waits a bounded time and leaves what has not
started pending, for the next start to resume.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime

from doctor.alerts.jobs import AlertJobs, Job
from doctor.errors import DoctorError
from doctor.models import MAX_WINDOW_MINUTES, Query
from doctor.orchestrator import Doctor

log = logging.getLogger(__name__)

LEAD_MINUTES = 10  # read this long before the alarm fired
MIN_WINDOW_MINUTES = 15
WORKERS = 2  # analyses at once; a storm of alarms queues rather than starving /analyze


class AlertRunner:
    def __init__(self, doctor: Doctor, jobs: AlertJobs) -> None:
        self._doctor = doctor
        self._jobs = jobs
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="alert")
        self._running: set[Future[None]] = set()
        self._lock = threading.Lock()
        self._closed = False

    def resume(self) -> int:
        """Submit the jobs a previous process left pending; how many there were."""
        pending = self._jobs.pending()
        for job in pending:
            self.submit(job)
        return len(pending)

    def submit(self, job: Job) -> None:
        with self._lock:
            if self._closed:
                return  # left pending: the next start resumes it
            future = self._pool.submit(self._run, job)
            self._running.add(future)
        future.add_done_callback(self._forget)

    def idle(self) -> bool:
        with self._lock:
            return not self._running

    def close(self, grace_seconds: float = 20.0) -> None:
        """Stop taking jobs; cancel what has not started (it stays pending), wait for the rest
        at most `grace_seconds`."""
        with self._lock:
            self._closed = True
            running = list(self._running)
        for future in running:
            future.cancel()
        deadline = time.monotonic() + grace_seconds
        for future in running:
            if future.cancelled():
                continue
            try:
                future.exception(timeout=max(0.0, deadline - time.monotonic()))
            except FutureTimeout:
                # Still running: its job stays pending in the store and runs again next start.
                log.warning("alert diagnosis still running at shutdown; it will be redone")
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._running.discard(future)

    def _run(self, job: Job) -> None:
        if job.state != "ALARM":
            self._jobs.finish(job.event_id, status="done")
            return
        since = (datetime.now(UTC) - job.changed_at).total_seconds() / 60
        minutes = min(MAX_WINDOW_MINUTES, max(MIN_WINDOW_MINUTES, math.ceil(since) + LEAD_MINUTES))
        settings = self._doctor.settings
        slack = bool(settings.slack_bot_token and settings.slack_channel)
        try:
            response = self._doctor.analyze(
                Query(target=job.target, minutes=minutes), notify_slack=slack
            )
        except DoctorError as err:
            log.warning("alert %s: diagnosis failed: %s (%s)", job.event_id, err.code, err.message)
            self._jobs.finish(job.event_id, status="failed")
            return
        except Exception:
            log.exception("alert %s: diagnosis crashed", job.event_id)
            self._jobs.finish(job.event_id, status="failed")
            return
        self._jobs.finish(job.event_id, status="done", diagnosis_id=response.id)
        log.info("alert %s diagnosed: %s", job.event_id, response.id)
