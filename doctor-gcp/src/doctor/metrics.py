"""Prometheus metrics: what the doctor diagnosed, how long it took, what Gemini cost, and what
failed on the way (AWS reads, Slack posts). `GET /metrics` serves them in the text format.

Each `Metrics` owns its registry, never prometheus_client's global one, so two apps in one
process (tests, the demo) count apart; the `Doctor` holds one for its lifetime. Recording
happens once per finished analysis, in the worker thread that ran it: a few locked adds.

Every label value comes from a bounded set: targets are the configured names (an unknown
target is refused before any analysis), categories and severities are enums, engines and
statuses literals, error codes those of the `LogSourceError` classes.

    cloud_doctor_diagnoses_total{target,severity,engine,status}           one per diagnosis
    cloud_doctor_diagnosis_categories_total{target,category,severity,engine,status}
                                   one per distinct issue category of a diagnosis
    cloud_doctor_analysis_duration_seconds{engine}                        histogram
    cloud_doctor_gemini_tokens_total{target,kind}                         kind: prompt | output
    cloud_doctor_gemini_cost_usd_total{target}
    cloud_doctor_slack_errors_total{operation}                            post | reply
    cloud_doctor_aws_errors_total{code}                                   LogSourceError codes
"""

from __future__ import annotations

from typing import Literal

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from doctor.errors import DoctorError, LogSourceError
from doctor.models import AnalysisResponse

# Prometheus' text exposition format, whatever the scraper accepts (no OpenMetrics).
CONTENT_TYPE = CONTENT_TYPE_LATEST

# An analysis takes from ~0.1 s (rules on a few hundred events) to the Gemini deadline (~2 min).
DURATION_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 90.0, 120.0)

# The target label of an analysis of a file (no target): not a valid target name, so it never
# collides with one.
NO_TARGET = "(file)"

SlackOperation = Literal["post", "reply"]
SLACK_OPERATIONS: tuple[SlackOperation, ...] = ("post", "reply")


def aws_error_codes() -> frozenset[str]:
    """The codes of LogSourceError and all its subclasses: the AWS error label's values."""
    codes, pending = set(), [LogSourceError]
    while pending:
        cls = pending.pop()
        codes.add(cls.code)
        pending.extend(cls.__subclasses__())
    return frozenset(codes)


class Metrics:
    """The doctor's metrics, in a registry of their own (plus the process' CPU, memory, file
    descriptors and GC, which every Prometheus client exports)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=registry)
        outcome = ["target", "severity", "engine", "status"]
        self.diagnoses = Counter(
            "cloud_doctor_diagnoses",
            "Finished diagnoses, one per analysis.",
            outcome,
            registry=registry,
        )
        self.categories = Counter(
            "cloud_doctor_diagnosis_categories",
            "Diagnoses counted once per distinct issue category in the answer.",
            ["target", "category", "severity", "engine", "status"],
            registry=registry,
        )
        self.duration = Histogram(
            "cloud_doctor_analysis_duration_seconds",
            "Time from reading the logs to the grounded answer.",
            ["engine"],
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.gemini_tokens = Counter(
            "cloud_doctor_gemini_tokens",
            "Gemini tokens of answered analyses (output includes thinking).",
            ["target", "kind"],
            registry=registry,
        )
        self.gemini_cost = Counter(
            "cloud_doctor_gemini_cost_usd",
            "Gemini cost in US dollars, from the configured prices (unpriced models add 0).",
            ["target"],
            registry=registry,
        )
        self.slack_errors = Counter(
            "cloud_doctor_slack_errors",
            "Slack deliveries that failed: report posts and slash-command replies.",
            ["operation"],
            registry=registry,
        )
        self.aws_errors = Counter(
            "cloud_doctor_aws_errors",
            "Analyses that failed reading CloudWatch, by error code.",
            ["code"],
            registry=registry,
        )
        self._aws_codes = aws_error_codes()
        # Known label values start at 0, so rate() and increase() see the first error.
        for operation in SLACK_OPERATIONS:
            self.slack_errors.labels(operation=operation)
        for code in self._aws_codes:
            self.aws_errors.labels(code=code)

    def analysis(self, response: AnalysisResponse) -> None:
        """Count one finished analysis."""
        summary = response.summary
        target = summary.target or NO_TARGET
        severity = response.analysis.severity.value
        outcome = {
            "target": target,
            "severity": severity,
            "engine": summary.engine,
            "status": response.status,
        }
        self.diagnoses.labels(**outcome).inc()
        for category in response.analysis.categories():
            self.categories.labels(category=category, **outcome).inc()
        self.duration.labels(engine=summary.engine).observe(summary.duration_ms / 1000)
        if summary.engine == "gemini":
            self.gemini_tokens.labels(target=target, kind="prompt").inc(summary.prompt_tokens)
            self.gemini_tokens.labels(target=target, kind="output").inc(summary.output_tokens)
            self.gemini_cost.labels(target=target).inc(summary.cost_usd or 0.0)

    def aws_error(self, error: LogSourceError) -> None:
        code = error.code if error.code in self._aws_codes else LogSourceError.code
        self.aws_errors.labels(code=code).inc()

    def failure(self, error: DoctorError) -> None:
        """An analysis that failed elsewhere (a worker process): counted as it would be here."""
        if isinstance(error, LogSourceError):
            self.aws_error(error)

    def slack_error(self, operation: SlackOperation) -> None:
        self.slack_errors.labels(operation=operation).inc()

    def exposition(self) -> bytes:
        """The registry in Prometheus' text format (CONTENT_TYPE)."""
        return generate_latest(self.registry)
