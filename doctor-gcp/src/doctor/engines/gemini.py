"""Gemini on Vertex AI through the google-genai SDK, with structured output.

The response schema is the `Diagnosis` pydantic model, so the model answers JSON in our shape.
An answer that still does not validate gets one repair request (the validation errors are sent
back); a second failure is an EngineError. Every SDK / HTTP failure is mapped to the doctor's
error hierarchy with a message of our own: SDK exception text is logged, never shown.
"""

from __future__ import annotations

import logging
from typing import Final, Literal

import google.auth.credentials
from google import genai
from google.auth import exceptions as auth_exceptions
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import ValidationError

from doctor.digest import Prompt
from doctor.digest.types import Digest
from doctor.engines.base import Answer
from doctor.errors import ConfigurationError, EngineError, EngineUnavailable
from doctor.incident import Incident
from doctor.models import Diagnosis
from doctor.settings import Settings

log = logging.getLogger(__name__)

# Transient statuses worth another attempt (the SDK's own default set, spelled out).
RETRY_STATUS_CODES: Final = (408, 429, 500, 502, 503, 504)
TEMPERATURE: Final = 0.1  # a diagnosis should be stable, not creative
_MAX_REPAIR_ERRORS = 10
_MAX_ECHOED_ANSWER_CHARS = 20_000


def http_options(settings: Settings) -> types.HttpOptions:
    """Timeout, retries and endpoint for every request the client makes."""
    initial = settings.gemini_retry_initial_delay_seconds
    return types.HttpOptions(
        base_url=settings.gemini_base_url,  # None: the SDK's regional Vertex endpoint
        timeout=round(settings.gemini_timeout_seconds * 1000),  # the SDK takes milliseconds
        retry_options=types.HttpRetryOptions(
            attempts=settings.gemini_retry_attempts,  # includes the first request
            initial_delay=initial,
            max_delay=settings.gemini_retry_max_delay_seconds,
            # The SDK's default jitter adds up to 1 s per retry; scale it with the delay.
            jitter=initial,
            http_status_codes=list(RETRY_STATUS_CODES),
        ),
    )


