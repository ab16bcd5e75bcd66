"""The alert runner: bounded work, and a shutdown that leaves unfinished jobs pending."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from doctor.alerts import AlertJobs, AlertRunner, parse_event
from doctor.errors import LogSourceError
from doctor.models import AnalysisResponse, Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from tests.doctor_gcp.api.test_alerts import ARN, event


class Held:
    """An analysis that waits for the test to let it go, then fails like an AWS outage."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.started = 0
        self.lock = threading.Lock()

    def __call__(self, query: Query) -> AnalysisResponse:
        with self.lock:
            self.started += 1
        assert self.gate.wait(10)
        raise LogSourceError("CloudWatch is down", hint="retry later")


def test_shutdown_leaves_what_did_not_finish_pending_and_work_is_bounded(tmp_path: Path) -> None:
    settings = Settings(doctor_database_url=f"sqlite:///{tmp_path / 'h.sqlite3'}")
    doctor = Doctor(settings)
    store = doctor.store()
    assert store is not None
    jobs = AlertJobs(store)
    held = Held()
    runner = AlertRunner(doctor, jobs, analyze=held, settle_seconds=0)
    for n in range(5):  # five targets alarming at once: each its own incident
        changed = event(resources=[f"{ARN}-{n}"])
        job = jobs.add(parse_event(json.dumps(changed).encode()), f"target-{n}")
        assert job is not None
        runner.submit(job)
    time.sleep(0.3)
    assert held.started == 2  # two at a time, whatever the storm
    started = time.monotonic()
    runner.close(grace_seconds=0.5)
    assert time.monotonic() - started < 2
    assert len(jobs.pending()) == 5  # nothing half-done was marked done
    held.gate.set()  # the two held analyses end in error: their incidents are still recorded
    waited = time.monotonic() + 5
    while not runner.idle() and time.monotonic() < waited:
        time.sleep(0.05)
    assert held.started == 2
    assert len(jobs.pending()) == 3  # the three never started stay pending for the next start
    doctor.close()


def test_jobs_of_one_target_are_handled_one_batch_at_a_time(tmp_path: Path) -> None:
    settings = Settings(doctor_database_url=f"sqlite:///{tmp_path / 'h.sqlite3'}")
    doctor = Doctor(settings)
    store = doctor.store()
    assert store is not None
    jobs = AlertJobs(store)
    held = Held()
    runner = AlertRunner(doctor, jobs, analyze=held, settle_seconds=0)
    for n in range(30):
        job = jobs.add(parse_event(json.dumps(event(resources=[f"{ARN}-{n}"])).encode()), "one")
        assert job is not None
        runner.submit(job)
    time.sleep(0.3)
    assert held.started == 1  # one worker per target: the rest wait for its next batch
    held.gate.set()
    waited = time.monotonic() + 10
    while not runner.idle() and time.monotonic() < waited:
        time.sleep(0.05)
    assert runner.idle()
    assert jobs.pending() == []
    assert held.started <= 2  # the 29 that queued meanwhile were one batch
    runner.close()
    doctor.close()
