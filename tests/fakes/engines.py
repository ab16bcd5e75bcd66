"""A scripted diagnosis engine: answers a fixed Diagnosis (or raises), and counts its calls."""

from __future__ import annotations

from doctor.digest import Prompt
from doctor.digest.types import Digest
from doctor.engines import Answer
from doctor.incident import Incident
from doctor.models import Diagnosis, EngineName
from doctor.taxonomy import Severity


class StubEngine:
    def __init__(
        self,
        name: EngineName,
        *,
        error: Exception | None = None,
        diagnosis: Diagnosis | None = None,
    ) -> None:
        self.name: EngineName = name
        self.error = error
        self.diagnosis = diagnosis
        self.calls: list[tuple[Digest, Prompt]] = []
        self.incidents: list[Incident | None] = []
        self.closed = False

    def diagnose(self, digest: Digest, prompt: Prompt, incident: Incident | None = None) -> Answer:
        self.calls.append((digest, prompt))
        self.incidents.append(incident)
        if self.error is not None:
            raise self.error
        diagnosis = self.diagnosis or Diagnosis(
            summary=f"by {self.name}", severity=Severity.LOW, issues=[], priority_actions=[]
        )
        return Answer(diagnosis, self.name, from_prompt=self.name == "gemini")

    def close(self) -> None:
        self.closed = True
