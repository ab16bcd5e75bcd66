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
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from doctor.alerts.incidents import (
    Incident,
    Touched,
    cleared_after,
    fold,
    open_incident,
    save_incident,
)
from doctor.alerts.jobs import AlertJobs, Job, finish
from doctor.alerts.outbox import PARENT, REPLY, UPDATE, SlackOutbox, parent_payload, queue_post
from doctor.errors import DoctorError
from doctor.models import MAX_WINDOW_MINUTES, AnalysisResponse, Query
from doctor.notify import Message
from doctor.notify.incident import (
    failed_parent,
    parent_message,
    repeat_message,
    resolved_message,
    resolved_parent,
)
from doctor.orchestrator import Doctor

log = logging.getLogger(__name__)

LEAD_MINUTES = 10  # read this long before the alarm fired: causes start before thresholds
MIN_WINDOW_MINUTES = 15
WORKERS = 2  # batches at once; a storm queues rather than starving /analyze
SETTLE_SECONDS = 1.0
REDIAGNOSE_AFTER = timedelta(minutes=5)

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
    ) -> None:
        self._doctor = doctor
        self._jobs = jobs
        self._outbox = outbox
        self._analyze: Analyze = analyze or doctor.analyze
        self._settle = settle_seconds
        self._rediagnose_after = rediagnose_after
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="alert")
        self._queues: dict[str, list[Job]] = {}
        self._draining: set[str] = set()  # targets with a worker on them (one each)
        self._running: set[Future[None]] = set()
        self._lock = threading.Lock()
        self._closing = threading.Event()

    def resume(self) -> int:
        """Submit the jobs a previous process left pending; how many there were."""
        pending = self._jobs.pending()
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

    def close(self, grace_seconds: float = 20.0) -> None:
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
        self._closing.wait(self._settle)
        while True:
            with self._lock:
                batch = self._queues.pop(target, [])
                if not batch or self._closing.is_set():
                    self._draining.discard(target)  # unhandled jobs stay pending in the store
                    return
            try:
                self._handle(target, batch)
            except Exception:
                log.exception("alerts of target %s: handling crashed", target)
                with self._jobs.store.begin() as connection:
                    finish(connection, [j.event_id for j in batch], status="failed")

    def _handle(self, target: str, batch: list[Job]) -> None:
        store = self._jobs.store
        with store.engine.connect() as connection:
            touched = fold(open_incident(connection, target), batch, cleared_after(connection))
        alarming = [t for t in touched if t.opened or t.joined]
        response, failure = None, None
        if alarming and (any(t.opened for t in alarming) or self._stale(alarming[-1].incident)):
            first = min(t.first_alarm_at for t in alarming if t.first_alarm_at is not None)
            try:
                response = self._analyze(Query(target=target, minutes=_window(first)))
            except DoctorError as err:
                log.warning(
                    "alerts of %s: diagnosis failed: %s (%s)", target, err.code, err.message
                )
                failure = err
            if response is not None:
                for t in alarming:
                    t.incident.diagnosis_id = response.id
                    t.incident.diagnosed_at = datetime.now(UTC)
        link = self._doctor.report_link(response.id) if response is not None else None
        with store.begin() as connection:
            for t in touched:
                save_incident(connection, t)
                if self._outbox is not None:
                    for kind, message in self._messages(connection, t, response, failure, link):
                        queue_post(connection, t.incident.id, kind, message)
            alarm_jobs = [j.event_id for j in batch if j.state == "ALARM"]
            others = [j.event_id for j in batch if j.state != "ALARM"]
            diagnosis = response.id if response is not None else None
            status = "failed" if failure is not None else "done"
            if alarm_jobs:
                finish(connection, alarm_jobs, status=status, diagnosis_id=diagnosis)
            if others:
                finish(connection, others, status="done")
        if self._outbox is not None:
            self._outbox.wake()
        for t in touched:
            log.info("incident %s of %s: %s", t.incident.id, target, _said(t))

    def _stale(self, incident: Incident) -> bool:
        last = incident.diagnosed_at
        return last is None or datetime.now(UTC) - last >= self._rediagnose_after

    def _messages(
        self,
        connection: Connection,
        t: Touched,
        response: AnalysisResponse | None,
        failure: DoctorError | None,
        link: str | None,
    ) -> list[tuple[str, Message]]:
        incident = t.incident
        out: list[tuple[str, Message]] = []
        parent: dict[str, Any] | None = None
        if t.opened:
            if response is not None:
                message = parent_message(
                    response,
                    alarms=incident.names(),
                    opened_at=incident.opened_at,
                    target=incident.target,
                    link=link,
                )
            else:
                message = failed_parent(
                    alarms=incident.names(),
                    opened_at=incident.opened_at,
                    target=incident.target,
                    reason=failure.message if failure else "no diagnosis was made",
                    hint=failure.hint or "" if failure else "",
                )
            out.append((PARENT, message))
            parent = message.payload()
        elif t.joined:
            still = incident.alarming() or incident.names()
            out.append((REPLY, repeat_message(response, joined=t.joined, still=still, link=link)))
        if t.resolved and incident.resolved_at is not None:
            names, opened, resolved = incident.names(), incident.opened_at, incident.resolved_at
            out.append(
                (REPLY, resolved_message(alarms=names, opened_at=opened, resolved_at=resolved))
            )
            if parent is None:
                parent = parent_payload(connection, incident.id)
            if parent is not None:
                edit = resolved_parent(parent, alarms=names, opened_at=opened, resolved_at=resolved)
                out.append((UPDATE, edit))
        return out


def _window(first_alarm: datetime) -> int:
    since = (datetime.now(UTC) - first_alarm).total_seconds() / 60
    return min(MAX_WINDOW_MINUTES, max(MIN_WINDOW_MINUTES, math.ceil(since) + LEAD_MINUTES))


def _said(t: Touched) -> str:
    parts = ["opened" if t.opened else "", f"joined by {', '.join(t.joined)}" if t.joined else ""]
    parts.append("resolved" if t.resolved else "")
    return ", ".join(p for p in parts if p) or "recorded"
