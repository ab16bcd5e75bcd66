"""Gemini through the google-genai SDK, with structured output, on either backend.

The response schema is the `Diagnosis` pydantic model, so the model answers JSON in our shape.
An answer that still does not validate gets one repair request (the validation errors are sent
back); a second failure is an EngineError. The whole call, retries and repair included, runs
against one deadline (GEMINI_DEADLINE_SECONDS). Every SDK / HTTP failure is mapped to the
doctor's error hierarchy with a message of our own: SDK exception text is logged, never shown.
Tokens and cost come from the response's `usage_metadata`.
"""

from __future__ import annotations

import contextvars
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Final, Literal

import google.auth.credentials
from google.auth import exceptions as auth_exceptions
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import ValidationError

from doctor.digest import Prompt
from doctor.digest.types import Digest
from doctor.engines.base import Answer, Usage
from doctor.engines.gemini.config import MAX_REPLY_BYTES, build_client, generation_config, where
from doctor.engines.gemini.transport import BoundedTransport, DeadlineExceeded, ReplyTooLarge
from doctor.errors import ConfigurationError, EngineError, EngineMisconfigured, EngineUnavailable
from doctor.incident import Incident
from doctor.models import Diagnosis
from doctor.settings import Settings

log = logging.getLogger(__name__)

_MAX_REPAIR_ERRORS = 10
_MAX_ECHOED_ANSWER_CHARS = 20_000
_WORKERS = 8  # concurrent analyses waiting on Gemini; more queue
_GRACE_SECONDS = 1.0  # for the worker to notice the deadline itself before we stop waiting


