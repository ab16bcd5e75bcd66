"""Typed dependencies: the settings and the service live on app.state, built by the lifespan."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import SecretStr

from doctor.errors import ConfigurationError, Unauthorized
from doctor.orchestrator import Doctor
from doctor.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_doctor(request: Request) -> Doctor:
    doctor: Doctor = request.app.state.doctor
    return doctor


SettingsDep = Annotated[Settings, Depends(get_settings)]
DoctorDep = Annotated[Doctor, Depends(get_doctor)]

_bearer = HTTPBearer(auto_error=False, description="DOCTOR_API_TOKEN")


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header, "" for anything else.

    The same parsing as FastAPI's HTTPBearer (scheme case-insensitive), so the early check in
    `doctor.api.limits.RequestGate` and the route dependencies agree on every header."""
    scheme, credentials = get_authorization_scheme_param(authorization)
    return credentials if scheme.lower() == "bearer" else ""


def _check(expected: SecretStr, token: str) -> bool:
    """Whether the bearer token is the expected one, compared in constant time."""
    return hmac.compare_digest(token.encode(), expected.get_secret_value().encode())


def check_api_token(settings: Settings, token: str) -> None:
    """Bearer auth, compared in constant time. No token configured means closed, not open."""
    if settings.doctor_api_token is None:
        raise ConfigurationError(
            "This doctor has no API token configured, so /analyze is closed.",
            hint="Set DOCTOR_API_TOKEN on the service.",
        )
    if not _check(settings.doctor_api_token, token):
        raise Unauthorized("Missing or invalid bearer token.")


def check_alert_token(settings: Settings, token: str) -> None:
    """POST /alerts/aws's own bearer token (EventBridge's connection sends it)."""
    if settings.doctor_alert_token is None:
        raise ConfigurationError(
            "This doctor has no alert token configured, so /alerts/aws is closed.",
            hint="Set DOCTOR_ALERT_TOKEN on the service and in the EventBridge connection.",
        )
    if not _check(settings.doctor_alert_token, token):
        raise Unauthorized(
            "Missing or invalid bearer token.",
            hint="This route takes DOCTOR_ALERT_TOKEN (the EventBridge connection's "
            "`Authorization: Bearer …`), not DOCTOR_API_TOKEN.",
        )


def require_token(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Bearer DOCTOR_API_TOKEN. On the routes that take a body, `RequestGate` has already
    checked it before the body was read; this dependency keeps every route closed on its own
    (and puts the bearer scheme into the OpenAPI schema)."""
    check_api_token(settings, credentials.credentials if credentials else "")


Authenticated = Depends(require_token)


def require_alert_token(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """POST /alerts/aws's own bearer token, as a dependency (see `require_token`)."""
    check_alert_token(settings, credentials.credentials if credentials else "")


AlertAuthenticated = Depends(require_alert_token)
