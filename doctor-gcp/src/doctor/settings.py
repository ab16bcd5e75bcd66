"""The doctor's configuration: read once from the environment into `Settings`, then injected.

Nothing here runs at import: the CLI and the app factory call `load_settings()`. Environment
names are the contract in DESIGN.md; the GEMINI_* tuning knobs below are additions. What a
value must look like (strong secrets, ARNs, regions, URLs, database URLs) is checked by
`doctor.settings_checks`; the validators here say which check guards which variable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from doctor.errors import ConfigurationError
from doctor.models import MAX_LOGS_LIMIT, EngineChoice
from doctor.settings_checks import (
    MIN_API_TOKEN_CHARS,
    MIN_SIGNING_SECRET_CHARS,
    normalize_database_url,
    reject_placeholder,
    require_aws_region,
    require_gcp_location,
    require_role_arn,
    require_strong_secret,
    require_url,
)

# The secrets that guard the service, and the least length of each.
_STRONG_SECRETS = {
    "doctor_api_token": MIN_API_TOKEN_CHARS,
    "doctor_alert_token": MIN_API_TOKEN_CHARS,
    "slack_signing_secret": MIN_SIGNING_SECRET_CHARS,
}
# The URL variables and what each one is for (said in the error).
_URLS = {
    "doctor_public_url": "the base of report links, e.g. https://doctor.example.com",
    "aws_endpoint_url": "boto3's endpoint, e.g. http://127.0.0.1:5000 for moto",
    "slack_api_url": "Slack's API base, e.g. https://slack.com/api/",
    "gemini_base_url": "the Gemini endpoint, e.g. https://aiplatform.googleapis.com",
}
# A current GA Gemini Flash model (gemini-2.5-flash is retired); override with GEMINI_MODEL.
DEFAULT_GEMINI_MODEL = "gemini-3.8-flash"
# Gemini 3 Flash on Vertex AI offers these (no MINIMAL); older families ignore the setting.
ThinkingLevelName = Literal["low", "medium", "high"]
# Standard (non-batch) prices per million tokens, checked 2026-11: input, output.
DEFAULT_GEMINI_PRICES: dict[str, tuple[float, float]] = {
    "gemini-3.8-flash": (0.75, 3.75),
    "gemini-3-flash": (0.50, 3.00),
    "gemini-2.5-flash": (0.30, 2.50),
}
DEFAULT_PROMPT_TOKEN_BUDGET = 8000


class Settings(BaseSettings):
    """Every knob the doctor reads. Field `foo_bar` is environment variable `FOO_BAR`."""

    model_config = SettingsConfigDict(
        env_file=None,  # explicit environment only: no surprise .env in tests or containers
        env_ignore_empty=True,  # `FOO=` means unset, not ""
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,  # errors must never echo a secret back
    )

    # --- AWS: how the doctor reaches the patient's logs
    aws_role_arn: str | None = None
    aws_region: str | None = None
    aws_log_group_name: str | None = Field(default=None, description="Default log group")
    aws_endpoint_url: str | None = Field(default=None, description="boto3's override (moto)")
    aws_web_identity_token_file: Path | None = None
    doctor_token_audience: str | None = None
    # STS session length. botocore refreshes 15 min before expiry, so at STS's minimum (900 s)
    # every request would be an STS call: keep the default unless testing refreshes.
    doctor_aws_session_seconds: int = Field(default=3600, ge=900, le=43200)

    # --- Gemini: Vertex AI with the service account (deployed), or the Gemini Developer API
    gcp_project_id: str | None = None
    # Gemini 3 models are served from the global endpoint (and multi-regions), not us-central1.
    gcp_location: str = "global"
    gemini_model: str = DEFAULT_GEMINI_MODEL
    gemini_api_key: SecretStr | None = Field(
        default=None, description="Gemini Developer API instead of Vertex AI (trials)"
    )
    gemini_base_url: str | None = Field(
        default=None, description="Endpoint override: private endpoints, fakes in tests"
    )
    gemini_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # Attempts include the first call; each one may take gemini_timeout_seconds.
    gemini_retry_attempts: int = Field(default=3, ge=1, le=10)
    gemini_retry_initial_delay_seconds: float = Field(default=1.0, ge=0, le=60)
    gemini_retry_max_delay_seconds: float = Field(default=10.0, ge=0, le=300)
    # The whole engine call (retries and the repair request included): past it, the rules
    # engine answers. Bounds a reply that trickles in, which no per-read timeout catches.
    gemini_deadline_seconds: float = Field(default=60.0, gt=0, le=900)
    # Gemini 3: how much the model thinks before answering; LOW keeps the answer fast.
    gemini_thinking_level: ThinkingLevelName = "low"
    # Thinking tokens count against it too; a diagnosis needs far less.
    gemini_max_output_tokens: int = Field(default=8192, ge=256, le=65_536)
    # USD per million tokens, [input, output incl. thinking], by model name prefix; the longest
    # prefix of GEMINI_MODEL wins. GEMINI_PRICES (JSON) replaces the table: prices change.
    gemini_prices: Annotated[dict[str, tuple[float, float]], NoDecode] = Field(
        default_factory=lambda: dict(DEFAULT_GEMINI_PRICES)
    )

    # --- The doctor itself
    doctor_history: bool = Field(default=True, description="Keep every diagnosis in history")
    # The XDG base directory the default SQLite history lives under (~/.local/share unset).
    xdg_data_home: Path | None = None
    # Base of the signed report links (the Slack "Full report" button), e.g. the Cloud Run URL.
    doctor_public_url: str | None = Field(default=None, description="https://doctor.example.com")
    # SQLAlchemy URL of the history; unset: a SQLite file in the user's data directory.
    doctor_database_url: str | None = Field(
        default=None, description="e.g. postgresql+psycopg://user@host/db"
    )
    doctor_targets_file: Path | None = Field(
        default=None, description="TOML: named targets (role, region, log groups)"
    )
    port: int | None = Field(default=None, ge=1, le=65535, description="Set by Cloud Run")
    doctor_engine: EngineChoice = "auto"
    doctor_api_token: SecretStr | None = None
    # POST /alerts/aws's own bearer token (EventBridge's connection sends it), not the API's.
    doctor_alert_token: SecretStr | None = None
    # Alert diagnoses run in worker processes so the server keeps answering (acks, /healthz)
    # while they use the CPU; each worker costs ~150 MiB. 0: threads in the server process.
    doctor_analysis_processes: int = Field(default=1, ge=0, le=8)
    doctor_allowed_log_groups: Annotated[list[str], NoDecode] = Field(default_factory=list)
    doctor_max_logs: int = Field(default=1000, ge=1, le=MAX_LOGS_LIMIT)
    # Below ~2,000 tokens the instructions leave no room for the logs themselves.
    doctor_prompt_token_budget: int = Field(
        default=DEFAULT_PROMPT_TOKEN_BUDGET, ge=2000, le=1_000_000
    )
    # Personal data (e-mail, phone, card numbers, IBANs, public IPs as <IP-n>) is redacted
    # with the secrets before anything leaves the process; false leaves it (secrets still go).
    doctor_redact_pii: bool = True

    # --- Slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_channel: str | None = None
    slack_api_url: str | None = None

    @field_validator("doctor_allowed_log_groups", mode="before")
    @classmethod
    def _split_comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("gemini_prices", mode="before")
    @classmethod
    def _json_prices(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise PydanticCustomError(
                "price_json",
                'is not JSON: write e.g. {"gemini-3.8-flash": [0.75, 3.75]} '
                "(USD per million input and output tokens)",
            ) from None

    @field_validator("gemini_prices")
    @classmethod
    def _non_negative(cls, value: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        if any(price < 0 for pair in value.values() for price in pair):
            raise PydanticCustomError(
                "negative_price", 'prices must be >= 0, e.g. {"gemini-3.8-flash": [0.75, 3.75]}'
            )
        return value

    @field_validator("gemini_thinking_level", mode="before")
    @classmethod
    def _lower_level(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator(
        "doctor_api_token",
        "doctor_alert_token",
        "slack_bot_token",
        "slack_signing_secret",
        "gemini_api_key",
    )
    @classmethod
    def _reject_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            reject_placeholder(value.get_secret_value())
        return value

    @field_validator(*_STRONG_SECRETS)
    @classmethod
    def _strong(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        # The only locks on /analyze, /alerts/aws and /slack/events: a weak one can be guessed.
        if value is None or info.field_name is None:
            return value
        require_strong_secret(
            value.get_secret_value(),
            _STRONG_SECRETS[info.field_name],
            from_slack=info.field_name == "slack_signing_secret",
        )
        return value

    @field_validator("aws_role_arn")
    @classmethod
    def _role_arn(cls, value: str | None) -> str | None:
        if value is not None:
            require_role_arn(value)
        return value

    @field_validator("aws_region")
    @classmethod
    def _aws_region(cls, value: str | None) -> str | None:
        if value is not None:
            require_aws_region(value)
        return value

    @field_validator("gcp_location")
    @classmethod
    def _gcp_location(cls, value: str) -> str:
        require_gcp_location(value)
        return value

    @field_validator("doctor_database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        return None if value is None else normalize_database_url(value)

    @field_validator(*_URLS)
    @classmethod
    def _url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or info.field_name is None:
            return value
        base_only = info.field_name == "doctor_public_url"
        require_url(value, purpose=_URLS[info.field_name], base_only=base_only)
        return value

    @property
    def gemini_backend(self) -> Literal["developer", "vertex"] | None:
        """Which Gemini API the engine calls: an API key picks the Developer API (it is the
        explicit choice for a trial); a GCP project, Vertex AI with the runtime's credentials."""
        if self.gemini_api_key is not None:
            return "developer"
        return "vertex" if self.gcp_project_id else None

    @property
    def gemini_configured(self) -> bool:
        return self.gemini_backend is not None

    def database_url(self) -> str:
        """DOCTOR_DATABASE_URL, else a SQLite file under $XDG_DATA_HOME (~/.local/share)."""
        if self.doctor_database_url:
            return self.doctor_database_url
        base = self.xdg_data_home or Path.home() / ".local" / "share"
        return f"sqlite:///{base / 'cloud-doctor' / 'history.sqlite3'}"

    @property
    def allowed_log_groups(self) -> list[str]:
        """DOCTOR_ALLOWED_LOG_GROUPS; when empty, only the default log group (if any)."""
        if self.doctor_allowed_log_groups:
            return list(self.doctor_allowed_log_groups)
        return [self.aws_log_group_name] if self.aws_log_group_name else []

    def is_log_group_allowed(self, log_group: str) -> bool:
        return log_group in self.allowed_log_groups


def load_settings(**overrides: Any) -> Settings:
    """Read the environment (plus explicit overrides) into Settings, or raise a clear error.

    The message names each bad variable and what is wrong with it, never its value.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors(include_input=False, include_url=False)
        ]
        raise ConfigurationError(
            "Invalid configuration: " + "; ".join(problems),
            hint="Fix or unset the environment variables named above.",
        ) from None
