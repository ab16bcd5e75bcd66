"""The alert path's parts, built once per process: jobs, the runner and the Slack outbox."""

from __future__ import annotations

from dataclasses import dataclass

from doctor.alerts.jobs import AlertJobs
from doctor.alerts.outbox import SlackOutbox
from doctor.alerts.runner import AlertRunner
from doctor.notify import SlackPoster
from doctor.orchestrator import Doctor
from doctor.pool import AnalysisPool


@dataclass
class Alerts:
    jobs: AlertJobs
    runner: AlertRunner
    outbox: SlackOutbox | None  # None: Slack is not configured, incidents are only recorded
    pool: AnalysisPool | None = None  # None: diagnoses run in the runner's threads

    @classmethod
    def build(cls, doctor: Doctor) -> Alerts | None:
        """None when history is off: alerts live in its database."""
        store = doctor.store()
        if store is None:
            return None
        settings = doctor.settings
        outbox = None
        if settings.slack_bot_token is not None and settings.slack_channel:
            # The outbox retries from its own record: a 5xx or reset after Slack posted must
            # not be retried at once by the client as well (a duplicate in the thread).
            poster = SlackPoster(settings, retry_ambiguous=False)
            outbox = SlackOutbox(store, poster, on_error=doctor.metrics.slack_error)
        jobs = AlertJobs(store)
        pool = None
        if settings.doctor_analysis_processes > 0:
            pool = AnalysisPool(
                settings, settings.doctor_analysis_processes, on_response=doctor.metrics.analysis
            )
        runner = AlertRunner(
            doctor, jobs, outbox=outbox, analyze=pool.analyze if pool is not None else None
        )
        return cls(jobs, runner, outbox, pool)

    def start(self) -> int:
        """Send what a previous process left in the outbox and resume its pending jobs."""
        if self.outbox is not None:
            self.outbox.start()
        return self.runner.resume()

    def close(self, grace_seconds: float = 5.0) -> None:
        self.runner.close(grace_seconds)
        if self.pool is not None:
            self.pool.close()
        if self.outbox is not None:
            self.outbox.close()
