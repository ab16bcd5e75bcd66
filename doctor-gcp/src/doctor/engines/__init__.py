"""Diagnosis engines: one protocol, two engines (gemini, rules), and the fallback between them.

`gemini` (Vertex AI or the Gemini API) and `rules` (the offline knowledge base) both turn a
digest into an `Answer`. `choose_engine` decides what `auto` means; `build_engine` wraps gemini
in a `FallbackEngine` so that the rules engine answers, marked degraded, whenever gemini fails.
"""

from doctor.engines.base import Answer, Engine, UnavailableEngine, Usage
from doctor.engines.fallback import FallbackEngine
from doctor.engines.select import build_engine, choose_engine

__all__ = [
    "Answer",
    "Engine",
    "FallbackEngine",
    "UnavailableEngine",
    "Usage",
    "build_engine",
    "choose_engine",
]
