"""Settings: DESIGN.md's environment names, secret hygiene, and no environment read at import."""

from __future__ import annotations

import base64
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from doctor.errors import ConfigurationError
from doctor.settings import Settings, load_settings
from doctor.settings_checks import is_placeholder
from tests.doctor_gcp.api.test_alerts import ALERT_TOKEN
from tests.doctor_gcp.conftest import API_TOKEN
from tests.fakes.slack import SIGNING_SECRET
from tests.infra.test_terraform_alarms import TOKEN as INFRA_TOKEN
from tests.integration.test_serve import TOKEN as INTEGRATION_TOKEN

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


# --- Item 5 of issue 15: start-up refuses weak secrets and malformed values.

STRONG_SECRET_ENVS = ["DOCTOR_API_TOKEN", "DOCTOR_ALERT_TOKEN", "SLACK_SIGNING_SECRET"]
# (value, what the message says): each one a way a secret is weak.
WEAK_SECRETS = [
    (" " * 32, "shorter than 32"),  # the fault matrix's API token
    (" " * 8 + "9f86d081884c7d659a2feaa0" + " " * 8, "shorter than 32"),  # 24 after stripping
    ("x", "shorter than 32"),  # the fault matrix's signing secret
    ("a" * 40, "distinct"),
    ("ab" * 20, "distinct"),
    ("0123456701234567012345670123456701", "one character class"),  # digits only
    ("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ", "one character class"),
    ("9f86d081884c7d659a2feaa0c55ad015\n", "whitespace"),  # `echo` into a secret
    ("9f86d081884c7d65 9a2feaa0c55ad015", "whitespace"),
]


@pytest.mark.parametrize(("weak", "said"), WEAK_SECRETS)
@pytest.mark.parametrize("env", STRONG_SECRET_ENVS)
def test_weak_secrets_are_refused_naming_the_variable_never_the_value(
    monkeypatch: pytest.MonkeyPatch, env: str, weak: str, said: str
) -> None:
    monkeypatch.setenv(env, weak)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    message = caught.value.message
    assert f"{env}: " in message
    assert said in message
    if len(weak.strip()) > 3:  # shorter ones occur in any sentence
        assert weak.strip() not in f"{message} {caught.value.hint}"
    assert "openssl rand -hex 32" in message or "Signing Secret" in message  # how to fix it


def _realistic_secrets() -> list[str]:
    """The shapes operators and tests really use, random ones drawn from fixed seeds."""
    rng = random.Random(15)
    hex_32 = [rng.randbytes(16).hex() for _ in range(200)]  # Slack's signing secrets
    hex_64 = [rng.randbytes(32).hex() for _ in range(200)]  # `openssl rand -hex 32`
    urlsafe = [  # `secrets.token_urlsafe(24)`: the demo's API token
        base64.urlsafe_b64encode(rng.randbytes(24)).decode().rstrip("=") for _ in range(200)
    ]
    fixtures = [API_TOKEN, ALERT_TOKEN, SIGNING_SECRET, INTEGRATION_TOKEN, INFRA_TOKEN]
    return [*fixtures, *hex_32, *hex_64, *urlsafe]


@pytest.mark.parametrize("env", STRONG_SECRET_ENVS)
def test_realistic_secrets_pass(monkeypatch: pytest.MonkeyPatch, env: str) -> None:
    for secret in _realistic_secrets():
        monkeypatch.setenv(env, secret)
        load_settings()  # raises for any refused one


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl")
def test_a_token_from_openssl_rand_hex_32_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(20):
        token = subprocess.run(
            ["openssl", "rand", "-hex", "32"], capture_output=True, text=True, check=True
        ).stdout.strip()
        for env in STRONG_SECRET_ENVS:
            monkeypatch.setenv(env, token)
        load_settings()