class GeminiEngine:
    """Diagnoses a digest with Gemini. Build once per process: the client keeps a pool."""

    name: Final[Literal["gemini"]] = "gemini"

    def __init__(
        self,
        settings: Settings,
        *,
        credentials: google.auth.credentials.Credentials | None = None,
    ) -> None:
        if not settings.gcp_project_id:
            raise ConfigurationError(
                "The gemini engine needs a Google Cloud project",
                hint="Set GCP_PROJECT_ID (and GCP_LOCATION), or use the rules engine.",
            )
        self._model = settings.gemini_model
        self._timeout = settings.gemini_timeout_seconds
        self._attempts = settings.gemini_retry_attempts
        self._location = settings.gcp_location
        try:
            # credentials=None: Application Default Credentials, looked up on the first call
            # (the Cloud Run service account), so constructing the client touches no network.
            self._client = genai.Client(
                vertexai=True,
                project=settings.gcp_project_id,
                location=settings.gcp_location,
                credentials=credentials,
                http_options=http_options(settings),
            )
        except (ValueError, auth_exceptions.GoogleAuthError) as exc:
            log.warning("gemini client setup failed: %s: %s", type(exc).__name__, exc)
            raise ConfigurationError(
                "Could not set up the Gemini client",
                hint="Check GCP_PROJECT_ID, GCP_LOCATION and GEMINI_BASE_URL.",
            ) from exc

    def close(self) -> None:
        self._client.close()

    def diagnose(self, digest: Digest, prompt: Prompt, incident: Incident | None = None) -> Answer:
        """Ask Gemini for a Diagnosis of the prompt; `digest` and `incident` are already
        rendered into it."""
        del digest, incident  # the prompt carries everything the model sees
        return Answer(self._diagnosis(prompt), self.name, from_prompt=True)

    def _diagnosis(self, prompt: Prompt) -> Diagnosis:
        contents: list[types.Content] = [types.UserContent(prompt.user)]
        response = self._generate(contents, prompt.system)
        text = _answer_text(response)
        if isinstance(response.parsed, Diagnosis):
            return response.parsed
        try:
            return Diagnosis.model_validate_json(text)
        except ValidationError as exc:
            log.warning("gemini answer invalid (%d errors); asking for a repair", exc.error_count())
            problems = _describe(exc)
        contents += [
            types.ModelContent(text[:_MAX_ECHOED_ANSWER_CHARS]),
            types.UserContent(_repair_request(problems)),
        ]
        repaired = self._generate(contents, prompt.system)
        if isinstance(repaired.parsed, Diagnosis):
            return repaired.parsed
        try:
            return Diagnosis.model_validate_json(_answer_text(repaired))
        except ValidationError as exc:
            log.warning("gemini repair invalid too: %s", "; ".join(_describe(exc)))
            raise EngineError(
                "Gemini's answer did not match the diagnosis schema, even after a repair request",
                hint="Retry, or use the rules engine (--engine rules).",
            ) from None

    def _generate(
        self, contents: list[types.Content], system: str
    ) -> types.GenerateContentResponse:
        config = types.GenerateContentConfig(
            system_instruction=system,
            response_mime_type="application/json",
            response_schema=Diagnosis,
            temperature=TEMPERATURE,
        )
        try:
            return self._client.models.generate_content(
                model=self._model, contents=contents, config=config
            )
        except genai_errors.APIError as exc:
            log.warning("gemini request failed: HTTP %s %s: %s", exc.code, exc.status, exc.message)
            raise self._api_error(exc.code) from exc
        except auth_exceptions.GoogleAuthError as exc:
            log.warning("gemini credentials failed: %s: %s", type(exc).__name__, exc)
            raise EngineUnavailable(
                "Could not get Google credentials to call Gemini",
                hint="On Cloud Run the service account is used; locally run "
                "'gcloud auth application-default login'.",
            ) from exc
        except Exception as exc:
            # Transport failures come from httpx / httpx2 (whichever the SDK picked); they are
            # told apart by class name rather than importing a transitive dependency.
            log.warning("gemini request failed: %s: %s", type(exc).__name__, exc)
            if _is_timeout(exc):
                raise EngineUnavailable(
                    f"Gemini did not answer within {self._timeout:g}s "
                    f"({self._attempts} attempt{'s' if self._attempts > 1 else ''})",
                    hint="Retry later, or raise GEMINI_TIMEOUT_SECONDS.",
                ) from exc
            raise EngineUnavailable(
                "Could not reach Gemini",
                hint="Check network access to Vertex AI (and GEMINI_BASE_URL if set).",
            ) from exc

    def _api_error(self, code: int) -> EngineError:
        if code in (401, 403):
            return EngineUnavailable(
                f"Vertex AI refused the doctor's credentials (HTTP {code})",
                hint="Grant the service account roles/aiplatform.user on the project and check "
                "that the Vertex AI API is enabled.",
            )
        if code == 404:
            return EngineUnavailable(
                f"Model {self._model} is not available in {self._location} (HTTP 404)",
                hint="Check GEMINI_MODEL and GCP_LOCATION.",
            )
        if code == 429:
            return EngineUnavailable(
                f"Gemini quota exhausted (HTTP 429 after {self._attempts} attempts)",
                hint="Retry in a minute, or request more Vertex AI quota.",
            )
        if code >= 500 or code == 408:
            return EngineUnavailable(
                f"Vertex AI failed (HTTP {code} after {self._attempts} attempts)",
                hint="Retry later.",
            )
        return EngineError(
            f"Vertex AI rejected the request (HTTP {code})",
            hint="This is a bug in the doctor or a model change; use --engine rules meanwhile.",
        )


def _answer_text(response: types.GenerateContentResponse) -> str:
    text = response.text
    if text:
        return text
    # No text at all: blocked prompt, safety stop, or an empty candidate. A repair would not help.
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        reason = f"prompt blocked: {feedback.block_reason.value}"
    elif response.candidates and response.candidates[0].finish_reason is not None:
        reason = f"finish reason: {response.candidates[0].finish_reason.value}"
    else:
        reason = "no candidates"
    log.warning("gemini returned no text (%s)", reason)
    raise EngineError(
        f"Gemini returned no answer ({reason})",
        hint="Retry, or use the rules engine (--engine rules).",
    )


def _describe(exc: ValidationError) -> list[str]:
    """Validation problems without the offending input (it may be long)."""
    errors = exc.errors(include_input=False, include_url=False)[:_MAX_REPAIR_ERRORS]
    return [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in errors]


def _repair_request(problems: list[str]) -> str:
    listed = "\n".join(f"- {p}" for p in problems)
    return (
        "Your previous reply is not valid JSON for the required response schema. "
        f"Validation errors:\n{listed}\n"
        "Reply again with only the corrected JSON object, matching the schema exactly. "
        "Keep the same diagnosis; cite only pattern ids that appear in the digest."
    )


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, TimeoutError):
        return True
    return any("Timeout" in cls.__name__ for cls in type(exc).__mro__)