class GeminiEngine:
    """Diagnoses a digest with Gemini. Build once per process: the client keeps a pool."""

    name: Final[Literal["gemini"]] = "gemini"

    def __init__(
        self,
        settings: Settings,
        *,
        credentials: google.auth.credentials.Credentials | None = None,
    ) -> None:
        if not settings.gemini_configured:
            raise ConfigurationError(
                "The gemini engine needs a Google Cloud project or a Gemini API key",
                hint="Set GCP_PROJECT_ID (Vertex AI) or GEMINI_API_KEY (Gemini Developer API), "
                "or use the rules engine.",
            )
        self._settings = settings
        self._model = settings.gemini_model
        self._transport = BoundedTransport(MAX_REPLY_BYTES)
        try:
            self._client = build_client(settings, self._transport, credentials)
        except (ValueError, auth_exceptions.GoogleAuthError) as exc:
            log.warning("gemini client setup failed: %s: %s", type(exc).__name__, exc)
            raise ConfigurationError(
                "Could not set up the Gemini client",
                hint="Check GCP_PROJECT_ID, GCP_LOCATION, GEMINI_API_KEY and GEMINI_BASE_URL.",
            ) from exc
        self._workers = ThreadPoolExecutor(_WORKERS, thread_name_prefix="gemini")

    def close(self) -> None:
        self._workers.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def diagnose(self, digest: Digest, prompt: Prompt, incident: Incident | None = None) -> Answer:
        """Ask Gemini for a Diagnosis of the prompt; `digest` and `incident` are already
        rendered into it."""
        del digest, incident  # the prompt carries everything the model sees
        seconds = self._settings.gemini_deadline_seconds
        deadline = time.monotonic() + seconds
        spent: list[Usage] = []
        # A worker thread, so that the caller stops waiting at the deadline whatever the SDK
        # is doing (a retry's back-off, a credentials refresh); the transport stops the worker.
        call = contextvars.copy_context().run
        future = self._workers.submit(call, self._diagnosis, prompt, deadline, spent)
        try:
            diagnosis = future.result(timeout=seconds + _GRACE_SECONDS)
        except FutureTimeout:
            future.cancel()
            raise self._late() from None
        return Answer(diagnosis, self.name, from_prompt=True, usage=_total(spent))

    def _diagnosis(self, prompt: Prompt, deadline: float, spent: list[Usage]) -> Diagnosis:
        with self._transport.deadline(deadline):
            contents: list[types.Content] = [types.UserContent(prompt.user)]
            answer, text = self._ask(contents, prompt.system, spent)
            if isinstance(answer, Diagnosis):
                return answer
            log.warning("gemini answer invalid (%d problems); asking for a repair", len(answer))
            contents += [
                types.ModelContent(text[:_MAX_ECHOED_ANSWER_CHARS]),
                types.UserContent(_repair_request(answer)),
            ]
            repaired, _ = self._ask(contents, prompt.system, spent)
            if isinstance(repaired, Diagnosis):
                return repaired
            log.warning("gemini repair invalid too: %s", "; ".join(repaired))
            raise EngineError(
                "Gemini's answer did not match the diagnosis schema, even after a repair request",
                hint="Retry, or use the rules engine (--engine rules).",
            )

    def _ask(
        self, contents: list[types.Content], system: str, spent: list[Usage]
    ) -> tuple[Diagnosis | list[str], str]:
        """One request: the Diagnosis it answered, or what is wrong with the answer; and its
        text."""
        response = self._generate(contents, system, spent)
        text = _answer_text(response, self._settings.gemini_max_output_tokens)
        if isinstance(response.parsed, Diagnosis):
            return response.parsed, text
        try:
            return Diagnosis.model_validate_json(text), text
        except ValidationError as exc:
            return _describe(exc), text

    def _generate(
        self, contents: list[types.Content], system: str, spent: list[Usage]
    ) -> types.GenerateContentResponse:
        config = generation_config(self._settings, system)
        try:
            response = self._client.models.generate_content(
                model=self._model, contents=contents, config=config
            )
        except genai_errors.APIError as exc:
            log.warning("gemini request failed: HTTP %s %s: %s", exc.code, exc.status, exc.message)
            raise self._api_error(exc.code) from exc
        except DeadlineExceeded:
            raise self._late() from None
        except ReplyTooLarge:
            log.warning("gemini reply over %d bytes: cut", MAX_REPLY_BYTES)
            raise EngineError(
                f"Gemini's reply was larger than {MAX_REPLY_BYTES // 1024} KiB; it was not read",
                hint="Retry, or use the rules engine (--engine rules).",
            ) from None
        except auth_exceptions.GoogleAuthError as exc:
            log.warning("gemini credentials failed: %s: %s", type(exc).__name__, exc)
            raise EngineUnavailable(
                "Could not get Google credentials to call Gemini",
                hint="On Cloud Run the service account is used; locally run "
                "'gcloud auth application-default login', or set GEMINI_API_KEY.",
            ) from exc
        except Exception as exc:
            # Transport failures come from httpx / httpx2 (whichever the SDK picked); they are
            # told apart by class name rather than importing a transitive dependency.
            log.warning("gemini request failed: %s: %s", type(exc).__name__, exc)
            if _is_timeout(exc):
                attempts = self._settings.gemini_retry_attempts
                raise EngineUnavailable(
                    f"Gemini did not answer within {self._settings.gemini_timeout_seconds:g}s "
                    f"({attempts} attempt{'s' if attempts > 1 else ''})",
                    hint="Retry later, or raise GEMINI_TIMEOUT_SECONDS.",
                ) from exc
            raise EngineUnavailable(
                "Could not reach Gemini",
                hint="Check network access to the Gemini API (and GEMINI_BASE_URL if set).",
            ) from exc
        used = self._usage(response.usage_metadata)
        spent.append(used)
        log.info(
            "gemini call: %d prompt tokens, %d output tokens",
            used.prompt_tokens,
            used.output_tokens,
            extra={"fields": {"model": self._model, **_fields(used)}},
        )
        return response

    def _usage(self, metadata: types.GenerateContentResponseUsageMetadata | None) -> Usage:
        if metadata is None:
            return Usage(cost_usd=None)
        prompt = metadata.prompt_token_count or 0
        output = (metadata.candidates_token_count or 0) + (metadata.thoughts_token_count or 0)
        price = _price(self._settings.gemini_prices, self._model)
        cost = None if price is None else (prompt * price[0] + output * price[1]) / 1_000_000
        return Usage(prompt, output, cost)

    def _late(self) -> EngineUnavailable:
        return EngineUnavailable(
            f"Gemini did not finish within the {self._settings.gemini_deadline_seconds:g}s "
            "deadline for the whole call",
            hint="Retry later, or raise GEMINI_DEADLINE_SECONDS.",
        )

    def _api_error(self, code: int) -> EngineError:
        attempts = self._settings.gemini_retry_attempts
        if code in (401, 403):
            if self._settings.gemini_backend == "developer":
                return EngineMisconfigured(
                    f"The Gemini Developer API refused GEMINI_API_KEY (HTTP {code})",
                    hint="Check the key in Google AI Studio, or unset it to use Vertex AI.",
                )
            return EngineMisconfigured(
                f"Vertex AI refused the doctor's credentials (HTTP {code})",
                hint="Grant the service account roles/aiplatform.user on the project and check "
                "that the Vertex AI API is enabled.",
            )
        if code == 404:
            return EngineMisconfigured(
                f"Gemini model '{self._model}' was not found in {where(self._settings)} (HTTP 404)",
                hint="Set GEMINI_MODEL to a current model (unset, it is a current GA Flash "
                "model) and GCP_LOCATION to a location that serves it (global serves Gemini 3).",
            )
        if code == 429:
            return EngineUnavailable(
                f"Gemini quota exhausted (HTTP 429 after {attempts} attempts)",
                hint="Retry in a minute, or request more quota.",
            )
        if code >= 500 or code == 408:
            return EngineUnavailable(
                f"Gemini failed (HTTP {code} after {attempts} attempts)", hint="Retry later."
            )
        return EngineError(
            f"Gemini rejected the request (HTTP {code})",
            hint="This is a bug in the doctor or a model change; use --engine rules meanwhile.",
        )


def _price(prices: dict[str, tuple[float, float]], model: str) -> tuple[float, float] | None:
    """The price of the longest name in the table that `model` starts with."""
    known = [name for name in prices if model.startswith(name)]
    return prices[max(known, key=len)] if known else None


def _total(spent: list[Usage]) -> Usage | None:
    if not spent:
        return None
    total = spent[0]
    for used in spent[1:]:
        total = total + used
    return total


def _fields(used: Usage) -> dict[str, object]:
    return {
        "prompt_tokens": used.prompt_tokens,
        "output_tokens": used.output_tokens,
        "cost_usd": used.cost_usd,
    }


def _answer_text(response: types.GenerateContentResponse, max_tokens: int) -> str:
    candidate = response.candidates[0] if response.candidates else None
    if candidate is not None and candidate.finish_reason == types.FinishReason.MAX_TOKENS:
        # Cut mid-JSON; asking again would be cut the same way.
        log.warning("gemini answer cut at max_output_tokens=%d", max_tokens)
        raise EngineError(
            f"Gemini's answer was cut off at {max_tokens} output tokens",
            hint="Raise GEMINI_MAX_OUTPUT_TOKENS, or lower GEMINI_THINKING_LEVEL.",
        )
    text = response.text
    if text:
        return text
    # No text at all: blocked prompt, safety stop, or an empty candidate. A repair would not help.
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        reason = f"prompt blocked: {feedback.block_reason.value}"
    elif candidate is not None and candidate.finish_reason is not None:
        reason = f"finish reason: {candidate.finish_reason.value}"
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
