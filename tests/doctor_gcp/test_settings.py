"""Settings: DESIGN.md's environment names, secret hygiene, and no environment read at import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from doctor.errors import ConfigurationError
from doctor.settings import Settings, is_placeholder, load_settings

# (environment variable, value, attribute, expected) for every name DESIGN.md fixes.
DESIGN_ENV = [
    ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/doctor", "aws_role_arn", None),
    ("AWS_REGION", "eu-west-1", "aws_region", None),
    ("AWS_LOG_GROUP_NAME", "/aws/ec2/chaos-app", "aws_log_group_name", None),
    ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000", "aws_endpoint_url", None),
    ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token", "aws_web_identity_token_file", None),
    ("DOCTOR_TOKEN_AUDIENCE", "sts.amazonaws.com", "doctor_token_audience", None),
    ("GCP_PROJECT_ID", "my-project", "gcp_project_id", None),
    ("GCP_LOCATION", "europe-west4", "gcp_location", None),
    ("GEMINI_MODEL", "gemini-2.5-pro", "gemini_model", None),
    ("DOCTOR_ENGINE", "rules", "doctor_engine", None),
    ("DOCTOR_API_TOKEN", "s3cr3t-api-token-value-0123456789abcdef", "doctor_api_token", None),
    ("DOCTOR_ALLOWED_LOG_GROUPS", "/a, /b ,,/c", "doctor_allowed_log_groups", ["/a", "/b", "/c"]),
    ("DOCTOR_MAX_LOGS", "250", "doctor_max_logs", 250),
    ("DOCTOR_PROMPT_TOKEN_BUDGET", "4000", "doctor_prompt_token_budget", 4000),
    ("DOCTOR_REDACT_PII", "false", "doctor_redact_pii", False),
    ("SLACK_BOT_TOKEN", "xoxb-1234-5678-abcdefghijkl", "slack_bot_token", None),
    ("SLACK_SIGNING_SECRET", "8f14e45fceea167a5a36dedd4bea2543", "slack_signing_secret", None),
    ("SLACK_CHANNEL", "#oncall", "slack_channel", None),
    ("SLACK_API_URL", "http://127.0.0.1:9999/api/", "slack_api_url", None),
    ("GEMINI_BASE_URL", "http://127.0.0.1:8999", "gemini_base_url", None),
    ("GEMINI_TIMEOUT_SECONDS", "12.5", "gemini_timeout_seconds", 12.5),
    ("GEMINI_RETRY_ATTEMPTS", "5", "gemini_retry_attempts", 5),
    ("GEMINI_API_KEY", "AIzaSyD-trial-key-0123456789abcdefghij", "gemini_api_key", None),
    ("GEMINI_DEADLINE_SECONDS", "20", "gemini_deadline_seconds", 20.0),
    ("GEMINI_THINKING_LEVEL", "HIGH", "gemini_thinking_level", "high"),
    ("GEMINI_MAX_OUTPUT_TOKENS", "4096", "gemini_max_output_tokens", 4096),
    ("GEMINI_PRICES", '{"gemini-9-flash": [1, 2]}', "gemini_prices", {"gemini-9-flash": (1, 2)}),
    ("DOCTOR_AWS_SESSION_SECONDS", "900", "doctor_aws_session_seconds", 900),
    ("PORT", "9000", "port", 9000),
]


@pytest.mark.parametrize(("env", "value", "attribute", "expected"), DESIGN_ENV)
def test_each_documented_variable_is_read_under_its_exact_name(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, attribute: str, expected: object
) -> None:
    monkeypatch.setenv(env, value)
    got = getattr(Settings(), attribute)
    if hasattr(got, "get_secret_value"):
        got = got.get_secret_value()
    if isinstance(got, Path):
        got = str(got)
    assert got == (value if expected is None else expected)


def test_defaults_match_the_design(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GEMINI_MODEL", "GCP_LOCATION", "DOCTOR_ENGINE", "DOCTOR_ALLOWED_LOG_GROUPS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    # A current GA Gemini 3 Flash model, from the location that serves Gemini 3.
    assert settings.gemini_model == "gemini-3.8-flash"
    assert settings.gcp_location == "global"
    assert settings.gemini_thinking_level == "low"
    assert settings.gemini_model in settings.gemini_prices  # its cost can be reported
    assert settings.doctor_engine == "auto"
    assert settings.doctor_allowed_log_groups == []
    assert settings.gemini_configured is False  # conftest strips GCP_PROJECT_ID


def test_gemini_is_configured_by_a_project() -> None:
    assert Settings(gcp_project_id="p").gemini_configured
    assert not Settings(gcp_project_id=None).gemini_configured


def test_an_api_key_selects_the_developer_api_even_beside_a_project() -> None:
    assert Settings(gcp_project_id="p").gemini_backend == "vertex"
    keyed = Settings(gcp_project_id="p", gemini_api_key="AIzaSyD-trial-key-0123456789abcdef")
    assert keyed.gemini_backend == "developer"
    assert Settings(gemini_api_key="AIzaSyD-trial-key-0123456789abcdef").gemini_configured


@pytest.mark.parametrize(
    ("env", "value", "said"),
    [
        ("GEMINI_THINKING_LEVEL", "minimal", "GEMINI_THINKING_LEVEL"),
        ("GEMINI_PRICES", '{"gemini-3.8-flash": [-1, 2]}', ">= 0"),
        ("GEMINI_PRICES", "cheap", "GEMINI_PRICES"),
        ("GEMINI_MAX_OUTPUT_TOKENS", "10", "GEMINI_MAX_OUTPUT_TOKENS"),
    ],
)
def test_bad_gemini_settings_are_named(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, said: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert said in caught.value.message


def test_an_empty_variable_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCTOR_API_TOKEN", "")
    monkeypatch.setenv("GCP_PROJECT_ID", "")
    settings = Settings()
    assert settings.doctor_api_token is None
    assert not settings.gemini_configured


@pytest.mark.parametrize(
    "placeholder",
    ["changeme", "CHANGETHIS", "xxx", "xxxxxxxx", "xoxb-xxxx", "<your-token>", "  changeme  "],
)
@pytest.mark.parametrize(
    "env", ["DOCTOR_API_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "GEMINI_API_KEY"]
)
def test_placeholder_secrets_are_rejected_naming_the_variable_not_the_value(
    monkeypatch: pytest.MonkeyPatch, env: str, placeholder: str
) -> None:
    monkeypatch.setenv(env, placeholder)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert env in caught.value.message
    assert "placeholder" in caught.value.message
    assert placeholder.strip() not in caught.value.message


@pytest.mark.parametrize(
    "real", ["9f86d081884c7d659a2feaa0c55ad015", "xoxb-1234-5678-abcdefghijkl", "tok_8XyZ"]
)
def test_real_looking_secrets_are_accepted(real: str) -> None:
    assert not is_placeholder(real)
    settings = Settings(slack_bot_token=real)
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == real
    assert real not in repr(settings)  # SecretStr keeps it out of logs and tracebacks


@pytest.mark.parametrize("weak", ["Zq9", "hunter2", "9f86d081884c7d659a2feaa0c55ad01"])
def test_a_short_api_token_is_refused(weak: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCTOR_API_TOKEN", weak)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert "DOCTOR_API_TOKEN" in caught.value.message
    assert "32 characters" in caught.value.message
    assert weak not in caught.value.message


def test_a_32_character_api_token_is_accepted() -> None:
    token = "9f86d081884c7d659a2feaa0c55ad015"
    settings = Settings(doctor_api_token=token)
    assert settings.doctor_api_token is not None
    assert settings.doctor_api_token.get_secret_value() == token


def test_invalid_values_become_a_configuration_error_that_names_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCTOR_MAX_LOGS", "lots")
    monkeypatch.setenv("DOCTOR_ENGINE", "magic")
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    message = caught.value.message
    assert "DOCTOR_MAX_LOGS" in message
    assert "DOCTOR_ENGINE" in message
    assert "lots" not in message
    assert caught.value.hint


def test_allow_list_defaults_to_the_default_log_group_only() -> None:
    default_only = Settings(aws_log_group_name="/aws/ec2/chaos-app")
    assert default_only.is_log_group_allowed("/aws/ec2/chaos-app")
    assert not default_only.is_log_group_allowed("/aws/lambda/billing")
    listed = Settings(doctor_allowed_log_groups="/a,/b")
    assert listed.is_log_group_allowed("/b")
    assert not listed.is_log_group_allowed("/aws/ec2/chaos-app")


def test_importing_the_doctor_reads_no_environment(tmp_path: Path) -> None:
    """With a broken environment, imports still succeed: only load_settings() reads it."""
    env = {**os.environ, "DOCTOR_MAX_LOGS": "not-a-number", "DOCTOR_API_TOKEN": "changeme"}
    code = "import doctor.settings, doctor.orchestrator, doctor.cli, doctor.engines; print('ok')"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
