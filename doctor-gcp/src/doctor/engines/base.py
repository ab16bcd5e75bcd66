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
class Answer:
    """A diagnosis and who actually produced it."""

    diagnosis: Diagnosis
    engine: EngineName
    degraded: bool = False  # the engine asked for failed and another one answered
    from_prompt: bool = False  # read from the prompt, so the prompt budget's cuts apply to it
    warnings: list[str] = field(default_factory=list)


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
