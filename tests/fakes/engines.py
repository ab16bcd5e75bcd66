"""A scripted diagnosis engine: answers a fixed Diagnosis (or raises), and counts its calls."""

from __future__ import annotations

from doctor.digest import Prompt
from doctor.digest.types import Digest
from doctor.models import Diagnosis, EngineName, Severity


class StubEngine:
    def __init__(
        self,
        name: EngineName,
        *,
        error: Exception | None = None,
        diagnosis: Diagnosis | None = None,
    ) -> None:
        self.name = name
        self.error = error
        self.diagnosis = diagnosis
        self.calls: list[tuple[Digest, Prompt]] = []

    def diagnose(self, digest: Digest, prompt: Prompt) -> Diagnosis:
        self.calls.append((digest, prompt))
        if self.error is not None:
            raise self.error
        if self.diagnosis is not None:
            return self.diagnosis
        return Diagnosis(
            summary=f"by {self.name}", severity=Severity.LOW, issues=[], priority_actions=[]
        )
