"""The alert runner: bounded work, and a shutdown that leaves unfinished jobs pending."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from doctor.alerts import AlertJobs, AlertRunner, parse_event
from doctor.models import AnalysisResponse, Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from tests.doctor_gcp.api.test_alerts import ARN, event


class HeldDoctor(Doctor):
    """The real Doctor, but each analysis waits for the test to let it go."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.gate = threading.Event()
        self.started = 0
        self.lock = threading.Lock()

    def analyze(self, query: Query, *, notify_slack: bool = False) -> AnalysisResponse:
        with self.lock:
            self.started += 1
        assert self.gate.wait(10)
        raise RuntimeError("not needed: the test only watches the jobs")


def test_shutdown_leaves_what_did_not_finish_pending_and_work_is_bounded(tmp_path: Path) -> None:
    settings = Settings(doctor_database_url=f"sqlite:///{tmp_path / 'h.sqlite3'}")
    doctor = HeldDoctor(settings)
    store = doctor.store()
    assert store is not None
    jobs = AlertJobs(store)
    runner = AlertRunner(doctor, jobs)
    for n in range(5):  # five alarms, each its own change
        changed = event(resources=[f"{ARN}-{n}"])
        job = jobs.add(parse_event(json.dumps(changed).encode()), "default")
        assert job is not None
        runner.submit(job)
    time.sleep(0.3)
    assert doctor.started == 2  # two at a time, whatever the storm
    started = time.monotonic()
    runner.close(grace_seconds=0.5)
    assert time.monotonic() - started < 2
    assert len(jobs.pending()) == 5  # nothing half-done was marked done
    doctor.gate.set()  # the two held analyses end (in error): their jobs are marked failed
    waited = time.monotonic() + 5
    while not runner.idle() and time.monotonic() < waited:
        time.sleep(0.05)
    assert len(jobs.pending()) == 3  # the three never started stay pending for the next start
    doctor.close()
