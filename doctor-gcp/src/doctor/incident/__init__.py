"""The incident stage: onsets, chronic noise and the causal chain, read from the digest.

incident = assess(digest, categorize, links, lags)  # lags: links that need time (`causes`)
incident.role(issue.pattern_ids), incident.rank(issue.pattern_ids), incident.onset
"""

from __future__ import annotations

from .model import Facts, Incident, Role, services_of
from .onset import State, Timing, Timings, assess_timing
from .roles import assess

__all__ = [
    "Facts",
    "Incident",
    "Role",
    "State",
    "Timing",
    "Timings",
    "assess",
    "assess_timing",
    "services_of",
]
