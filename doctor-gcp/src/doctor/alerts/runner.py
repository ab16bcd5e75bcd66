"""Alarm state changes, handled in the background: one incident (one Slack thread) per target.

Jobs are queued per target and a target is handled by one worker at a time, in batches: after
a short settle (alarms of one cause fire together), everything queued for the target is folded
into its incident at once, with at most one diagnosis per batch, and none when the incident was
diagnosed moments ago. So a storm of alarms costs a few diagnoses, not one each, and the work
is bounded by WORKERS whatever arrives.

A batch commits in one transaction: the incident's new state, its Slack messages (into the
outbox, sent afterwards) and the jobs marked done. A crash before the commit leaves the jobs
pending: the next start redoes them, and nothing was half-posted. Shutdown lets a running
batch end within the grace period and leaves the rest pending.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from doctor.alerts.incidents import (
    Incident,
    Touched,
    cleared_after,
    fold,
    open_incident,
    save_incident,
)
from doctor.alerts.jobs import AlertJobs, Job, finish
from doctor.alerts.outbox import SlackOutbox, queue_post
from doctor.alerts.thread import thread_messages
from doctor.errors import DoctorError
from doctor.models import MAX_WINDOW_MINUTES, AnalysisResponse, Query
from doctor.orchestrator import Doctor

log = logging.getLogger(__name__)

LEAD_MINUTES = 10  # read this long before the alarm fired: causes start before thresholds
MIN_WINDOW_MINUTES = 15
WORKERS = 2  # batches at once; a storm queues rather than starving /analyze
SETTLE_SECONDS = 1.0
REDIAGNOSE_AFTER = timedelta(minutes=5)
CLAIM_LEASE = timedelta(minutes=10)  # longer than a batch can take; a dead instance's expire
MAX_ATTEMPTS = 3  # a batch that keeps failing (not a diagnosis: the store, a bug) is given up
RETRY_SECONDS = 30.0

Analyze = Callable[[Query], AnalysisResponse]


class AlertRunner:
    def __init__(
        self,
        doctor: Doctor,
        jobs: AlertJobs,
        *,
        outbox: SlackOutbox | None = None,
        analyze: Analyze | None = None,
        settle_seconds: float = SETTLE_SECONDS,
        rediagnose_after: timedelta = REDIAGNOSE_AFTER,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self._doctor = doctor
        self._jobs = jobs
        self._outbox = outbox
        self._analyze: Analyze = analyze or doctor.analyze
        self._settle = settle_seconds
        self._rediagnose_after = rediagnose_after
        self._retry_seconds = retry_seconds
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="alert")
        self._queues: dict[str, list[Job]] = {}
        self._draining: set[str] = set()  # targets with a worker on them (one each)
        self._running: set[Future[None]] = set()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._owner = uuid.uuid4().hex  # this instance, in job claims

    def resume(self) -> int:
        """Submit the jobs a previous process left pending; how many there were."""
        pending = self._jobs.pending(unclaimed=True)
        for job in pending:
            self.submit(job)
        return len(pending)

    def submit(self, job: Job) -> None:
        with self._lock:
            if self._closing.is_set():
                return  # left pending: the next start resumes it
            self._queues.setdefault(job.target, []).append(job)
            if job.target in self._draining:
                return  # the target's worker takes it in its next batch
            self._draining.add(job.target)
            future = self._pool.submit(self._drain, job.target)
            self._running.add(future)
        future.add_done_callback(self._forget)

    def idle(self) -> bool:
        with self._lock:
            return not self._running and not self._queues and not self._draining

    def close(self, grace_seconds: float = 5.0) -> None:
        """Stop taking jobs; what has not started stays pending; wait for the rest at most
        `grace_seconds`."""
        with self._lock:
            self._closing.set()
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
                # Not committed: its jobs stay pending and are redone at the next start.
                log.warning("alert batch still running at shutdown; it will be redone")
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._running.discard(future)

    def _drain(self, target: str) -> None:
        """One batch of the target, then back of the line if more came (no target starves
        the others), whatever happens in the batch."""
        self._closing.wait(self._settle)
        with self._lock:
            batch = [] if self._closing.is_set() else self._queues.pop(target, [])
        try:
            if batch:
                self._handle_safely(target, batch)
        finally:
            with self._lock:
                self._draining.discard(target)
                more = bool(self._queues.get(target)) and not self._closing.is_set()
                if more:
                    self._draining.add(target)
                    future = self._pool.submit(self._drain, target)
                    self._running.add(future)
            if more:
                future.add_done_callback(self._forget)

    def _handle_safely(self, target: str, batch: list[Job]) -> None:
        claimed = self._jobs.claim(batch, self._owner, CLAIM_LEASE)
        if not claimed:
            return  # another live instance is on them
        try:
            done = self._handle(target, claimed)
        except Exception:
            log.exception("alerts of target %s: handling failed; will retry", target)
            done = False
            attempts = self._jobs.release(claimed, failed_attempt=True)
            if attempts >= MAX_ATTEMPTS:
                with self._jobs.store.begin() as connection:
                    finish(connection, [j.event_id for j in claimed], status="failed")
                log.error("alerts of target %s: given up after %d attempts", target, attempts)
            elif not self._closing.is_set():
                retry = threading.Timer(self._retry_seconds * attempts, self._resubmit, [claimed])
                retry.daemon = True
                retry.start()
            return
        if not done:
            self._jobs.release(claimed)  # shutting down: pending for the next start

    def _resubmit(self, jobs: list[Job]) -> None:
        for job in jobs:
            self.submit(job)

    def _handle(self, target: str, batch: list[Job]) -> bool:
        """Fold the batch into the target's incident, diagnose when needed, commit; False
        when shutdown came first (nothing was committed)."""
        store = self._jobs.store
        with store.engine.connect() as connection:
            preview = fold(open_incident(connection, target), batch, cleared_after(connection))
        alarming = [t for t in preview if t.opened or t.joined]
        response, failure = None, None
        if alarming and (any(t.opened for t in alarming) or self._stale(alarming[-1].incident)):
            first = min(t.first_alarm_at for t in alarming if t.first_alarm_at is not None)
            try:
                response = self._analyze(Query(target=target, minutes=_window(first)))
            except DoctorError as err:
                if self._closing.is_set():
                    return False  # the pool was stopped under it: not a diagnosis failure
                log.warning(
                    "alerts of %s: diagnosis failed: %s (%s)", target, err.code, err.message
                )
                failure = err
        if self._closing.is_set():
            return False
        link = self._doctor.report_link(response.id) if response is not None else None
        try:
            touched = self._commit(target, batch, response, failure, link)
        except IntegrityError:
            # Another instance opened this target's incident meanwhile: fold onto theirs.
            touched = self._commit(target, batch, response, failure, link)
        if self._outbox is not None:
            self._outbox.wake()
        for t in touched:
            log.info("incident %s of %s: %s", t.incident.id, target, _said(t))
        return True

    def _commit(
        self,
        target: str,
        batch: list[Job],
        response: AnalysisResponse | None,
        failure: DoctorError | None,
        link: str | None,
    ) -> list[Touched]:
        """In one transaction, against the incident as it is now (locked): its new state, its
        messages into the outbox, and the jobs done."""
        with self._jobs.store.begin() as connection:
            current = open_incident(connection, target, lock=True)
            touched = fold(current, batch, cleared_after(connection))
            for t in touched:
                if response is not None and (t.opened or t.joined):
                    t.incident.diagnosis_id = response.id
                    t.incident.diagnosed_at = datetime.now(UTC)
                save_incident(connection, t)
                if self._outbox is not None:
                    for kind, message in thread_messages(connection, t, response, failure, link):
                        queue_post(connection, t.incident.id, kind, message)
            alarm_jobs = [j.event_id for j in batch if j.state == "ALARM"]
            others = [j.event_id for j in batch if j.state != "ALARM"]
            diagnosis = response.id if response is not None else None
            if alarm_jobs:
                status = "failed" if failure is not None else "done"
                finish(connection, alarm_jobs, status=status, diagnosis_id=diagnosis)
            if others:  # an OK never fails with a diagnosis: it needs none
                finish(connection, others, status="done")
        return touched

    def _stale(self, incident: Incident) -> bool:
        last = incident.diagnosed_at
        return last is None or datetime.now(UTC) - last >= self._rediagnose_after


def _window(first_alarm: datetime) -> int:
    since = (datetime.now(UTC) - first_alarm).total_seconds() / 60
    return min(MAX_WINDOW_MINUTES, max(MIN_WINDOW_MINUTES, math.ceil(since) + LEAD_MINUTES))


def _said(t: Touched) -> str:
    parts = ["opened" if t.opened else "", f"joined by {', '.join(t.joined)}" if t.joined else ""]
    parts.append("resolved" if t.resolved else "")
    return ", ".join(p for p in parts if p) or "recorded"
