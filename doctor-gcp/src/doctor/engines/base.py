"""What every engine is: the `Engine` protocol and the `Answer` it gives.

An engine turns a digest (the prompt rendered from it, and the incident stage's reading of it)
into an `Answer`: the diagnosis plus
who produced it and what the caller should know about how (a fallback, a warning). Engines are
built once per process and closed once; `close()` releases clients and connection pools.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from doctor.digest import Prompt
    from doctor.digest.types import Digest
    from doctor.errors import DoctorError
    from doctor.incident import Incident
    from doctor.models import Diagnosis, EngineName


@dataclass(frozen=True, slots=True)
class Usage:
    """What a model call cost, from the model's own accounting (never an estimate)."""

    prompt_tokens: int = 0
    output_tokens: int = 0  # the answer and the thinking before it: both are billed as output
    cost_usd: float | None = None  # None: no price known for the model

    def __add__(self, other: Usage) -> Usage:
        cost = (
            None
            if self.cost_usd is None or other.cost_usd is None
            else (self.cost_usd + other.cost_usd)
        )
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.output_tokens + other.output_tokens,
            cost,
        )


@dataclass(frozen=True, slots=True)
class Answer:
    """A diagnosis and who actually produced it."""

    diagnosis: Diagnosis
    engine: EngineName
    degraded: bool = False  # the engine asked for failed and another one answered
    from_prompt: bool = False  # read from the prompt, so the prompt budget's cuts apply to it
    warnings: list[str] = field(default_factory=list)
    usage: Usage | None = None  # a model was called: its tokens and cost, failed calls included


class Engine(Protocol):
    """One diagnosis engine."""

    @property
    def name(self) -> EngineName: ...

    def diagnose(
        self, digest: Digest, prompt: Prompt, incident: Incident | None = None
    ) -> Answer: ...

    def close(self) -> None: ...


class UnavailableEngine:
    """An engine that could not be set up: every diagnosis fails with the setup error, so the
    fallback answers and says why, instead of the request failing."""

    def __init__(self, name: EngineName, error: DoctorError) -> None:
        self._name: EngineName = name
        self._error = error

    @property
    def name(self) -> EngineName:
        return self._name

    def diagnose(self, digest: Digest, prompt: Prompt, incident: Incident | None = None) -> Answer:
        del digest, prompt, incident
        raise self._error

    def close(self) -> None:
        pass
