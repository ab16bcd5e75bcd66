"""The public data shapes: what an engine answers, what grounding makes of it, AnalysisResponse.

Engines produce a `Diagnosis` (what is wrong, citing digest pattern ids); grounding turns it into
an `Analysis` whose counts, first/last seen and evidence come from the logs, never the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from doctor.taxonomy import Category, Severity


class DiagnosedIssue(BaseModel):
    """One problem as an engine states it; `pattern_ids` tie it to the digest."""

    type: str = Field(description="Short human title, e.g. 'Database Connection Failure'")
    category: Category
    description: str = Field(description="What is happening, in one or two sentences")
    root_cause: str = Field(description="The most likely underlying cause")
    solution: str = Field(description="Concrete steps that fix or mitigate it")
    pattern_ids: list[str] = Field(description="Ids of the digest patterns this issue explains")


class Diagnosis(BaseModel):
    """An engine's answer before grounding. Also Gemini's response schema."""

    summary: str = Field(description="One or two sentences for the on-call engineer")
    severity: Severity
    issues: list[DiagnosedIssue] = Field(description="Most important first")
    priority_actions: list[str] = Field(description="What to do now, most urgent first")


# The incident stage's roles (doctor.incident.Role): a root cause, what it set off, or a problem
# that predates the incident.
IssueRole = Literal["root_cause", "symptom", "chronic"]


class Issue(BaseModel):
    type: str
    category: Category
    count: int
    description: str
    root_cause: str
    solution: str
    evidence: list[str]
    pattern_ids: list[str]
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    role: IssueRole | None = Field(
        default=None, description="Its place in the incident: root_cause, symptom or chronic"
    )
    services: list[str] = Field(default_factory=list, description="Who logged it, most first")


class Analysis(BaseModel):
    summary: str
    severity: Severity
    issues: list[Issue]
    priority_actions: list[str]

    def categories(self) -> list[str]:
        """The distinct categories of its issues, sorted (history, metrics)."""
        return sorted({issue.category.value for issue in self.issues})


Status = Literal["success", "degraded", "no_logs"]
EngineName = Literal["gemini", "rules"]
EngineChoice = Literal["auto", "gemini", "rules"]


class RunSummary(BaseModel):
    total_logs_analyzed: int
    log_group: str | None
    time_range_minutes: int | None
    distinct_patterns: int
    engine: EngineName
    duration_ms: int
    prompt_tokens: int = Field(
        description="The model's own count when it was called; else the prompt's estimated size"
    )
    output_tokens: int = Field(default=0, description="The model's answer and thinking")
    cost_usd: float | None = Field(
        default=0.0, description="What the model calls cost; null when its price is unknown"
    )
    input_truncated: bool = Field(
        default=False, description="The source held more events than were read (max_logs)"
    )
    prompt_truncated: bool = Field(
        default=False, description="The prompt budget left patterns out of what the model read"
    )
    onset: datetime | None = Field(
        default=None, description="When the incident began (new or spiking problems), if it did"
    )
    target: str | None = Field(
        default=None, description="The target (AWS account) read; null for a file"
    )

    @computed_field(description="input_truncated or prompt_truncated")  # type: ignore[prop-decorator]
    @property
    def truncated(self) -> bool:
        return self.input_truncated or self.prompt_truncated

    def spent(self) -> str | None:
        """What the model calls cost, in the words every renderer uses; None when no model
        answered (the rules engine costs nothing)."""
        if not self.output_tokens:
            return None
        cost = "price unknown" if self.cost_usd is None else f"${self.cost_usd:.4f}"
        return f"{self.prompt_tokens:,} in / {self.output_tokens:,} out tokens, {cost}"

    def cuts(self) -> list[str]:
        """What was left out, in the words every renderer uses."""
        said = []
        if self.input_truncated:
            said.append(f"input truncated (newest {self.total_logs_analyzed} events read)")
        if self.prompt_truncated and self.engine != "rules":  # no model read it: no cut
            said.append("prompt truncated (token budget)")
        return said


class Changes(BaseModel):
    """What is new against the target's previous diagnosis (from history)."""

    previous_id: str
    previous_at: datetime
    new_patterns: list[str] = Field(description="Templates not seen last time (the first ten)")
    new_patterns_total: int
    appeared: list[str] = Field(description="Issue categories absent last time")
    cleared: list[str] = Field(description="Issue categories present last time, gone now")


