"""GeminiEngine through the real google-genai client against a fake Vertex AI on 127.0.0.1."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from google.oauth2.credentials import Credentials

from doctor.digest import Prompt
from doctor.digest.types import Digest
from doctor.engines.gemini import GeminiEngine
from doctor.errors import EngineError, EngineMisconfigured, EngineUnavailable
from doctor.models import Diagnosis, Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from doctor.taxonomy import Category
from tests.doctor_gcp.conftest import prepared
from tests.fakes.gemini import FakeGemini, Reply, error_reply, json_reply, text_reply

PROMPT = Prompt(
    system="You are Cloud Doctor. SYSTEM-MARKER",
    user="digest: USER-MARKER",
    tokens=42,
    truncated=False,
)
EMPTY_DIGEST = Digest(0, [], [], [], None, {})
VALID: dict[str, Any] = {
    "summary": "The database refuses connections.",
    "severity": "HIGH",
    "issues": [
        {
            "type": "Database Connection Failure",
            "category": "database_connection",
            "description": "Postgres refuses connections.",
            "root_cause": "The database is down.",
            "solution": "Restart it.",
            "pattern_ids": ["p1"],
        }
    ],
    "priority_actions": ["Check the database"],
}


def thinking_level(config: dict[str, Any]) -> str | None:
    """The thinking level a request asked for. The SDK writes the field in either JSON
    spelling (proto JSON accepts both), so neither is assumed."""
    thinking = config.get("thinkingConfig") or {}
    level = thinking.get("thinkingLevel", thinking.get("thinking_level"))
    return str(level) if level is not None else None


@pytest.fixture
def engine(gemini_settings: Settings, fake_credentials: Credentials) -> Iterator[GeminiEngine]:
    built = GeminiEngine(gemini_settings, credentials=fake_credentials)
    yield built
    built.close()


def test_a_valid_answer_becomes_a_diagnosis(engine: GeminiEngine, gemini: FakeGemini) -> None:
    gemini.script(json_reply(VALID))
    answer = engine.diagnose(EMPTY_DIGEST, PROMPT)
    assert (answer.engine, answer.degraded, answer.from_prompt) == ("gemini", False, True)
    diagnosis = answer.diagnosis
    assert diagnosis == Diagnosis.model_validate(VALID)
    assert diagnosis.issues[0].category is Category.DATABASE_CONNECTION
    [request] = gemini.requests
    assert request.path == (
        "/v1beta1/projects/test-project/locations/global/publishers/google/models/"
        "gemini-3.8-flash:generateContent"
    )
    assert request.headers["authorization"] == "Bearer fake-access-token"


def test_the_request_carries_system_instruction_prompt_and_response_schema(
    engine: GeminiEngine, gemini: FakeGemini
) -> None:
    gemini.script(json_reply(VALID))
    engine.diagnose(EMPTY_DIGEST, PROMPT)
    body = gemini.requests[0].json
    assert body["systemInstruction"]["parts"][0]["text"] == PROMPT.system
    assert body["contents"] == [{"role": "user", "parts": [{"text": PROMPT.user}]}]
    config = body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    # Gemini 3: the model's default temperature, a thinking level, an output cap.
    assert "temperature" not in config
    assert thinking_level(config) == "LOW"
    assert config["maxOutputTokens"] == 8192
    schema = config["responseSchema"]
    assert set(schema["required"]) == {"summary", "severity", "issues", "priority_actions"}
    issue_schema = schema["properties"]["issues"]["items"]
    assert "pattern_ids" in issue_schema["required"]
    assert set(issue_schema["properties"]["category"]["enum"]) == {c.value for c in Category}


def test_invalid_json_gets_one_repair_request_naming_the_error(
    engine: GeminiEngine, gemini: FakeGemini
) -> None:
    gemini.script(text_reply('{"summary": "cut off'), json_reply(VALID))
    assert engine.diagnose(EMPTY_DIGEST, PROMPT).diagnosis == Diagnosis.model_validate(VALID)
    first, second = gemini.requests
    turns = second.json["contents"]
    assert [t["role"] for t in turns] == ["user", "model", "user"]
    assert turns[1]["parts"][0]["text"] == '{"summary": "cut off'
    repair = turns[2]["parts"][0]["text"]
    assert "Invalid JSON" in repair
    assert second.json["systemInstruction"] == first.json["systemInstruction"]


def test_schema_violations_are_named_in_the_repair_request(
    engine: GeminiEngine, gemini: FakeGemini
) -> None:
    wrong = json.loads(json.dumps(VALID))
    wrong["issues"][0]["category"] = "cosmic_rays"
    gemini.script(json_reply(wrong), json_reply(VALID))
    engine.diagnose(EMPTY_DIGEST, PROMPT)
    repair = gemini.requests[1].json["contents"][2]["parts"][0]["text"]
    assert "issues.0.category" in repair


def test_a_second_invalid_answer_is_an_engine_error(
    engine: GeminiEngine, gemini: FakeGemini
) -> None:
    gemini.script(text_reply("not json"), text_reply("still not json"))
    with pytest.raises(EngineError) as caught:
        engine.diagnose(EMPTY_DIGEST, PROMPT)
    assert not isinstance(caught.value, EngineUnavailable)
    assert len(gemini.requests) == 2  # exactly one repair, no loop


def test_429_is_retried_by_the_client(engine: GeminiEngine, gemini: FakeGemini) -> None:
    gemini.script(error_reply(429), json_reply(VALID))
    assert engine.diagnose(EMPTY_DIGEST, PROMPT).diagnosis.severity.value == "HIGH"
    assert len(gemini.requests) == 2


def test_persistent_429_is_engine_unavailable_without_sdk_text(
    engine: GeminiEngine, gemini: FakeGemini
) -> None:
    detail = "Quota exceeded for aiplatform.googleapis.com/secret-internal-detail"
    gemini.script(*[error_reply(429, detail)] * 3)
    with pytest.raises(EngineUnavailable) as caught:
        engine.diagnose(EMPTY_DIGEST, PROMPT)
    assert len(gemini.requests) == 3  # gemini_retry_attempts
    assert "429" in caught.value.message
    assert "secret-internal-detail" not in caught.value.message + caught.value.hint


def test_permission_denied_is_not_retried_and_hints_at_iam(
    engine: GeminiEngine, gemini: FakeGemini
) -> None:
    gemini.script(error_reply(403, "Permission aiplatform.endpoints.predict denied"))
    with pytest.raises(EngineUnavailable) as caught:
        engine.diagnose(EMPTY_DIGEST, PROMPT)
    assert len(gemini.requests) == 1
    assert "aiplatform.user" in caught.value.hint


def test_a_blocked_answer_is_an_engine_error_without_repair(
    engine: GeminiEngine, gemini: FakeGemini
) -> None:
    blocked = {"candidates": [{"finishReason": "SAFETY"}]}
    gemini.script(Reply(body=blocked))
    with pytest.raises(EngineError, match="SAFETY"):
        engine.diagnose(EMPTY_DIGEST, PROMPT)
    assert len(gemini.requests) == 1


def test_a_hang_past_the_timeout_is_engine_unavailable(
    gemini_settings: Settings, fake_credentials: Credentials, gemini: FakeGemini
) -> None:
    settings = gemini_settings.model_copy(
        update={"gemini_timeout_seconds": 0.3, "gemini_retry_attempts": 2}
    )
    engine = GeminiEngine(settings, credentials=fake_credentials)
    gemini.script(Reply(hang=10), Reply(hang=10))
    started = time.monotonic()
    with pytest.raises(EngineUnavailable, match=r"did not answer within 0\.3s \(2 attempts\)"):
        engine.diagnose(EMPTY_DIGEST, PROMPT)
    assert time.monotonic() - started < 5  # the client gave up; it did not wait the hang out
    assert len(gemini.requests) == 2  # timeouts are retried too


def test_building_the_engine_makes_no_request(engine: GeminiEngine, gemini: FakeGemini) -> None:
    assert engine.name == "gemini"
    assert gemini.requests == []


def test_a_timeout_degrades_to_the_rules_engine_with_a_warning(
    gemini_settings: Settings,
    fake_credentials: Credentials,
    gemini: FakeGemini,
    sample_log: Path,
) -> None:
    settings = gemini_settings.model_copy(
        update={"gemini_timeout_seconds": 0.3, "gemini_retry_attempts": 1}
    )
    gemini.script(Reply(hang=10))
    with closing(Doctor(settings, engine_credentials=fake_credentials)) as doctor:
        response = doctor.analyze(Query(file=str(sample_log), engine="gemini"))
    assert response.status == "degraded"
    assert response.summary.engine == "rules"
    assert any("gemini" in w and "rules" in w and "0.3s" in w for w in response.warnings)
    assert response.analysis.issues  # the rules engine still diagnosed the database outage


def test_canary_secrets_never_reach_gemini_or_the_output(
    gemini_settings: Settings,
    fake_credentials: Credentials,
    gemini: FakeGemini,
    sample_log: Path,
    canaries: dict[str, str],
) -> None:
    digest, prompt = prepared(sample_log)
    cited = dict(VALID, issues=[dict(VALID["issues"][0], pattern_ids=[digest.patterns[0].id])])
    gemini.script(json_reply(cited))
    with closing(Doctor(gemini_settings, engine_credentials=fake_credentials)) as doctor:
        response = doctor.analyze(Query(file=str(sample_log), engine="gemini"))
    assert response.status == "success"
    assert response.summary.engine == "gemini"
    sent = gemini.requests[0].text
    output = response.model_dump_json()
    assert gemini.requests[0].json["contents"][0]["parts"][0]["text"] == prompt.user
    for name, secret in canaries.items():
        assert secret not in sent, f"{name} canary reached Gemini"
        assert secret not in output, f"{name} canary reached the output"


def test_an_older_model_family_gets_a_low_temperature_and_no_thinking_level(
    gemini_settings: Settings, fake_credentials: Credentials, gemini: FakeGemini
) -> None:
    settings = gemini_settings.model_copy(update={"gemini_model": "gemini-2.5-pro"})
    with closing(GeminiEngine(settings, credentials=fake_credentials)) as engine:
        gemini.script(json_reply(VALID))
        engine.diagnose(EMPTY_DIGEST, PROMPT)
    config = gemini.requests[0].json["generationConfig"]
    assert config["temperature"] == pytest.approx(0.1)
    assert thinking_level(config) is None
    assert config["maxOutputTokens"] == 8192


def test_thinking_level_and_output_cap_come_from_the_settings(
    gemini_settings: Settings, fake_credentials: Credentials, gemini: FakeGemini
) -> None:
    settings = gemini_settings.model_copy(
        update={"gemini_thinking_level": "high", "gemini_max_output_tokens": 2048}
    )
    with closing(GeminiEngine(settings, credentials=fake_credentials)) as engine:
        gemini.script(json_reply(VALID))
        engine.diagnose(EMPTY_DIGEST, PROMPT)
    config = gemini.requests[0].json["generationConfig"]
    assert (thinking_level(config), config["maxOutputTokens"]) == ("HIGH", 2048)


def test_an_unknown_model_is_a_misconfiguration_naming_model_and_location(
    engine: GeminiEngine, gemini: FakeGemini
) -> None:
    gemini.script(error_reply(404, "Publisher Model `gemini-3.8-flash` was not found"))
    with pytest.raises(EngineMisconfigured) as caught:
        engine.diagnose(EMPTY_DIGEST, PROMPT)
    assert len(gemini.requests) == 1  # a 404 is not retried
    message = caught.value.message
    assert "'gemini-3.8-flash'" in message
    assert "Vertex AI location global" in message
    assert "GEMINI_MODEL" in caught.value.hint
    assert "GCP_LOCATION" in caught.value.hint
    assert "Publisher Model" not in message + caught.value.hint  # our words, not the SDK's


def test_an_unknown_model_is_said_in_the_answer_not_only_in_the_logs(
    gemini_settings: Settings,
    fake_credentials: Credentials,
    gemini: FakeGemini,
    sample_log: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gemini.script(error_reply(404))
    with closing(Doctor(gemini_settings, engine_credentials=fake_credentials)) as doctor:
        response = doctor.analyze(Query(file=str(sample_log), engine="gemini"))
    assert (response.status, response.summary.engine) == ("degraded", "rules")
    [warning] = [w for w in response.warnings if "gemini-3.8-flash" in w]
    assert "Vertex AI location global" in warning
    assert "To fix: Set GEMINI_MODEL" in warning
    assert any(r.levelname == "ERROR" and "gemini" in r.getMessage() for r in caplog.records)


def test_tokens_and_cost_come_from_usage_metadata(
    gemini_settings: Settings,
    fake_credentials: Credentials,
    gemini: FakeGemini,
    sample_log: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    digest, _ = prepared(sample_log)
    cited = dict(VALID, issues=[dict(VALID["issues"][0], pattern_ids=[digest.patterns[0].id])])
    usage = {"promptTokenCount": 1234, "candidatesTokenCount": 200, "thoughtsTokenCount": 100}
    gemini.script(json_reply(cited, usage=usage))
    caplog.set_level("INFO")
    with closing(Doctor(gemini_settings, engine_credentials=fake_credentials)) as doctor:
        response = doctor.analyze(Query(file=str(sample_log), engine="gemini"))
    summary = response.summary
    assert (summary.engine, summary.prompt_tokens, summary.output_tokens) == ("gemini", 1234, 300)
    # gemini-3.8-flash: 0.75 USD per million input tokens, 3.75 per million output tokens
    assert summary.cost_usd == pytest.approx((1234 * 0.75 + 300 * 3.75) / 1e6)
    [line] = [r for r in caplog.records if r.getMessage().startswith("analysis ")]
    fields = line.__dict__["fields"]
    assert (fields["prompt_tokens"], fields["output_tokens"]) == (1234, 300)
    assert fields["cost_usd"] == pytest.approx(summary.cost_usd)


def test_a_repair_request_is_paid_for_too(engine: GeminiEngine, gemini: FakeGemini) -> None:
    first = {"promptTokenCount": 1000, "candidatesTokenCount": 10, "thoughtsTokenCount": 5}
    second = {"promptTokenCount": 1100, "candidatesTokenCount": 80}
    gemini.script(text_reply("not json", usage=first), json_reply(VALID, usage=second))
    usage = engine.diagnose(EMPTY_DIGEST, PROMPT).usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.output_tokens) == (2100, 95)


def test_prices_can_be_replaced_and_an_unknown_price_is_null(
    gemini_settings: Settings, fake_credentials: Credentials, gemini: FakeGemini
) -> None:
    usage = {"promptTokenCount": 1_000_000, "candidatesTokenCount": 1_000_000}
    priced = gemini_settings.model_copy(
        update={"gemini_model": "gemini-9-flash-001", "gemini_prices": {"gemini-9": (2.0, 4.0)}}
    )
    with closing(GeminiEngine(priced, credentials=fake_credentials)) as engine:
        gemini.script(json_reply(VALID, usage=usage))
        spent = engine.diagnose(EMPTY_DIGEST, PROMPT).usage
    assert spent is not None
    assert spent.cost_usd == pytest.approx(6.0)
    unpriced = priced.model_copy(update={"gemini_prices": {}})
    with closing(GeminiEngine(unpriced, credentials=fake_credentials)) as engine:
        gemini.script(json_reply(VALID, usage=usage))
        spent = engine.diagnose(EMPTY_DIGEST, PROMPT).usage
    assert spent is not None
    assert spent.cost_usd is None


def test_an_answer_cut_at_the_output_cap_is_not_repaired(
    engine: GeminiEngine, gemini: FakeGemini
) -> None:
    gemini.script(text_reply('{"summary": "The data', finish_reason="MAX_TOKENS"))
    with pytest.raises(EngineError, match="cut off at 8192 output tokens") as caught:
        engine.diagnose(EMPTY_DIGEST, PROMPT)
    assert "GEMINI_MAX_OUTPUT_TOKENS" in caught.value.hint
    assert len(gemini.requests) == 1


def test_an_api_key_uses_the_developer_api_through_the_same_engine(
    gemini: FakeGemini, sample_log: Path
) -> None:
    key = "AIzaSyD-trial-key-0123456789abcdefghij"
    settings = Settings(
        gemini_api_key=key,
        gemini_base_url=gemini.url,
        gemini_timeout_seconds=1.0,
        gemini_retry_initial_delay_seconds=0.01,
    )
    digest, _ = prepared(sample_log)
    cited = dict(VALID, issues=[dict(VALID["issues"][0], pattern_ids=[digest.patterns[0].id])])
    gemini.script(json_reply(cited))
    with closing(Doctor(settings)) as doctor:  # auto: a key is enough to pick gemini
        response = doctor.analyze(Query(file=str(sample_log)))
    assert (response.status, response.summary.engine) == ("success", "gemini")
    [request] = gemini.requests
    assert request.path.endswith("/models/gemini-3.8-flash:generateContent")
    assert "/projects/" not in request.path  # not Vertex AI
    assert request.headers["x-goog-api-key"] == key
    assert "authorization" not in request.headers
    assert key not in response.model_dump_json()


def test_a_refused_api_key_says_which_setting(
    gemini: FakeGemini,
) -> None:
    settings = Settings(
        gemini_api_key="AIzaSyD-bad-key-0123456789abcdefghijk", gemini_base_url=gemini.url
    )
    gemini.script(error_reply(403, "API key not valid"))
    with closing(GeminiEngine(settings)) as engine, pytest.raises(EngineMisconfigured) as caught:
        engine.diagnose(EMPTY_DIGEST, PROMPT)
    assert "GEMINI_API_KEY" in caught.value.message
