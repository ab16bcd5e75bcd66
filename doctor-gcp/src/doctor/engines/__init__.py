"""Diagnosis engines: one interface, two engines, and the fallback between them.

`gemini` (Vertex AI) and `rules` (offline knowledge base) both turn a digest into a `Diagnosis`.
`auto` picks gemini when GCP is configured, else rules. When gemini fails for any reason, the
rules engine answers and the answer says so (status "degraded"): a diagnosis of the outage
must not depend on the model being up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal, Protocol

from doctor.errors import DoctorError

if TYPE_CHECKING:
    import google.auth.credentials

    from doctor.digest import Prompt
    from doctor.digest.types import Digest
    from doctor.models import Diagnosis, EngineChoice, EngineName
    from doctor.settings import Settings

log = logging.getLogger(__name__)


class Engine(Protocol):
    """What the pipeline needs from an engine."""

    @property
    def name(self) -> EngineName: ...

    def diagnose(self, digest: Digest, prompt: Prompt) -> Diagnosis: ...


class _DigestEngine(Protocol):
    """Engines that work from the digest alone (the rules engine)."""

    def diagnose(self, digest: Digest) -> Diagnosis: ...


class RulesAdapter:
    """Gives the rules engine the common signature; it has no use for the prompt."""

    name: Final[Literal["rules"]] = "rules"

    def __init__(self, engine: _DigestEngine) -> None:
        self._engine = engine

    def diagnose(self, digest: Digest, prompt: Prompt) -> Diagnosis:
        del prompt
        return self._engine.diagnose(digest)


def rules_engine() -> Engine:
    # Imported here: the rules package may import this package's names.
    from doctor.engines.rules import RulesEngine

    return RulesAdapter(RulesEngine())


def select_engine(
    choice: EngineChoice,
    settings: Settings,
    *,
    credentials: google.auth.credentials.Credentials | None = None,
) -> Engine:
    """auto = gemini when GCP_PROJECT_ID is set, else rules.

    Gemini asked for but not usable (no project, bad client setup) is a Gemini failure like
    any other: an engine that fails at once, so the rules engine answers with status
    "degraded" and a warning saying why, instead of the request failing.
    `credentials` replaces Application Default Credentials (tests, other identities).
    """
    if choice == "rules" or (choice == "auto" and not settings.gemini_configured):
        return rules_engine()
    # Imported lazily: google-genai takes most of a second to import, rules runs don't need it.
    from doctor.engines.gemini import GeminiEngine

    try:
        return GeminiEngine(settings, credentials=credentials)
    except DoctorError as err:
        return UnavailableEngine("gemini", err)


class UnavailableEngine:
    """An engine that could not be set up: every diagnosis fails with the setup error."""

    def __init__(self, name: EngineName, error: DoctorError) -> None:
        self._name: EngineName = name
        self._error = error

    @property
    def name(self) -> EngineName:
        return self._name

    def diagnose(self, digest: Digest, prompt: Prompt) -> Diagnosis:
        del digest, prompt
        raise self._error


@dataclass(frozen=True)
class EngineAnswer:
    """A diagnosis and who actually produced it."""

    diagnosis: Diagnosis
    engine: EngineName
    degraded: bool = False
    warnings: list[str] = field(default_factory=list)


def diagnose_with_fallback(
    engine: Engine, digest: Digest, prompt: Prompt, *, fallback: Engine | None
) -> EngineAnswer:
    """Run `engine`; on any failure let `fallback` answer, with a warning saying so.

    The warning carries our own error message (DoctorError.message), never exception text
    from an SDK. Without a fallback (or if the rules engine itself fails) the error propagates.
    """
    try:
        return EngineAnswer(engine.diagnose(digest, prompt), engine.name)
    except Exception as exc:
        if fallback is None or fallback.name == engine.name:
            raise
        reason = exc.message if isinstance(exc, DoctorError) else "an unexpected internal error"
        log.warning("engine %s failed (%s); falling back to %s", engine.name, reason, fallback.name)
        log.debug("engine failure detail", exc_info=True)
        diagnosis = fallback.diagnose(digest, prompt)
        warning = (
            f"The {engine.name} engine failed ({reason}); "
            f"the offline {fallback.name} engine answered instead."
        )
        return EngineAnswer(diagnosis, fallback.name, degraded=True, warnings=[warning])


__all__ = [
    "Engine",
    "EngineAnswer",
    "RulesAdapter",
    "UnavailableEngine",
    "diagnose_with_fallback",
    "rules_engine",
    "select_engine",
]
