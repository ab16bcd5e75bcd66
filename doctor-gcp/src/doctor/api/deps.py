"""Typed dependencies: the settings and the service live on app.state, built by the lifespan."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
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


def _check(expected: SecretStr, given: HTTPAuthorizationCredentials | None) -> bool:
    """Whether the bearer token is the expected one, compared in constant time."""
    token = given.credentials if given else ""
    return hmac.compare_digest(token.encode(), expected.get_secret_value().encode())


def require_token(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Bearer auth, compared in constant time. No token configured means closed, not open."""
    if settings.doctor_api_token is None:
        raise ConfigurationError(
            "This doctor has no API token configured, so /analyze is closed.",
            hint="Set DOCTOR_API_TOKEN on the service.",
        )
    if not _check(settings.doctor_api_token, credentials):
        raise Unauthorized("Missing or invalid bearer token.")


Authenticated = Depends(require_token)


def require_alert_token(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """POST /alerts/aws's own bearer token (EventBridge's connection sends it)."""
    if settings.doctor_alert_token is None:
        raise ConfigurationError(
            "This doctor has no alert token configured, so /alerts/aws is closed.",
            hint="Set DOCTOR_ALERT_TOKEN on the service and in the EventBridge connection.",
        )
    if not _check(settings.doctor_alert_token, credentials):
        raise Unauthorized(
            "Missing or invalid bearer token.",
            hint="This route takes DOCTOR_ALERT_TOKEN (the EventBridge connection's "
            "`Authorization: Bearer …`), not DOCTOR_API_TOKEN.",
        )


AlertAuthenticated = Depends(require_alert_token)
