"""The alert runner: bounded work, and a shutdown that leaves unfinished jobs pending."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from doctor.alerts import AlertJobs, AlertRunner, parse_event
from doctor.errors import LogSourceError
from doctor.models import AnalysisResponse, Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from doctor.store import Store
from doctor.store.schema import IncidentRow
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


def _started(held: Held, expected: int) -> None:
    """Wait (up to 10 s: a loaded machine starts threads late) until `expected` analyses
    have started, then long enough for one more to start if the runner let it."""
    deadline = time.monotonic() + 10
    while held.started < expected and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)


def held_runner(tmp_path: Path) -> tuple[Doctor, AlertJobs, Held, AlertRunner]:
    """A runner over a fresh history whose analyses wait for the test."""
    doctor = Doctor(Settings(doctor_database_url=f"sqlite:///{tmp_path / 'h.sqlite3'}"))
    store = doctor.store()
    assert store is not None
    jobs = AlertJobs(store)
    held = Held()
    return doctor, jobs, held, AlertRunner(doctor, jobs, analyze=held, settle_seconds=0)


def test_shutdown_leaves_what_did_not_finish_pending_and_work_is_bounded(tmp_path: Path) -> None:
    doctor, jobs, held, runner = held_runner(tmp_path)
    for n in range(5):  # five targets alarming at once: each its own incident
        changed = event(resources=[f"{ARN}-{n}"])
        job = jobs.add(parse_event(json.dumps(changed).encode()), f"target-{n}")
        assert job is not None
        runner.submit(job)
    _started(held, 2)
    assert held.started == 2  # two at a time, whatever the storm
    started = time.monotonic()
    runner.close(grace_seconds=0.5)
    assert time.monotonic() - started < 2
    assert len(jobs.pending()) == 5  # nothing half-done was marked done
    held.gate.set()  # the two held analyses end after the shutdown: nothing is committed
    waited = time.monotonic() + 5
    while not runner.idle() and time.monotonic() < waited:
        time.sleep(0.05)
    assert held.started == 2
    # All five stay pending and unclaimed: the next start redoes them, none half-done.
    assert len(jobs.pending(unclaimed=True)) == 5
    doctor.close()


def test_jobs_of_one_target_are_handled_one_batch_at_a_time(tmp_path: Path) -> None:
    doctor, jobs, held, runner = held_runner(tmp_path)
    for n in range(30):
        job = jobs.add(parse_event(json.dumps(event(resources=[f"{ARN}-{n}"])).encode()), "one")
        assert job is not None
        runner.submit(job)
    _started(held, 1)
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


def _wait_idle(*runners: AlertRunner, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not all(r.idle() for r in runners) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(r.idle() for r in runners)


def _incidents(store: Store) -> list[dict[str, object]]:
    with store.engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(IncidentRow)).mappings()]


def test_a_batch_that_crashes_is_retried_and_its_ok_is_not_failed(
    aws_settings: Settings, seed_logs: Callable[..., int], tmp_path: Path
) -> None:
    seed_logs("db-outage", count=100)
    settings = aws_settings.model_copy(
        update={"doctor_database_url": f"sqlite:///{tmp_path / 'h.sqlite3'}"}
    )
    doctor = Doctor(settings)
    store = doctor.store()
    assert store is not None
    jobs = AlertJobs(store)
    calls: list[int] = []

    def flaky(query: Query) -> AnalysisResponse:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug, or the store blinked")  # not a diagnosis failure
        return doctor.analyze(query)

    runner = AlertRunner(doctor, jobs, analyze=flaky, settle_seconds=0, retry_seconds=0.2)
    alarm = jobs.add(parse_event(json.dumps(event("ALARM")).encode()), "default")
    later = event("OK")
    later["detail"]["state"]["timestamp"] = "2099-01-01T00:00:00.000+0000"
    ok = jobs.add(parse_event(json.dumps(later).encode()), "default")
    assert alarm is not None
    assert ok is not None
    runner.submit(alarm)
    runner.submit(ok)
    time.sleep(0.5)
    _wait_idle(runner)
    assert len(calls) == 2  # retried after the crash
    assert jobs.pending() == []
    [incident] = _incidents(store)
    assert incident["status"] == "resolved"  # the OK was not lost to the crash
    runner.close()
    doctor.close()


def test_two_instances_alarming_at_once_share_one_incident(
    aws_settings: Settings, seed_logs: Callable[..., int], tmp_path: Path
) -> None:
    seed_logs("db-outage", count=100)
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    settings = aws_settings.model_copy(update={"doctor_database_url": url})
    doctors = [Doctor(settings), Doctor(settings)]  # two instances: their own Store objects
    stores = [store for d in doctors if (store := d.store()) is not None]
    assert len(stores) == 2
    gate = threading.Barrier(2)

    def together(doctor: Doctor) -> Callable[[Query], AnalysisResponse]:
        def analyze(query: Query) -> AnalysisResponse:
            gate.wait(10)  # both found no open incident; both diagnose, then both commit
            return doctor.analyze(query)

        return analyze

    runners = [
        AlertRunner(d, AlertJobs(s), analyze=together(d), settle_seconds=0)
        for d, s in zip(doctors, stores, strict=True)
    ]
    for n, (runner, store) in enumerate(zip(runners, stores, strict=True)):
        job = AlertJobs(store).add(
            parse_event(json.dumps(event(resources=[f"{ARN}-{n}"])).encode()), "default"
        )
        assert job is not None
        runner.submit(job)
    _wait_idle(*runners)
    [incident] = _incidents(stores[0])  # one incident, not an error and a lost alarm
    assert len(incident["alarms"]) == 2  # type: ignore[arg-type]
    assert AlertJobs(stores[0]).pending() == []
    for runner, doctor in zip(runners, doctors, strict=True):
        runner.close()
        doctor.close()
