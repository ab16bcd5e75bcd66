"""Which engine answers: the one place where `auto` is decided, and where engines are built."""

from __future__ import annotations

from typing import TYPE_CHECKING

from doctor.engines.base import Engine, UnavailableEngine
from doctor.engines.fallback import FallbackEngine
from doctor.errors import DoctorError

if TYPE_CHECKING:
    import google.auth.credentials

    from doctor.models import EngineChoice, EngineName
    from doctor.settings import Settings


def choose_engine(choice: EngineChoice | None, settings: Settings) -> EngineName:
    """The engine a request gets: its own choice, else DOCTOR_ENGINE; `auto` means gemini when
    a Gemini backend is configured, else rules."""
    wanted = choice or settings.doctor_engine
    if wanted == "auto":
        return "gemini" if settings.gemini_configured else "rules"
    return wanted


def build_engine(
    name: EngineName,
    settings: Settings,
    *,
    credentials: google.auth.credentials.Credentials | None = None,
) -> Engine:
    """The engine called `name`, ready to use. Gemini always comes wrapped in a fallback to
    the rules engine; Gemini asked for but not usable (no project, bad client setup) is an
    engine that fails at once, so the rules engine answers and says why.
    `credentials` replaces Application Default Credentials (tests, other identities)."""
    # Imported here: google-genai takes most of a second to import; rules runs never need it.
    from doctor.engines.rules import shared_rules

    rules = shared_rules()
    if name == "rules":
        return rules
    from doctor.engines.gemini import GeminiEngine

    primary: Engine
    try:
        primary = GeminiEngine(settings, credentials=credentials)
    except DoctorError as err:
        primary = UnavailableEngine("gemini", err)
    return FallbackEngine(primary, rules)
