"""The offline, deterministic rules engine: a knowledge base of how real software reports
failures, matched against digest patterns."""

from doctor.engines.rules.engine import RulesEngine

__all__ = ["RulesEngine"]
