"""An engine that asks a primary engine and lets a fallback answer when it fails.

A diagnosis of an outage must not depend on the model being up: whatever makes the primary fail
(timeout, quota, a bad answer, missing configuration), the fallback answers, the answer is
marked degraded, and its warning says why in the doctor's own words, never an SDK's text. An
answer the primary does give is cross-checked against the fallback's (`crosscheck`): the
fallback is the offline rules engine, cheap enough to run every time.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from doctor.engines.crosscheck import cross_checked
from doctor.errors import ConfigurationError, DoctorError, EngineMisconfigured

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
            answer = self.primary.diagnose(digest, prompt, incident)
        except Exception as exc:
            return self._instead(exc, digest, prompt, incident)
        return cross_checked(answer, self.fallback.diagnose(digest, prompt, incident), digest)

    def _instead(
        self, exc: Exception, digest: Digest, prompt: Prompt, incident: Incident | None
    ) -> Answer:
        reason = exc.message if isinstance(exc, DoctorError) else "an unexpected internal error"
        # A setting to change is an operator's problem: say it loudly, with the fix.
        misconfigured = isinstance(exc, EngineMisconfigured | ConfigurationError)
        log.log(
            logging.ERROR if misconfigured else logging.WARNING,
            "engine %s failed (%s); falling back to %s",
            self.primary.name,
            reason,
            self.fallback.name,
        )
        log.debug("engine failure detail", exc_info=exc)
        answer = self.fallback.diagnose(digest, prompt, incident)
        warning = (
            f"The {self.primary.name} engine failed ({reason}); "
            f"the offline {self.fallback.name} engine answered instead."
        )
        if isinstance(exc, EngineMisconfigured | ConfigurationError) and exc.hint:
            warning += f" To fix: {exc.hint}"
        return replace(answer, degraded=True, warnings=[warning, *answer.warnings])

    def close(self) -> None:
        try:
            self.primary.close()
        finally:
            self.fallback.close()
