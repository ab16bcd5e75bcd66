"""The alert path's parts, built once per process: jobs, the runner and the Slack outbox."""

from __future__ import annotations

from dataclasses import dataclass

from doctor.alerts.jobs import AlertJobs
from doctor.alerts.outbox import SlackOutbox
from doctor.alerts.runner import AlertRunner, Analyze
from doctor.notify import SlackPoster
from doctor.orchestrator import Doctor


@dataclass
class Alerts:
    jobs: AlertJobs
    runner: AlertRunner
    outbox: SlackOutbox | None  # None: Slack is not configured, incidents are only recorded

    @classmethod
    def build(cls, doctor: Doctor, *, analyze: Analyze | None = None) -> Alerts | None:
        """None when history is off: alerts live in its database. `analyze` runs a diagnosis
        (the server's worker processes); default, `doctor.analyze` in the runner's threads."""
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
        return cls(jobs, AlertRunner(doctor, jobs, outbox=outbox, analyze=analyze), outbox)

    def start(self) -> int:
        """Send what a previous process left in the outbox and resume its pending jobs."""
        if self.outbox is not None:
            self.outbox.start()
        return self.runner.resume()

    def close(self, grace_seconds: float = 5.0) -> None:
        self.runner.close(grace_seconds)
        if self.outbox is not None:
            self.outbox.close()
