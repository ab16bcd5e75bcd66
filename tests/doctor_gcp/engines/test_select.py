"""Engine choice (auto | gemini | rules) and the fallback from gemini to rules."""

from __future__ import annotations

import pytest

from doctor.digest import Prompt
from doctor.digest.types import Digest
from doctor.engines import FallbackEngine, build_engine, choose_engine
from doctor.errors import ConfigurationError, EngineUnavailable
from doctor.settings import Settings
from tests.fakes.engines import StubEngine

PROMPT = Prompt(system="s", user="u", tokens=2, truncated=False)
DIGEST = Digest(0, [], [], [], None, {})


def test_auto_is_rules_without_gcp_and_gemini_with_it() -> None:
    assert choose_engine("auto", Settings(gcp_project_id=None)) == "rules"
    assert choose_engine("auto", Settings(gcp_project_id="p")) == "gemini"
    assert choose_engine(None, Settings(gcp_project_id="p", doctor_engine="rules")) == "rules"
    assert choose_engine(None, Settings(gcp_project_id="p")) == "gemini"  # DOCTOR_ENGINE=auto


def test_explicit_choices_are_honoured() -> None:
    assert choose_engine("rules", Settings(gcp_project_id="p")) == "rules"
    assert choose_engine("gemini", Settings(gcp_project_id=None)) == "gemini"
    assert build_engine("rules", Settings(gcp_project_id="p")).name == "rules"
    gemini = build_engine("gemini", Settings(gcp_project_id="p"))
    assert gemini.name == "gemini"
    assert isinstance(gemini, FallbackEngine)  # gemini never answers without a safety net
    gemini.close()


def test_explicit_gemini_without_gcp_degrades_to_rules_with_the_setup_error() -> None:
    engine = build_engine("gemini", Settings(gcp_project_id=None))
    assert engine.name == "gemini"
    assert isinstance(engine, FallbackEngine)
    with pytest.raises(ConfigurationError) as caught:
        engine.primary.diagnose(DIGEST, PROMPT)
    assert "GCP_PROJECT_ID" in caught.value.hint
    assert "GEMINI_API_KEY" in caught.value.hint
    answer = engine.diagnose(DIGEST, PROMPT)
    assert (answer.engine, answer.degraded) == ("rules", True)
    assert "Google Cloud project or a Gemini API key" in answer.warnings[0]
    assert "To fix: Set GCP_PROJECT_ID" in answer.warnings[0]  # a setting: the fix is said


def test_success_is_not_degraded() -> None:
    answer = FallbackEngine(StubEngine("gemini"), StubEngine("rules")).diagnose(DIGEST, PROMPT)
    assert (answer.engine, answer.degraded, answer.warnings) == ("gemini", False, [])


def test_a_doctor_error_falls_back_and_says_why_in_our_words() -> None:
    failing = StubEngine("gemini", error=EngineUnavailable("Gemini did not answer within 30s"))
    rules = StubEngine("rules")
    answer = FallbackEngine(failing, rules).diagnose(DIGEST, PROMPT)
    assert answer.engine == "rules"
    assert answer.degraded
    assert answer.diagnosis.summary == "by rules"
    [warning] = answer.warnings
    assert "gemini" in warning
    assert "rules" in warning
    assert "did not answer within 30s" in warning


def test_an_unexpected_error_falls_back_without_leaking_its_text() -> None:
    leaky = RuntimeError("POST https://x.googleapis.com?key=AIzaSECRET failed")
    engine = FallbackEngine(StubEngine("gemini", error=leaky), StubEngine("rules"))
    answer = engine.diagnose(DIGEST, PROMPT)
    assert answer.degraded
    assert "AIzaSECRET" not in answer.warnings[0]
    assert "googleapis" not in answer.warnings[0]


def test_when_the_fallback_fails_too_its_error_propagates() -> None:
    engine = FallbackEngine(
        StubEngine("gemini", error=EngineUnavailable("down")),
        StubEngine("rules", error=EngineUnavailable("rules broke")),
    )
    with pytest.raises(EngineUnavailable, match="rules broke"):
        engine.diagnose(DIGEST, PROMPT)


def test_closing_the_fallback_closes_both_engines() -> None:
    primary, fallback = StubEngine("gemini"), StubEngine("rules")
    FallbackEngine(primary, fallback).close()
    assert (primary.closed, fallback.closed) == (True, True)
