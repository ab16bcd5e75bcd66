"""The offline, deterministic rules engine: a knowledge base of how real software reports
failures, matched against digest patterns."""

from doctor.engines.rules.engine import RulesEngine, shared_rules

__all__ = ["RulesEngine", "shared_rules"]
