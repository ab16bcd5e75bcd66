"""Analyses in worker processes, so the server's own process stays free to answer.

An analysis is CPU-bound Python (parsing, redaction, mining). In a thread of the server it
holds the GIL in 5 ms slices against the event loop: with two running, 50 concurrent alert
acks took 450-650 ms at p99. In a worker process it competes only for a core. Each worker
builds its own `Doctor` once (clients, caches) from the server's Settings; a query goes in as
a (picklable) dataclass, the answer or a `DoctorError` comes back as JSON. The worker stores
the diagnosis in history itself (the same database), exactly as an in-process analysis does.

Processes are spawned, not forked: the server has threads (a fork would copy their locks).
A worker that dies (out of memory) breaks the executor; the next analysis builds a new one.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from doctor import errors
from doctor.errors import DoctorError, EngineUnavailable
from doctor.models import AnalysisResponse, Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from doctor.telemetry import CloudRunFormatter, configure_logging

log = logging.getLogger(__name__)

WORKER_NICENESS = 10
RESULT_TIMEOUT_SECONDS = 300.0  # far above an analysis's own deadlines: a stuck worker

_doctor: Doctor | None = None  # one per worker process


def _start_worker(settings: Settings, json_logs: bool, level: int) -> None:
    global _doctor  # noqa: PLW0603 - the worker's one Doctor, built once
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    # Background work: when cores are short, acks and /healthz in the server go first.
    os.nice(WORKER_NICENESS)
    if json_logs:
        configure_logging(settings.gcp_project_id, level)
    else:
        logging.basicConfig(level=level)
    _doctor = Doctor.from_settings(settings)


def _analyze_in_worker(query: Query) -> tuple[str, str, str, str]:
    if _doctor is None:  # the initializer builds it; only a misuse of this module lands here
        raise RuntimeError("_analyze_in_worker runs in AnalysisPool's workers only")
    try:
        response = _doctor.analyze(query)
    except DoctorError as err:  # pickled by name: an exception's own pickling loses hints
        return ("error", type(err).__name__, err.message, err.hint)
    return ("ok", response.model_dump_json(), "", "")


def _error(name: str, message: str, hint: str) -> DoctorError:
    kind = getattr(errors, name, DoctorError)
    if not (isinstance(kind, type) and issubclass(kind, DoctorError)):
        kind = DoctorError
    return kind(message, hint=hint)


class AnalysisPool:
    """`analyze(query)` runs `Doctor.analyze` in one of `processes` worker processes."""

    def __init__(
        self,
        settings: Settings,
        processes: int,
        *,
        on_response: Callable[[AnalysisResponse], None] = lambda _: None,
        on_error: Callable[[DoctorError], None] = lambda _: None,
    ) -> None:
        self._settings = settings
        self._processes = processes
        # The worker's own metrics die with it: the server counts answers and failures here.
        self._on_response = on_response
        self._on_error = on_error
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._closed = False

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:  # shutting down: no new workers behind the server's back
                raise EngineUnavailable(
                    "The doctor is shutting down.", hint="The alert is redone at the next start."
                )
            if self._executor is None:
                root = logging.getLogger()
                json_logs = any(isinstance(h.formatter, CloudRunFormatter) for h in root.handlers)
                self._executor = ProcessPoolExecutor(
                    self._processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(self._settings, json_logs, root.level),
                )
            return self._executor

    def analyze(self, query: Query) -> AnalysisResponse:
        pool = self._pool()
        try:
            future = pool.submit(_analyze_in_worker, query)
            tag, body, message, hint = future.result(timeout=RESULT_TIMEOUT_SECONDS)
        except (BrokenProcessPool, FutureTimeout) as exc:
            with self._lock:
                if self._executor is pool:  # the next analysis gets fresh workers
                    self._executor = None
            _stop(pool)  # a hung worker is killed, not left holding its memory
            log.error("analysis worker failed: %s", type(exc).__name__)
            raise EngineUnavailable(
                "The analysis worker process died or hung.",
                hint="Check the instance's memory (DOCTOR_ANALYSIS_PROCESSES sets how many run).",
            ) from None
        if tag == "error":
            error = _error(body, message, hint)
            self._on_error(error)
            raise error
        response = AnalysisResponse.model_validate_json(body)
        self._on_response(response)
        return response

    def close(self) -> None:
        """Stop the workers now. The runner has already waited its grace period: an analysis
        still running is abandoned, and its job, not committed, stays pending for the next
        start (waiting for it could outlast Cloud Run's 10 s after SIGTERM)."""
        with self._lock:
            executor, self._executor = self._executor, None
            self._closed = True
        if executor is not None:
            _stop(executor)


def _stop(executor: ProcessPoolExecutor) -> None:
    """Shut the executor down without waiting for its workers: they are terminated."""
    workers = list((executor._processes or {}).values())  # no public handle on them
    executor.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        if worker.is_alive():
            worker.terminate()
    for worker in workers:
        worker.join(timeout=5)
