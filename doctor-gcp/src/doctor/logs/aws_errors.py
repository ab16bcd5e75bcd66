"""AWS failures in the doctor's terms: one place maps boto errors to the error hierarchy, with a
hint that says what to fix. The SDK's own text is logged, never shown."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from doctor.errors import (
    AccessDenied,
    ConfigurationError,
    DoctorError,
    InvalidParameter,
    LogGroupNotFound,
    LogSourceError,
    LogSourceUnavailable,
    Throttled,
)

log = logging.getLogger(__name__)


@contextmanager
def aws_errors(log_group: str) -> Iterator[None]:
    """Map boto errors to the doctor's hierarchy, with hints; never echo the SDK's text."""
    try:
        yield
    except ClientError as exc:
        log.warning("AWS call failed", exc_info=exc)
        raise _from_client_error(exc, log_group) from None
    except NoCredentialsError:
        raise ConfigurationError(
            "No AWS credentials to read CloudWatch with.",
            hint="Set AWS_ROLE_ARN with DOCTOR_TOKEN_AUDIENCE or AWS_WEB_IDENTITY_TOKEN_FILE "
            "(or, for the CLI, log in to AWS, e.g. `aws sso login`).",
        ) from None
    except BotoCoreError as exc:
        log.warning("AWS unreachable", exc_info=exc)
        raise LogSourceError(
            "Could not reach AWS to read the logs.",
            hint="Check network egress to AWS and AWS_REGION; then retry.",
        ) from None


_THROTTLED = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "LimitExceededException"}
    | {"RequestLimitExceeded"}
)
_DENIED = frozenset(
    {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"}
    | {"UnrecognizedClientException"}
)
# What STS answers when the role's trust policy does not accept the token.
_TRUST = frozenset(
    {"AccessDenied", "InvalidIdentityToken", "IDPRejectedClaim", "ExpiredTokenException"}
)
# Passing failures on AWS's side: the caller can only retry.
_UNAVAILABLE = frozenset(
    {"ServiceUnavailableException", "ServiceUnavailable", "InternalFailure"}
    | {"IDPCommunicationError"}
)


def _from_client_error(exc: ClientError, group: str) -> DoctorError:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    if exc.operation_name == "AssumeRoleWithWebIdentity":
        return _from_sts_error(code)
    if code == "ResourceNotFoundException":
        return LogGroupNotFound(
            f"Log group {group!r} does not exist in this account and region.",
            hint="Check the name (case matters) and AWS_REGION.",
        )
    if code == "InvalidParameterException":
        return InvalidParameter(
            "CloudWatch rejected the query parameters (often the filter pattern).",
            hint="Check filter_pattern against CloudWatch's filter pattern syntax.",
        )
    if code in _DENIED:
        return AccessDenied(
            f"The doctor's AWS role may not read {group!r} ({code}).",
            hint="Allow logs:FilterLogEvents on this group's ARN in the role's policy.",
        )
    return _from_service_state(code, "CloudWatch Logs")


def _from_service_state(code: str, service: str) -> DoctorError:
    """Throttling and outages, the same for every AWS service the doctor calls."""
    if code in _THROTTLED:
        return Throttled(f"{service} is throttling the doctor ({code}).")
    if code in _UNAVAILABLE:
        return LogSourceUnavailable(f"{service} is unavailable right now ({code}).")
    return LogSourceError(f"{service} failed ({code or 'unknown error'}).")


def _from_sts_error(code: str) -> DoctorError:
    if code in _TRUST:
        return AccessDenied(
            f"AWS refused to let the doctor assume its role ({code}).",
            hint="Check the role's trust policy: accounts.google.com:aud must be the service "
            "account's numeric unique id (also :sub), and :oaud the DOCTOR_TOKEN_AUDIENCE.",
        )
    return _from_service_state(code, "AWS STS")