# (variable, malformed value, what the message says)
MALFORMED = [
    ("AWS_ROLE_ARN", "not-an-arn", "IAM role ARN"),
    ("AWS_ROLE_ARN", "arn:aws:iam::12345:role/doctor", "IAM role ARN"),  # short account
    ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:user/doctor", "IAM role ARN"),
    ("AWS_ROLE_ARN", "arn:aws:s3:::bucket", "IAM role ARN"),
    ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/", "IAM role ARN"),
    ("AWS_REGION", "Europe", "AWS region"),
    ("AWS_REGION", "useast1", "AWS region"),
    ("AWS_REGION", "us_east_1", "AWS region"),
    ("GCP_LOCATION", "us central1", "GCP location"),
    ("DOCTOR_PUBLIC_URL", "doctor.internal", "http:// or https://"),
    ("DOCTOR_PUBLIC_URL", "https://doctor.example.com/?x=1", "without ?query"),
    ("SLACK_API_URL", "ftp://slack.example.com/api/", "http:// or https://"),
    ("SLACK_API_URL", "http://", "no host"),
    ("AWS_ENDPOINT_URL", "localhost:5000", "http:// or https://"),
    ("AWS_ENDPOINT_URL", "http://127.0.0.1:port", "not a valid URL"),
    ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000 x", "whitespace"),
    ("GEMINI_BASE_URL", "https:///v1", "no host"),
]


@pytest.mark.parametrize(("env", "value", "said"), MALFORMED)
def test_malformed_values_are_refused_naming_the_variable_never_the_value(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, said: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert f"{env}: " in caught.value.message
    assert said in caught.value.message
    assert value not in caught.value.message


@pytest.mark.parametrize(
    ("env", "value"),
    [
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/cloud-doctor"),
        ("AWS_ROLE_ARN", "arn:aws-us-gov:iam::123456789012:role/service/doctor.reader@x"),
        ("AWS_ROLE_ARN", "arn:aws-cn:iam::123456789012:role/d_r+=,"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_REGION", "us-gov-west-1"),
        ("AWS_REGION", "ap-southeast-4"),
        ("AWS_REGION", "eusc-de-east-1"),
        ("GCP_LOCATION", "global"),
        ("GCP_LOCATION", "us"),
        ("GCP_LOCATION", "northamerica-northeast1"),
        ("DOCTOR_PUBLIC_URL", "https://cloud-doctor-abc123-ew.a.run.app"),
        ("DOCTOR_PUBLIC_URL", "http://127.0.0.1:8080/base/"),
        ("SLACK_API_URL", "https://slack.com/api/"),
        ("AWS_ENDPOINT_URL", "http://localhost:5000"),
        ("GEMINI_BASE_URL", "https://aiplatform.googleapis.com"),
    ],
)
def test_well_formed_values_pass(monkeypatch: pytest.MonkeyPatch, env: str, value: str) -> None:
    monkeypatch.setenv(env, value)
    load_settings()


@pytest.mark.parametrize(
    ("env", "value"),
    [("DOCTOR_API_TOKEN", " " * 32), ("SLACK_SIGNING_SECRET", "x"), ("AWS_ROLE_ARN", "not-an-arn")],
)
def test_serve_refuses_to_start_with_a_one_line_error_and_a_hint(
    tmp_path: Path, env: str, value: str
) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DOCTOR_", "SLACK_"))}
    result = subprocess.run(
        [sys.executable, "-m", "doctor.cli", "serve", "--host", "256.0.0.1", "--port", "9"],
        env={**clean, env: value, "COLUMNS": "400", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr  # no traceback, no server start
    assert lines[0].startswith("Error: Invalid configuration: ")
    assert f"{env}: " in lines[0]
    assert lines[1].startswith("Hint: ")
    if len(value.strip()) > 3:
        assert value not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("sqlite:////var/lib/cloud-doctor/history.sqlite3", None),
        ("postgresql+psycopg://doctor@10.0.0.5/doctor", None),
        (
            "postgresql://doctor:pw@10.0.0.5/doctor",
            "postgresql+psycopg://doctor:pw@10.0.0.5/doctor",
        ),
        ("postgres://doctor@db/doctor", "postgresql+psycopg://doctor@db/doctor"),
    ],
)
def test_database_urls_the_doctor_can_open(given: str, used: str | None) -> None:
    assert Settings(doctor_database_url=given).database_url() == (used or given)


@pytest.mark.parametrize(
    "url", ["mysql://root:S3cret-pw@db/doctor", "history.sqlite3", "postgresql+psycopg2://u:pw@h/d"]
)
def test_a_database_url_it_cannot_open_is_refused_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("DOCTOR_DATABASE_URL", url)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    said = f"{caught.value.message} {caught.value.hint}"
    assert "DOCTOR_DATABASE_URL" in said
    assert "postgresql+psycopg://" in said  # how to write it
    assert "S3cret" not in said
    assert "pw@" not in said
