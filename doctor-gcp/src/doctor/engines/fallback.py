"""An engine that asks a primary engine and lets a fallback answer when it fails.

A diagnosis of an outage must not depend on the model being up: whatever makes the primary fail
(timeout, quota, a bad answer, missing configuration), the fallback answers, the answer is
marked degraded, and its warning says why in the doctor's own words, never an SDK's text.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from doctor.errors import DoctorError

if TYPE_CHECKING:
    from doctor.digest import Prompt
    from doctor.digest.types import Digest
    from doctor.engines.base import Answer, Engine
    from doctor.incident import Incident
    from doctor.models import EngineName

log = logging.getLogger(__name__)


class FallbackEngine:
    """`primary`, or `fallback` when it raises. Named after the primary: it is what was asked."""

    def __init__(self, primary: Engine, fallback: Engine) -> None:
        self.primary = primary
        self.fallback = fallback

    @property
    def name(self) -> EngineName:
        return self.primary.name

    def diagnose(self, digest: Digest, prompt: Prompt, incident: Incident | None = None) -> Answer:
        try:
            return self.primary.diagnose(digest, prompt, incident)
        except Exception as exc:
            reason = exc.message if isinstance(exc, DoctorError) else "an unexpected internal error"
            log.warning(
                "engine %s failed (%s); falling back to %s",
                self.primary.name,
                reason,
                self.fallback.name,
            )
            log.debug("engine failure detail", exc_info=True)
        answer = self.fallback.diagnose(digest, prompt, incident)
        warning = (
            f"The {self.primary.name} engine failed ({reason}); "
            f"the offline {self.fallback.name} engine answered instead."
        )
        return replace(answer, degraded=True, warnings=[warning, *answer.warnings])

    def close(self) -> None:
        try:
            self.primary.close()
        finally:
            self.fallback.close()
