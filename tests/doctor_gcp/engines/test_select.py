"""Engine choice (auto | gemini | rules) and the fallback from gemini to rules."""

from __future__ import annotations

import pytest

from doctor.digest import Prompt
from doctor.digest.types import Digest
from doctor.engines import diagnose_with_fallback, select_engine
from doctor.errors import ConfigurationError, EngineUnavailable
from doctor.settings import Settings
from tests.fakes.engines import StubEngine

PROMPT = Prompt(system="s", user="u", tokens=2, truncated=False)
DIGEST = Digest(0, [], [], [], None, {})


def test_auto_is_rules_without_gcp_and_gemini_with_it() -> None:
    assert select_engine("auto", Settings(gcp_project_id=None)).name == "rules"
    assert select_engine("auto", Settings(gcp_project_id="p")).name == "gemini"


def test_explicit_choices_are_honoured() -> None:
    assert select_engine("rules", Settings(gcp_project_id="p")).name == "rules"
    assert select_engine("gemini", Settings(gcp_project_id="p")).name == "gemini"


def test_explicit_gemini_without_gcp_fails_on_use_with_the_setup_error() -> None:
    engine = select_engine("gemini", Settings(gcp_project_id=None))
    assert engine.name == "gemini"
    with pytest.raises(ConfigurationError) as caught:
        engine.diagnose(Digest(0, [], [], [], None, {}), Prompt("s", "u", 2, False))
    assert "GCP_PROJECT_ID" in caught.value.hint


def test_success_is_not_degraded() -> None:
    answer = diagnose_with_fallback(
        StubEngine("gemini"), DIGEST, PROMPT, fallback=StubEngine("rules")
    )
    assert (answer.engine, answer.degraded, answer.warnings) == ("gemini", False, [])


def test_a_doctor_error_falls_back_and_says_why_in_our_words() -> None:
    failing = StubEngine("gemini", error=EngineUnavailable("Gemini did not answer within 30s"))
    rules = StubEngine("rules")
    answer = diagnose_with_fallback(failing, DIGEST, PROMPT, fallback=rules)
    assert answer.engine == "rules"
    assert answer.degraded
    assert answer.diagnosis.summary == "by rules"
    [warning] = answer.warnings
    assert "gemini" in warning
    assert "rules" in warning
    assert "did not answer within 30s" in warning


def test_an_unexpected_error_falls_back_without_leaking_its_text() -> None:
    leaky = RuntimeError("POST https://x.googleapis.com?key=AIzaSECRET failed")
    answer = diagnose_with_fallback(
        StubEngine("gemini", error=leaky), DIGEST, PROMPT, fallback=StubEngine("rules")
    )
    assert answer.degraded
    assert "AIzaSECRET" not in answer.warnings[0]
    assert "googleapis" not in answer.warnings[0]


def test_without_a_fallback_the_error_propagates() -> None:
    with pytest.raises(EngineUnavailable):
        diagnose_with_fallback(
            StubEngine("gemini", error=EngineUnavailable("down")), DIGEST, PROMPT, fallback=None
        )