class AnalysisResponse(BaseModel):
    id: str
    status: Status
    timestamp: datetime
    summary: RunSummary
    analysis: Analysis
    warnings: list[str] = Field(default_factory=list)
    changes: Changes | None = Field(
        default=None, description="Against the target's previous diagnosis; null without one"
    )


class HistoryPage(BaseModel):
    """GET /diagnoses: stored answers, newest first."""

    items: list[AnalysisResponse]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null: end")


# A target's name in DOCTOR_TARGETS_FILE, a request and a Slack command.
TARGET_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
# CloudWatch's own rule for log group names.
LOG_GROUP_PATTERN = r"^[\.\-_/#A-Za-z0-9]{1,512}$"
MAX_WINDOW_MINUTES = 7 * 24 * 60
MAX_LOGS_LIMIT = 100_000  # the largest DOCTOR_MAX_LOGS a doctor may configure
DEFAULT_MINUTES = 30  # the window read when a request names none
MAX_HISTORY_PAGE = 100  # diagnoses per page of history (API and CLI)


class AnalyzeRequest(BaseModel):
    """The body of POST /analyze (every field optional); the CLI and Slack build the same."""

    model_config = ConfigDict(extra="forbid")

    target: str | None = Field(
        default=None,
        pattern=TARGET_NAME_PATTERN,
        description="A configured target (AWS account); default: the default target",
    )
    log_group: str | None = Field(
        default=None,
        pattern=LOG_GROUP_PATTERN,
        description="CloudWatch log group; default AWS_LOG_GROUP_NAME",
    )
    time_range_minutes: int | None = Field(
        default=None,
        ge=1,
        le=MAX_WINDOW_MINUTES,
        description=f"Minutes back from now; default: the target's, else {DEFAULT_MINUTES}",
    )
    max_logs: int | None = Field(
        default=None,
        ge=1,
        le=MAX_LOGS_LIMIT,
        description="At most this many events; default and cap DOCTOR_MAX_LOGS (the schema's "
        "maximum is this doctor's cap)",
    )
    filter_pattern: str | None = Field(
        default=None,
        max_length=1024,
        description="CloudWatch filter pattern; default: warnings and errors; '' for everything",
    )
    engine: EngineChoice | None = Field(default=None, description="Default DOCTOR_ENGINE")
    notify_slack: bool = False

    def query(self) -> Query:
        return Query(
            target=self.target,
            log_group=self.log_group,
            minutes=self.time_range_minutes,
            max_logs=self.max_logs,
            filter_pattern=self.filter_pattern,
            engine=self.engine,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class Query:
    """One analysis as an inlet asks for it; the Doctor answers it.

    Every inlet builds one: the HTTP body and the Slack command through `AnalyzeRequest`, the
    CLI from its flags. Only the CLI may name a `file` (a path, or "-" for stdin): a remote
    caller can never make the service read its own files.
    """

    target: str | None = None  # a configured target (None: the default one); not with `file`
    log_group: str | None = None  # CloudWatch group; with `file`, only a label for the answer
    minutes: int | None = None  # CloudWatch window (None: 30); a file is read whole
    max_logs: int | None = None  # newest N events (None: DOCTOR_MAX_LOGS, or all of a file)
    filter_pattern: str | None = None  # CloudWatch syntax (None: warnings and worse)
    engine: EngineChoice | None = None  # None: DOCTOR_ENGINE
    file: str | None = None  # read this file instead of CloudWatch
