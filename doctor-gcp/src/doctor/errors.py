"""The doctor's one error hierarchy.

Every failure a user can cause or meet is a `DoctorError`: a stable machine `code`, the HTTP
`status` the API answers with, a `message` saying what went wrong and a `hint` saying how to fix
it. The CLI prints message + hint; the API serialises `to_body()`. Both are shown to users, so
they are written by us: never put `str()` of an SDK or library exception into them (it can carry
request details, URLs or tokens). Log the original exception and chain it with `raise ... from`.

    DoctorError                          500 internal_error
    ├── InputError                       400 invalid_input      bad file, unreadable input
    │   ├── InvalidParameter             422 invalid_parameter  a value out of range
    │   ├── PayloadTooLarge              413 payload_too_large  a body larger than allowed
    │   └── UnsupportedMediaType         415 unsupported_media_type  a body that is not JSON
    ├── Unauthorized                     401 unauthorized       missing / wrong API token
    ├── NotAllowed                       403 not_allowed        log group outside the allow list
    ├── TargetNotFound                   404 target_not_found   a target nobody configured
    ├── NotFound                         404 not_found          no such stored diagnosis
    ├── ConfigurationError               503 configuration_error  the service is set up wrongly
    ├── EngineError                      502 engine_error       the model answered badly
    │   └── EngineUnavailable            503 engine_unavailable unreachable, timeout, quota
    │       └── EngineMisconfigured      503 engine_misconfigured  unknown model, IAM refused
    ├── NotifyError                      502 notify_error       Slack refused or failed a post
    ├── StoreError                       503 store_error        the history database failed
    ├── DeadlineExceeded                 504 deadline_exceeded  the request's time ran out
    ├── ShuttingDown                     503 shutting_down      SIGTERM came first: retry
    └── LogSourceError                   502 log_source_error   CloudWatch failed
        ├── LogSourceUnavailable         503 log_source_unavailable  AWS 5xx, IdP unreachable
        ├── LogGroupNotFound             404 log_group_not_found
        ├── AccessDenied                 403 access_denied
        └── Throttled                    429 throttled
"""

from __future__ import annotations

from typing import ClassVar


class DoctorError(Exception):
    """Base of every error the doctor reports to a user."""

    code: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500
    default_hint: ClassVar[str] = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = self.default_hint if hint is None else hint

    def to_body(self) -> dict[str, dict[str, str]]:
        """The API's error JSON: `{"error": {"code", "message", "hint"}}`."""
        return {"error": {"code": self.code, "message": self.message, "hint": self.hint}}

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(DoctorError):
    """The input cannot be used: a missing, unreadable or binary file, a bad argument."""

    code = "invalid_input"
    status = 400


class PayloadTooLarge(InputError):
    """A request body larger than the endpoint ever needs (refused before it is parsed)."""

    code = "payload_too_large"
    status = 413


class UnsupportedMediaType(InputError):
    """A body whose Content-Type the route does not read (refused before it is parsed)."""

    code = "unsupported_media_type"
    status = 415
    default_hint = "Send JSON with 'Content-Type: application/json'."


class InvalidParameter(InputError):
    """A well-formed request with a value the doctor does not accept."""

    code = "invalid_parameter"
    status = 422


class Unauthorized(DoctorError):
    code = "unauthorized"
    status = 401
    default_hint = "Send 'Authorization: Bearer <DOCTOR_API_TOKEN>'."


class NotAllowed(DoctorError):
    """The request is valid but policy forbids it (e.g. DOCTOR_ALLOWED_LOG_GROUPS)."""

    code = "not_allowed"
    status = 403


class NotFound(DoctorError):
    """A stored thing (a diagnosis) that does not exist."""

    code = "not_found"
    status = 404


class TargetNotFound(DoctorError):
    """A request named a target this doctor does not know; the message lists the known ones."""

    code = "target_not_found"
    status = 404


class ConfigurationError(DoctorError):
    """The doctor itself is configured wrongly or incompletely; the caller cannot fix it."""

    code = "configuration_error"
    status = 503


class EngineError(DoctorError):
    """The diagnosis engine answered, but not usably (invalid output, rejected request)."""

    code = "engine_error"
    status = 502


class EngineUnavailable(EngineError):
    """The engine could not be reached or refused to serve (timeout, quota, credentials)."""

    code = "engine_unavailable"
    status = 503


class EngineMisconfigured(EngineUnavailable):
    """The engine refuses the doctor's configuration (unknown model, credentials refused):
    retrying will not help, the operator must change a setting."""

    code = "engine_misconfigured"
    status = 503


class StoreError(DoctorError):
    """The history database failed (unreachable, full, locked too long)."""

    code = "store_error"
    status = 503


class NotifyError(DoctorError):
    """Delivering a report to Slack failed: unreachable, rate limited past our patience, or
    refused (bad token, unknown channel, bot not in channel, expired response_url).

    `retry_after`: the seconds Slack asked to wait (a 429's Retry-After), when it said so.
    `permanent`: Slack refused this very message (its blocks, its size, a message to edit that
    is gone): sending it again cannot work, unlike a refusal a setting can fix (a token)."""

    code = "notify_error"
    status = 502

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        retry_after: float | None = None,
        permanent: bool = False,
    ) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after
        self.permanent = permanent


class DeadlineExceeded(DoctorError):
    """A step (or the whole request) did not finish within its deadline."""

    code = "deadline_exceeded"
    status = 504


class ShuttingDown(DoctorError):
    """The server is stopping (a deploy, a scale-in) and the request could not finish."""

    code = "shutting_down"
    status = 503


class LogSourceError(DoctorError):
    """Reading logs from CloudWatch failed."""

    code = "log_source_error"
    status = 502


class LogSourceUnavailable(LogSourceError):
    """AWS answered that it cannot serve right now (5xx, identity provider unreachable)."""

    code = "log_source_unavailable"
    status = 503
    default_hint = "A passing failure on AWS's side: retry in a minute."


class LogGroupNotFound(LogSourceError):
    code = "log_group_not_found"
    status = 404


class AccessDenied(LogSourceError):
    code = "access_denied"
    status = 403


class Throttled(LogSourceError):
    code = "throttled"
    status = 429
    default_hint = "AWS is throttling the doctor; retry in a minute or ask for fewer logs."
