"""How the engine talks to Gemini: which backend, which HTTP options, which generation settings.

One google-genai client, two backends: the Gemini Developer API when GEMINI_API_KEY is set (a
trial without a GCP project), else Vertex AI with the runtime's credentials (the deployed path).
Generation settings follow the model family: Gemini 3 keeps its default temperature (Google's
guidance: lower values can make it loop) and takes a thinking level; older families get a low
temperature. Every family gets an output cap.
"""

from __future__ import annotations

import re
from typing import Final

import google.auth.credentials
from google import genai
from google.genai import types

from doctor.engines.gemini.transport import BoundedTransport
from doctor.models import Diagnosis
from doctor.settings import Settings

# Transient statuses worth another attempt (the SDK's own default set, spelled out).
RETRY_STATUS_CODES: Final = (408, 429, 500, 502, 503, 504)
LEGACY_TEMPERATURE: Final = 0.1  # pre-Gemini-3 models: a diagnosis should be stable
# A diagnosis is a few KB of JSON; a reply a hundred times that is not one.
MAX_REPLY_BYTES: Final = 1 << 20
_FAMILY = re.compile(r"gemini-(\d+)")
_THINKING: Final = {
    "low": types.ThinkingLevel.LOW,
    "medium": types.ThinkingLevel.MEDIUM,
    "high": types.ThinkingLevel.HIGH,
}


def family(model: str) -> int | None:
    """The major version of a Gemini model name (`gemini-3.8-flash` -> 3), if it has one."""
    match = _FAMILY.search(model)
    return int(match.group(1)) if match else None


def generation_config(settings: Settings, system: str) -> types.GenerateContentConfig:
    config = types.GenerateContentConfig(
        system_instruction=system,
        response_mime_type="application/json",
        response_schema=Diagnosis,
        max_output_tokens=settings.gemini_max_output_tokens,
    )
    major = family(settings.gemini_model)
    if major is None or major >= 3:  # unknown names are assumed current
        config.thinking_config = types.ThinkingConfig(
            thinking_level=_THINKING[settings.gemini_thinking_level]
        )
    else:
        config.temperature = LEGACY_TEMPERATURE
    return config


def http_options(settings: Settings, transport: BoundedTransport) -> types.HttpOptions:
    """Timeout, retries, endpoint and transport for every request the client makes."""
    initial = settings.gemini_retry_initial_delay_seconds
    return types.HttpOptions(
        base_url=settings.gemini_base_url,  # None: the SDK's own endpoint for the backend
        timeout=round(settings.gemini_timeout_seconds * 1000),  # the SDK takes milliseconds
        retry_options=types.HttpRetryOptions(
            attempts=settings.gemini_retry_attempts,  # includes the first request
            initial_delay=initial,
            max_delay=settings.gemini_retry_max_delay_seconds,
            # The SDK's default jitter adds up to 1 s per retry; scale it with the delay.
            jitter=initial,
            http_status_codes=list(RETRY_STATUS_CODES),
        ),
        client_args={"transport": transport},
    )


def build_client(
    settings: Settings,
    transport: BoundedTransport,
    credentials: google.auth.credentials.Credentials | None,
) -> genai.Client:
    """The client for the configured backend. Constructing it touches no network:
    credentials=None means Application Default Credentials, looked up on the first call."""
    options = http_options(settings, transport)
    if settings.gemini_api_key is not None:
        return genai.Client(
            vertexai=False,
            api_key=settings.gemini_api_key.get_secret_value(),
            http_options=options,
        )
    return genai.Client(
        vertexai=True,
        project=settings.gcp_project_id,
        location=settings.gcp_location,
        credentials=credentials,
        http_options=options,
    )


def where(settings: Settings) -> str:
    """The backend in words, for errors: the model's location matters only on Vertex AI."""
    if settings.gemini_backend == "developer":
        return "the Gemini Developer API"
    return f"Vertex AI location {settings.gcp_location}"
